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

import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from optimizer.drill_format import DrillSession
from optimizer.drills.instance import ATTENDANCE, CALENDAR, WORKING_HOURS, Drill, DrillInstance
from optimizer.drills.model import (
    DrillModel,
    build_model,
    gap_rule,
    instructor_rule,
    readiness_rule,
    required_rule,
    venue_rule,
)
from optimizer.messages import msg, render_msg
from optimizer.result import Conflict, Shortfall

CHECK_SECONDS = 5.0


_BLACKOUT = re.compile(r"^blackout (?P<name>.+)$")
_MIN_GAP = re.compile(r"^min gap (?P<days>\d+) d after the last (?P<type>.+)$")


def filter_msg(name: str) -> dict[str, Any] | str:
    """The message of a start-time filter named in `Drill.filters` (the name as it is when
    its shape is unknown)."""
    if name == CALENDAR:
        return msg("drill.filter.calendar")
    if name == WORKING_HOURS:
        return msg("drill.filter.working_hours")
    if name == ATTENDANCE:
        return msg("drill.filter.attendance")
    if m := _BLACKOUT.match(name):
        return msg("drill.filter.blackout", name=m["name"])
    if m := _MIN_GAP.match(name):
        return msg("drill.filter.min_gap", days=int(m["days"]), type=m["type"])
    return name


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
                why = msg("drill.no_start_in_window")
            else:
                parts = [
                    msg("drill.filter_rules_out", filter=filter_msg(name), count=len(hours))
                    for name, hours in d.filters.items()
                    if hours
                ]
                why = msg("drill.filtered", n=len(d.candidates), parts=parts)
        else:
            causes: Counter[tuple[str, str]] = Counter()
            for t in allowed:
                sl = slice(t, t + d.hours)
                for c, n in d.ready_demand.items():
                    if (
                        c in inst.capacity
                        and (people_in_drills[c][sl] + n > inst.capacity[c][sl]).any()
                    ):
                        name = inst.scenario.by_id("jurisdictions").get(c)
                        causes[("drill.cause.readiness", name.name if name else c)] += 1
                if d.venues and all(
                    t not in hours
                    or (venue_use[vid][sl] + d.headcount > venues[vid].capacity).any()
                    for vid, hours in venue_open.items()
                ):
                    causes[("drill.cause.venues", "")] += 1
                if d.instructors and all(
                    t not in hours or teaching[iid][sl].any() for iid, hours in teacher_free.items()
                ):
                    causes[("drill.cause.instructors", "")] += 1
            detail = [
                msg(code, name=name, count=n) if name else msg(code, count=n)
                for (code, name), n in causes.most_common()
            ]
            if detail:
                why = msg("drill.clash", n=len(allowed), detail=detail)
            else:
                why = msg("drill.clash_unexplained", n=len(allowed))
        reason = msg("drill.unscheduled", type=d.occ.dtype.name, key=d.key, why=why)
        out.append(
            Shortfall(
                requirement="drill",
                target_id=d.occ.requirement.id,
                start=w0,
                end=w1,
                missing=1,
                unit="drills",
                reason=render_msg(reason, "en"),
                reason_code=reason["code"],
                reason_params=reason["params"],
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
    candidates: list[tuple[str, str, dict[str, Any] | str]] = []
    for d in kept:
        candidates += [
            (name, "calendar", filter_msg(name)) for name, hours in d.filters.items() if hours
        ]
        r = d.occ.requirement
        if r.min_gap_days:
            candidates.append(
                (gap_rule(d), "min gap", msg("drill.rule.gap", days=r.min_gap_days, duty=r.id))
            )
        for c in d.ready_demand:
            if c in inst.floor:
                county = jur[c].name if c in jur else c
                candidates.append(
                    (
                        readiness_rule(county, inst.floor[c]),
                        "readiness",
                        msg("drill.rule.readiness", county=county, floor=inst.floor[c]),
                    )
                )
    for v in inst.scenario.drills.venues:
        if any(v.id in d.venues for d in kept):
            candidates.append(
                (
                    venue_rule(v.name, v.capacity),
                    "venue",
                    msg("drill.rule.venue", name=v.name, capacity=v.capacity),
                )
            )
    for ins in inst.scenario.drills.instructors:
        if any(ins.id in d.instructors for d in kept):
            candidates.append(
                (
                    instructor_rule(ins.name),
                    "instructor",
                    msg("drill.rule.instructor", name=ins.name),
                )
            )
    seen: set[str] = set()
    candidates = [c for c in candidates if not (c[0] in seen or seen.add(c[0]))]
    off: set[str] = set()
    needed: list[tuple[str, str, dict[str, Any] | str]] = []
    for name, kind, message in candidates:
        if _infeasible(build_model(inst, kept, frozenset(off | {name})).model, workers):
            off.add(name)
        else:
            needed.append((name, kind, message))
    return [_conflict(required_rule(d), "duty", _required_msg(d)) for d in kept] + [
        _conflict(name, kind, message) for name, kind, message in needed
    ]


def _required_msg(d: Drill) -> dict[str, Any]:
    r = d.occ.requirement
    return msg(
        "drill.rule.required",
        duty=r.id,
        type=d.occ.dtype.name,
        count=r.count,
        per=msg(f"period.{r.per}"),
    )


def _conflict(rule: str, kind: str, message: dict[str, Any] | str) -> Conflict:
    if isinstance(message, str):
        return Conflict(rule=rule, kind=kind)
    return Conflict(rule=rule, kind=kind, rule_code=message["code"], rule_params=message["params"])
