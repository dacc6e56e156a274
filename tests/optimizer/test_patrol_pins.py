"""Re-planning around pins: kept pins stay, pins off stay off, the rest changes little."""

from __future__ import annotations

import datetime as dt

from optimizer.patrol import SolveParams, check_plan
from optimizer.patrol.pins import Pin, replan_around_pins
from optimizer.scenario import Assignment, TaskKind, parse_scenario
from tests.api.city import DAY, city_data

PARAMS = SolveParams(time_limit=10, num_workers=1, random_seed=1)


def _a(person: str, shift: str, target: str, day: dt.date = DAY) -> Assignment:
    return Assignment(
        person_id=person, date=day, shift_id=shift, task=TaskKind.POST, target_id=target
    )


def _keys(plan: list[Assignment]) -> set[tuple[str, str, str]]:
    return {(a.person_id, a.shift_id, a.target_id) for a in plan}


def test_pins_hold_and_the_rest_changes_little() -> None:
    scenario = parse_scenario(city_data())
    keep = Pin(_a("K1-1", "evening", "K1-A"))
    off = Pin(_a("K1-0", "day", "K1-A"), keep=False)
    result = replan_around_pins(scenario, [keep, off], PARAMS)
    got = _keys(result.assignments)
    assert ("K1-1", "evening", "K1-A") in got
    assert ("K1-0", "day", "K1-A") not in got
    assert check_plan(scenario, result.assignments) == []
    # the assignments no pin touches and that still fit stay where they were
    assert ("K2-0", "night", "K2-A") in got
    assert result.diff is not None
    assert _a("K1-0", "day", "K1-A") in result.diff.removed
    assert _a("K1-1", "evening", "K1-A") in result.diff.added


def test_pins_that_cannot_hold_together_are_named() -> None:
    scenario = parse_scenario(city_data())
    # the same person pinned to two posts of one shift
    pins = [Pin(_a("K1-0", "day", "K1-A")), Pin(_a("K1-0", "day", "K1-B"))]
    result = replan_around_pins(scenario, pins, PARAMS)
    assert result.assignments == []
    names = {c.rule for c in result.conflicts}
    assert {p.name for p in pins} <= names


def test_an_override_pin_stays_outside_the_model() -> None:
    scenario = parse_scenario(city_data())
    # K1-0 pinned to the day shift, and by override to the night too (two shifts a day)
    pins = [Pin(_a("K1-0", "day", "K1-B")), Pin(_a("K1-0", "night", "K1-A"), override=True)]
    result = replan_around_pins(scenario, pins, PARAMS)
    got = _keys(result.assignments)
    assert {("K1-0", "day", "K1-B"), ("K1-0", "night", "K1-A")} <= got
    assert sum(1 for p, s, _ in got if p == "K1-0" and s == "night") == 1
    assert [v for v in check_plan(scenario, result.assignments) if "K1-0" in v]
    assert not [v for v in check_plan(scenario, result.assignments) if "K1-0" not in v]
