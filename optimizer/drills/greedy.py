"""A first schedule to hint the solver: drills in the order of their ideal dates, each at the
cheapest start (nearest its evenly spread date, on a preferred weekday) that keeps every rule
— readiness floor, venue capacity, a free instructor, the minimum gap. Kept published drills
go first, where they are. What it cannot place it leaves out; CP-SAT takes it from there."""

from __future__ import annotations

import numpy as np

from optimizer.drills.instance import Drill, DrillInstance
from optimizer.drills.model import Placement, start_cost


def greedy_schedule(inst: DrillInstance, drills: list[Drill]) -> dict[int, Placement]:
    n = inst.hours + 48
    taken = {c: np.zeros(n, dtype=np.int32) for c in inst.capacity}
    cap = {c: np.concatenate([v, np.zeros(48, dtype=v.dtype)]) for c, v in inst.capacity.items()}
    venues = {v.id: v for v in inst.scenario.drills.venues}
    venue_load = {vid: np.zeros(n, dtype=np.int32) for vid in venues}
    teaching = {i.id: np.zeros(n, dtype=bool) for i in inst.scenario.drills.instructors}
    starts_of: dict[str, list[tuple[tuple, int]]] = {}  # duty → (model order, start)
    out: dict[int, Placement] = {}
    venue_ok = {(d.index, vid): set(ts) for d in drills for vid, ts in d.venues.items()}
    ins_ok = {(d.index, iid): set(ts) for d in drills for iid, ts in d.instructors.items()}

    def order(d: Drill) -> tuple:
        return (d.occ.published is None, d.occ.ideal, len(d.allowed()), d.key)

    for d in sorted(drills, key=order):
        r = d.occ.requirement
        gap = r.min_gap_days * 24
        placed = starts_of.setdefault(r.id, [])
        options = d.allowed()
        options.sort(key=lambda t: (start_cost(inst, d, t), abs(t - inst.hour_of(d.occ.ideal))))
        me = (d.occ.ideal, d.key)  # the model orders two drills of a duty this way
        for t in options:
            sl = slice(t, t + d.hours)
            if any((t < p + max(gap, 1)) if k < me else (p < t + max(gap, 1)) for k, p in placed):
                continue
            if any(
                c in taken and (taken[c][sl] + need > cap[c][sl]).any()
                for c, need in d.ready_demand.items()
            ):
                continue
            venue = None
            if d.venues:
                fits = [
                    vid
                    for vid in d.venues
                    if t in venue_ok[d.index, vid]
                    and (venue_load[vid][sl] + d.headcount <= venues[vid].capacity).all()
                ]
                if not fits:
                    continue
                venue = min(fits, key=lambda vid: (int(venue_load[vid][sl].max()), vid))
            ins = None
            if d.instructors:
                free = [
                    iid
                    for iid in d.instructors
                    if t in ins_ok[d.index, iid] and not teaching[iid][sl].any()
                ]
                if not free:
                    continue
                ins = min(free, key=lambda iid: (int(teaching[iid].sum()), iid))
            for c, need in d.ready_demand.items():
                if c in taken:
                    taken[c][sl] += need
            if venue is not None:
                venue_load[venue][sl] += d.headcount
            if ins is not None:
                teaching[ins][sl] = True
            placed.append((me, t))
            out[d.index] = Placement(t, venue, ins)
            break
    return out
