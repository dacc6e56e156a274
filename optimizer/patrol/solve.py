"""Solving a patrol plan: build the model rule by rule, solve within the time limit, report
progress and honour cancellation, return a PatrolResult that carries the truth.

    plan_patrol(scenario, params, progress=None, cancel=None) -> PatrolResult
    replan_patrol(scenario, since, params, ...) -> PatrolResult   (keeps the published plan)

The seam for running the parts of a scenario elsewhere (one process or machine a county):

    split_parts(scenario) -> [part]          (checked; one part when counties are not apart)
    part_sizes(parts) -> [(size, minimum seconds)]
    solve_part(part, params, progress, cancel) -> PatrolResult   (params.time_limit: its share)
    merge_parts(name, results) -> PatrolResult

Every phase is on the clock (`budget.py`): checking and splitting the scenario, each part
(a share by size plus what the parts before it left), inside a part the bound, the plans,
the searches and the explanations of its shortfalls, and the merging. Every bound is
rounded up to the objective's granularity (`granularity.py`), and a part stops as soon as
its plan meets its bound (status optimal). With `deterministic` effort the work of each
phase is counted (CP-SAT's deterministic time, HiGHS nodes, a number of groups) instead of
timed, so a seed and a worker count give the same plan."""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from optimizer.patrol import budget
from optimizer.patrol import objective as obj
from optimizer.patrol.check import check_plan, plan_shortfalls
from optimizer.patrol.evaluate import plan_terms
from optimizer.patrol.explain import explain_shortfalls
from optimizer.patrol.granularity import granularity, meets, round_up
from optimizer.patrol.greedy import greedy_plan
from optimizer.patrol.improve import improve
from optimizer.patrol.instance import PatrolInstance, build_instance, validate_for_patrol
from optimizer.patrol.model import BuiltModel, Candidate, build_model, complete
from optimizer.patrol.plans import (
    AGGREGATED_SOURCE,
    Guide,
    aggregated_guide,
    assignments_of,
    checked,
)
from optimizer.patrol.relax import MipWorkers, Relaxation, RunningRelaxation
from optimizer.patrol.reroster import (
    SearchLimits,
    SearchStats,
    others_load,
    search,
    search_workers,
    start_workers,
)
from optimizer.patrol.result import PatrolResult, PlanDiff
from optimizer.patrol.rounding import fill_plan
from optimizer.patrol.variables import SCALE
from optimizer.result import Conflict, Progress, ProgressCallback, SolveStatus, relative_gap
from optimizer.scenario import Assignment, Scenario

#: environment variable that makes deterministic effort the default (the test suite sets it)
DETERMINISTIC_ENV = "PINGAN_DETERMINISTIC"


def _deterministic_default() -> bool:
    return os.environ.get(DETERMINISTIC_ENV, "").strip() not in ("", "0", "false")


@dataclass
class SolveParams:
    time_limit: float = 30.0
    num_workers: int = 2
    random_seed: int = 0
    relative_gap: float = 0.0
    log: bool = False
    #: count the work (CP-SAT's deterministic time, HiGHS nodes, groups) instead of timing
    #: it: the same seed and workers give the same plan; the time limit still holds
    deterministic: bool = field(default_factory=_deterministic_default)
    #: seconds the deterministic effort budgets are made of (default: `time_limit`; a part
    #: of a split scenario gets its nominal share, never what the clock left it)
    effort_seconds: float | None = None

    @property
    def effort(self) -> float:
        return self.effort_seconds if self.effort_seconds is not None else self.time_limit


@dataclass
class Clock:
    """A part's time: from `start`, `seconds` in all, of which the last `wrap` are kept for
    reading the plan back, checking it and explaining its shortfalls."""

    start: float
    seconds: float

    @property
    def deadline(self) -> float:
        return self.start + self.seconds

    @property
    def wrap(self) -> float:
        return min(budget.wrap_up_seconds(self.seconds), 0.5 * self.seconds)

    @property
    def work_end(self) -> float:
        return self.deadline - self.wrap

    def left(self) -> float:
        """Seconds left for work (the wrap-up kept aside)."""
        return self.work_end - time.perf_counter()


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
    values = complete(built, best.plan, max(0.1, seconds))
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
    """Progress and cancel for CP-SAT; stops the search once a solution meets `bound` (a
    bound proven outside CP-SAT, rounded to the objective's granularity)."""

    def __init__(
        self,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        bound: float | None = None,
    ) -> None:
        super().__init__()
        self.progress, self.cancel, self.bound = progress, cancel, bound
        self.start = time.perf_counter()
        self.first: float | None = None
        self.best: float | None = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.start
        if self.first is None:
            self.first = now
        o, b = self.objective_value / SCALE, self.best_objective_bound / SCALE
        self.best = o
        if self.progress is not None:
            if self.bound is not None:
                b = max(b, min(self.bound, o))
            self.progress(Progress(seconds=now, objective=o, bound=b, gap=relative_gap(o, b)))
        if (self.cancel is not None and self.cancel.is_set()) or meets(o, self.bound):
            self.stop_search()


def _solver(params: SolveParams, workers: int | None = None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, params.time_limit)
    solver.parameters.num_workers = workers or params.num_workers
    solver.parameters.random_seed = params.random_seed
    solver.parameters.relative_gap_limit = params.relative_gap
    solver.parameters.log_search_progress = params.log
    if params.deterministic:
        # the work is counted, not timed; several workers take turns in a fixed order
        solver.parameters.max_deterministic_time = budget.deterministic_time(params.effort)
        solver.parameters.interleave_search = solver.parameters.num_workers > 1
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


@dataclass
class Polish:
    """The search on the best plan once the solvers have stopped: until `deadline`, with the
    part's workers and seed, honouring `cancel`, each better plan reported to `progress`
    (seconds counted from `started`); the explanations of the shortfalls end by
    `explain_by`. A plan that meets the part's bound (`Target`) is not searched on. A plan
    with no shortfall to explain is searched on until `quiet_deadline` (the wrap-up then
    only reads the plan back and checks it)."""

    deadline: float
    params: SolveParams
    cancel: threading.Event | None
    progress: ProgressCallback | None
    started: float
    pool: MipWorkers | None = None  # HiGHS processes for the group search, started early
    explain_by: float | None = None
    groups: int | None = None  # deterministic effort: groups the group search plans again
    quiet_deadline: float | None = None

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


def _solve(
    built: BuiltModel,
    params: SolveParams,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    outer: RunningRelaxation | None = None,
    extra: tuple[list[Candidate], list[tuple[float, str]]] = ([], []),
    polish: Polish | None = None,
    step: float | None = None,
    until: float | None = None,
) -> tuple[PatrolResult, list[Assignment]]:
    """Solve `built`; the bound is the best of CP-SAT's, the relaxation's (`outer`, waited
    for once CP-SAT stops, never past `until`) and `extra`'s, each rounded up to the
    objective's granularity `step`, the plan the best of CP-SAT's and the candidates.
    CP-SAT stops as soon as its plan meets a bound found outside it."""
    inst, v = built.inst, built.vars
    solver = _solver(params)
    known = max((b for b, _ in extra[1]), default=None)
    watch = _Watch(progress, cancel, round_up(known, step))
    stop = threading.Event()

    def watch_cancel() -> None:  # also stops a search that has found nothing yet
        heard = outer is None
        while (cancel is not None or not heard) and not stop.wait(0.05):
            if cancel is not None and cancel.is_set():
                solver.stop_search()
                if outer is not None:
                    outer.stop()
                return
            if not heard and outer is not None and outer.done():
                heard = True
                got = outer.wait(until=until)
                if got is None or got.bound is None:
                    continue
                # HiGHS has answered: its bound may prove CP-SAT's plan optimal, or its own
                # plan (which plan is kept must not hang on when it answered: not then)
                proven = round_up(got.bound / SCALE, step)
                highs = (
                    got.objective / SCALE if got.integral and got.objective is not None else None
                )
                if meets(watch.best, proven) or (not params.deterministic and meets(highs, proven)):
                    solver.stop_search()

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
        deterministic=params.deterministic,
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
        relaxed = outer.wait(until=until)
    if relaxed is not None and relaxed.bound is not None:
        bounds.append((relaxed.bound / SCALE, relaxed.source))
    if params.deterministic and (
        (outer is not None and (relaxed is None or relaxed.detail.startswith("TIME")))
        or (code == cp_model.FEASIBLE and seconds >= params.time_limit - 0.05)
    ):
        result.message = CUT_SHORT
    if relaxed is not None and relaxed.integral and relaxed.values is not None:
        # HiGHS keeps every hard rule's rows: its incumbent is a plan (checked all the same)
        plan = {key for key, x in v.x.items() if relaxed.values[x.index] > 0.5}
        if not check_plan(inst.scenario, assignments_of(inst, plan)):
            plans.append(built.candidate(plan, "HiGHS"))
    if built.hint is not None and code != cp_model.INFEASIBLE and status != SolveStatus.CANCELLED:
        plans.append(built.hint)
    if plans:
        assignments = _finish(
            result, inst, plans, bounds, polish if built.published is None else None, step
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


def _finish(
    result: PatrolResult,
    inst: PatrolInstance,
    plans: list[Candidate],
    bounds: list[tuple[float, str]],
    polish: Polish | None = None,
    step: float | None = None,
) -> list[Assignment]:
    """Fill `result` with the best plan (searched on as `polish` says, when given and the plan
    does not meet its bound yet), its recomputed objective, the best bound rounded up to the
    objective's granularity `step`, the gap and the shortfalls with their reasons; returns
    the plan's assignments."""
    best = min(plans, key=lambda c: c.objective)
    bound, source = max(bounds) if bounds else (None, "")
    bound = round_up(bound, step)
    stats = SearchStats()
    if (
        polish is not None
        and time.perf_counter() < polish.deadline
        and not meets(best.objective, bound)
    ):
        # moves of one assignment until none helps, then whole groups of people planned
        # again (`reroster.py`) until the time is up or the plan meets its bound; the group
        # search's processes start first, their start-up beside the one-move search
        deterministic = polish.params.deterministic
        others = 0.0 if deterministic else others_load()
        pool = polish.pool or start_workers(
            inst, polish.params.num_workers, polish.deadline, others, deterministic
        )
        try:
            better = improve(inst, best.plan, polish.deadline, polish.cancel)
            deadline = polish.deadline
            if polish.quiet_deadline and not plan_shortfalls(
                inst.scenario, assignments_of(inst, better)
            ):
                deadline = polish.quiet_deadline  # (nothing to explain: search on longer)
            better = search(
                inst,
                better,
                deadline,
                polish.cancel,
                polish.params.random_seed,
                polish.params.num_workers,
                polish.reporter(bound),
                pool,
                SearchLimits(bound=bound, groups=polish.groups, deterministic=deterministic),
                stats,
                others,
            )
        finally:
            if pool is not None and pool is not polish.pool:
                pool.close()
        # the searches keep the hard rules they know; the checker sees them all
        if better is not best.plan and not check_plan(inst.scenario, assignments_of(inst, better)):
            source_of = f"{best.source}, improved by local search"
            best = Candidate(better, source_of, plan_terms(inst, better))
        if (
            stats.stopped_by_clock
            and polish.params.deterministic
            and CUT_SHORT not in (result.message)
        ):
            result.message = _append(result.message, CUT_SHORT)
    result.effort = {
        "groups": stats.groups,
        "improving_groups": stats.improved,
        "proven_groups": stats.proved,
        "clashing_groups": stats.clashed,
        "parts": 1,
    }
    result.objective = best.objective
    if best.source != "CP-SAT" and result.status in (SolveStatus.UNKNOWN, SolveStatus.OPTIMAL):
        result.status = SolveStatus.FEASIBLE
    if bound is not None:
        result.bound, result.bound_source = min(bound, result.objective), source
        if meets(result.objective, bound):
            result.bound = result.objective
        result.gap = relative_gap(result.objective, result.bound)
        if result.gap == 0.0:
            result.status = SolveStatus.OPTIMAL
    if best.source != "CP-SAT":
        result.message = _append(f"plan from {best.source}", result.message)
    result.objective_terms = best.terms
    assignments = assignments_of(inst, best.plan)
    result.assignments = assignments
    result.shortfalls = explain_shortfalls(
        inst,
        assignments,
        plan_shortfalls(inst.scenario, assignments),
        polish.explain_by if polish is not None else None,
    )
    return assignments


#: said of a deterministic solve that the clock stopped before its counted work was done (its
#: plan may then differ from another run's)
CUT_SHORT = "deterministic effort cut short by the time limit"


def _append(message: str, more: str) -> str:
    return "; ".join(m for m in (message, more) if m)


# --- the seam: split, solve a part, merge -------------------------------------------------


def split_parts(scenario: Scenario) -> list[Scenario]:
    """The scenario checked (PatrolInputError for input that cannot be planned) and split
    into independent parts: one per county when people work only inside their county (see
    `decompose.county_parts`), else the scenario itself."""
    from optimizer.patrol.decompose import county_parts

    validate_for_patrol(scenario)
    parts = county_parts(scenario)
    return parts or [scenario]


def part_sizes(parts: list[Scenario]) -> list[tuple[float, float]]:
    """(size, minimum seconds) of each part: its share of the time goes by size (people ×
    days), and no part gets less than its minimum when the limit allows (`budget.py`)."""
    out = []
    for part in parts:
        people, days = max(1, len(part.people)), part.horizon.days
        out.append((float(people * days), budget.minimum_seconds(people, days)))
    return out


def merge_parts(name: str, results: list[PatrolResult], message: str = "") -> PatrolResult:
    """One result of the parts' results: plan the union, objective and bound the sums."""
    from optimizer.patrol.decompose import merge

    merged = merge(name, results)
    merged.message = _append(message, merged.message)
    return merged


def plan_patrol(
    scenario: Scenario,
    params: SolveParams | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PatrolResult:
    """Plan the scenario's horizon within `params.time_limit` (checking and splitting the
    scenario, every part and the merging included). Raises PatrolInputError for input that
    cannot be planned; never raises for an infeasible or timed-out problem."""
    start = time.perf_counter()
    params = params or SolveParams()
    parts = split_parts(scenario)
    if len(parts) == 1:
        left = params.time_limit - (time.perf_counter() - start)
        whole = replace(params, time_limit=max(0.1, left), effort_seconds=params.effort)
        result = solve_part(parts[0], whole, progress, cancel)
        result.solve_seconds = round(time.perf_counter() - start, 3)
        return result
    sizes = part_sizes(parts)
    nominal = budget.nominal_shares(params.effort, [s for s, _ in sizes])
    end = start + params.time_limit * (1 - budget.MERGE_SHARE)
    results, short = [], False
    for i, part in enumerate(parts):
        if cancel is not None and cancel.is_set():
            break
        got = budget.share(
            end - time.perf_counter(), [s for s, _ in sizes[i:]], [m for _, m in sizes[i:]]
        )
        short = short or got.short
        mine = replace(params, time_limit=max(0.05, got.seconds), effort_seconds=nominal[i])
        results.append(solve_part(part, mine, progress, cancel))
    merged = merge_parts(scenario.name, results, budget.short_message(len(parts)) if short else "")
    merged.effort = {
        key: sum(r.effort.get(key, 0) for r in results)
        for key in ("groups", "improving_groups", "proven_groups", "clashing_groups", "parts")
    }
    merged.deterministic = params.deterministic
    merged.solve_seconds = round(time.perf_counter() - start, 3)
    return merged


def solve_part(
    scenario: Scenario,
    params: SolveParams,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PatrolResult:
    """Plan one part within `params.time_limit` (its share; `params.effort_seconds` its
    nominal share, which deterministic effort budgets are made of).

    First the LP of the aggregated model (identical people counted once, `aggregate.py`):
    a valid bound in seconds and a plan guided by it. A model small enough to search (a
    county's day) then goes to CP-SAT, with the heuristic plan as its hint, while HiGHS
    solves the exact model as a MIP in a child process (its cuts close a day's gap); the
    bound is the best of the three, the plan the best of all. A larger model is not built:
    its plan is the best heuristic one, its bound the aggregated LP's. Either way the best
    plan then goes to the local searches until the part's time is up or the plan meets its
    bound."""
    clock = Clock(time.perf_counter(), params.time_limit)
    inst = build_instance(scenario)
    if cancel is not None and cancel.is_set():
        return PatrolResult(
            status=SolveStatus.CANCELLED,
            scenario_name=scenario.name,
            message="cancelled before a plan was found",
        )
    # the group search's HiGHS processes start now, their start-up overlapping the LP, when
    # EARLY_POOL says so (not for a part whose time would hardly see a group); else the group
    # search starts them itself
    room = params.effort if params.deterministic else clock.left()
    early = EARLY_POOL and room > POOL_MIN_SECONDS
    pool = search_workers(inst, params.num_workers) if early else None
    try:
        result = _plan_instance(inst, clock, params, progress, cancel, pool)
    finally:
        if pool is not None:
            pool.close()
    result.deterministic = params.deterministic
    result.solve_seconds = round(time.perf_counter() - clock.start, 3)
    return result


def _plan_instance(
    inst: PatrolInstance,
    clock: Clock,
    params: SolveParams,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    pool: MipWorkers | None,
) -> PatrolResult:
    """`solve_part` once the instance is built and the group search's processes started."""
    step = granularity(inst)
    person_days = len(inst.people) * len(inst.slots) // max(1, len(inst.scenario.shifts))
    # (the LP itself stops at its time limit: only building the aggregated model, about
    # half of it, cannot be cut short)
    if clock.left() > 0.5 * budget.bound_seconds(person_days) or params.deterministic:
        guide = aggregated_guide(inst, max(0.1, GUIDE_SHARE * clock.left()))
    else:  # building the aggregated model alone would overrun the part's share
        guide = Guide(None, None)
    extra = (checked(inst, guide.plan, "the aggregated-LP-guided fill") if guide.plan else [], [])
    if guide.bound is not None:
        extra[1].append((guide.bound, AGGREGATED_SOURCE))
    size = sum(len(tasks) for tasks in inst.options.values())
    basis = params.effort if params.deterministic else params.time_limit
    if size > min(EXACT_MAX_ASSIGNMENTS, EXACT_PER_SECOND * basis):
        return _heuristic(inst, extra, clock, params, size, progress, cancel, pool, step)
    best_known = min((c.objective for c in extra[0]), default=None)
    if meets(best_known, round_up(guide.bound, step)):
        # the guided fill meets the aggregated bound: proven, nothing to search
        return _heuristic(inst, extra, clock, params, size, progress, cancel, pool, step)
    built = build_model(inst)
    built.started = clock.start
    # CP-SAT stops early enough to leave time for the local search on the best plan
    search_seconds = SEARCH_SHARE * clock.seconds
    end = clock.work_end - search_seconds
    lp = None
    relaxation_seconds = clock.left() - search_seconds
    if params.deterministic:  # (whether HiGHS runs beside CP-SAT cannot hang on the clock)
        relaxation_seconds = params.effort * (1 - SEARCH_SHARE - budget.WRAP_UP) * 0.8
    if relaxation_seconds > max(RELAXATION_MIN_SECONDS, RELAXATION_MIN_SHARE * basis):
        lp = Relaxation(built.model, integral=True).start(
            max(1.0, end - time.perf_counter()),
            params.random_seed,
            EXACT_MIP_NODES if params.deterministic else None,
        )
    # the heuristic plan is the safety net; completing it as CP-SAT's hint may take a while
    hint_heuristic(built, min(max(5.0, params.time_limit / 5), max(0.1, clock.left())))
    try:
        left = max(0.1, end - time.perf_counter())
        # with HiGHS working beside it, CP-SAT leaves it a core
        workers = params.num_workers - 1 if lp is not None and params.num_workers >= 2 else None
        cp_effort = params.effort * (1 - SEARCH_SHARE - budget.WRAP_UP) * 0.8
        rest = replace(
            params,
            time_limit=left,
            num_workers=workers or params.num_workers,
            effort_seconds=cp_effort,
        )
        # (the local search after CP-SAT and HiGHS have stopped has every worker again)
        polish = _polish(inst, clock, params, progress, cancel, pool, SEARCH_SHARE)
        result = _solve(built, rest, progress, cancel, lp, extra, polish, step, clock.work_end)[0]
        return result
    finally:
        if lp is not None:
            lp.stop()


def _polish(
    inst: PatrolInstance,
    clock: Clock,
    params: SolveParams,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    pool: MipWorkers | None,
    search_share: float,
) -> Polish:
    """The search after the solvers: until the part's work ends (later when its plan has
    nothing to explain: the wrap-up then needs only to read the plan back and check it);
    with deterministic effort, as many groups as `search_share` of the part's nominal share
    holds."""
    groups = None
    if params.deterministic:
        groups = budget.group_budget(search_share * params.effort, params.num_workers)
    person_days = len(inst.people) * len(inst.slots) // max(1, len(inst.scenario.shifts))
    return Polish(
        clock.work_end,
        params,
        cancel,
        progress,
        clock.start,
        pool,
        explain_by=clock.deadline - 0.1 * clock.wrap,
        groups=groups,
        quiet_deadline=max(clock.work_end, clock.deadline - budget.read_back_seconds(person_days)),
    )


def _heuristic(
    inst: PatrolInstance,
    extra: tuple[list[Candidate], list[tuple[float, str]]],
    clock: Clock,
    params: SolveParams,
    size: int,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    pool: MipWorkers | None = None,
    step: float | None = None,
) -> PatrolResult:
    """The plan of a part too large for the exact model (or already proven by the guided
    fill): the best of the heuristic plans, improved by local search until the part's time
    is up or the plan meets its bound (or the solve is cancelled: the best plan so far is
    kept and the status says cancelled)."""
    plans = list(extra[0])
    bound = round_up(max((b for b, _ in extra[1]), default=None), step)
    took = 0.0
    for make, source in ((fill_plan, "the fill heuristic"), (greedy_plan, "the greedy heuristic")):
        began = time.perf_counter()
        if plans and (
            began + took > clock.work_end or meets(min(c.objective for c in plans), bound)
        ):
            break  # a plan in hand, and another would overrun (a large county's week)
        plans += checked(inst, make(inst), source)
        took = time.perf_counter() - began
    first = round(time.perf_counter() - clock.start, 3)
    result = PatrolResult(
        status=SolveStatus.UNKNOWN,
        num_workers=params.num_workers,
        scenario_name=inst.scenario.name,
        model_size={"assignment_vars": size},
    )
    if plans:
        polish = _polish(inst, clock, params, progress, cancel, pool, HEURISTIC_SEARCH_SHARE)
        _finish(result, inst, plans, extra[1], polish, step)
        result.first_feasible_seconds = first
        if cancel is not None and cancel.is_set():
            result.status = SolveStatus.CANCELLED
        if progress is not None and result.objective is not None:
            progress(
                Progress(
                    seconds=time.perf_counter() - clock.start,
                    objective=result.objective,
                    bound=result.bound,
                    gap=result.gap,
                )
            )
        basis = params.effort if params.deterministic else params.time_limit
        if size > min(EXACT_MAX_ASSIGNMENTS, EXACT_PER_SECOND * basis):
            result.message += (
                f"; the exact model ({size} assignment variables) is beyond the solver's share "
                "of time, the bound comes from the aggregated model"
            )
    else:
        result.message = "no heuristic plan meets every hard rule of this large part"
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
#: branch-and-bound nodes of the exact model's HiGHS MIP with deterministic effort
EXACT_MIP_NODES = 5_000
#: share of a part's time left after building its instance that the aggregated LP may take
#: at most (its bound is what makes the gap; it usually needs far less)
GUIDE_SHARE = 0.7
#: share of a part's time for the local search on the best plan (`improve.py`)
SEARCH_SHARE = 0.25
#: share of a decomposed scenario's time kept back for merging the parts
CITY_MARGIN = budget.MERGE_SHARE
#: share of a large part's time left to the group search once its bound and heuristic plans
#: are in (the county week: 10 s of 30 for the instance, the LP, the fills and the one-move
#: search); what deterministic effort counts its groups from
HEURISTIC_SEARCH_SHARE = 0.6
#: the group search's HiGHS processes are started only for a part with this much time
#: (their start-up takes a second or more of a loaded core)
POOL_MIN_SECONDS = 6.0
#: whether they start with the part (overlapping the aggregated LP) rather than with the
#: group search (overlapping the preparation of its first groups). Measured on the county
#: week with two workers on the shared 2-core box (load 11-17): starting with the part, the
#: first plan came at 14-28 s against 9-18 s with one worker (their start-up competes with
#: the LP and the fills, the path every plan waits on), leaving the search 2-15 s
EARLY_POOL = False


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
    start = time.perf_counter()
    params = params or SolveParams()
    validate_for_patrol(scenario)
    inst = build_instance(scenario)
    published = obj.published_keys(inst, scenario.published_plan)
    built = build_model(inst, published, frozen_before=since)
    left = replace(params, time_limit=max(0.1, params.time_limit - (time.perf_counter() - start)))
    result, assignments = _solve(
        built, left, progress, cancel, step=granularity(inst, published=True)
    )
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
