"""A first roster of a Curtois & Qu instance with every hard rule kept: each employee's
schedule built in turn over the whole horizon (`shift_patterns.employee_schedule`), led by
the cover the others leave missing and by the employee's own requests; then, while its time
lasts, each employee's best schedule against everyone else's (`shift_best.best_schedule`,
else the walk of the first build again) kept when the benchmark's objective falls, until a
whole round gains less than 2 %.

    start_roster(bench, seconds, seed) -> StartRoster

Every hard rule of the benchmark is about one employee, so the roster keeps them all when
each schedule does; the cover, which is soft, is what the order of building trades. An
employee no single-length schedule fits is left off the roster (the roster then breaks that
employee's minimum of minutes, and `unplanned` names them; none on the benchmark's 24).
"""

from __future__ import annotations

import functools
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from optimizer.patrol.shift_benchmark import BenchCover, Roster, ShiftBenchmark, benchmark_penalty
from optimizer.patrol.shift_best import best_schedule
from optimizer.patrol.shift_patterns import employee_schedule

#: a round of rebuilding that lowers the objective by less than this share is the last
ENOUGH = 0.02


@dataclass
class StartRoster:
    roster: Roster
    unplanned: list[str]
    passes: int  # rounds over all employees (the first build counts one)


class _Cover:
    """The staffing of every (day, shift) and what one employee's schedule costs against it."""

    def __init__(self, bench: ShiftBenchmark) -> None:
        self.need: dict[tuple[int, str], BenchCover] = {(c.day, c.shift): c for c in bench.cover}
        self.staffed: Counter[tuple[int, str]] = Counter()
        self.wish: dict[str, dict[tuple[int, str], int]] = defaultdict(dict)
        for q in bench.on_requests:
            w = self.wish[q.employee]
            w[q.day, q.shift] = w.get((q.day, q.shift), 0) + q.weight
        for q in bench.off_requests:
            w = self.wish[q.employee]
            w[q.day, q.shift] = w.get((q.day, q.shift), 0) - q.weight

    def value(self, eid: str, day: int, shift: str) -> float:
        """What one more shift (day, shift) for `eid` saves (negative: costs)."""
        worth = float(self.wish.get(eid, {}).get((day, shift), 0))
        c = self.need.get((day, shift))
        if c is not None:
            short = self.staffed[day, shift] < c.requirement
            worth += c.under_weight if short else -c.over_weight
        return worth

    def add(self, schedule: dict[int, str], sign: int) -> None:
        for day, shift in schedule.items():
            self.staffed[day, shift] += sign

    def cost(self, eid: str, schedule: dict[int, str]) -> float:
        """The objective's change when `schedule` joins the staffing (it is not in it)."""
        total = 0.0
        for day, shift in schedule.items():
            total -= self.value(eid, day, shift)
            self.staffed[day, shift] += 1
        self.add(schedule, -1)
        return total


def start_roster(bench: ShiftBenchmark, seconds: float = 0.0, seed: int = 0) -> StartRoster:
    """Each employee built once, then rebuilt in rounds for `seconds` (from the call)."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    cover = _Cover(bench)
    demand: Counter[str] = Counter()
    for c in bench.cover:
        demand[c.shift] += c.requirement
    schedules: dict[str, dict[int, str]] = {}
    unplanned: list[str] = []
    for e in bench.staff:
        s = employee_schedule(bench, e, lambda d, t, e=e: cover.value(e.id, d, t), rng, demand)
        if s is None:
            unplanned.append(e.id)
            continue
        schedules[e.id] = s
        cover.add(s, 1)
    passes = 1
    order = [e for e in bench.staff if e.id in schedules]
    objective = benchmark_penalty(bench, _roster(schedules)).total
    while order and time.perf_counter() - t0 < seconds:
        rng.shuffle(order)
        gain = 0.0
        for e in order:
            if time.perf_counter() - t0 >= seconds:
                break
            old = schedules[e.id]
            cover.add(old, -1)
            worth = functools.partial(cover.value, e.id)
            new = best_schedule(bench, e, worth, demand)
            if new is None or cover.cost(e.id, new) >= cover.cost(e.id, old):
                new = employee_schedule(bench, e, worth, rng, demand)
            if new is not None and (saved := cover.cost(e.id, old) - cover.cost(e.id, new)) > 0:
                schedules[e.id] = old = new
                gain += saved
            cover.add(old, 1)
        passes += 1
        if gain < ENOUGH * objective:  # a whole round gained little: the search does better
            break
        objective -= gain
    return StartRoster(_roster(schedules), unplanned, passes)


def _roster(schedules: dict[str, dict[int, str]]) -> Roster:
    return {(eid, d): t for eid, s in schedules.items() for d, t in s.items()}
