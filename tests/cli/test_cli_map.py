"""`pingan map situation|plan` as a user runs them: from a scenario file, a plan file and the
database; the written file is standalone and shows the staffing of the hour asked for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from maps.colors import STAFFING_COLORS
from maps.offline import linked_assets
from optimizer.scenario import dump_scenario, parse_scenario

runner = CliRunner()
DAY = "2025-05-05"
ROWS = re.compile(r"var rows = (\[.*?\]);\n", re.S)


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def scenario_data() -> dict[str, Any]:
    """County K1; posts A (day checkpoint, 2 people) and B (24 h, 1 armed); a plan: day shift
    A ← P1, P2 and B ← P3 (armed); night shift B ← P4 (not armed)."""
    plan = [
        ("P1", "day", "A"),
        ("P2", "day", "A"),
        ("P3", "day", "B"),
        ("P4", "night", "B"),
    ]
    return {
        "format": "pingan-scenario",
        "version": "1.0",
        "name": "cli map",
        "horizon": {"start": DAY, "days": 1},
        "jurisdictions": [
            {"id": "K1", "name": "甘州区", "level": "county", "boundary": square(100.4, 38.9, 0.2)}
        ],
        "units": [
            {
                "id": "U1",
                "name": "巡特警一中队",
                "force": "patrol_swat",
                "jurisdiction_id": "K1",
                "base": [100.45, 38.95],
            }
        ],
        "people": [
            {
                "id": f"P{i}",
                "name": f"民警{i}",
                "force": "patrol_swat",
                "unit_id": "U1",
                "jurisdiction_id": "K1",
                "armed": i == 3,
            }
            for i in range(1, 5)
        ],
        "shifts": [
            {"id": "night", "name": "夜班", "start": "00:00", "hours": 8},
            {"id": "day", "name": "白班", "start": "08:00", "hours": 8},
            {"id": "evening", "name": "晚班", "start": "16:00", "hours": 8},
        ],
        "posts": [
            {
                "id": "A",
                "name": "北门卡点",
                "kind": "checkpoint",
                "jurisdiction_id": "K1",
                "location": [100.42, 38.92],
                "hours": [[8, 16]],
                "min_staff": 2,
            },
            {
                "id": "B",
                "name": "东站武装卡点",
                "kind": "armed_checkpoint",
                "jurisdiction_id": "K1",
                "location": [100.55, 38.95],
                "min_staff": 1,
                "min_armed": 1,
            },
        ],
        "zones": [
            {
                "id": "Z1",
                "name": "东街",
                "jurisdiction_id": "K1",
                "geometry": square(100.4, 38.9, 0.1),
                "risk": [[1.0] * 24 for _ in range(7)],
            }
        ],
        "incidents": [
            {
                "id": "JQ-7",
                "reported_at": f"{DAY}T10:15:00",
                "location": [100.5, 38.97],
                "kind": "fire",
                "severity": 3,
            }
        ],
        "published_plan": [
            {"person_id": p, "date": DAY, "shift_id": s, "task": "post", "target_id": t}
            for p, s, t in plan
        ],
    }


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    return dump_scenario(parse_scenario(scenario_data()), tmp_path / "scenario.json")


def run(*args: str) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def shows(html: str, text: str) -> bool:
    """The page holds the text, as is or JSON-escaped (folium escapes layer names)."""
    return text in html or json.dumps(text)[1:-1] in html


def post_colors(html: str) -> dict[str, str]:
    """Post id → pin colour, from the layers' data in the page."""
    out = {}
    for block in ROWS.findall(html):
        for row in json.loads(block):
            if row[6] in ("A", "B"):
                out[row[6]] = row[2]
    return out


def test_situation_from_a_scenario_shows_the_staffing_of_the_hour(
    scenario_file: Path, tmp_path: Path
) -> None:
    day_map, night_map = tmp_path / "day.html", tmp_path / "night.html"
    result = run(
        "--json", "map", "situation", "--scenario", scenario_file, "--hour", 10, "--out", day_map
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["map"] == str(day_map) and report["at"].startswith(f"{DAY}T10:00")
    html = day_map.read_text(encoding="utf-8")
    assert post_colors(html) == {"A": STAFFING_COLORS["manned"], "B": STAFFING_COLORS["manned"]}
    assert shows(html, "巡防责任区") and shows(html, "JQ-7") and shows(html, "火灾")
    assert all(u.startswith("data:") for u in linked_assets(html))  # standalone

    result = run(
        "map",
        "situation",
        "--scenario",
        scenario_file,
        "--day",
        DAY,
        "--hour",
        3,
        "--lang",
        "en",
        "--out",
        night_map,
    )
    assert result.exit_code == 0, result.output
    html = night_map.read_text(encoding="utf-8")
    # night: A is closed, B has one person but nobody armed
    assert post_colors(html) == {"A": STAFFING_COLORS["closed"], "B": STAFFING_COLORS["short"]}
    assert shows(html, "Patrol zones") and not shows(html, "巡防责任区")


def test_plan_from_a_plan_file_and_a_scenario(scenario_file: Path, tmp_path: Path) -> None:
    data = scenario_data()
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(
        json.dumps(
            {
                "format": "pingan-patrol-plan",
                "version": "1.0",
                "status": "feasible",
                "horizon_start": DAY,
                "horizon_days": 1,
                "assignments": data["published_plan"],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "plan.html"
    result = run(
        "--json", "map", "plan", "--plan-file", plan_file, "--scenario", scenario_file, "--out", out
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == 4
    html = out.read_text(encoding="utf-8")
    assert shows(html, f"{DAY} 夜班 00:00–08:00") and shows(html, f"{DAY} 白班 08:00–16:00")
    assert not shows(html, f"{DAY} 晚班")  # the plan has no evening shift


def test_plan_and_situation_from_the_database(scenario_file: Path, tmp_path: Path) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'pingan.db'}"]
    assert run(*db, "scenario", "load", scenario_file).exit_code == 0
    refused = run(*db, "map", "plan", "--out", tmp_path / "none.html")
    assert refused.exit_code == 1 and "no published plan" in refused.output

    from optimizer.scenario import load_scenario
    from rosters.db import get_engine, session_scope
    from rosters.plans import publish_plan, save_plan

    scenario = load_scenario(scenario_file)
    engine = get_engine(db[1])
    with session_scope(engine) as session:
        plan_id = save_plan(
            session,
            name="test",
            start=scenario.horizon.start,
            days=1,
            status="feasible",
            assignments=scenario.published_plan,
        )
        publish_plan(session, plan_id, by="test")
    out = tmp_path / "latest.html"
    result = run(*db, "--json", "map", "plan", "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == f"plan {plan_id}"
    assert shows(out.read_text(encoding="utf-8"), f"{DAY} 白班 08:00–16:00")

    missing = run(*db, "map", "plan", "--plan-id", plan_id + 40)
    assert missing.exit_code == 1 and f"no plan {plan_id + 40}" in missing.output

    # live state: an open incident and a unit's reported position and status
    from dispatch.lifecycle import report_incident
    from dispatch.status import report_position
    from optimizer.reinforcement import UnitState
    from optimizer.scenario import IncidentNeeds

    with session_scope(engine) as session:
        report_incident(
            session,
            code="JQ-DB",
            kind="flood",
            location=(100.5, 38.96),
            needs=IncidentNeeds(),
            actor="test",
        )
        report_position(session, "U1", 100.51, 38.97, status=UnitState.STANDBY)
    out = tmp_path / "situation.html"
    result = run(*db, "map", "situation", "--day", DAY, "--hour", 10, "--out", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    # the published plan in the database staffs the posts of the hour asked for
    assert post_colors(html) == {"A": STAFFING_COLORS["manned"], "B": STAFFING_COLORS["manned"]}
    pins = {row[6]: row for block in ROWS.findall(html) for row in json.loads(block)}
    assert pins["JQ-DB"][:2] == [38.96, 100.5] and shows(html, "汛情")
    assert pins["U1"][:2] == [38.97, 100.51] and pins["U1"][3] == "bell"  # standby
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["situation", "--scenario", "nope.json"], "--scenario: no such file"),
        (["situation", "--scenario", "{scenario}", "--hour", "25"], "--hour: expected 0–23"),
        (["situation", "--scenario", "{scenario}", "--day", "5 May"], "--day: not a date"),
        (["situation", "--scenario", "{scenario}", "--day", "2025-06-01"], "outside the scenario"),
        (["situation", "--scenario", "{scenario}", "--lang", "fr"], "--lang: expected zh or en"),
        (["situation", "--scenario", "{scenario}", "--coverage", "x"], "--coverage: expected"),
        (["plan", "--plan-file", "{bad_plan}", "--scenario", "{scenario}"], "--plan-file: "),
        (["plan", "--plan-file", "x.json", "--plan-id", "3"], "give one of them"),
    ],
)
def test_bad_input_names_the_option_and_writes_nothing(
    args: list[str], message: str, scenario_file: Path, tmp_path: Path
) -> None:
    bad_plan = tmp_path / "bad-plan.json"
    bad_plan.write_text('{"format": "pingan-patrol-plan", "version": "1.0"}', encoding="utf-8")
    out = tmp_path / "never.html"
    filled = [a.format(scenario=scenario_file, bad_plan=bad_plan) for a in args]
    result = run("map", *filled, "--out", out)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert not out.exists()
