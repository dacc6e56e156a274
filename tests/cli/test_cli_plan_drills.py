"""`pingan plan drills` from a scenario file, as a training officer runs it."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from optimizer.drills.ics import sessions_from_ics
from optimizer.scenario import dump_scenario
from tests.optimizer.drill_cases import scenario

runner = CliRunner()


def test_plan_drills_writes_json_excel_and_ics(tmp_path: Path) -> None:
    file = dump_scenario(scenario(), tmp_path / "s.json")
    out = tmp_path / "schedule"
    result = runner.invoke(
        app,
        [
            "--json",
            "plan",
            "drills",
            "--scenario",
            str(file),
            "--out",
            str(out),
            "--seconds",
            "10",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "optimal" and summary["scheduled"] == 4
    assert summary["unmet"] == 0 and summary["gap"] == 0
    data = json.loads((tmp_path / "schedule.json").read_text(encoding="utf-8"))
    assert data["format"] == "pingan-drill-schedule" and len(data["sessions"]) == 4
    assert len(sessions_from_ics((tmp_path / "schedule.ics").read_bytes())) == 4
    assert load_workbook(tmp_path / "schedule.xlsx").sheetnames[0] == "演练日程"


def test_plan_drills_refuses_a_bad_file(tmp_path: Path) -> None:
    data = json.loads(dump_scenario(scenario(), tmp_path / "s.json").read_text(encoding="utf-8"))
    data["drills"]["requirements"][0]["unit_ids"] = ["NOPE"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(
        app, ["plan", "drills", "--scenario", str(bad), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "drills.requirements[0].unit_ids: unknown unit 'NOPE'" in result.output
    assert not list(tmp_path.glob("x.*"))


def test_plan_drills_from_the_database_keeps_the_published_drill(tmp_path: Path) -> None:
    from rosters.db import make_engine, migrate, session_scope
    from rosters.scenario_db import load_scenario_into_db
    from tests.rosters.test_drill_db import LF_DAY, full_case

    url = f"sqlite:///{tmp_path / 'pingan.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        load_scenario_into_db(session, full_case())
    engine.dispose()
    out = tmp_path / "schedule"
    args = ["--json", "--database-url", url, "plan", "drills", "--start", "2026-12-01"]
    args += ["--days", "31", "--out", str(out), "--seconds", "10", "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "schedule.json").read_text(encoding="utf-8"))
    # the published drill is not in the way of itself: it stays where it is
    kept = next(s for s in data["sessions"] if s["id"] == "R1/2026-12/1")
    assert kept["start"] == LF_DAY.isoformat()


def test_schedule_publish_list_and_record_from_the_database(tmp_path: Path) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'p.db'}"]
    file = dump_scenario(scenario(), tmp_path / "s.json")
    assert runner.invoke(app, [*db, "scenario", "load", str(file)]).exit_code == 0
    out = tmp_path / "d"
    args = ["--start", "2026-12-01", "--days", "31", "--seconds", "10", "--workers", "1"]
    result = runner.invoke(
        app, [*db, "--json", "plan", "drills", *args, "--out", str(out), "--publish"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["scheduled"] == 4 and summary["published_revision"] == 1
    assert summary["added"] == 4 and summary["schedule_id"] >= 1
    listed = runner.invoke(
        app,
        [
            *db,
            "--json",
            "drills",
            "list",
            "--unit",
            "S1",
            "--days",
            "366",
            "--ics",
            str(tmp_path / "s1.ics"),
        ],
    )
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert len(rows) == 2 and all(r["units"] == "S1" for r in rows)
    assert len(sessions_from_ics((tmp_path / "s1.ics").read_bytes())) == 2
    # (missed, not done: these drills may still be in the future, and a future drill
    # cannot be recorded done)
    done = runner.invoke(app, [*db, "--json", "drills", "record", rows[0]["id"], "missed"])
    assert done.exit_code == 0 and json.loads(done.stdout)["status"] == "missed"
    again = runner.invoke(app, [*db, "drills", "record", rows[0]["id"], "scheduled"])
    assert again.exit_code == 1 and "may become" in again.output
    bad = runner.invoke(app, [*db, "drills", "record", "NOPE", "done"])
    assert bad.exit_code == 1 and "NOPE" in bad.output
    refused = runner.invoke(
        app, [*db, "plan", "drills", "--scenario", str(file), "--out", str(out), "--save"]
    )
    assert refused.exit_code == 1 and "from the database" in refused.output
