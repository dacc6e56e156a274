"""Coverage and backfill (move-up) on crafted lines of zones and units."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.reinforcement import ReinforcementOptions, UnitState, build_instance
from optimizer.reinforcement.backfill import BackfillOptions, suggest_backfill
from optimizer.reinforcement.check import check_backfill
from optimizer.reinforcement.eta import TravelModel
from optimizer.reinforcement.synthetic import UnitSpec, crafted_city, north
from optimizer.result import SolveStatus
from optimizer.scenario import Zone

AT = dt.datetime(2026, 3, 2, 10, 0)
TRAVEL = TravelModel(vehicle_kmh=60.0, foot_kmh=6.0, circuity=1.0)
NO_TURNOUT = dict.fromkeys(UnitState, 0.0)
OPTS = ReinforcementOptions(travel=TRAVEL, turnout_minutes=NO_TURNOUT)


def zone(zid: str, km: float, risk: float = 1.0, min_presence: int = 0) -> Zone:
    return Zone(
        id=zid,
        name=zid,
        jurisdiction_id="T1",
        centroid=north(km),
        risk=[[risk] * 24 for _ in range(7)],
        min_presence=min_presence,
    )


ZONES = [zone("Z1", 0.0), zone("Z2", 4.0), zone("Z3", 8.0)]


def run(specs, dispatched, max_moves=3, zones=ZONES):  # type: ignore[no-untyped-def]
    scenario, states = crafted_city(specs, zones=zones)
    inst = build_instance(scenario, AT, states, OPTS)
    options = BackfillOptions(max_moves=max_moves)
    result = suggest_backfill(inst, dispatched, options)
    problems = check_backfill(
        scenario, states, AT, dispatched, result, max_moves, TRAVEL, NO_TURNOUT
    )
    assert problems == [], problems
    return result


def test_backfill_restores_coverage_with_the_shortest_move() -> None:
    specs = [
        UnitSpec("A", "T1", 0.0),
        UnitSpec("B", "T1", 8.0),
        UnitSpec("C", "T2", 16.0),
    ]
    result = run(specs, ["A"])
    assert result.before.shares == pytest.approx({"3": 2 / 3, "5": 1.0})
    assert result.after_dispatch.shares == pytest.approx({"3": 1 / 3, "5": 2 / 3})
    assert result.after_moves.shares == pytest.approx(result.before.shares)
    # C to Z2 (12 km) restores as much as C to Z1 (16 km) and is the shorter move
    assert [(m.unit_id, m.to_site) for m in result.moves] == [("C", "Z2")]
    assert result.moves[0].travel_minutes == pytest.approx(12.0, abs=0.01)
    assert result.status == SolveStatus.OPTIMAL


def test_no_moves_allowed_leaves_the_hole() -> None:
    specs = [UnitSpec("A", "T1", 0.0), UnitSpec("B", "T1", 8.0), UnitSpec("C", "T2", 16.0)]
    result = run(specs, ["A"], max_moves=0)
    assert result.moves == []
    assert result.after_moves.shares == result.after_dispatch.shares


def test_units_stay_in_their_county_and_zones_keep_min_presence() -> None:
    zones = [*ZONES, zone("Z4", 16.0, min_presence=4)]
    specs = [
        UnitSpec("A", "T1", 0.0),
        UnitSpec("B", "T1", 8.0),
        UnitSpec("X", "T3", 3.0),  # another county: may not move in
        UnitSpec("P", "T2", 16.0, status=UnitState.ON_PATROL, target="Z4"),  # Z4 needs it
        UnitSpec("F", "T2", 19.0),
    ]
    result = run(specs, ["A"], zones=zones)
    movers = {m.unit_id for m in result.moves}
    assert "X" not in movers and "P" not in movers
    assert movers == {"F"}
    assert result.after_moves.shares["5"] >= result.after_dispatch.shares["5"]


def test_nothing_to_fill_when_the_dispatched_unit_covered_nothing_alone() -> None:
    specs = [UnitSpec("A", "T1", 0.0), UnitSpec("A2", "T1", 0.1), UnitSpec("B", "T1", 8.0)]
    result = run(specs, ["A"])
    assert result.moves == []
    assert result.after_dispatch.shares == result.before.shares
