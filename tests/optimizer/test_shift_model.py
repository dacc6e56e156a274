"""The direct CP-SAT model of the Curtois & Qu benchmark (optimizer.patrol.shift_model)
against the instance's own checker: the brute-force optimum on small random instances,
Instance1's proven optimum, and a window planned after fixed history days keeping the rules
that cross the seam."""

from __future__ import annotations

import dataclasses

import pytest

from optimizer.patrol.shift_benchmark import (
    Roster,
    ShiftBenchmark,
    benchmark_penalty,
    benchmark_violations,
    parse_instance,
    read_instance,
)
from optimizer.patrol.shift_model import full_limits, solve_days
from tests.optimizer.test_shift_benchmark import bench_file, brute_force, random_instance

INSTANCE1_OPTIMUM = 607  # shared/bench/shift: the published optimum of Instance1


# one worker as CP-SAT sets it up; two with max_lp as the full-problem worker
@pytest.mark.parametrize(
    "seed, workers, lp_worker",
    [(seed, 1, False) for seed in range(12)] + [(seed, 2, True) for seed in range(6)],
)
def test_direct_model_reaches_the_brute_force_optimum(
    seed: int, workers: int, lp_worker: bool
) -> None:
    b = parse_instance(random_instance(seed), f"random{seed}")
    r = solve_days(b, seconds=30, workers=workers, seed=1, lp_worker=lp_worker)
    best = brute_force(b)
    if best is None:
        assert r.status == "infeasible" and r.roster == {}
        return
    assert r.status == "optimal"
    assert benchmark_violations(b, r.roster) == []
    assert benchmark_penalty(b, r.roster).total == r.objective == best


def test_instance1_is_solved_to_its_proven_optimum() -> None:
    b = read_instance(bench_file("Instance1.txt"))
    r = solve_days(b, seconds=60, workers=1, seed=1)
    assert r.status == "optimal"
    assert benchmark_violations(b, r.roster) == []
    assert benchmark_penalty(b, r.roster).total == r.objective == INSTANCE1_OPTIMUM
    assert r.bound == INSTANCE1_OPTIMUM


def test_a_window_after_history_keeps_the_rules_across_the_seam() -> None:
    """Days 0–6 fixed to an optimal roster's: the best second week completes it to the
    optimum, and the whole fortnight keeps every hard rule (runs, successions, totals and
    weekends counted over the seam)."""
    b = read_instance(bench_file("Instance1.txt"))
    whole = solve_days(b, seconds=60, workers=1, seed=1)
    first = {k: v for k, v in whole.roster.items() if k[1] < 7}
    second = solve_days(b, seconds=60, workers=1, seed=1, lo=7, history=first)
    assert second.status == "optimal"
    assert all(day >= 7 for _, day in second.roster)
    both = first | second.roster
    assert benchmark_violations(b, both) == []
    assert benchmark_penalty(b, both).total == INSTANCE1_OPTIMUM


def test_a_window_without_history_leaves_out_rules_reaching_unplanned_days() -> None:
    """The first week alone, its minimum of minutes left to the second (paced limits): a
    run that reaches day 7 is not cut short (its length is for the window that plans day 7
    to decide), so the week is a relaxation of the fortnight's first week and costs no more
    than the optimal fortnight's. With the fortnight's minimum in one week it has no plan."""
    b = read_instance(bench_file("Instance1.txt"))
    whole = solve_days(b, seconds=60, workers=1, seed=1)
    assert solve_days(b, seconds=60, workers=1, seed=1, hi=7).status == "infeasible"
    paced = {e.id: dataclasses.replace(full_limits(e), min_minutes=0) for e in b.staff}
    week = solve_days(b, seconds=60, workers=1, seed=1, hi=7, limits=paced)
    assert week.status == "optimal"
    assert all(day < 7 for _, day in week.roster)
    first = {k: v for k, v in whole.roster.items() if k[1] < 7}
    assert week.objective is not None
    assert week.objective <= _window_cost(b, first, 0, 7)


def _window_cost(b: ShiftBenchmark, roster: Roster, lo: int, hi: int) -> int:
    """The benchmark objective's terms of days [lo, hi)."""
    days = range(lo, hi)
    window = dataclasses.replace(
        b,
        on_requests=[q for q in b.on_requests if q.day in days],
        off_requests=[q for q in b.off_requests if q.day in days],
        cover=[c for c in b.cover if c.day in days],
    )
    return benchmark_penalty(window, roster).total
