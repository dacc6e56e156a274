"""The scenario format: schema validation, cross-references, versions, files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from optimizer.scenario import (
    SCHEMA_PATH,
    Horizon,
    Scenario,
    ScenarioError,
    dump_scenario,
    load_scenario,
    parse_scenario,
    scenario_json_schema,
    scenario_to_dict,
)


def _base() -> dict[str, Any]:
    return {
        "format": "pingan-scenario",
        "version": "1.0",
        "horizon": {"start": "2026-12-01", "days": 7},
        "jurisdictions": [
            {"id": "ZY", "name": "张掖市", "level": "city"},
            {"id": "ZY01", "name": "甘州区", "level": "county", "parent_id": "ZY"},
        ],
        "units": [
            {
                "id": "XT-1",
                "name": "巡特警一中队",
                "force": "patrol_swat",
                "jurisdiction_id": "ZY01",
            }
        ],
        "people": [
            {
                "id": "620001",
                "name": "王伟",
                "force": "patrol_swat",
                "unit_id": "XT-1",
                "jurisdiction_id": "ZY01",
                "armed": True,
            }
        ],
        "shifts": [{"id": "D", "name": "白班", "start": "08:00", "hours": 8}],
        "posts": [
            {
                "id": "KD-1",
                "name": "一号卡点",
                "kind": "armed_checkpoint",
                "jurisdiction_id": "ZY01",
                "location": [100.4, 38.9],
                "min_staff": 2,
                "min_armed": 2,
            }
        ],
        "zones": [
            {
                "id": "Z-1",
                "name": "一号巡防区",
                "jurisdiction_id": "ZY01",
                "risk": [[1.0] * 24 for _ in range(7)],
            }
        ],
        "rules": [{"id": "r1", "kind": "min_rest", "hours": 11}],
    }


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    return str(info.value)


def test_a_valid_scenario_loads() -> None:
    s = parse_scenario(_base())
    assert s.people[0].name == "王伟" and s.posts[0].min_armed == 2


def test_committed_schema_is_the_generated_one() -> None:
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == scenario_json_schema()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["people"][0].update(armed="yes"),
            r"people[0].armed: 'yes' is not of type 'boolean'",
        ),
        (lambda d: d["people"][0].pop("name"), "people[0]: 'name' is a required property"),
        (lambda d: d["people"][0].update(force="army"), "people[0].force"),
        (lambda d: d["posts"][0].update(location=[200, 38]), "posts[0].location"),
        (lambda d: d["horizon"].update(days=0), "horizon.days"),
        (lambda d: d["rules"][0].update(kind="bogus"), "rules[0].kind: unknown kind 'bogus'"),
        (lambda d: d["rules"][0].pop("hours"), "rules[0]: 'hours' is a required property"),
        (lambda d: d.update(extra_field=1), "extra_field"),
        (lambda d: d["zones"][0].update(risk=[[1.0] * 24]), "zones[0].risk"),
        (lambda d: d["people"][0].update(unit_id="XT-9"), "people[0].unit_id: unknown unit 'XT-9'"),
        (lambda d: d["jurisdictions"][1].update(parent_id="NOPE"), "jurisdictions[1].parent_id"),
        (lambda d: d["people"].append(dict(d["people"][0])), "people[1].id: duplicate id '620001'"),
        (lambda d: d["posts"][0].update(min_armed=3), "posts[0].min_armed: 3 exceeds min_staff"),
        (
            lambda d: d["rules"].append({"id": "r2", "kind": "hours", "min": 50, "max": 40}),
            "rules[1].min: 50 exceeds max 40",
        ),
        (lambda d: d.update(version="2.0"), "version: unsupported scenario version '2.0'"),
        (lambda d: d.update(format="other"), "format: expected 'pingan-scenario'"),
    ],
)
def test_bad_content_is_named_by_field(mutate: Any, expected: str) -> None:
    data = _base()
    mutate(data)
    assert expected in _error(data)


def test_every_problem_is_listed() -> None:
    data = _base()
    data["people"][0]["unit_id"] = "X1"
    data["posts"][0]["jurisdiction_id"] = "X2"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert len(info.value.problems) == 2


def test_file_round_trip_keeps_chinese(tmp_path: Path) -> None:
    s = parse_scenario(_base())
    path = dump_scenario(s, tmp_path / "s.json")
    assert "王伟" in path.read_text(encoding="utf-8")
    assert load_scenario(path) == s


def test_unreadable_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="No such file"):
        load_scenario(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not JSON"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="JSON object"):
        parse_scenario([1, 2])


def test_shift_helpers() -> None:
    s = Scenario(
        horizon=Horizon(start=dt.date(2026, 12, 1), days=2),
        shifts=[
            {"id": "N", "name": "夜", "start": "00:00", "hours": 8},  # type: ignore[list-item]
            {"id": "E", "name": "中", "start": "16:00", "hours": 8},
        ],
    )
    night, evening = s.shifts
    assert night.is_night() and not evening.is_night()
    assert evening.interval(dt.date(2026, 12, 1))[1] == dt.datetime(2026, 12, 2, 0, 0)
    assert s.horizon.dates == [dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    assert scenario_to_dict(s)["shifts"][0]["start"] == "00:00:00"
