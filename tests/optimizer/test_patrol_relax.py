"""The HiGHS relaxation of the patrol model: its bound never exceeds the optimum CP-SAT
proves on crafted cases, the MIP relaxation finds that optimum, hard rules (assumption
literals) hold in it, and the heuristic plans meet every hard rule on the demo county's week."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from optimizer.patrol import SolveParams, check_plan, plan_patrol
from optimizer.patrol.greedy import greedy_plan
from optimizer.patrol.instance import build_instance
from optimizer.patrol.model import build_model
from optimizer.patrol.plans import AGGREGATED_SOURCE
from optimizer.patrol.relax import LP_SOURCE, MIP_SOURCE, _Rows, solve_relaxation
from optimizer.patrol.rounding import fill_plan
from optimizer.scenario import Assignment
from tests.optimizer.patrol_cases import person, post, proven_optimum, scenario

REST = {"kind": "min_rest", "id": "r", "hours": 11}
MAX2 = {"kind": "shift_count", "id": "m", "max": 2}
CASES = {
    "over-demand": lambda: scenario([person(f"p{i}") for i in range(4)], [post("P1", staff=2)]),
    "armed": lambda: scenario(
        [person("a", armed=True), person("b"), person("c")],
        [post("P1", staff=2, armed=1, kind="armed_checkpoint")],
    ),
    "three days, rest and a cap": lambda: scenario(
        [person(f"p{i}") for i in range(3)],
        [post("P1", staff=1), post("P2", staff=1, hours=[[8, 16]])],
        days=3,
        rules=[REST, MAX2],
    ),
    "fairness and travel": lambda: scenario(
        [person(f"p{i}") for i in range(4)],
        [post("P1", staff=1)],
        days=2,
        weights={"travel": 0.5, "fairness_hours": 2, "fairness_nights": 20},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_relaxation_bounds_the_known_proven_optimum(case: str) -> None:
    built = build_model(build_instance(CASES[case]()))
    best = proven_optimum(built.model)
    lp = solve_relaxation(built.model, time_limit=30)
    assert lp.source == LP_SOURCE and lp.bound is not None
    assert lp.bound <= best + 1e-6
    mip = solve_relaxation(built.model, time_limit=30, integral=True)
    assert mip.source == MIP_SOURCE and mip.bound is not None
    assert mip.bound <= best + 1e-6
    assert mip.objective is not None
    if "fairness" in case:  # the per-person fairness rows are left to CP-SAT (LP_SKIP)
        assert mip.objective <= best + 1e-6
    else:  # every other constraint is linear or a max: the MIP is the model itself
        assert mip.objective == pytest.approx(best)


def test_hard_rules_hold_in_the_relaxation_and_other_conditions_are_dropped() -> None:
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_bool_var("b")
    rule, other = m.new_bool_var("rule"), m.new_bool_var("other")
    m.add(a + b <= 1).only_enforce_if(rule)  # a hard rule: its literal is an assumption
    m.add(a == 0).only_enforce_if(other)  # conditional: left out of the relaxation
    m.minimize(-a - b)
    m.add_assumptions([rule])
    assert solve_relaxation(m, time_limit=10).bound == -1
    assert proven_optimum(m) == -1


def test_a_fractional_bound_is_rounded_up() -> None:
    m = cp_model.CpModel()
    a, b, top = m.new_bool_var("a"), m.new_bool_var("b"), m.new_int_var(0, 1, "top")
    m.add(a + b >= 1)
    m.add_max_equality(top, [a, b])
    m.minimize(top)
    out = solve_relaxation(m, time_limit=10)  # LP: top = a = b = 1/2
    assert out.bound == 1 == proven_optimum(m)


def test_negated_literals_are_read_as_written() -> None:
    m = cp_model.CpModel()
    a, b, c = (m.new_bool_var(name) for name in "abc")
    m.add_bool_or([~a, b])  # (1 − a) + b ≥ 1: a ≤ b
    m.add_at_most_one([~b, ~c])  # (1 − b) + (1 − c) ≤ 1: b + c ≥ 1
    m.add(2 * a + b >= 2)
    m.minimize(3 * c - 4 * a + 5 * b)
    # LP optimum a = b = 1, c = 0 (a = 1 alone, -4, were the negations read as plain literals)
    assert solve_relaxation(m, time_limit=10).bound == 1 == proven_optimum(m)


def test_rows_come_out_in_order_with_repeated_entries_summed() -> None:
    rows = _Rows()
    rows.add([2, 0, 2], [1.0, 4.0, 2.5], 0, 1)  # column 2 twice
    rows.add([-2, 1], [1.0, 1.0], 1, 2)  # (1 − x1) + x1 → bounds shift by 1, x1 cancels
    r, c, v = rows.matrix()
    assert r.tolist() == [0, 0, 1] and c.tolist() == [0, 2, 1] and v.tolist() == [4.0, 3.5, 0.0]
    assert rows.lo == [0, 0] and rows.hi == [1, 1]


def test_result_reports_where_the_bound_comes_from() -> None:
    s = CASES["three days, rest and a cap"]()
    r = plan_patrol(s, SolveParams(time_limit=20, num_workers=1, random_seed=1))
    assert check_plan(s, r.assignments) == []
    assert r.bound is not None and r.objective is not None and r.bound <= r.objective + 1e-6
    # (the aggregated LP's bound, rounded up to the objective's step, may prove the guided
    # fill optimal before the exact model is built)
    assert r.bound_source in ("CP-SAT", LP_SOURCE, MIP_SOURCE, AGGREGATED_SOURCE)


@pytest.mark.parametrize("heuristic", [greedy_plan, fill_plan])
def test_heuristic_week_of_the_demo_county_meets_every_hard_rule(heuristic) -> None:  # type: ignore[no-untyped-def]
    from rosters.demo_city import build_demo_city

    s = build_demo_city("small", days=7)
    inst = build_instance(s)
    plan = [
        Assignment(
            person_id=inst.people[pi].id,
            date=inst.slots[si].date,
            shift_id=inst.slots[si].shift.id,
            task=inst.tasks[ti].kind,
            target_id=inst.tasks[ti].target,
        )
        for pi, si, ti in sorted(heuristic(inst))
    ]
    assert plan and check_plan(s, plan) == []
