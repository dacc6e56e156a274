"""A Curtois & Qu instance planned within a time limit, every hard rule kept.

    plan_shifts(bench, seconds, workers, seed) -> ShiftPlan

First a roster built employee by employee (`shift_start`, a share of the time), feasible by
construction. Then, when the direct model of the whole horizon is small enough to find plans
(`WHOLE_LIMIT` booleans: up to Instance19's 84 days × 40 staff), that model for the time left
with the roster as its hint and, up to `LP_LIMIT` booleans, CP-SAT's `max_lp` as its
full-problem worker (the whole linear relaxation, whose bound and cuts lead it;
`solve_days(lp_worker=True)`) — its bound is then a bound of the benchmark; otherwise the
large-neighbourhood search (`shift_search.improve`) for the time left. The plan returned is the
best by the benchmark's own objective of those that keep every hard rule.

When the whole model plans and up to `COLUMN_DAYS` days, column generation over whole
schedules of one employee comes first (`shift_columns`): its Lagrangian bound is far stronger
than the compact model's (Instance8: 1,297 against CP-SAT's 1,250-1,275 at 60 s; best known
1,300), and the whole model stops as soon as a plan reaches it (`solve_days(floor=...)`).
Its dive (`shift_dive`) gives the whole model a hint far better than the first roster
(Instance8: 1,310 against 6,123). The bound reported is the larger of the two and names its
source.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from optimizer.patrol.shift_benchmark import (
    Roster,
    ShiftBenchmark,
    benchmark_penalty,
    benchmark_violations,
)
from optimizer.patrol.shift_columns import Columns
from optimizer.patrol.shift_dive import best_responses, dive
from optimizer.patrol.shift_model import solve_days
from optimizer.patrol.shift_search import improve
from optimizer.patrol.shift_start import start_roster

#: the whole horizon goes to one CP-SAT model up to this many booleans (staff × days × types)
WHOLE_LIMIT = 20_000
#: the whole model's full-problem worker is CP-SAT's max_lp up to this many booleans; beyond,
#: its relaxation is too slow to lead the search within a minute (at 60 s: Instance12, 16,800
#: booleans, 5,741 -> 5,911; Instance15, 11,340: 7,158 -> 7,662; Instance19, 16,800: 6,871 ->
#: 8,419 with a bound of 10) while up to it it gains (Instance5-11, 14, 16, 18)
LP_LIMIT = 10_000
#: the share of the time limit the first roster's rounds may take: a hint for the whole
#: model; before the search, rounds of best responses until one gains little (they gain
#: more than the search early: Instance24 in 30 s 1.19 M -> 0.63 M, the search 0.63 -> 0.58)
START_SHARE = {"whole model": 0.1, "search": 0.85}
#: column generation runs on horizons up to this many days when the whole model plans (every
#: instance it plans, Instance1-12 and 14-19; it gains on each: Instance14 1,724 -> 1,380,
#: Instance17 7,635 -> 6,274, Instance19 7,315 -> 6,557 at 60 s). Its one-employee pricing
#: models grow with the horizon and the types: Instance13, searched instead, 120 staff and 18
#: types, takes 40 s for five rounds.
COLUMN_DAYS = 84
#: the time (shares of the limit, from the start) by which the root column generation, the
#: dive and the best responses end; the whole model polishes the rest
COLUMN_SHARE = (0.5, 0.8, 0.85)


@dataclass
class ShiftPlan:
    status: str  # optimal / feasible / unknown (no roster keeping every rule)
    roster: Roster
    objective: int | None  # the benchmark's, recomputed from the roster
    bound: float | None  # the whole model's CP-SAT bound, when it ran
    seconds: float
    method: str  # "whole model" or "search"
    start_objective: int | None
    steps: int = 0  # neighbourhoods tried by the search
    kept: int = 0  # of which improved the roster
    bound_source: str | None = None  # "column generation" or "CP-SAT"
    columns: ColumnsRun | None = None  # what the column generation did, when it ran


@dataclass
class ColumnsRun:
    roster: Roster  # the dive's roster after the best responses
    bound: int | None  # ⌈Lagrangian bound⌉ of the root
    lp: float | None  # the root LP's value
    rounds: int
    columns: int
    converged: bool  # the root bound met its LP
    fixed: int  # employees the dive fixed before it stopped


def price_and_dive(
    bench: ShiftBenchmark, roster: Roster, t0: float, seconds: float, workers: int
) -> ColumnsRun:
    """Column generation from `roster` until its bound meets its LP (at most
    `COLUMN_SHARE[0]` of the time), the dive until `COLUMN_SHARE[1]`, then best responses."""
    cg = Columns(bench, [roster])
    root = cg.generate(t0 + COLUMN_SHARE[0] * seconds, workers)
    dived = dive(cg, t0 + COLUMN_SHARE[1] * seconds, workers)
    mended = best_responses(cg, dived, t0 + COLUMN_SHARE[2] * seconds)
    return ColumnsRun(
        mended, root.bound, root.lp, root.rounds, root.columns, root.converged, len(cg.fixed)
    )


def model_size(bench: ShiftBenchmark) -> int:
    return len(bench.staff) * bench.days * len(bench.shifts)


def plan_shifts(
    bench: ShiftBenchmark,
    seconds: float,
    workers: int = 2,
    seed: int = 0,
    whole_limit: int = WHOLE_LIMIT,
    lp_limit: int = LP_LIMIT,
    column_days: int = COLUMN_DAYS,
) -> ShiftPlan:
    t0 = time.perf_counter()
    deadline = t0 + seconds
    method = "whole model" if model_size(bench) <= whole_limit else "search"
    start = start_roster(bench, START_SHARE[method] * seconds, seed)
    roster = start.roster
    first = benchmark_penalty(bench, roster).total if not start.unplanned else None
    if method == "whole model":
        lp = model_size(bench) <= lp_limit
        columns = None
        if bench.days <= column_days and first is not None:  # every employee has a schedule
            columns = price_and_dive(bench, roster, t0, seconds, workers)
            if benchmark_penalty(bench, columns.roster).total < first:
                roster = columns.roster
        floor = columns.bound if columns else None
        left = deadline - time.perf_counter()
        r = solve_days(bench, left, workers, seed, hint=roster, lp_worker=lp, floor=floor)
        status = "unknown" if start.unplanned else "feasible"
        objective = benchmark_penalty(bench, roster).total
        if r.status in ("optimal", "feasible"):
            whole = benchmark_penalty(bench, r.roster).total
            better = start.unplanned or whole <= objective  # an unplanned roster breaks a rule
            if better and not benchmark_violations(bench, r.roster):
                roster, status, objective = r.roster, r.status, whole
        bounds = [b for b in (r.bound, floor) if b is not None]
        bound = max(bounds) if bounds else None
        if bound is not None and objective <= bound and status != "unknown":
            status = "optimal"
        return ShiftPlan(
            status,
            roster,
            objective,
            bound,
            time.perf_counter() - t0,
            "columns + whole model" if columns else "whole model",
            first,
            bound_source=(
                "column generation" if floor is not None and floor == bound else "CP-SAT"
            ),
            columns=columns,
        )
    found = improve(bench, roster, deadline, workers, seed)
    status = "feasible" if not benchmark_violations(bench, found.roster) else "unknown"
    return ShiftPlan(
        status,
        found.roster,
        found.objective,
        None,
        time.perf_counter() - t0,
        "search",
        first,
        found.steps,
        found.kept,
    )
