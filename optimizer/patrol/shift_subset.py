"""Some employees of a Curtois & Qu instance re-planned over some days while every other
employee's roster, and their own on the other days, stays as it is.

    restrict(bench, employees, roster) -> ShiftBenchmark
    replan(bench, roster, employees, (lo, hi), seconds, ...) -> SubsetResult

Every hard rule of the benchmark is about one employee, so a roster whose employees each keep
their own rules keeps them all, and the employees outside the subset need no modelling: they
enter only through the cover they already give. The restricted instance keeps the subset's
staff, days off and requests, and each cover requirement less the others' staffing of that
day and shift (not below 0). Its objective differs from the whole roster's by a constant
(the others' requests and the excess they already cause), so a better restricted plan is a
better roster. The days outside [lo, hi) are constants of the direct model (`history` before,
`future` after), so every rule that spans the window's edges is stated whole.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from optimizer.patrol.shift_benchmark import BenchCover, Roster, ShiftBenchmark
from optimizer.patrol.shift_model import solve_days


@dataclass
class SubsetResult:
    status: str  # optimal / feasible / infeasible / unknown (as solve_days)
    roster: Roster  # the subset's shifts only; empty without a plan
    objective: float | None  # of the restricted instance
    seconds: float


def staffing(roster: Roster, leave_out: set[str] | frozenset[str] = frozenset()) -> Counter:
    """How many employees (outside `leave_out`) work each (day, shift)."""
    return Counter((d, sid) for (eid, d), sid in roster.items() if eid not in leave_out)


def restrict(
    bench: ShiftBenchmark, employees: set[str] | frozenset[str], roster: Roster
) -> ShiftBenchmark:
    """The instance of `employees` alone, the others' shifts in `roster` taken off the cover."""
    others = staffing(roster, leave_out=employees)
    return dataclasses.replace(
        bench,
        staff=[e for e in bench.staff if e.id in employees],
        days_off={e: ds for e, ds in bench.days_off.items() if e in employees},
        on_requests=[q for q in bench.on_requests if q.employee in employees],
        off_requests=[q for q in bench.off_requests if q.employee in employees],
        cover=[
            BenchCover(
                c.day,
                c.shift,
                max(0, c.requirement - others[c.day, c.shift]),
                c.under_weight,
                c.over_weight,
            )
            for c in bench.cover
        ],
    )


def replan(
    bench: ShiftBenchmark,
    roster: Roster,
    employees: set[str] | frozenset[str],
    days: tuple[int, int],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
) -> SubsetResult:
    """The best plan CP-SAT finds in `seconds` for `employees` on days [lo, hi), the rest of
    `roster` fixed; their current shifts there are the hint. The roster returned is theirs
    on those days only."""
    lo, hi = days
    sub = restrict(bench, employees, roster)
    mine = {k: v for k, v in roster.items() if k[0] in employees}
    r = solve_days(sub, seconds, workers, seed, lo=lo, hi=hi, history=mine, hint=mine, future=mine)
    return SubsetResult(r.status, r.roster, r.objective, r.seconds)
