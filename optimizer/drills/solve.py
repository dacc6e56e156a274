"""Scheduling drills: split the drills into independent groups (no shared county, venue,
instructor or duty), solve each with CP-SAT within its share of the time limit, and return a
DrillResult that carries status, objective, bound (sum of the groups' bounds), gap, the
sessions, every drill left unscheduled with its reason, and — when hard duties cannot all be
met — the named rules in conflict.

    schedule_drills(scenario, params, progress=None, cancel=None) -> DrillResult
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.cpsat import solve_cancellable, status_of
from optimizer.drill_format import DrillSession, SessionStatus
from optimizer.drills.bound import PartitionBound, partition_bound, relaxation_bound
from optimizer.drills.explain import explain_unscheduled, find_conflicts
from optimizer.drills.greedy import greedy_schedule
from optimizer.drills.instance import Drill, DrillInstance, build_instance
from optimizer.drills.model import SCALE, add_hints, build_model
from optimizer.drills.result import DrillResult
from optimizer.messages import render_msg
from optimizer.result import Progress, ProgressCallback, Shortfall, SolveStatus, relative_gap
from optimizer.scenario import Scenario

PARTITION_SHARE = 0.6  # of the time spent on the groups' partition bounds (and their schedules)


@dataclass
class DrillParams:
    time_limit: float = 60.0
    num_workers: int = 2
    random_seed: int = 0
    relative_gap: float = 0.0
    log: bool = False


def components(inst: DrillInstance) -> list[list[Drill]]:
    """Groups of drills that share nothing: no county's readiness, venue, instructor or duty."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for d in inst.drills:
        me = f"d:{d.index}"
        keys = [f"r:{d.occ.requirement.id}", f"c:{d.county}"]
        keys += [f"c:{c}" for c in d.ready_demand]
        keys += [f"v:{v}" for v in d.venues] + [f"i:{i}" for i in d.instructors]
        for k in keys:
            union(me, k)
    groups: dict[str, list[Drill]] = {}
    for d in inst.drills:
        groups.setdefault(find(f"d:{d.index}"), []).append(d)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0].index))


class _Watch(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        t0: float,
        offset: tuple[float, float],
        lower: float,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> None:
        super().__init__()
        self.t0, self.offset, self.progress, self.cancel = t0, offset, progress, cancel
        self.lower = lower  # a proven lower bound: a schedule reaching it is optimal
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.t0
        if self.first is None:
            self.first = now
        if self.progress is not None:
            obj = self.offset[0] + self.objective_value / SCALE
            bound = self.offset[1] + max(self.best_objective_bound, self.lower) / SCALE
            self.progress(
                Progress(seconds=now, objective=obj, bound=bound, gap=relative_gap(obj, bound))
            )
        if self.objective_value <= self.lower + 1e-6 or (
            self.cancel is not None and self.cancel.is_set()
        ):
            self.stop_search()


def _session(
    inst: DrillInstance, d: Drill, t: int, venue: str | None, ins: str | None
) -> DrillSession:
    start = inst.at(t)
    r = d.occ.requirement
    return DrillSession(
        id=d.occ.session_id,
        occurrence=d.key,
        requirement_id=r.id,
        drill_type_id=d.occ.dtype.id,
        unit_ids=list(r.unit_ids),
        start=start,
        end=start + dt.timedelta(hours=d.hours),
        venue_id=venue,
        instructor_id=ins,
        participants=d.headcount,
        status=SessionStatus.SCHEDULED,
        note="make-up of a missed drill" if d.occ.makeup else "",
    )


def _bound_source(groups: int, used: Counter[str]) -> str:
    how = ", ".join(
        f"{name} ({n} group{'s' * (n > 1)})"
        for name, n in (
            ("partition by month", used["partition"]),
            ("resource-free relaxation", used["relaxation"]),
            ("CP-SAT", groups - used["partition"] - used["relaxation"]),
        )
        if n
    )
    return f"sum over {groups} independent groups of the best of CP-SAT and two relaxations: {how}"


def schedule_drills(
    scenario: Scenario,
    params: DrillParams | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> DrillResult:
    params = params or DrillParams()
    t0 = time.perf_counter()
    inst = build_instance(scenario)
    groups = components(inst)
    status = SolveStatus.OPTIMAL
    objective = bound = 0.0
    terms: dict[str, float] = {}
    sessions: list[DrillSession] = []
    unscheduled: list[Drill] = []
    conflicts = []
    first: float | None = None
    left = params.time_limit - (time.perf_counter() - t0)  # the instance counts too
    bound_from: Counter[str] = Counter()
    # first the bounds of every group (and their schedules, a hint), then the full solves
    lowers: list[tuple[int, int, PartitionBound]] = []
    size = max(1, len(inst.drills))
    for group in groups:
        budget = max(0.2, left * PARTITION_SHARE * len(group) / size)
        relaxed = relaxation_bound(inst, group)
        parts = partition_bound(inst, group, budget, params.num_workers, params.random_seed)
        lowers.append((relaxed, max(relaxed, parts.bound), parts))
    left = params.time_limit - (time.perf_counter() - t0)
    for k, group in enumerate(groups):
        if cancel is not None and cancel.is_set():
            status = SolveStatus.CANCELLED
            unscheduled += group
            continue
        share = max(0.5, left * len(group) / max(1, sum(len(g) for g in groups[k:])))
        started = time.perf_counter()
        relaxed, lower, parts = lowers[k]
        dm = build_model(inst, group)
        greedy = greedy_schedule(inst, group)
        add_hints(dm, parts.placements if len(parts.placements) >= len(greedy) else greedy)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.max_time_in_seconds = max(0.2, share - (time.perf_counter() - started))
        p.num_workers = params.num_workers
        p.random_seed = params.random_seed
        p.relative_gap_limit = params.relative_gap
        p.log_search_progress = params.log
        watch = _Watch(t0, (objective, bound), lower, progress, cancel)
        code = solve_cancellable(solver, dm.model, watch, cancel)
        left = max(0.0, left - (time.perf_counter() - started))
        st = status_of(code)
        if watch.first is not None and first is None:
            first = watch.first
        if st == SolveStatus.INFEASIBLE:
            conflicts += find_conflicts(inst, group, dm, solver, params.num_workers)
            status = SolveStatus.INFEASIBLE
            unscheduled += group
            continue
        if st not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            status = (
                SolveStatus.CANCELLED
                if cancel is not None and cancel.is_set()
                else (SolveStatus.UNKNOWN if status != SolveStatus.INFEASIBLE else status)
            )
            unscheduled += group
            continue
        group_bound = max(solver.best_objective_bound, lower)
        if group_bound > solver.best_objective_bound:
            bound_from["partition" if parts.bound >= relaxed else "relaxation"] += 1
        if solver.objective_value <= group_bound + 1e-6:
            st = SolveStatus.OPTIMAL
        if st == SolveStatus.FEASIBLE and status == SolveStatus.OPTIMAL:
            status = SolveStatus.FEASIBLE
        objective += solver.objective_value / SCALE
        bound += min(group_bound, solver.objective_value) / SCALE
        v = dm.vars
        for name, items in v.terms.items():
            terms[name] = terms.get(name, 0.0) + sum(c * solver.value(e) for c, e in items) / SCALE
        for d in group:
            if not solver.boolean_value(v.present[d.index]):
                unscheduled.append(d)
                continue
            venue = next(
                (vid for vid in d.venues if solver.boolean_value(v.venue[d.index, vid])), None
            )
            ins = next(
                (iid for iid in d.instructors if solver.boolean_value(v.instructor[d.index, iid])),
                None,
            )
            sessions.append(_session(inst, d, solver.value(v.start[d.index]), venue, ins))
    sessions.sort(key=lambda s: (s.start, s.id))
    solved = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    shortfalls = explain_unscheduled(inst, unscheduled, sessions) if solved else []
    shortfalls += [
        Shortfall(
            requirement="drill",
            target_id=occ.requirement.id,
            start=occ.window[0].isoformat(),
            end=occ.window[1].isoformat(),
            missing=1,
            unit="drills",
            reason=render_msg(msg_, "en"),
            reason_code=msg_["code"],
            reason_params=msg_["params"],
        )
        for occ, msg_ in inst.unschedulable
    ]
    unmet_fixed = sum(
        occ.requirement.weight * scenario.drills.settings.weights.unmet
        for occ, _ in inst.unschedulable
    )
    if solved:
        objective += unmet_fixed
        bound += unmet_fixed
        terms["unmet"] = terms.get("unmet", 0.0) + unmet_fixed
    return DrillResult(
        status=status,
        objective=objective if solved else None,
        bound=bound if solved else None,
        gap=relative_gap(objective, bound) if solved else None,
        bound_source=_bound_source(len(groups), bound_from) if solved else "",
        objective_terms=terms,
        solve_seconds=round(time.perf_counter() - t0, 3),
        first_feasible_seconds=first,
        num_workers=params.num_workers,
        shortfalls=shortfalls,
        conflicts=conflicts,
        message="; ".join(inst.warnings),
        sessions=sessions if solved else [],
        drills_due=len(inst.drills) + len(inst.unschedulable),
        groups=len(groups),
        warnings=inst.warnings,
        calendar_sources={str(y): s for y, s in inst.calendar.sources.items()},
    )
