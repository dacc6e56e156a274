"""A roster from the columns of `shift_columns`: a dive that fixes one employee's schedule at
a time, then each employee's exact best response to the others.

    dive(cg, deadline, workers) -> Roster
    best_responses(cg, roster, deadline) -> Roster

The dive fixes the heaviest schedule of the last LP solution among the employees still free
(and with it every schedule weighted at least `FIX_ABOVE`), re-runs column generation so the
others adapt, and goes on until everyone is fixed or the deadline; then
each employee takes their heaviest schedule. Every schedule keeps its employee's rules, so
the roster keeps every hard rule; the cover is what the dive trades, and where it stopped
early the best responses mend it.
"""

from __future__ import annotations

import time
from collections import Counter

from optimizer.patrol.shift_benchmark import Roster
from optimizer.patrol.shift_columns import SCALE, Cell, Column, Columns

#: the most column generation rounds re-run after each fixing (in practice: until no column
#: joins — a capped dive lets the LP drift: Instance8 at 6 rounds ends at 1,511, run to
#: convergence at 1,310 against the root's 1,296.6)
DIVE_ROUNDS = 50
#: a schedule weighted at least this is fixed along with the heaviest
FIX_ABOVE = 0.8


def dive(cg: Columns, deadline: float, workers: int) -> Roster:
    while len(cg.fixed) < len(cg.pricing) and time.perf_counter() < deadline:
        free = [(w, c) for c, w in cg.weights() if c.employee not in cg.fixed]
        if not free:
            break
        heaviest = max(free, key=lambda t: t[0])[1]
        cg.fix(heaviest)
        for w, c in free:
            if w >= FIX_ABOVE and c.employee not in cg.fixed:
                cg.fix(c)
        cg.generate(deadline, workers, rounds=DIVE_ROUNDS)
    return cg.roster()


def best_responses(cg: Columns, roster: Roster, deadline: float) -> Roster:
    """Each employee's exact best schedule against everyone else's — their pricing model at
    the cover's marginal prices (the under weight where the others leave a (day, shift)
    short, minus the over weight where they fill it) — taken when it costs less than theirs;
    passes over everyone until one gains nothing, or the deadline."""
    roster = dict(roster)
    staffed = Counter((d, s) for (_, d), s in roster.items())
    gained = True
    while gained and time.perf_counter() < deadline:
        gained = False
        for eid, pricing in cg.pricing.items():
            if time.perf_counter() >= deadline:
                break
            mine = [(d, s) for (e, d), s in roster.items() if e == eid]
            staffed.subtract(mine)
            prices = {
                cell: SCALE * (c.under_weight if staffed[cell] < c.requirement else -c.over_weight)
                for cell, c in cg.need.items()
            }
            col, _ = pricing.price(prices)
            if col is not None and _priced(col, prices) < _priced(cg.column_of(eid, mine), prices):
                for d, _ in mine:
                    del roster[eid, d]
                roster.update({(eid, d): s for d, s in col.schedule})
                mine = list(col.schedule)
                cg.add(col)
                gained = True
            staffed.update(mine)
    return roster


def _priced(col: Column, prices: dict[Cell, int]) -> int:
    """SCALE × what the schedule costs at `prices` (its requests less the cover it gives)."""
    return SCALE * col.cost - sum(prices.get(cell, 0) for cell in col.schedule)
