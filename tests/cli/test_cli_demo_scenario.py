"""`pingan demo` and `pingan scenario …` end to end on a SQLite file, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    return ["--database-url", f"sqlite:///{tmp_path / 'pingan.db'}"]


def test_demo_builds_the_city_and_writes_outputs(tmp_path: Path, db: list[str]) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            *db,
            "--json",
            "demo",
            "--size",
            "small",
            "--out",
            str(out),
            "--plan-seconds",
            "2",
            "--start",
            "2026-12-01",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["roster"]["people"] > 600 and report["start"] == "2026-12-01"
    assert (out / "demo-map.html").stat().st_size > 10_000
    assert (out / "demo-small-scenario.json").exists()
    drills = report["drill_schedule"]
    assert drills["status"] in ("optimal", "feasible") and drills["rule_violations"] == 0
    assert drills["published_revision"] == 1 and drills["added"] == drills["scheduled"]
    assert drills["scheduled"] > 20 and (out / "demo-drills.ics").read_bytes().startswith(
        b"BEGIN:VCALENDAR"
    )


def test_scenario_export_validate_load_cycle(tmp_path: Path, db: list[str]) -> None:
    assert (
        runner.invoke(
            app, [*db, "demo", "--size", "small", "--out", str(tmp_path), "--plan-seconds", "2"]
        ).exit_code
        == 0
    )
    file = tmp_path / "county.json"
    result = runner.invoke(
        app,
        [
            *db,
            "scenario",
            "export",
            str(file),
            "--start",
            "2026-12-01",
            "--days",
            "3",
            "--county",
            "ZY06",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*db, "--json", "scenario", "validate", str(file)])
    assert result.exit_code == 0 and json.loads(result.stdout)["horizon"] == "2026-12-01 + 3 days"
    refused = runner.invoke(app, [*db, "scenario", "load", str(file)])
    assert refused.exit_code == 1 and "already holds a roster" in refused.output
    assert runner.invoke(app, [*db, "scenario", "load", str(file), "--replace"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--size", "huge"], "--size: expected one of"),
        (["demo", "--start", "tomorrow"], "--start: not a date"),
        (["scenario", "validate", "missing.json"], "No such file"),
        (["scenario", "export", "x.json"], "holds no roster"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(
    db: list[str], args: list[str], message: str
) -> None:
    result = runner.invoke(app, [*db, *args])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) <= 2


def test_invalid_scenario_file_names_the_field(tmp_path: Path, db: list[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "pingan-scenario",
                "version": "1.0",
                "horizon": {"start": "2026-12-01", "days": 999},
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, [*db, "scenario", "validate", str(bad)])
    assert result.exit_code == 1 and "horizon.days" in result.output


def test_standards_command_reports_from_the_database(tmp_path: Path, db: list[str]) -> None:
    assert (
        runner.invoke(
            app, [*db, "demo", "--size", "small", "--out", str(tmp_path), "--plan-seconds", "2"]
        ).exit_code
        == 0
    )
    result = runner.invoke(app, [*db, "--json", "standards"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # the one-county demo has no city-level SWAT detachment: exactly that shortfall
    assert [(r["jurisdiction_id"], r["standard"], r["missing"]) for r in rows] == [
        ("ZY", "city_patrol_swat", 50)
    ]
    assert runner.invoke(app, [*db, "standards", "--strict"]).exit_code == 2
    clean = runner.invoke(app, [*db, "--json", "standards", "--level", "county"])
    assert json.loads(clean.stdout) == []
    bad = runner.invoke(app, [*db, "standards", "--level", "province"])
    assert bad.exit_code == 1 and "--level" in bad.output


def test_export_then_import_through_the_cli(tmp_path: Path, db: list[str]) -> None:
    assert (
        runner.invoke(
            app, [*db, "demo", "--size", "small", "--out", str(tmp_path), "--plan-seconds", "2"]
        ).exit_code
        == 0
    )
    people = tmp_path / "people.xlsx"
    result = runner.invoke(app, [*db, "--json", "export", "people", str(people)])
    assert result.exit_code == 0 and json.loads(result.stdout)["rows"] > 600
    again = runner.invoke(app, [*db, "import", "people", str(people)])
    assert again.exit_code == 1 and "nothing imported" in again.output  # codes exist already
    upsert = runner.invoke(
        app, [*db, "--json", "import", "people", str(people), "--mode", "upsert"]
    )
    assert upsert.exit_code == 0 and json.loads(upsert.stdout)["updated"] > 600


def test_import_lists_bad_rows_and_exits_1(tmp_path: Path, db: list[str]) -> None:
    bad = tmp_path / "j.csv"
    bad.write_text("辖区编码,辖区名称,级别\nZY,张掖市,省\n", encoding="utf-8")
    result = runner.invoke(app, [*db, "--json", "import", "jurisdictions", str(bad)])
    assert result.exit_code == 1
    assert "'省' is not one of" in result.output and "nothing imported" in result.output
    assert runner.invoke(app, [*db, "import", "vehicles", str(bad)]).exit_code == 1


def test_plan_patrol_from_a_scenario_file(tmp_path: Path, db: list[str]) -> None:
    from optimizer.scenario import dump_scenario
    from tests.optimizer.patrol_cases import person, post, scenario

    file = dump_scenario(
        scenario([person(f"p{i}") for i in range(3)], [post("P1")]), tmp_path / "case.json"
    )
    out = tmp_path / "plan"
    result = runner.invoke(
        app,
        [
            *db,
            "--json",
            "plan",
            "patrol",
            "--scenario",
            str(file),
            "--out",
            str(out),
            "--seconds",
            "5",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "optimal" and summary["shortfalls"] == 0
    plan = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert plan["format"] == "pingan-patrol-plan" and len(plan["assignments"]) == 3
    assert (tmp_path / "plan.xlsx").stat().st_size > 0


def test_demo_publishes_tomorrows_plan(tmp_path: Path, db: list[str]) -> None:
    result = runner.invoke(
        app,
        [
            *db,
            "--json",
            "demo",
            "--size",
            "small",
            "--out",
            str(tmp_path),
            "--plan-seconds",
            "5",
            "--start",
            "2026-12-01",
        ],
    )
    plan = json.loads(result.stdout)["patrol_plan"]
    assert plan["status"] in ("optimal", "feasible") and plan["assignments"] > 100
    assert plan["bound"] <= plan["objective"]
    assert (tmp_path / "demo-patrol-plan.xlsx").exists()
