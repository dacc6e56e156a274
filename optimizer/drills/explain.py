"""Why a drill is not scheduled, and which named rules conflict when hard duties cannot all
be met.

An unscheduled drill either has no start time left once its filters are applied (the reason
names each filter and how many start times it rules out), or every start time left clashes
with the schedule (the reason counts clashes by cause: readiness floor, venue full,
instructors busy). Conflicts: CP-SAT's sufficient assumptions give the hard duties in the
conflict; then each rule they touch is switched off in turn and kept only when the conflict
disappears without it, so the named set is minimal.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from ortools.sat.python import cp_model

from optimizer.drill_format import DrillSession
from optimizer.drills.instance import Drill, DrillInstance
from optimizer.drills.model import (
    DrillModel,
    build_model,
    gap_rule,
    instructor_rule,
    readiness_rule,
    required_rule,
    venue_rule,
)
from optimizer.result import Conflict, Shortfall

CHECK_SECONDS = 5.0


def _window(inst: DrillInstance, d: Drill) -> tuple[str, str]:
    return d.occ.window[0].isoformat(), d.occ.window[1].isoformat()


def explain_unscheduled(
    inst: DrillInstance, drills: list[Drill], sessions: list[DrillSession]
) -> list[Shortfall]:
    if not drills:
        return []
    people_in_drills: dict[str, np.ndarray] = {
        c: np.zeros(inst.hours + 1, dtype=np.int32) for c in inst.capacity
    }
    venue_use: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(inst.hours + 1, dtype=np.int32))
    teaching: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(inst.hours + 1, dtype=np.int32))
    by_key = {d.key: d for d in inst.drills}
    for s in sessions:
        d = by_key.get(s.occurrence)
        if d is None:
            continue
        t0, t1 = inst.hour_of(s.start), inst.hour_of(s.end)
        for c, n in d.ready_demand.items():
            if c in people_in_drills:
                people_in_drills[c][t0:t1] += n
        if s.venue_id:
            venue_use[s.venue_id][t0:t1] += s.participants
        if s.instructor_id:
            teaching[s.instructor_id][t0:t1] += 1
    venues = {v.id: v for v in inst.scenario.drills.venues}
    out = []
    for d in drills:
        allowed = d.allowed()
        venue_open = {vid: set(hours) for vid, hours in d.venues.items()}
        teacher_free = {iid: set(hours) for iid, hours in d.instructors.items()}
        w0, w1 = _window(inst, d)
        if not allowed:
            if not d.candidates:
                why = "the window has no start time for a drill of this length"
            else:
                parts = [
                    f"{name} rules out {len(hours)}" for name, hours in d.filters.items() if hours
                ]
                why = f"no start time left of {len(d.candidates)}: " + "; ".join(parts)
        else:
            causes: Counter[str] = Counter()
            for t in allowed:
                sl = slice(t, t + d.hours)
                for c, n in d.ready_demand.items():
                    if (
                        c in inst.capacity
                        and (people_in_drills[c][sl] + n > inst.capacity[c][sl]).any()
                    ):
                        name = inst.scenario.by_id("jurisdictions").get(c)
                        causes[f"readiness floor of {name.name if name else c}"] += 1
                if d.venues and all(
                    t not in hours
                    or (venue_use[vid][sl] + d.headcount > venues[vid].capacity).any()
                    for vid, hours in venue_open.items()
                ):
                    causes["venues closed or full"] += 1
                if d.instructors and all(
                    t not in hours or teaching[iid][sl].any() for iid, hours in teacher_free.items()
                ):
                    causes["instructors unavailable or busy"] += 1
            detail = ", ".join(f"{k} at {n}" for k, n in causes.most_common())
            why = f"all {len(allowed)} possible start times clash with the schedule" + (
                f": {detail}" if detail else " (kept out by the minimum gap or the time limit)"
            )
        out.append(
            Shortfall(
                requirement="drill",
                target_id=d.occ.requirement.id,
                start=w0,
                end=w1,
                missing=1,
                unit="drills",
                reason=f"{d.occ.dtype.name} ({d.key}): {why}",
            )
        )
    return out


def _infeasible(model: cp_model.CpModel, workers: int) -> bool:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = CHECK_SECONDS
    solver.parameters.num_workers = workers
    return solver.solve(model) == cp_model.INFEASIBLE


def find_conflicts(
    inst: DrillInstance, group: list[Drill], dm: DrillModel, solver: cp_model.CpSolver, workers: int
) -> list[Conflict]:
    model = dm.model.clone()
    check = cp_model.CpSolver()
    check.parameters.cp_model_presolve = False
    check.parameters.num_workers = 1
    check.parameters.max_time_in_seconds = CHECK_SECONDS * 4
    check.solve(model)
    names = {lit.index: name for name, lit in dm.vars.enforcement.items()}
    core = [i for i in check.sufficient_assumptions_for_infeasibility() if i in names]
    if not core:
        core = list(names)
    core_names = {names[i] for i in core}
    drills = [d for d in group if required_rule(d) in core_names]
    # minimal set of duties
    kept = list(drills)
    for d in list(kept):
        rest = [x for x in kept if x is not d]
        if rest and _infeasible(build_model(inst, rest).model, workers):
            kept = rest
    # the rules those duties touch, switched off one at a time
    jur = inst.scenario.by_id("jurisdictions")
    candidates: list[tuple[str, str]] = []
    for d in kept:
        candidates += [(name, "calendar") for name, hours in d.filters.items() if hours]
        if d.occ.requirement.min_gap_days:
            candidates.append((gap_rule(d), "min gap"))
        for c in d.ready_demand:
            if c in inst.floor:
                candidates.append(
                    (readiness_rule(jur[c].name if c in jur else c, inst.floor[c]), "readiness")
                )
    for v in inst.scenario.drills.venues:
        if any(v.id in d.venues for d in kept):
            candidates.append((venue_rule(v.name, v.capacity), "venue"))
    for ins in inst.scenario.drills.instructors:
        if any(ins.id in d.instructors for d in kept):
            candidates.append((instructor_rule(ins.name), "instructor"))
    seen: set[str] = set()
    candidates = [c for c in candidates if not (c[0] in seen or seen.add(c[0]))]
    off: set[str] = set()
    needed: list[tuple[str, str]] = []
    for name, kind in candidates:
        if _infeasible(build_model(inst, kept, frozenset(off | {name})).model, workers):
            off.add(name)
        else:
            needed.append((name, kind))
    return [Conflict(rule=required_rule(d), kind="duty") for d in kept] + [
        Conflict(rule=name, kind=kind) for name, kind in needed
    ]
