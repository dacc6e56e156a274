"""The direct CP-SAT model of the Curtois & Qu benchmark (optimizer.patrol.shift_model)
against the instance's own checker: the brute-force optimum on small random instances,
Instance1's proven optimum, and a window planned after fixed history days keeping the rules
that cross the seam."""

from __future__ import annotations

import dataclasses

import pytest
from ortools.sat.python import cp_model

from optimizer.patrol.shift_benchmark import (
    Roster,
    ShiftBenchmark,
    benchmark_penalty,
    benchmark_violations,
    parse_instance,
    read_instance,
)
from optimizer.patrol.shift_model import (
    DaysModel,
    build_days,
    complete_hint,
    full_limits,
    solve_days,
)
from optimizer.patrol.shift_start import start_roster
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


def _hinted_solution(dm: DaysModel) -> tuple[str, float | None]:
    """CP-SAT's status and objective with every variable fixed to its hint."""
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    code = solver.solve(dm.model)
    feasible = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return solver.status_name(code), solver.objective_value if feasible else None


@pytest.mark.parametrize("name", ["Instance5.txt", "Instance8.txt"])
def test_a_roster_hint_is_completed_to_a_whole_solution(name: str) -> None:
    """Every variable is hinted, and the hint is a solution whose objective is the roster's
    benchmark objective: CP-SAT starts from the roster, not from its own first plans."""
    b = read_instance(bench_file(name))
    roster = start_roster(b, 0.0, seed=3).roster
    dm = build_days(b)
    complete_hint(dm, roster)
    proto = dm.model.proto
    assert sorted(proto.solution_hint.vars) == list(range(len(proto.variables)))
    status, objective = _hinted_solution(dm)
    assert status == "OPTIMAL"
    assert objective == benchmark_penalty(b, roster).total


def test_a_window_hint_with_a_soft_minimum_is_a_whole_solution() -> None:
    """A window between fixed days (as the search re-plans one) with minimums above what the
    roster works, priced per minute short: the roster's own days there complete to a
    solution of that model, its shortfalls counted."""
    b = read_instance(bench_file("Instance5.txt"))
    roster = start_roster(b, 0.0, seed=5).roster
    limits = {e.id: dataclasses.replace(full_limits(e), min_minutes=e.max_minutes) for e in b.staff}
    dm = build_days(b, 7, 14, roster, limits, soft_minimum=3, future=roster)
    complete_hint(dm, roster)
    assert len(dm.model.proto.solution_hint.vars) == len(dm.model.proto.variables)
    status, objective = _hinted_solution(dm)
    assert status == "OPTIMAL"
    worked = {eid: 0 for eid in limits}
    minutes = {s.id: s.minutes for s in b.shifts}
    for (eid, _), sid in roster.items():
        worked[eid] += minutes[sid]
    short = sum(max(0, limits[e].min_minutes - worked[e]) for e in worked)
    assert short > 0
    window = {k: v for k, v in roster.items() if 7 <= k[1] < 14}
    assert objective == 3 * short + _window_cost(b, window, 7, 14)
