"""Long horizons of the Curtois & Qu benchmark (Instance14–24: 6 weeks to a year), planned in
rolling windows that fit the patrol model (28 days).

    solve_in_windows(bench, seconds, workers=2, seed=0) -> WindowedPlan

Window k plans NEW days [n, t) (21 at most) on a horizon [s, t) that starts a week earlier
(s = n − 7, a Monday, so weekends stay aligned): that week is the previous windows' plan,
pinned (`pins.Pin`), so the rules that span windows — the longest and shortest runs of
shifts, the shortest run of days off, forbidden successions — see it as history. The first
window has no history and plans 28 days. The horizon's totals are paced: by the end of day
t an employee works at most ceil(cap × t / H) of a capped shift type and of the most
minutes, at most floor(cap × weekends to t / weekends) weekends (weekends kept for later
windows), at least ceil(min × t / H) minutes (work front-loaded, so that the last windows
are not asked for more than they can hold), each less what the days
before s already hold; the last window gets exactly what is left. Each window gets the time
left divided by the windows left. The roster is scored and checked by the benchmark's own
rules on the whole horizon (`shift_benchmark.benchmark_penalty`, `benchmark_violations`).

Pacing can only cost: the windowed plan is a plan of the whole instance, but no bound of
the whole comes from the windows (their bounds hold only under the pacing), so none is
reported."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field, replace

from optimizer.patrol.pins import Pin, replan_around_pins
from optimizer.patrol.shift_benchmark import (
    START,
    WARD,
    BenchCover,
    BenchRequest,
    BenchStaff,
    Roster,
    ShiftBenchmark,
    roster_of,
    to_scenario,
)
from optimizer.patrol.solve import SolveParams
from optimizer.scenario import Assignment, HoursRule, TaskKind

#: days a window may span (the patrol model's horizon), and the history week it starts with
WINDOW_DAYS = 28
HISTORY_DAYS = 7
#: the share of the densest pattern the days after a window are counted on to hold
LATER_MARGIN = 0.8
#: a window's minimum hours are soft at this weight per hour short (far above the cover
#: weights): a window that cannot meet them still comes back with a plan, and the final
#: check of the whole horizon reports any minimum left unmet
SOFT_MINIMUM_WEIGHT = 1000.0


@dataclass
class WindowedPlan:
    roster: Roster  # (employee, day) → shift id, the whole horizon
    windows: list[tuple[int, int, int, str]] = field(default_factory=list)  # (s, n, t, status)
    complete: bool = True  # every window came back with a plan


def windows(days: int) -> list[tuple[int, int, int]]:
    """(s, n, t) of each window: horizon [s, t), new days [n, t)."""
    out, n = [], 0
    while n < days:
        s = max(0, n - HISTORY_DAYS)
        t = min(days, s + WINDOW_DAYS)
        out.append((s, n, t))
        n = t
    return out


def _weekends(start: int, end: int) -> int:
    """Weekends (days 7w+5, 7w+6) that start in days [start, end)."""
    return sum(1 for w in range(math.ceil(end / 7)) if start <= 7 * w + 5 < end)


def _worked_weekends(roster: Roster, eid: str, end: int) -> int:
    return len({d // 7 for (e, d) in roster if e == eid and d < end and d % 7 >= 5})


def _paced_staff(
    bench: ShiftBenchmark, e: BenchStaff, roster: Roster, s: int, t: int
) -> BenchStaff:
    """The employee's limits for a window on days [s, t): the horizon's totals paced to day
    t, less what the days before s hold."""
    h, last = bench.days, t >= bench.days
    mine = [sid for (eid, d), sid in roster.items() if eid == e.id and d < s]
    minutes = sum(bench.shift_by_id[sid].minutes for sid in mine)

    def most(cap: int, used: int) -> int:
        return max(0, (cap if last else math.ceil(cap * t / h)) - used)

    # the most minutes the days after t can hold: the densest run pattern of the longest
    # shift the employee may work, with a margin for weekends and days off
    allowed = [bench.shift_by_id[sid].minutes for sid, cap in e.max_shifts.items() if cap > 0]
    dense = e.max_consecutive / max(1, e.max_consecutive + max(1, e.min_days_off))
    later = math.floor((h - t) * dense * LATER_MARGIN) * max(allowed, default=0)

    def least(low: int, used: int) -> int:  # front-loaded: the last windows are not starved
        if last:
            return max(0, low - used)
        return max(0, math.ceil(low * t / h), low - later) - used

    weekends_total = _weekends(0, h)
    weekends_to_t = _weekends(0, t)
    paced_weekends = (
        e.max_weekends
        if last
        else math.floor(e.max_weekends * weekends_to_t / max(1, weekends_total))
    )
    return replace(
        e,
        max_shifts={sid: most(cap, mine.count(sid)) for sid, cap in e.max_shifts.items()},
        max_minutes=most(e.max_minutes, minutes),
        min_minutes=least(e.min_minutes, minutes),
        max_weekends=max(0, paced_weekends - _worked_weekends(roster, e.id, s)),
    )


def window_bench(bench: ShiftBenchmark, roster: Roster, s: int, t: int) -> ShiftBenchmark:
    """The sub-instance of days [s, t), re-indexed from 0 (s is a Monday), its limits paced."""

    def inside(day: int) -> bool:
        return s <= day < t

    def requests(reqs: list[BenchRequest]) -> list[BenchRequest]:
        return [replace(q, day=q.day - s) for q in reqs if inside(q.day)]

    return ShiftBenchmark(
        name=f"{bench.name}[{s}:{t}]",
        days=t - s,
        shifts=bench.shifts,
        staff=[_paced_staff(bench, e, roster, s, t) for e in bench.staff],
        days_off={e: [d - s for d in ds if inside(d)] for e, ds in bench.days_off.items()},
        on_requests=requests(bench.on_requests),
        off_requests=requests(bench.off_requests),
        cover=[
            BenchCover(c.day - s, c.shift, c.requirement, c.under_weight, c.over_weight)
            for c in bench.cover
            if inside(c.day)
        ],
    )


def solve_in_windows(
    bench: ShiftBenchmark, seconds: float, workers: int = 2, seed: int = 0
) -> WindowedPlan:
    """The whole horizon planned window by window within `seconds` (see the module)."""
    deadline = time.perf_counter() + seconds
    plan = WindowedPlan(roster={})
    spans = windows(bench.days)
    for k, (s, n, t) in enumerate(spans):
        sub = window_bench(bench, plan.roster, s, t)
        scenario = to_scenario(sub)
        scenario.weights.change = 0  # the history is pinned; nothing else is "published"
        history = [
            Pin(
                Assignment(
                    person_id=eid,
                    date=sub.date(d - s),
                    shift_id=sid,
                    task=TaskKind.POST,
                    target_id=WARD,
                )
            )
            for (eid, d), sid in sorted(plan.roster.items())
            if s <= d < n
        ]
        share = max(0.5, (deadline - time.perf_counter()) / (len(spans) - k))
        params = SolveParams(time_limit=share, num_workers=workers, random_seed=seed)
        for rule in scenario.rules:  # (an infeasible window would have no plan at all)
            if isinstance(rule, HoursRule) and rule.min:
                rule.hard, rule.weight = False, SOFT_MINIMUM_WEIGHT
        result = replan_around_pins(scenario, history, params)
        plan.windows.append((s, n, t, result.status.value))
        if not result.assignments:
            plan.complete = False
        for (eid, day), sid in roster_of(sub, result.assignments).items():
            if day + s >= n:
                plan.roster[eid, day + s] = sid
    return plan


def dates_roster(roster: Roster) -> list[Assignment]:
    """The roster as plan assignments on the ward (for the patrol checker)."""
    return [
        Assignment(
            person_id=eid,
            date=START + dt.timedelta(days=day),
            shift_id=sid,
            task=TaskKind.POST,
            target_id=WARD,
        )
        for (eid, day), sid in sorted(roster.items())
    ]
