"""One employee's schedule over the whole horizon of a Curtois & Qu instance, feasible by
construction: a dynamic programme over the days, then a walk back through it led by the
cover still missing.

    employee_schedule(bench, employee, value, rng) -> {day: shift id} | None

The employee works shifts of one length only (`minutes`), from a group of shift types
ordered so that each may follow those before it (`shift_groups`), whose maxima add up to
enough shifts. Then the total minutes fix how many days are worked, and what is left is the
work/off pattern: runs of shifts between the shortest and longest run, days off in runs of at
least the shortest (runs touching either end of the horizon exempt from the shortest), no
work on a day off, at most so many weekends. The forward pass keeps, for each day and each
state of the run automaton, the set of (shifts worked, weekends worked) reachable, as the bits
of one integer; the backward pass picks, day by day from the last, work or rest among the
choices that still lead back to the first day, preferring what `value` says a shift that day
is worth (the cover still missing, the requests). Mixing lengths or conflicting types is left
to the search that improves the roster afterwards.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from optimizer.patrol.shift_benchmark import BenchShift, BenchStaff, ShiftBenchmark

#: a state of the run automaton: ("start",), ("work", length, first run), ("off", length, first run)
State = tuple


@dataclass(frozen=True)
class Automaton:
    states: list[State]
    step: dict[tuple[int, int], int]  # (state, 1 = work / 0 = off) → next state
    back: dict[int, list[tuple[int, int]]]  # state → [(previous state, label)]
    working: list[bool]  # the state's last day was worked


def run_automaton(e: BenchStaff) -> Automaton:
    """The runs of shifts and days off `e` may have, as a finite automaton over the days."""
    index: dict[State, int] = {}
    states: list[State] = []

    def number(s: State) -> int:
        if s not in index:
            index[s] = len(states)
            states.append(s)
        return index[s]

    step: dict[tuple[int, int], int] = {}
    todo: list[State] = [("start",)]
    number(todo[0])
    while todo:
        s = todo.pop()
        moves: list[tuple[int, State]] = []
        if s[0] == "start":
            moves = [(1, ("work", 1, True)), (0, ("off", 1, True))]
        elif s[0] == "work":
            _, k, first = s
            if k < e.max_consecutive:
                moves.append((1, ("work", k + 1, first)))
            if first or k >= e.min_consecutive:
                moves.append((0, ("off", 1, False)))
        else:
            _, k, first = s
            moves.append((0, ("off", min(k + 1, max(1, e.min_days_off)), first)))
            if first or k >= e.min_days_off:
                moves.append((1, ("work", 1, False)))
        for label, t in moves:
            new = t not in index
            step[number(s), label] = number(t)
            if new:
                todo.append(t)
    back: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(states))}
    for (s, label), t in step.items():
        back[t].append((s, label))
    return Automaton(states, step, back, [s[0] == "work" for s in states])


def shift_groups(
    bench: ShiftBenchmark, e: BenchStaff, minutes: int, demand: dict[str, int]
) -> list[list[BenchShift]]:
    """Groups of shift types of `minutes` that `e` may work, to try in turn: first a chain,
    the most demanded types first, each put where every type before it may be followed by it
    and it by every type after it (so a run whose types never go back down the chain keeps
    every succession rule); then each type that may follow itself, alone."""
    mine = [s for s in bench.shifts if s.minutes == minutes and e.max_shifts.get(s.id, 1) > 0]
    mine = [
        s for s in sorted(mine, key=lambda s: -demand.get(s.id, 0)) if s.id not in s.not_followed_by
    ]
    chain: list[BenchShift] = []
    for s in mine:
        for at in range(len(chain) + 1):
            before, after = chain[:at], chain[at:]
            if all(s.id not in g.not_followed_by for g in before) and all(
                g.id not in s.not_followed_by for g in after
            ):
                chain.insert(at, s)
                break
    alone = sorted(mine, key=lambda s: -e.max_shifts.get(s.id, bench.days))
    return [g for g in [chain, *([s] for s in alone)] if g]


def _reachable(
    bench: ShiftBenchmark, e: BenchStaff, auto: Automaton, most: int
) -> tuple[list[dict[int, int]], int]:
    """Forward pass: for each day d, state → bits of (shifts × block + weekends) reachable
    after days [0, d). Block = max weekends + 2 (one spare bit, masked off)."""
    block = e.max_weekends + 2
    keep = 0
    for n in range(most + 1):
        keep |= ((1 << (e.max_weekends + 1)) - 1) << (n * block)
    off = set(bench.days_off.get(e.id, ()))
    layers: list[dict[int, int]] = [{0: 1}]
    for d in range(bench.days):
        nxt: dict[int, int] = {}
        saturday, sunday = d % 7 == 5, d % 7 == 6
        for s, bits in layers[-1].items():
            t = auto.step.get((s, 0))
            if t is not None:
                nxt[t] = nxt.get(t, 0) | bits
            t = auto.step.get((s, 1))
            if t is None or d in off:
                continue
            weekend = saturday or (sunday and not (d > 0 and auto.working[s]))
            moved = (bits << (block + int(weekend))) & keep
            if moved:
                nxt[t] = nxt.get(t, 0) | moved
        layers.append(nxt)
    return layers, block


def employee_schedule(
    bench: ShiftBenchmark,
    e: BenchStaff,
    value: Callable[[int, str], float],
    rng: random.Random,
    demand: dict[str, int] | None = None,
) -> dict[int, str] | None:
    """A schedule of `e` keeping every hard rule of the benchmark, or None when no single
    shift length and compatible group gives one. `value(day, shift)`: what working that
    shift that day is worth now (positive: wanted)."""
    if e.max_consecutive <= 0 or e.max_minutes <= 0:
        return {} if e.min_minutes <= 0 else None
    demand = demand or {}
    auto = run_automaton(e)
    lengths = sorted({s.minutes for s in bench.shifts}, key=lambda m: -_demand_of(bench, m, demand))
    for minutes, group in ((m, g) for m in lengths for g in shift_groups(bench, e, m, demand)):
        least = math.ceil(e.min_minutes / minutes)
        most = min(e.max_minutes // minutes, sum(e.max_shifts.get(s.id, bench.days) for s in group))
        if least > most:
            continue
        most = min(most, bench.days)
        layers, block = _reachable(bench, e, auto, most)
        ends = [
            (s, n * block + w)
            for s, bits in layers[-1].items()
            for n in range(least, most + 1)
            for w in range(e.max_weekends + 1)
            if bits >> (n * block + w) & 1
        ]
        if not ends:
            continue
        s, p = rng.choice(ends)
        schedule = _walk_back(bench, e, auto, layers, block, s, p, group, value, rng)
        if schedule is not None:
            return schedule
    return {} if e.min_minutes <= 0 else None  # resting every day keeps every other rule


def _demand_of(bench: ShiftBenchmark, minutes: int, demand: dict[str, int]) -> int:
    return sum(demand.get(s.id, 0) for s in bench.shifts if s.minutes == minutes)


def _walk_back(
    bench: ShiftBenchmark,
    e: BenchStaff,
    auto: Automaton,
    layers: list[dict[int, int]],
    block: int,
    state: int,
    position: int,
    group: list[BenchShift],
    value: Callable[[int, str], float],
    rng: random.Random,
) -> dict[int, str] | None:
    """The schedule read back from the last day; None when the succession rules leave no
    type with shifts left for a day the pattern works."""
    left = {s.id: e.max_shifts.get(s.id, bench.days) for s in group}
    out: dict[int, str] = {}
    for d in range(bench.days - 1, -1, -1):
        saturday, sunday = d % 7 == 5, d % 7 == 6
        options: list[tuple[float, float, int, int, str | None]] = []
        best_shift, best_value = None, -math.inf
        after = out.get(d + 1)
        for s in group:
            if left[s.id] > 0 and (after is None or after not in s.not_followed_by):
                v = value(d, s.id)
                if v > best_value:
                    best_shift, best_value = s.id, v
        for prev, label in auto.back[state]:
            bits = layers[d].get(prev, 0)
            if label == 0:
                p = position
            elif best_shift is None:
                continue  # no type may be worked here: a day off, if the pattern allows
            else:
                weekend = saturday or (sunday and not (d > 0 and auto.working[prev]))
                p = position - block - int(weekend)
            if p < 0 or not bits >> p & 1:
                continue
            worth = best_value if label == 1 else 0.0
            options.append((worth, rng.random(), prev, p, best_shift if label else None))
        if not options:
            return None
        _, _, state, position, shift = max(options)
        if shift is not None:
            out[d] = shift
            left[shift] -= 1
    return out
