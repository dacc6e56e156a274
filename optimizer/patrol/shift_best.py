"""One employee's best schedule against everyone else's (a best response), every hard rule
of the benchmark kept: the run automaton of `shift_patterns`, but the dynamic programme now
keeps, for each state, shifts worked and weekends worked, the most a schedule reaching it is
worth (numpy arrays over shifts × weekends), and the walk back follows the choices that gave
it.

    best_schedule(bench, employee, value, demand) -> {day: shift id} | None

The pattern of work and rest is optimal for the day values `value` gives (each day's best
type of the group); the types are then chosen from the last day back among those with shifts
left that may precede the next day's, the best first — so the schedule is not optimal when
a type's maximum or a succession rule bites, and None when they leave a worked day no type
(the caller keeps the schedule it had).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from optimizer.patrol.shift_benchmark import BenchShift, BenchStaff, ShiftBenchmark
from optimizer.patrol.shift_patterns import Automaton, run_automaton, shift_groups

NONE = np.int64(-(2**40))  # unreachable (a day's worth added to it stays far below REACHED)
REACHED = NONE // 2


def best_schedule(
    bench: ShiftBenchmark,
    e: BenchStaff,
    value: Callable[[int, str], float],
    demand: dict[str, int] | None = None,
) -> dict[int, str] | None:
    if e.max_consecutive <= 0 or e.max_minutes <= 0:
        return {} if e.min_minutes <= 0 else None
    demand = demand or {}
    auto = run_automaton(e)
    lengths = sorted({s.minutes for s in bench.shifts})
    best: tuple[float, dict[int, str]] | None = None
    for minutes in lengths:
        groups = shift_groups(bench, e, minutes, demand)
        if not groups:
            continue
        group = groups[0]  # the chain; a lone type is tried by the caller's other schedule
        least = math.ceil(e.min_minutes / minutes)
        caps = sum(e.max_shifts.get(s.id, bench.days) for s in group)
        most = min(e.max_minutes // minutes, caps, bench.days)
        if least > most:
            continue
        found = _optimal(bench, e, auto, group, value, least, most)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if best is None:  # no type to work: resting every day keeps every rule if no minimum
        return {} if e.min_minutes <= 0 else None
    return best[1]


def _optimal(
    bench: ShiftBenchmark,
    e: BenchStaff,
    auto: Automaton,
    group: list[BenchShift],
    value: Callable[[int, str], float],
    least: int,
    most: int,
) -> tuple[float, dict[int, str]] | None:
    h, w_cap, states = bench.days, e.max_weekends, len(auto.states)
    off = set(bench.days_off.get(e.id, ()))
    day_value = np.array([max(value(d, s.id) for s in group) for d in range(h)], dtype=np.float64)
    scale = 1.0  # values are integral weights; kept as integers so the walk back is exact
    worth = np.rint(day_value * scale).astype(np.int64)
    incoming: list[list[tuple[int, int]]] = [auto.back[t] for t in range(states)]
    v = np.full((states, most + 1, w_cap + 1), NONE, dtype=np.int64)
    v[0, 0, 0] = 0
    choices = np.full((h, states, most + 1, w_cap + 1), -1, dtype=np.int8)
    for d in range(h):
        saturday, sunday = d % 7 == 5, d % 7 == 6
        lo, hi = _band(d + 1, h, least, most)  # shifts worked after this day
        if lo > hi:
            return None
        src = max(lo - 1, 0)
        shifted = {}
        for inc in (0, 1):  # one more shift worked, and one more weekend or not
            a = np.full((states, hi - lo + 1, w_cap + 1), NONE, dtype=np.int64)
            if inc <= w_cap and src < hi:
                a[:, src + 1 - lo :, inc:] = v[:, src:hi, : w_cap + 1 - inc] + worth[d]
            shifted[inc] = a
        new = np.full_like(v, NONE)
        for t in range(states):
            best, code = None, None
            for k, (s, label) in enumerate(incoming[t]):
                if label == 0:
                    cand = v[s, lo : hi + 1]
                elif d not in off:
                    inc = int(saturday or (sunday and not (d > 0 and auto.working[s])))
                    cand = shifted[inc][s]
                else:
                    continue
                if best is None:
                    best, code = cand, np.full(cand.shape, k, dtype=np.int8)
                else:
                    better = cand > best
                    best = np.where(better, cand, best)
                    code[better] = k
            if best is not None:
                new[t, lo : hi + 1] = best
                choices[d, t, lo : hi + 1] = code
        v = new
    tail = v[:, least : most + 1, :]
    if tail.max() <= REACHED:
        return None
    t, n, wk = np.unravel_index(int(tail.argmax()), tail.shape)
    total = float(tail[t, n, wk])
    t, n, wk = int(t), int(n) + least, int(wk)
    worked: list[int] = []
    for d in range(h - 1, -1, -1):
        k = int(choices[d, t, n, wk])
        s, label = incoming[t][k]
        if label == 1:
            worked.append(d)
            saturday, sunday = d % 7 == 5, d % 7 == 6
            n -= 1
            wk -= int(saturday or (sunday and not (d > 0 and auto.working[s])))
        t = s
    schedule = _types(bench, e, group, value, sorted(worked))
    return None if schedule is None else (total, schedule)


#: how far (in shifts) a schedule's count after d days may stray from the even pace
BAND = 30


def _band(days: int, h: int, least: int, most: int) -> tuple[int, int]:
    """The shifts a schedule may have worked after `days` days: what can still reach `least`
    and not pass `most`, within BAND of working them at an even pace (a heuristic limit that
    makes the programme several times faster; a schedule it misses falls back to the walk)."""
    lo = max(0, least - (h - days), (least * days) // h - BAND)
    hi = min(days, most, -(-most * days // h) + BAND)
    return lo, hi


def _types(
    bench: ShiftBenchmark,
    e: BenchStaff,
    group: list[BenchShift],
    value: Callable[[int, str], float],
    worked: list[int],
) -> dict[int, str] | None:
    left = {s.id: e.max_shifts.get(s.id, bench.days) for s in group}
    out: dict[int, str] = {}
    for d in reversed(worked):
        after = out.get(d + 1)
        fits = [
            s.id
            for s in group
            if left[s.id] > 0 and (after is None or after not in s.not_followed_by)
        ]
        if not fits:
            return None
        out[d] = max(fits, key=lambda sid: value(d, sid))
        left[out[d]] -= 1
    return out
