"""Response simulation on a crafted, deterministic case with known figures."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch.simulation import SimulationOptions, compare, sample_incidents, simulate
from optimizer.reinforcement import ReinforcementOptions, UnitState
from optimizer.reinforcement.eta import TravelModel
from optimizer.reinforcement.synthetic import UnitSpec, crafted_city, north
from optimizer.scenario import Incident, IncidentNeeds, Zone

DAY = dt.datetime(2026, 3, 2)
TRAVEL = TravelModel(vehicle_kmh=60.0, foot_kmh=6.0, circuity=1.0)
OPTIONS = SimulationOptions(
    default_on_scene_minutes=45.0,
    kinds={},
    reinforcement=ReinforcementOptions(
        travel=TRAVEL, turnout_minutes=dict.fromkeys(UnitState, 0.0), alternatives=0
    ),
)


def at(hh: int, mm: int) -> dt.datetime:
    return DAY.replace(hour=hh, minute=mm)


def inc(code: str, when: dt.datetime, people: int) -> Incident:
    return Incident(
        id=code,
        reported_at=when,
        location=north(0.0),
        kind="violent",
        severity=1,
        jurisdiction_id="T1",
        needs=IncidentNeeds(headcount=people),
    )


def test_replay_figures_on_a_crafted_case() -> None:
    scenario, _ = crafted_city([UnitSpec("A", "T1", 2.0), UnitSpec("B", "T1", 4.0)])
    incidents = [
        inc("1", at(10, 0), 4),  # A, 2 min; A busy until 10:49
        inc("2", at(10, 30), 4),  # B, 4 min; busy until 11:23
        inc("3", at(12, 0), 8),  # A + B: first 2, full 4
        inc("4", at(12, 10), 4),  # nobody free: unmet
    ]
    report = simulate(scenario, incidents, options=OPTIONS)
    got = [(o.units, o.first_arrival_minutes, o.full_response_minutes) for o in report.outcomes]
    assert got == [
        (["A"], 2.0, 2.0),
        (["B"], 4.0, 4.0),
        (["A", "B"], 2.0, 4.0),
        ([], None, None),
    ]
    assert report.within_first == pytest.approx({"1": 0.0, "3": 0.5, "5": 0.75})
    assert report.within_full == pytest.approx({"1": 0.0, "3": 0.25, "5": 0.75})
    assert report.unmet_incidents == 1 and report.unmet_needs == {"headcount": 4}
    assert report.full_response["max"] == 4.0


def test_compare_two_plans_shows_the_better_one() -> None:
    near, _ = crafted_city([UnitSpec("A", "T1", 1.0), UnitSpec("B", "T1", 1.5)])
    far, _ = crafted_city([UnitSpec("A", "T1", 4.0), UnitSpec("B", "T1", 6.0)])
    incidents = [inc("1", at(10, 0), 4), inc("2", at(10, 5), 4)]
    a = simulate(near, incidents, options=OPTIONS, name="near")
    b = simulate(far, incidents, options=OPTIONS, name="far")
    rows = {r["figure"]: r for r in compare(a, b)}
    assert rows["first unit within 3 min"]["near"] == 1.0
    assert rows["first unit within 3 min"]["far"] == 0.0
    assert rows["first unit within 5 min"]["change"] == pytest.approx(-0.5)


def test_sampled_incidents_follow_risk_and_are_reproducible() -> None:
    hot = [[0.0] * 24 for _ in range(7)]
    hot[0][10] = 5.0  # Monday 10:00 only
    zones = [
        Zone(id="Z1", name="Z1", jurisdiction_id="T1", centroid=north(0.0), risk=hot),
        Zone(
            id="Z2",
            name="Z2",
            jurisdiction_id="T1",
            centroid=north(5.0),
            risk=[[0.0] * 24 for _ in range(7)],
        ),
    ]
    scenario, _ = crafted_city([UnitSpec("A", "T1", 0.0)], zones=zones)
    options = SimulationOptions(incidents_per_day=20.0, seed=3)
    first = sample_incidents(scenario, DAY, 7, options)
    again = sample_incidents(scenario, DAY, 7, options)
    assert [i.model_dump() for i in first] == [i.model_dump() for i in again]
    assert first and all(i.reported_at.weekday() == 0 and i.reported_at.hour == 10 for i in first)
    assert all(i.jurisdiction_id == "T1" for i in first)
    assert 140 * 0.6 < len(first) < 140 * 1.4  # 20 a day over 7 days, all in that hour
