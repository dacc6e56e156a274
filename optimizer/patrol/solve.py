"""Solving a patrol plan: build the model rule by rule, solve with a time limit, report
progress and honour cancellation, return a PatrolResult that carries the truth.

    plan_patrol(scenario, params, progress=None, cancel=None) -> PatrolResult
    replan_patrol(scenario, since, params, ...) -> PatrolResult   (keeps the published plan)
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.patrol import objective as obj
from optimizer.patrol.check import check_plan, plan_shortfalls
from optimizer.patrol.evaluate import plan_terms
from optimizer.patrol.explain import explain_shortfalls
from optimizer.patrol.greedy import greedy_plan
from optimizer.patrol.improve import improve
from optimizer.patrol.instance import PatrolInstance, build_instance, validate_for_patrol
from optimizer.patrol.model import BuiltModel, Candidate, build_model, complete
from optimizer.patrol.plans import AGGREGATED_SOURCE, aggregated_guide, assignments_of, checked
from optimizer.patrol.relax import MipWorkers, Relaxation, RunningRelaxation
from optimizer.patrol.reroster import search, search_workers
from optimizer.patrol.result import PatrolResult, PlanDiff
from optimizer.patrol.rounding import fill_plan
from optimizer.patrol.variables import SCALE
from optimizer.result import Conflict, Progress, ProgressCallback, SolveStatus, relative_gap
from optimizer.scenario import Assignment, Scenario


@dataclass
class SolveParams:
    time_limit: float = 30.0
    num_workers: int = 2
    random_seed: int = 0
    relative_gap: float = 0.0
    log: bool = False


def hint_heuristic(built: BuiltModel, seconds: float) -> float | None:
    """The first plan: the better of the value-ordered fill and the greedy pass in time order
    (`rounding.fill_plan`, `greedy.greedy_plan`), kept as the fallback plan and, completed by
    CP-SAT within `seconds`, hinted on every variable. Returns its objective, or None when it
    breaks a hard rule of the model (then there is neither hint nor fallback)."""
    inst = built.inst
    options = [
        built.candidate(fill_plan(inst), "heuristic"),
        built.candidate(greedy_plan(inst), "greedy"),
    ]
    best = min(options, key=lambda c: c.objective)
    found = time.perf_counter()
    values = complete(built, best.plan, seconds)
    if values is None:
        if check_plan(inst.scenario, assignments_of(inst, best.plan)):
            return None  # breaks a hard rule (the heuristics know only the "at most" rules)
    else:
        built.model.clear_hints()
        for i, value in enumerate(values):
            built.model.add_hint(built.model.get_int_var_from_proto_index(i), value)
    built.hint = best
    if built.started is not None:
        built.hint_seconds = found - built.started
    return best.objective


class _Watch(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
        super().__init__()
        self.progress, self.cancel = progress, cancel
        self.start = time.perf_counter()
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.start
        if self.first is None:
            self.first = now
        if self.progress is not None:
            o, b = self.objective_value / SCALE, self.best_objective_bound / SCALE
            self.progress(Progress(seconds=now, objective=o, bound=b, gap=relative_gap(o, b)))
        if self.cancel is not None and self.cancel.is_set():
            self.stop_search()


def _solver(params: SolveParams, workers: int | None = None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.time_limit
    solver.parameters.num_workers = workers or params.num_workers
    solver.parameters.random_seed = params.random_seed
    solver.parameters.relative_gap_limit = params.relative_gap
    solver.parameters.log_search_progress = params.log
    return solver


def _status(code: int, cancelled: bool) -> SolveStatus:
    if cancelled:
        return SolveStatus.CANCELLED
    return {
        cp_model.OPTIMAL: SolveStatus.OPTIMAL,
        cp_model.FEASIBLE: SolveStatus.FEASIBLE,
        cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
        cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID,
    }.get(code, SolveStatus.UNKNOWN)


def _conflicts(built: BuiltModel, params: SolveParams) -> list[Conflict]:
    """Name the hard rules in conflict: re-solve with presolve off on one worker, read
    CP-SAT's sufficient assumptions for infeasibility, then drop every rule whose removal
    leaves the rest still infeasible (so the named set is minimal)."""
    model = built.model.clone()
    for lit in built.vars.enforcement.values():
        model.proto.variables[lit.index].domain[0] = 0
    model.add_assumptions(list(built.vars.enforcement.values()))
    solver = _solver(params, workers=1)
    solver.parameters.cp_model_presolve = False
    solver.solve(model)
    names = {lit.index: name for name, lit in built.vars.enforcement.items()}
    core = [i for i in solver.sufficient_assumptions_for_infeasibility() if i in names]
    for i in list(core):
        rest = [j for j in core if j != i]
        model.clear_assumptions()
        model.add_assumptions([model.get_bool_var_from_proto_index(j) for j in rest])
        if solver.solve(model) == cp_model.INFEASIBLE:
            core = rest
    return [Conflict(rule=names[i], kind="labour rule") for i in core]


def _first_feasible(built: BuiltModel, watch: _Watch, t0: float) -> float | None:
    """Seconds from the start of planning (model building included) to the first complete
    plan: the greedy hint or CP-SAT's first solution, whichever came first."""
    offset = t0 - built.started if built.started is not None else 0.0
    firsts = [] if watch.first is None else [offset + watch.first]
    if built.hint_seconds is not None:
        firsts.append(built.hint_seconds)
    return round(min(firsts), 3) if firsts else None


def _solve(
    built: BuiltModel,
    params: SolveParams,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    outer: RunningRelaxation | None = None,
    extra: tuple[list[Candidate], list[tuple[float, str]]] = ([], []),
    polish: Polish | None = None,
) -> tuple[PatrolResult, list[Assignment]]:
    """Solve `built`; the bound is the best of CP-SAT's, the relaxation's (`outer`, waited
    for once CP-SAT stops) and `extra`'s, the plan the best of CP-SAT's and the candidates."""
    inst, v = built.inst, built.vars
    solver = _solver(params)
    watch = _Watch(progress, cancel)
    stop = threading.Event()

    def watch_cancel() -> None:  # also stops a search that has found nothing yet
        while (cancel is not None or outer is not None) and not stop.wait(0.05):
            if cancel is not None and cancel.is_set():
                solver.stop_search()
                if outer is not None:
                    outer.stop()
                return

    watcher = threading.Thread(target=watch_cancel, daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    code = solver.solve(built.model, watch)
    seconds = time.perf_counter() - t0
    stop.set()
    status = _status(code, cancel is not None and cancel.is_set())
    has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    result = PatrolResult(
        status=status,
        solve_seconds=round(seconds, 3),
        num_workers=params.num_workers,
        first_feasible_seconds=_first_feasible(built, watch, t0),
        scenario_name=inst.scenario.name,
        bound_source="",
        model_size={
            "variables": len(built.model.proto.variables),
            "constraints": len(built.model.proto.constraints),
            "assignment_vars": len(v.x),
        },
    )
    assignments: list[Assignment] = []
    # the candidate plans: CP-SAT's, HiGHS' incumbent, the heuristic plan; each objective is
    # recomputed from the plan (a CP-SAT solution that is not optimal may carry slack)
    plans: list[Candidate] = list(extra[0]) if status != SolveStatus.CANCELLED else []
    if has_solution:
        plan = {key for key, x in v.x.items() if solver.boolean_value(x)}
        plans.append(built.candidate(plan, "CP-SAT"))
    cp_bound = solver.best_objective_bound / SCALE
    bounds = (
        [(cp_bound, "CP-SAT")] if code != cp_model.INFEASIBLE and math.isfinite(cp_bound) else []
    )
    bounds += extra[1] if code != cp_model.INFEASIBLE else []
    relaxed = None
    if outer is not None and code not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        relaxed = outer.wait()
    if relaxed is not None and relaxed.bound is not None:
        bounds.append((relaxed.bound / SCALE, relaxed.source))
    if relaxed is not None and relaxed.integral and relaxed.values is not None:
        # HiGHS keeps every hard rule's rows: its incumbent is a plan (checked all the same)
        plan = {key for key, x in v.x.items() if relaxed.values[x.index] > 0.5}
        if not check_plan(inst.scenario, assignments_of(inst, plan)):
            plans.append(built.candidate(plan, "HiGHS"))
    if built.hint is not None and code != cp_model.INFEASIBLE and status != SolveStatus.CANCELLED:
        plans.append(built.hint)
    if plans:
        assignments = _finish(
            result, inst, plans, bounds, polish if built.published is None else None
        )
    elif code == cp_model.INFEASIBLE:
        result.conflicts = _conflicts(built, params)
        names = ", ".join(c.rule for c in result.conflicts) or "the hard labour rules"
        result.message = f"no plan meets every hard rule: {names} cannot all hold"
    else:
        result.message = (
            "no plan found within the time limit"
            if status != SolveStatus.CANCELLED
            else "cancelled before a plan was found"
        )
    return result, assignments


@dataclass
class Polish:
    """The search on the best plan once the solvers have stopped: until `deadline`, with the
    part's workers and seed, honouring `cancel`, each better plan reported to `progress`
    (seconds counted from `started`)."""

    deadline: float
    params: SolveParams
    cancel: threading.Event | None
    progress: ProgressCallback | None
    started: float
    pool: MipWorkers | None = None  # HiGHS processes for the group search, started early

    def reporter(self, bound: float | None) -> Callable[[float], None] | None:
        if self.progress is None:
            return None
        progress = self.progress

        def report(objective: float) -> None:
            b = None if bound is None else min(bound, objective)
            progress(
                Progress(
                    seconds=time.perf_counter() - self.started,
                    objective=objective,
                    bound=b,
                    gap=relative_gap(objective, b),
                )
            )

        return report


def _finish(
    result: PatrolResult,
    inst: PatrolInstance,
    plans: list[Candidate],
    bounds: list[tuple[float, str]],
    polish: Polish | None = None,
) -> list[Assignment]:
    """Fill `result` with the best plan (searched on as `polish` says, when given), its
    recomputed objective, the best bound, the gap and the shortfalls with their reasons;
    returns the plan's assignments."""
    best = min(plans, key=lambda c: c.objective)
    if polish is not None and time.perf_counter() < polish.deadline:
        # moves of one assignment until none helps, then whole groups of people planned
        # again (`reroster.py`) for the time left
        better = improve(inst, best.plan, polish.deadline, polish.cancel)
        better = search(
            inst,
            better,
            polish.deadline,
            polish.cancel,
            polish.params.random_seed,
            polish.params.num_workers,
            polish.reporter(max(bounds)[0] if bounds else None),
            polish.pool,
        )
        # the searches keep the hard rules they know; the checker sees them all
        if better is not best.plan and not check_plan(inst.scenario, assignments_of(inst, better)):
            source = f"{best.source}, improved by local search"
            best = Candidate(better, source, plan_terms(inst, better))
    result.objective = best.objective
    if best.source != "CP-SAT" and result.status in (SolveStatus.UNKNOWN, SolveStatus.OPTIMAL):
        result.status = SolveStatus.FEASIBLE
    if bounds:
        result.bound, result.bound_source = max(bounds)
        result.bound = min(result.bound, result.objective)
        result.gap = relative_gap(result.objective, result.bound)
        if result.gap == 0.0:
            result.status = SolveStatus.OPTIMAL
    if best.source != "CP-SAT":
        result.message = f"plan from {best.source}"
    result.objective_terms = best.terms
    assignments = assignments_of(inst, best.plan)
    result.assignments = assignments
    result.shortfalls = explain_shortfalls(
        inst, assignments, plan_shortfalls(inst.scenario, assignments)
    )
    return assignments


def plan_patrol(
    scenario: Scenario,
    params: SolveParams | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PatrolResult:
    """Plan the scenario's horizon. Raises PatrolInputError for input that cannot be
    planned; never raises for an infeasible or timed-out problem."""
    from optimizer.patrol.decompose import county_parts, merge

    start = time.perf_counter()  # checking and splitting the scenario count too
    params = params or SolveParams()
    validate_for_patrol(scenario)
    parts = county_parts(scenario)
    if len(parts) <= 1:
        left = max(1.0, params.time_limit - (time.perf_counter() - start))
        whole = SolveParams(**{**params.__dict__, "time_limit": left})
        return _plan_one(parts[0] if parts else scenario, whole, progress, cancel)
    # each county gets the time left in proportion to its share of the people left (less a
    # margin for merging and for a county that overruns its share)
    weights = [max(1, len(p.people)) for p in parts]
    results = []
    for i, part in enumerate(parts):
        if cancel is not None and cancel.is_set():
            break
        left = params.time_limit * (1 - CITY_MARGIN) - (time.perf_counter() - start)
        share = max(1.0, left * weights[i] / sum(weights[i:]))
        results.append(
            _plan_one(
                part, SolveParams(**{**params.__dict__, "time_limit": share}), progress, cancel
            )
        )
    return merge(scenario.name, results)


def _plan_one(
    scenario: Scenario,
    params: SolveParams,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> PatrolResult:
    """First the LP of the aggregated model (identical people counted once, `aggregate.py`):
    a valid bound in seconds and a plan guided by it. A model small enough to search (a
    county's day) then goes to CP-SAT, with the heuristic plan as its hint, while HiGHS
    solves the exact model as a MIP in a child process (its cuts close a day's gap); the
    bound is the best of the three, the plan the best of all. A larger model is not built:
    its plan is the best heuristic one, its bound the aggregated LP's. Either way the best
    plan then goes to the local searches until the part's time is up."""
    start = time.perf_counter()
    inst = build_instance(scenario)
    if cancel is not None and cancel.is_set():
        return PatrolResult(
            status=SolveStatus.CANCELLED,
            scenario_name=scenario.name,
            message="cancelled before a plan was found",
        )
    # the group search's HiGHS processes start now: their start-up overlaps the LP
    pool = search_workers(inst, params.num_workers)
    try:
        return _plan_instance(inst, start, params, progress, cancel, pool)
    finally:
        if pool is not None:
            pool.close()


def _plan_instance(
    inst: PatrolInstance,
    start: float,
    params: SolveParams,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    pool: MipWorkers | None,
) -> PatrolResult:
    """`_plan_one` once the instance is built and the group search's processes started."""
    left = params.time_limit - (time.perf_counter() - start)
    guide = aggregated_guide(inst, GUIDE_SHARE * left)
    extra = (checked(inst, guide.plan, "the aggregated-LP-guided fill") if guide.plan else [], [])
    if guide.bound is not None:
        extra[1].append((guide.bound, AGGREGATED_SOURCE))
    size = sum(len(tasks) for tasks in inst.options.values())
    if size > min(EXACT_MAX_ASSIGNMENTS, EXACT_PER_SECOND * params.time_limit):
        return _heuristic(inst, extra, start, params, size, progress, cancel, pool)
    built = build_model(inst)
    built.started = start
    # CP-SAT stops early enough to leave time for the local search on the best plan
    deadline = start + params.time_limit * (1 - WRAP_UP_SHARE)
    end = start + params.time_limit * (1 - WRAP_UP_SHARE - SEARCH_SHARE)
    lp = None
    if params.time_limit - (time.perf_counter() - start) > max(
        RELAXATION_MIN_SECONDS, RELAXATION_MIN_SHARE * params.time_limit
    ):
        lp = Relaxation(built.model, integral=True).start(
            max(1.0, end - time.perf_counter()), params.random_seed
        )
    # the heuristic plan is the safety net; completing it as CP-SAT's hint may take a while
    hint_heuristic(built, max(5.0, params.time_limit / 5))
    try:
        # keep a little of the time for reading the plans back and explaining shortfalls
        left = max(1.0, end - time.perf_counter())
        # with HiGHS working beside it, CP-SAT leaves it a core
        workers = params.num_workers - 1 if lp is not None and params.num_workers >= 2 else None
        rest = SolveParams(
            **{**params.__dict__, "time_limit": left, "num_workers": workers or params.num_workers}
        )
        # (the local search after CP-SAT and HiGHS have stopped has every worker again)
        polish = Polish(deadline, params, cancel, progress, start, pool)
        result = _solve(built, rest, progress, cancel, lp, extra, polish)[0]
        result.solve_seconds = round(time.perf_counter() - start, 3)  # model building too
        return result
    finally:
        if lp is not None:
            lp.stop()


def _heuristic(
    inst: PatrolInstance,
    extra: tuple[list[Candidate], list[tuple[float, str]]],
    start: float,
    params: SolveParams,
    size: int,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    pool: MipWorkers | None = None,
) -> PatrolResult:
    """The plan of a part too large for the exact model: the best of the heuristic plans,
    improved by local search until the part's time is up (or the solve is cancelled: the
    best plan so far is kept and the status says cancelled)."""
    plans = list(extra[0])
    deadline = start + params.time_limit * (1 - WRAP_UP_SHARE)
    took = 0.0
    for make, source in ((fill_plan, "the fill heuristic"), (greedy_plan, "the greedy heuristic")):
        began = time.perf_counter()
        if plans and began + took > deadline:
            break  # a plan in hand, and another would overrun (a large county's week)
        plans += checked(inst, make(inst), source)
        took = time.perf_counter() - began
    first = round(time.perf_counter() - start, 3)
    result = PatrolResult(
        status=SolveStatus.UNKNOWN,
        num_workers=params.num_workers,
        scenario_name=inst.scenario.name,
        model_size={"assignment_vars": size},
    )
    if plans:
        polish = Polish(deadline, params, cancel, progress, start, pool)
        _finish(result, inst, plans, extra[1], polish)
        result.first_feasible_seconds = first
        if cancel is not None and cancel.is_set():
            result.status = SolveStatus.CANCELLED
        if progress is not None and result.objective is not None:
            progress(
                Progress(
                    seconds=time.perf_counter() - start,
                    objective=result.objective,
                    bound=result.bound,
                    gap=result.gap,
                )
            )
        result.message += (
            f"; the exact model ({size} assignment variables) is beyond the solver's share of "
            "time, the bound comes from the aggregated model"
        )
    else:
        result.message = "no heuristic plan meets every hard rule of this large part"
    result.solve_seconds = round(time.perf_counter() - start, 3)
    return result


#: the HiGHS relaxation is started only when this share of a part's time is left after the
#: model and the greedy hint are built (reading a large model into HiGHS takes a while)
RELAXATION_MIN_SHARE = 0.25
RELAXATION_MIN_SECONDS = 8.0
#: parts with more (person, slot, task) options than this are not given to CP-SAT and
#: HiGHS' MIP (a county's day has about 15 000; on a county's week neither improves on the
#: aggregated LP's bound nor on the heuristic plan and its local searches in a minute)
EXACT_MAX_ASSIGNMENTS = 40_000
#: nor parts with more options than this per second of their time (building the model and
#: its hint would take it all)
EXACT_PER_SECOND = 10_000
#: share of a part's time left after building its instance that the aggregated LP may take
#: at most (its bound is what makes the gap; it usually needs far less)
GUIDE_SHARE = 0.7
#: share of a part's time kept for reading the plans back and explaining shortfalls
WRAP_UP_SHARE = 0.08
#: share of a decomposed scenario's time kept back from its counties (the demo city's largest
#: county overruns its share by about a second: its week's aggregated LP alone takes 30 s)
CITY_MARGIN = 0.01
#: share of a part's time for the local search on the best plan (`improve.py`)
SEARCH_SHARE = 0.25


def replan_patrol(
    scenario: Scenario,
    since: dt.datetime,
    params: SolveParams | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PatrolResult:
    """Re-plan from `since` keeping as much of `scenario.published_plan` as possible: shifts
    starting before `since` stay as published, later changes are penalised, and the result
    carries the diff against the published plan."""
    params = params or SolveParams()
    validate_for_patrol(scenario)
    inst = build_instance(scenario)
    published = obj.published_keys(inst, scenario.published_plan)
    built = build_model(inst, published, frozen_before=since)
    result, assignments = _solve(built, params, progress, cancel)
    if result.assignments or result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        old = {
            (a.person_id, a.date, a.shift_id, a.task, a.target_id): a
            for a in scenario.published_plan
        }
        new = {(a.person_id, a.date, a.shift_id, a.task, a.target_id): a for a in assignments}
        result.diff = PlanDiff(
            added=[new[k] for k in sorted(new.keys() - old.keys(), key=str)],
            removed=[old[k] for k in sorted(old.keys() - new.keys(), key=str)],
        )
    return result
