"""Large-neighbourhood search on a Curtois & Qu roster: again and again, some employees
over a window of days re-planned by the direct CP-SAT model with everything else fixed
(`shift_subset.replan`), the result kept only when the benchmark's objective falls.

    improve(bench, roster, deadline, workers, seed) -> SearchResult

A re-planned part keeps every hard rule on the whole horizon (the days around the window are
constants of its model), and each kept change is checked again with the benchmark's own
rules for the employees it touches, so the roster never gains a violation. The size of a
neighbourhood (employees × days × shift types, in model booleans) grows while its models
are solved to optimality within their time and shrinks when they run out of it.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass

from optimizer.patrol.shift_benchmark import (
    Roster,
    ShiftBenchmark,
    benchmark_penalty,
    employee_violations,
)
from optimizer.patrol.shift_subset import replan

#: the first neighbourhood's size in model booleans, and its bounds
START_SIZE, LEAST_SIZE, MOST_SIZE = 2_000, 300, 40_000
#: the time one neighbourhood's model may take (seconds)
STEP_SECONDS = 1.0


@dataclass
class SearchResult:
    roster: Roster
    objective: int  # the benchmark's, recomputed from the roster
    steps: int
    kept: int


def _neighbourhood(
    bench: ShiftBenchmark, roster: Roster, size: float, rng: random.Random
) -> tuple[set[str], tuple[int, int]]:
    """Employees and a window of days whose model has about `size` booleans: a week (now and
    then a fortnight) around a day drawn by its missing cover, as many employees as fit."""
    per_day = len(bench.shifts)
    length = min(bench.days, rng.choice([7, 7, 7, 14]))
    staff = len(bench.staff)
    k = max(2, min(staff, round(size / (length * per_day))))
    if k == staff and length < bench.days:  # everyone fits: widen the window instead
        length = min(bench.days, max(length, round(size / (staff * per_day))))
    missing = _missing_by_day(bench, roster)
    if sum(missing) > 0 and rng.random() < 0.8:
        day = rng.choices(range(bench.days), weights=missing)[0]
        lo = min(max(0, day - rng.randrange(length)), bench.days - length)
    else:
        lo = rng.randrange(0, bench.days - length + 1)
    employees = {e.id for e in rng.sample(bench.staff, k)}
    return employees, (lo, lo + length)


def _missing_by_day(bench: ShiftBenchmark, roster: Roster) -> list[int]:
    """Each day's under-cover penalty."""
    staffed = Counter((d, s) for (_, d), s in roster.items())
    out = [0] * bench.days
    for c in bench.cover:
        out[c.day] += c.under_weight * max(0, c.requirement - staffed[c.day, c.shift])
    return out


@dataclass
class Step:
    status: str  # of the neighbourhood's model
    roster: Roster  # the roster after the step (the one given when not improved)
    objective: int
    improved: bool


def step(
    bench: ShiftBenchmark,
    roster: Roster,
    employees: set[str],
    days: tuple[int, int],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
    objective: int | None = None,
) -> Step:
    """`employees` on days [lo, hi) re-planned; the new roster kept only if the benchmark's
    objective falls and those employees still keep every hard rule."""
    best = benchmark_penalty(bench, roster).total if objective is None else objective
    lo, hi = days
    r = replan(bench, roster, employees, days, seconds, workers, seed)
    if r.status not in ("optimal", "feasible"):
        return Step(r.status, roster, best, False)
    trial = {k: v for k, v in roster.items() if not (k[0] in employees and lo <= k[1] < hi)}
    trial.update(r.roster)
    value = benchmark_penalty(bench, trial).total
    if value >= best:
        return Step(r.status, roster, best, False)
    staff = {e.id: e for e in bench.staff}
    for eid in employees:
        mine = {d: s for (x, d), s in trial.items() if x == eid}
        if employee_violations(bench, staff[eid], mine):
            return Step(r.status, roster, best, False)
    return Step(r.status, trial, value, True)


def improve(
    bench: ShiftBenchmark, roster: Roster, deadline: float, workers: int = 2, seed: int = 0
) -> SearchResult:
    """Improve `roster` until time.perf_counter() reaches `deadline`."""
    rng = random.Random(seed)
    best = benchmark_penalty(bench, roster).total
    size, steps, kept = float(START_SIZE), 0, 0
    while True:
        left = deadline - time.perf_counter()
        if left < 0.3:
            break
        employees, days = _neighbourhood(bench, roster, size, rng)
        seconds = min(STEP_SECONDS, left - 0.1)
        s = step(bench, roster, employees, days, seconds, workers, seed + steps, best)
        steps += 1
        size = size * 1.25 if s.status == "optimal" else size / 1.25
        size = min(MOST_SIZE, max(LEAST_SIZE, size))
        roster, best, kept = s.roster, s.objective, kept + s.improved
    return SearchResult(roster, best, steps, kept)
