"""Column generation for the Curtois & Qu benchmark (optimizer.patrol.shift_columns,
shift_dive) against enumeration and proven optima: the pricing finds the cheapest schedule
of one employee, the Lagrangian bound is below the proven optimum (and meets it where the
relaxation is tight), the dive's roster keeps every hard rule, best responses never make a
roster worse, and the planner states the bound and stops at it."""

from __future__ import annotations

import random
import time

import pytest

from optimizer.patrol import shift_columns
from optimizer.patrol.shift_benchmark import (
    benchmark_penalty,
    benchmark_violations,
    employee_violations,
    parse_instance,
    read_instance,
)
from optimizer.patrol.shift_columns import SCALE, Column, Columns
from optimizer.patrol.shift_dive import best_responses, dive
from optimizer.patrol.shift_model import solve_days
from optimizer.patrol.shift_plan import plan_shifts
from optimizer.patrol.shift_start import start_roster
from tests.optimizer.test_shift_benchmark import bench_file, random_instance
from tests.optimizer.test_shift_plan import ONE_TYPE_SEEDS

INSTANCE2_OPTIMUM = 828  # shared/bench/shift/best_known.csv, proven


@pytest.mark.parametrize("seed", ONE_TYPE_SEEDS[:6])
def test_the_pricing_finds_the_cheapest_schedule_by_enumeration(seed: int) -> None:
    b = parse_instance(random_instance(seed), f"random{seed}")
    (sid,) = [s.id for s in b.shifts]
    cg = Columns(b)
    rng = random.Random(seed)
    prices = {(d, sid): rng.randint(-3 * SCALE, 5 * SCALE) for d in range(b.days)}
    for e in b.staff:
        col, bound = cg.pricing[e.id].price(prices)
        best = None
        for mask in range(1 << b.days):
            mine = {d: sid for d in range(b.days) if mask >> d & 1}
            if employee_violations(b, e, mine):
                continue
            c = cg.column_of(e.id, [(d, sid) for d in mine])
            value = SCALE * c.cost - sum(prices[d, sid] for d in mine)
            best = value if best is None else min(best, value)
        if best is None:
            assert col is None
            continue
        assert col is not None
        assert employee_violations(b, e, dict(col.schedule)) == []
        assert SCALE * col.cost - sum(prices[cell] for cell in col.schedule) == best == bound


def test_the_bound_is_below_the_proven_optimum() -> None:
    """On the random instances that have a roster (some have none: an employee no schedule
    fits), at least four of them."""
    checked = 0
    for seed in range(10):
        b = parse_instance(random_instance(seed), f"random{seed}")
        exact = solve_days(b, 20, workers=1, seed=0)
        if exact.status == "infeasible":
            assert start_roster(b).unplanned
            continue
        assert exact.status == "optimal"
        optimum = benchmark_penalty(b, exact.roster).total
        cg = Columns(b, [start_roster(b).roster])
        progress = cg.generate(time.perf_counter() + 20, workers=1)
        assert progress.converged and progress.bound is not None and progress.lp is not None
        assert progress.bound <= optimum
        assert progress.bound <= progress.lp + 1e-6
        checked += 1
    assert checked >= 4


def test_the_bound_proves_instance2_at_the_root() -> None:
    b = read_instance(bench_file("Instance2.txt"))
    cg = Columns(b, [start_roster(b).roster])
    progress = cg.generate(time.perf_counter() + 30, workers=2)
    assert progress.converged
    assert progress.bound == INSTANCE2_OPTIMUM


def test_the_dive_and_the_best_responses_keep_every_rule_and_only_improve() -> None:
    b = read_instance(bench_file("Instance5.txt"))
    first = start_roster(b).roster
    cg = Columns(b, [first])
    root = cg.generate(time.perf_counter() + 5, workers=2)
    dived = dive(cg, time.perf_counter() + 5, workers=2)
    assert benchmark_violations(b, dived) == []
    assert root.bound is not None and benchmark_penalty(b, dived).total >= root.bound
    mended = best_responses(cg, dived, time.perf_counter() + 5)
    assert benchmark_violations(b, mended) == []
    assert benchmark_penalty(b, mended).total <= benchmark_penalty(b, dived).total
    again = best_responses(cg, first, time.perf_counter() + 5)
    assert benchmark_penalty(b, again).total <= benchmark_penalty(b, first).total


def test_the_planner_states_the_column_bound_and_stops_at_it() -> None:
    b = read_instance(bench_file("Instance2.txt"))
    plan = plan_shifts(b, seconds=60, workers=2, seed=0)
    assert plan.method == "columns + whole model"
    assert plan.columns is not None and plan.columns.converged
    assert plan.bound == INSTANCE2_OPTIMUM
    assert plan.objective == INSTANCE2_OPTIMUM and plan.status == "optimal"
    assert benchmark_violations(b, plan.roster) == []
    assert plan.seconds < 60  # it stopped at the bound, not at the limit


def test_a_pricing_whose_quick_try_fails_falls_back_to_the_steady_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quick try with no time proves nothing: the answer is the steady solve's, still the
    cheapest schedule, and that employee keeps the steady solve only."""
    b = read_instance(bench_file("Instance1.txt"))
    prices = {(c.day, c.shift): SCALE * c.under_weight for c in b.cover}
    exact = Columns(b).pricing[b.staff[0].id].price(prices)
    monkeypatch.setattr(shift_columns, "PRICING_TRIES", ((1e-9, {"cut_level": 0}), (2.0, {})))
    pricing = Columns(b).pricing[b.staff[0].id]
    assert len(pricing.solvers) == 2
    col, bound = pricing.price(prices)
    assert col is not None and exact[0] is not None
    assert bound == exact[1]
    assert _priced_at(col, prices) == _priced_at(exact[0], prices)
    assert len(pricing.solvers) == 1


def _priced_at(col: Column, prices: dict[tuple[int, str], int]) -> int:
    return SCALE * col.cost - sum(prices[cell] for cell in col.schedule)


def test_the_whole_model_stops_at_the_first_plan_that_meets_its_floor() -> None:
    """A floor above every plan: the first plan found ends the search, long before the limit
    (the planner passes the proven column bound, which only a best plan can meet)."""
    b = read_instance(bench_file("Instance5.txt"))
    r = solve_days(b, 60, workers=1, seed=0, floor=10**9)
    assert r.status == "feasible" and r.roster
    assert benchmark_violations(b, r.roster) == []
    assert r.seconds < 60
