"""The aggregated model (identical people counted once) is a relaxation: its optimum and its
LP never exceed the exact optimum; classes hold exactly the interchangeable people; the
local search only ever improves a plan and finds the ejection a greedy fill misses."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from ortools.sat.python import cp_model

from optimizer.patrol import check_plan
from optimizer.patrol.aggregate import aggregate, disaggregate
from optimizer.patrol.evaluate import plan_objective
from optimizer.patrol.improve import improve
from optimizer.patrol.instance import build_instance
from optimizer.patrol.model import build_model
from optimizer.patrol.plans import assignments_of
from optimizer.patrol.relax import solve_relaxation
from optimizer.patrol.rounding import fill_plan
from optimizer.patrol.variables import SCALE
from optimizer.scenario import Absence, ShiftRequest
from tests.optimizer.patrol_cases import person, post, proven_optimum, scenario

RULES: list[dict[str, Any]] = [
    {"kind": "shift_count", "id": "max2", "max": 2},
    {"kind": "min_rest", "id": "rest", "hours": 11},
    {"kind": "consecutive_work_days", "id": "run", "max": 1},
    {"kind": "weekends", "id": "wk", "max": 0, "hard": False, "weight": 7},
    {"kind": "hours", "id": "h", "max": 8, "hard": False, "weight": 3},
]


def zone(zid: str, risk: float) -> dict[str, Any]:
    return {
        "id": zid,
        "name": zid,
        "jurisdiction_id": "T1",
        "centroid": [100.03, 38.02],
        "risk": [[risk * (1 + h % 3)] * 24 for h in range(7)],
        "min_presence": 1,
    }


def unit_people(n: int, unit: str = "U1", **kw: Any) -> list[dict[str, Any]]:
    return [{**person(f"{unit}-{i}", **kw), "unit_id": unit} for i in range(n)]


def case(rules: list[dict[str, Any]], days: int = 2) -> Any:
    return scenario(
        unit_people(3, armed=True) + unit_people(2, "U2"),
        [post("P1", staff=1, armed=1, kind="armed_checkpoint", hours=[[8, 24]])],
        days=days,
        rules=rules,
        zones=[zone("Z1", 3.0), zone("Z2", 1.0)],
        units=[
            {
                "id": u,
                "name": u,
                "force": "county_response",
                "jurisdiction_id": "K1",
                "base": [100.0, 38.0 + 0.01 * i],
            }
            for i, u in enumerate(("U1", "U2"))
        ],
        weights={"travel": 0.5, "fairness_hours": 2, "fairness_nights": 20, "continuity": 1},
    )


def optimum(model: cp_model.CpModel) -> float:
    return proven_optimum(model) / SCALE


@pytest.mark.parametrize("rules", [RULES, RULES[:2], []], ids=["all", "hard", "none"])
def test_the_aggregated_model_never_exceeds_the_exact_optimum(rules: list) -> None:  # type: ignore[type-arg]
    s = case(rules)
    if not rules:  # nor the maxima and counts the classes can only bound
        s.weights.continuity = s.weights.fairness_hours = s.weights.fairness_nights = 0
    inst = build_instance(s)
    agg = aggregate(inst)
    assert len(agg.members) == 2 and sorted(agg.inst.count) == [2, 3]
    exact = optimum(build_model(inst).model)
    relaxed = optimum(build_model(agg.inst).model)
    lp = solve_relaxation(build_model(agg.inst).model, time_limit=30)
    assert lp.bound is not None and lp.bound / SCALE <= relaxed + 1e-6 <= exact + 2e-6
    # with no labour rules, fairness or continuity the classes lose nothing
    if not rules:
        assert relaxed == pytest.approx(exact)


def test_people_with_requests_or_other_leave_keep_their_own_class() -> None:
    s = case(RULES)
    people = [p.id for p in s.people]  # U1: 0, 1, 2; U2: 3, 4
    s.requests = [ShiftRequest(person_id=people[0], date=s.horizon.start, on=False, weight=1)]
    start = s.horizon.start
    s.absences = [
        Absence(
            person_id=people[1],
            kind="leave",
            start=dt.datetime.combine(start, dt.time(0)),
            end=dt.datetime.combine(start, dt.time(23, 59)),
        )
    ]
    agg = aggregate(build_instance(s))
    assert sorted(len(m) for m in agg.members) == [1, 1, 1, 2]


def test_disaggregated_counts_keep_the_hard_rules() -> None:
    s = case(RULES[:3])
    inst = build_instance(s)
    agg = aggregate(inst)
    built = build_model(agg.inst)
    lp = solve_relaxation(built.model, time_limit=30)
    assert lp.values is not None
    counts = {key: lp.values[x.index] for key, x in built.vars.x.items()}
    plan = disaggregate(agg, inst, counts)
    assert plan and check_plan(s, assignments_of(inst, plan)) == []


def test_local_search_moves_the_only_armed_officer_to_the_checkpoint() -> None:
    # a: the only armed officer, patrolling the zone; b: free, may patrol it instead
    s = scenario(
        [person("a", armed=True), person("b")],
        [post("P1", staff=1, armed=1, kind="armed_checkpoint", hours=[[8, 16]])],
        zones=[zone("Z1", 1.0)],
        rules=[{"kind": "shift_count", "id": "one", "max": 1}],
    )
    inst = build_instance(s)
    zi = next(i for i, t in enumerate(inst.tasks) if t.target == "Z1")
    pi = next(i for i, t in enumerate(inst.tasks) if t.target == "P1")
    day = next(sl.index for sl in inst.slots if sl.shift.id == "D")
    plan = {(0, day, zi)}
    better = improve(inst, plan, time.perf_counter() + 10)
    assert (0, day, pi) in better and (1, day, zi) in better
    assert plan_objective(inst, better) < plan_objective(inst, plan)
    assert check_plan(s, assignments_of(inst, better)) == []


def test_local_search_never_returns_a_worse_plan() -> None:
    s = case(RULES[:3], days=3)
    inst = build_instance(s)
    plan = fill_plan(inst)
    better = improve(inst, plan, time.perf_counter() + 10)
    assert plan_objective(inst, better) <= plan_objective(inst, plan)
    assert check_plan(s, assignments_of(inst, better)) == []


def test_local_search_trades_zones_to_cut_travel() -> None:
    near_z1, near_z2 = person("near1"), person("near2")
    near_z1["home"], near_z2["home"] = [100.0, 38.0], [100.5, 38.5]
    far = {**zone("Z2", 1.0), "centroid": [100.5, 38.5]}
    s = scenario(
        [near_z1, near_z2],
        zones=[zone("Z1", 1.0) | {"centroid": [100.0, 38.0]}, far],
        weights={"travel": 0.5, "continuity": 1},
    )
    inst = build_instance(s)
    z1, z2 = (next(i for i, t in enumerate(inst.tasks) if t.target == z) for z in ("Z1", "Z2"))
    day = next(sl.index for sl in inst.slots if sl.shift.id == "D")
    crossed = {(0, day, z2), (1, day, z1)}  # each patrols the zone by the other's home
    better = improve(inst, crossed, time.perf_counter() + 10)
    assert {(pi, ti) for pi, _, ti in better} == {(0, z1), (1, z2)}
    assert plan_objective(inst, better) < plan_objective(inst, crossed)


def test_a_county_without_bound_counts_zero_in_the_citys_bound() -> None:
    from optimizer.patrol.decompose import merge
    from optimizer.patrol.result import PatrolResult
    from optimizer.result import SolveStatus

    parts = [
        PatrolResult(status=SolveStatus.FEASIBLE, objective=10.0, bound=8.0, bound_source="LP"),
        PatrolResult(status=SolveStatus.FEASIBLE, objective=5.0, bound=None),
    ]
    city = merge("city", parts)
    assert city.objective == 15.0 and city.bound == 8.0
    assert city.gap == pytest.approx(7 / 15) and "0 for 1 without one" in city.bound_source
