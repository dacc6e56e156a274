"""Reinforcement selection: exact against enumeration, rules, escalation, explanations."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from optimizer.reinforcement import (
    ReinforcementOptions,
    UnitState,
    build_instance,
    suggest_reinforcement,
)
from optimizer.reinforcement.check import best_key_by_enumeration, check_suggestion
from optimizer.reinforcement.eta import TravelModel
from optimizer.reinforcement.synthetic import UnitSpec, crafted_city, north
from optimizer.result import SolveStatus
from optimizer.scenario import (
    Force,
    Incident,
    IncidentNeeds,
    Level,
    Post,
    PostKind,
    StandbyFloor,
    Zone,
)

AT = dt.datetime(2026, 3, 2, 10, 0)
TRAVEL = TravelModel(vehicle_kmh=60.0, foot_kmh=6.0, circuity=1.0)  # 1 km by car = 1 minute
NO_TURNOUT = dict.fromkeys(UnitState, 0.0)
OPTS = ReinforcementOptions(travel=TRAVEL, turnout_minutes=NO_TURNOUT, alternatives=2)
FLAT_RISK = [[1.0] * 24 for _ in range(7)]


def incident(severity: int = 1, where: str = "T1", km: float = 0.0, **needs: object) -> Incident:
    return Incident(
        id="I-1",
        reported_at=AT,
        location=north(km),
        kind="violent",
        severity=severity,
        jurisdiction_id=where,
        needs=IncidentNeeds(**needs),  # type: ignore[arg-type]
    )


def solve(specs, inc, options=OPTS, **city):  # type: ignore[no-untyped-def]
    scenario, states = crafted_city(specs, **city)
    inst = build_instance(scenario, AT, states, options)
    result = suggest_reinforcement(inst, inc, options=options)
    for s in result.suggestions:
        problems = check_suggestion(
            scenario, states, inc, s, result.level, options.travel, options.turnout_minutes
        )
        assert problems == [], problems
    return scenario, states, result


def chosen(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {u.unit_id for u in result.best.units}


def test_fastest_complete_response_first_then_fewest_units() -> None:
    specs = [
        UnitSpec("A", "T1", 1.0, people=4),
        UnitSpec("B", "T1", 2.0, people=4),
        UnitSpec("C", "T1", 3.0, people=8),
    ]
    _, _, result = solve(specs, incident(headcount=8))
    assert chosen(result) == {"A", "B"}
    assert result.best.arrival_minutes == pytest.approx(2.0, abs=0.01)
    specs.append(UnitSpec("D", "T1", 2.0, people=8))
    _, _, result = solve(specs, incident(headcount=8))
    assert chosen(result) == {"D"}  # same arrival, one unit instead of two
    assert result.status == SolveStatus.OPTIMAL


def test_armed_skills_and_vehicles_are_all_met() -> None:
    specs = [
        UnitSpec("A", "T1", 1.0, people=6, armed=0, vehicles=0),
        UnitSpec("B", "T1", 2.0, people=3, armed=3),
        UnitSpec("W", "T1", 4.0, people=2, skills={"water_rescue": 2}),
        UnitSpec("R", "T1", 5.0, people=4, skills={"riot_control": 4}, armed=2),
    ]
    _, _, result = solve(
        specs, incident(headcount=4, armed=2, skills={"water_rescue": 1}, vehicles=2)
    )
    assert chosen(result) == {"B", "W"}
    needs = {n.need: n for n in result.best.needs}
    assert needs["skill:water_rescue"].met_at_minutes == pytest.approx(4.0, abs=0.01)
    assert needs["armed"].met_at_minutes == pytest.approx(2.0, abs=0.01)
    b = next(u for u in result.best.units if u.unit_id == "B")
    assert "armed" in b.covers and "ETA 2.0 min" in b.reason


def test_last_cover_of_a_24_hour_post_is_never_taken() -> None:
    post24 = Post(
        id="P24", name="卡口", kind=PostKind.CHECKPOINT, jurisdiction_id="T1", location=north(0.5)
    )
    day_post = Post(
        id="PD",
        name="岗亭",
        kind=PostKind.KIOSK,
        jurisdiction_id="T1",
        location=north(0.5),
        hours=[(8, 20)],
    )
    specs = [
        UnitSpec("P", "T1", 0.5, status=UnitState.ON_POST, target="P24"),
        UnitSpec("K", "T1", 0.6, status=UnitState.ON_POST, target="PD"),
        UnitSpec("far", "T1", 6.0),
    ]
    _, _, result = solve(specs, incident(headcount=8), posts=[post24, day_post])
    assert chosen(result) == {"K", "far"}  # P is the post's last cover; the kiosk is not 24 h
    specs.append(UnitSpec("P2", "T1", 0.7, status=UnitState.ON_POST, target="P24"))
    _, _, result = solve(specs, incident(headcount=8), posts=[post24, day_post])
    assert chosen(result) == {"K", "P"}  # one of the two may leave (P is nearer)


def test_zone_presence_and_standby_floor_hold() -> None:
    zone = Zone(
        id="Z1",
        name="Z1",
        jurisdiction_id="T1",
        centroid=north(0.5),
        risk=FLAT_RISK,
        min_presence=4,
    )
    specs = [
        UnitSpec("Z-a", "T1", 0.5, people=4, status=UnitState.ON_PATROL, target="Z1"),
        UnitSpec("Z-b", "T1", 0.6, people=2, status=UnitState.ON_PATROL, target="Z1"),
        UnitSpec("S-a", "K1", 1.0, people=6, status=UnitState.STANDBY, force=Force.COUNTY_RESPONSE),
        UnitSpec("S-b", "K1", 1.1, people=6, status=UnitState.STANDBY, force=Force.COUNTY_RESPONSE),
        UnitSpec("far", "T2", 9.0, people=6),
    ]
    floor = StandbyFloor(jurisdiction_id="K1", min_count=6)
    _, _, result = solve(specs, incident(severity=3, headcount=8), zones=[zone], standby=[floor])
    # Z-a would leave 2 < 4 in the zone; only one standby squad may go (floor 6)
    assert chosen(result) == {"Z-b", "S-a"}


def test_township_first_then_county_then_city() -> None:
    specs = [
        UnitSpec("town", "T1", 5.0, people=4),
        UnitSpec("county", "K1", 1.0, people=4, force=Force.COUNTY_RESPONSE),
        UnitSpec("city", "C", 0.5, people=8, force=Force.PATROL_SWAT),
        UnitSpec("other", "T3", 0.2, people=8),
    ]
    _, _, result = solve(specs, incident(severity=1, headcount=4))
    assert (chosen(result), result.level) == ({"town"}, Level.TOWNSHIP)
    _, _, result = solve(specs, incident(severity=3, headcount=4))
    assert (chosen(result), result.level) == ({"county"}, Level.COUNTY)
    # the township alone cannot send 8: escalate to the county, then the city
    _, _, result = solve(specs, incident(severity=1, headcount=8))
    assert result.level == Level.COUNTY and chosen(result) == {"town", "county"}
    assert "escalated to county" in result.escalations[0]
    _, _, result = solve(specs, incident(severity=1, headcount=12))
    assert result.level == Level.CITY
    assert chosen(result) == {"other", "city"}  # the nearest 12 people city-wide
    _, _, result = solve(specs, incident(severity=4, headcount=4))
    assert chosen(result) == {"other"}


def test_need_that_cannot_be_met_is_explained() -> None:
    specs = [UnitSpec("A", "T1", 7.0, people=4, armed=1), UnitSpec("B", "T1", 2.0, people=2)]
    _, _, result = solve(specs, incident(headcount=4, armed=3))
    best = result.best
    armed = next(n for n in best.needs if n.need == "armed")
    assert (armed.provided, armed.met_at_minutes, armed.best_possible_minutes) == (1, None, None)
    assert "short by 2" in armed.note
    assert (
        result.shortfalls[0].missing == 2 and result.shortfalls[0].requirement == "incident_armed"
    )
    people = next(n for n in best.needs if n.need == "headcount")
    assert not people.within_target
    assert people.best_possible_minutes == pytest.approx(7.0, abs=0.01)
    assert "not met within 5 min; best available 7.0 min" in people.note


def test_alternatives_are_distinct_and_ranked() -> None:
    specs = [UnitSpec(f"U{k}", "T1", 1.0 + k * 0.5, people=2 + k % 3) for k in range(8)]
    _, _, result = solve(specs, incident(headcount=6))
    sets = [frozenset(u.unit_id for u in s.units) for s in result.suggestions]
    assert len(sets) == 3 and len(set(sets)) == 3
    keys = [s.objective_key for s in result.suggestions]
    assert keys == sorted(keys)


def _random_case(seed: int) -> tuple[list[UnitSpec], Incident, dict]:
    rng = random.Random(seed)
    post = Post(
        id="P24", name="P24", kind=PostKind.CHECKPOINT, jurisdiction_id="T1", location=north(1.0)
    )
    zone = Zone(
        id="Z1",
        name="Z1",
        jurisdiction_id="T1",
        centroid=north(2.0),
        risk=FLAT_RISK,
        min_presence=rng.randint(0, 5),
    )
    floor = StandbyFloor(
        jurisdiction_id="K1", forces=[Force.COUNTY_RESPONSE], min_count=rng.randint(0, 8)
    )
    specs = []
    for k in range(rng.randint(7, 10)):
        where = rng.choice(["T1", "T1", "T2", "K1", "T3", "C"])
        status = rng.choice(
            [
                UnitState.STANDBY,
                UnitState.ON_PATROL,
                UnitState.ON_POST,
                UnitState.AVAILABLE,
                UnitState.OFF_DUTY,
            ]
        )
        target = {"on_post": "P24", "on_patrol": "Z1", "standby": where}.get(status.value)
        specs.append(
            UnitSpec(
                f"U{k}",
                where,
                round(rng.uniform(0.0, 12.0), 2),
                people=rng.randint(1, 6),
                armed=rng.randint(0, 2),
                skills={"riot_control": rng.randint(0, 2)},
                vehicles=rng.randint(0, 1),
                status=status,
                target=target,
                force=Force.COUNTY_RESPONSE if where == "K1" else Force.TOWNSHIP_FORCE,
            )
        )
    inc = incident(
        severity=rng.randint(1, 4),
        km=round(rng.uniform(0.0, 6.0), 2),
        headcount=rng.randint(2, 14),
        armed=rng.randint(0, 4),
        skills={"riot_control": rng.randint(0, 3)},
        vehicles=rng.randint(0, 2),
    )
    return specs, inc, {"posts": [post], "zones": [zone], "standby": [floor]}


@pytest.mark.parametrize("seed", range(24))
def test_matches_enumeration_on_random_small_cases(seed: int) -> None:
    specs, inc, city = _random_case(seed)
    options = ReinforcementOptions(
        travel=TRAVEL, turnout_minutes=NO_TURNOUT, coverage_factor=1, min_candidates=1
    )
    scenario, states, result = solve(specs, inc, options, **city)
    key, _ = best_key_by_enumeration(scenario, states, inc, result.level, TRAVEL, NO_TURNOUT)
    assert result.best is not None
    assert result.best.objective_key == key
    start = {1: 0, 2: 0, 3: 1, 4: 2}[inc.severity]
    levels = [Level.TOWNSHIP, Level.COUNTY, Level.CITY]
    for lower in levels[start : levels.index(result.level)]:
        # every level skipped could not meet the needs
        lower_key, _ = best_key_by_enumeration(scenario, states, inc, lower, TRAVEL, NO_TURNOUT)
        assert lower_key[0] > 0


def test_pruned_solve_equals_full_solve_on_a_larger_case() -> None:
    rng = random.Random(7)
    specs = [
        UnitSpec(
            f"U{k:02d}",
            rng.choice(["T1", "T2", "K1"]),
            round(rng.uniform(0, 20), 2),
            people=rng.randint(1, 8),
            armed=rng.randint(0, 3),
            skills={"riot_control": rng.randint(0, 3)},
            vehicles=rng.randint(0, 2),
        )
        for k in range(60)
    ]
    inc = incident(severity=3, headcount=15, armed=6, skills={"riot_control": 5}, vehicles=3)
    tight = ReinforcementOptions(
        travel=TRAVEL,
        turnout_minutes=NO_TURNOUT,
        coverage_factor=1,
        min_candidates=1,
        alternatives=0,
    )
    full = ReinforcementOptions(
        travel=TRAVEL, turnout_minutes=NO_TURNOUT, min_candidates=10_000, alternatives=0
    )
    _, _, pruned = solve(specs, inc, tight)
    _, _, everything = solve(specs, inc, full)
    assert pruned.candidates < everything.candidates == 60
    assert pruned.best.objective_key == everything.best.objective_key
