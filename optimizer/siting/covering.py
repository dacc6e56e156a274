"""Maximal covering siting (MCLP, Church & ReVelle 1974): open exactly p sites so that as
much demand as possible lies within the response-time rings of an open site.

With rings r (threshold T_r, weight ρ_r) and N_i^r = {j : t_ij ≤ T_r}:

    max  Σ_r ρ_r Σ_i w_i u_i^r
    s.t. u_i^r ≤ Σ_{j ∈ N_i^r} y_j         for every ring r and demand point i
         Σ_j y_j = p,  y_j ∈ {0, 1} (y_j = 1 for existing sites),  0 ≤ u ≤ 1

Exact reductions before solving: demand points with the same N_i^r in a ring share one u
(their weights are added) and points no candidate can reach in a ring are dropped (they stay
uncovered whatever is opened). For integer y the best u is min(1, Σ y), so u need not be
integer in the MIP; CP-SAT gets Boolean u with the clause (¬u ∨ y_j …).

Two solvers: CP-SAT with `linearization_level = 2` (default: the LP-heavy setting proves
every SJC row, and did so about 3× faster than HiGHS here, see benchmarks/README.md; default
CP-SAT parameters leave gaps on the larger SJC rows) or HiGHS through MathOpt. A greedy plan is
the first feasible plan and the solver's hint.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.math_opt.python import mathopt
from ortools.sat.python import cp_model

from optimizer.result import Shortfall, SolveStatus, relative_gap
from optimizer.siting.mip import HIGHS, MipOutcome, solve_highs
from optimizer.siting.problem import SitingInputError, SitingInstance, SitingProblem, build_instance
from optimizer.siting.result import CoverageRing, MaxCoverResult
from optimizer.travel import TravelTimeModel

CoverSolver = Literal["highs", "cp-sat"]
CP_SAT = "CP-SAT (linearization_level=2)"


@dataclass(frozen=True)
class CoverClass:
    """Demand points of one ring that the same set of candidates covers."""

    ring: int
    sites: np.ndarray
    weight: float


def solve_max_cover(
    problem: SitingProblem | SitingInstance,
    rings: list[CoverageRing] | float,
    travel: TravelTimeModel | None = None,
    *,
    solver: CoverSolver = "cp-sat",
    time_limit: float = 60.0,
    random_seed: int = 0,
    num_workers: int = 1,
    log: bool = False,
    cancel: threading.Event | None = None,
) -> MaxCoverResult:
    """Open `p` sites maximising the (ring-weighted) demand covered. Setting `cancel` stops
    the CP-SAT search (its best plan so far is returned); HiGHS runs to its time limit."""
    start = time.perf_counter()
    inst = build_instance(problem, travel)
    rings = _rings(rings)
    covers = [inst.cost <= ring.minutes for ring in rings]
    greedy = greedy_cover(inst, rings, covers)
    first_feasible = time.perf_counter() - start
    classes = cover_classes(inst, covers)
    remaining = max(0.1, time_limit - (time.perf_counter() - start))
    if solver == "highs":
        out = _solve_mip(inst, rings, classes, greedy, remaining, random_seed, log)
    elif solver == "cp-sat":
        out = _solve_cp_sat(
            inst, rings, classes, greedy, remaining, random_seed, num_workers, log, cancel
        )
    else:
        raise SitingInputError(f"solver: expected 'highs' or 'cp-sat', got {solver!r}")
    sites, bound = greedy, out.bound
    if out.values is not None:
        chosen = [j for j in range(inst.m) if out.values[j] > 0.5]
        if len(chosen) == inst.p and cover_value(rings, covers, inst, chosen) >= cover_value(
            rings, covers, inst, greedy
        ):
            sites = chosen
    status = SolveStatus.OPTIMAL if out.status == SolveStatus.OPTIMAL else SolveStatus.FEASIBLE
    return cover_result(
        inst,
        rings,
        covers,
        sites,
        status=status,
        bound=bound,
        bound_source=(HIGHS if solver == "highs" else CP_SAT) if bound is not None else "",
        solve_seconds=time.perf_counter() - start,
        first_feasible_seconds=first_feasible,
        num_workers=num_workers if solver == "cp-sat" else 1,
        message=out.detail,
    )


def _rings(rings: list[CoverageRing] | float) -> list[CoverageRing]:
    if isinstance(rings, int | float):
        rings = [CoverageRing(minutes=float(rings))]
    if not rings:
        raise SitingInputError("rings: at least one coverage threshold is required")
    return sorted(rings, key=lambda r: r.minutes)


def cover_classes(inst: SitingInstance, covers: list[np.ndarray]) -> list[CoverClass]:
    """Group each ring's demand points by the exact set of candidates that cover them."""
    classes: list[CoverClass] = []
    for r, cover in enumerate(covers):
        groups: dict[bytes, list[int]] = {}
        for i in np.flatnonzero((inst.weights > 0) & cover.any(axis=1)):
            groups.setdefault(np.packbits(cover[i]).tobytes(), []).append(int(i))
        for members in groups.values():
            sites = np.flatnonzero(cover[members[0]])
            classes.append(CoverClass(r, sites, float(inst.weights[members].sum())))
    return classes


def _solve_mip(
    inst: SitingInstance,
    rings: list[CoverageRing],
    classes: list[CoverClass],
    greedy: list[int],
    time_limit: float,
    random_seed: int,
    log: bool,
) -> MipOutcome:
    model = mathopt.Model(name="max-cover")
    y = [
        model.add_variable(lb=float(inst.existing[j]), ub=1, is_integer=True, name=f"open[{sid}]")
        for j, sid in enumerate(inst.site_ids)
    ]
    model.add_linear_constraint(mathopt.fast_sum(y) == inst.p, name="open exactly p")
    terms = []
    for k, cls in enumerate(classes):
        u = model.add_variable(lb=0, ub=1, name=f"covered[{k}]")
        model.add_linear_constraint(u <= mathopt.fast_sum(y[j] for j in cls.sites))
        terms.append(rings[cls.ring].weight * cls.weight * u)
    model.maximize(mathopt.fast_sum(terms))
    chosen = set(greedy)
    out = solve_highs(
        model,
        time_limit=time_limit,
        hint={v: float(j in chosen) for j, v in enumerate(y)},
        random_seed=random_seed,
        log=log,
    )
    if out.values is not None:
        out.values = {j: out.values[v] for j, v in enumerate(y)}  # type: ignore[misc]
    return out


def _solve_cp_sat(
    inst: SitingInstance,
    rings: list[CoverageRing],
    classes: list[CoverClass],
    greedy: list[int],
    time_limit: float,
    random_seed: int,
    num_workers: int,
    log: bool,
    cancel: threading.Event | None = None,
) -> MipOutcome:
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"open[{sid}]") for sid in inst.site_ids]
    for j in np.flatnonzero(inst.existing):
        model.add(y[j] == 1)
    model.add(sum(y) == inst.p)
    terms = []
    for k, cls in enumerate(classes):
        u = model.new_bool_var(f"covered[{k}]")
        model.add_bool_or([y[j] for j in cls.sites] + [u.Not()])
        terms.append(rings[cls.ring].weight * cls.weight * u)
    model.maximize(sum(terms))
    chosen = set(greedy)
    for j, v in enumerate(y):
        model.add_hint(v, j in chosen)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = random_seed
    solver.parameters.linearization_level = 2
    solver.parameters.log_search_progress = log
    start = time.perf_counter()
    done = threading.Event()
    if cancel is not None:
        threading.Thread(target=_stop_on, args=(cancel, done, solver), daemon=True).start()
    try:
        code = solver.solve(model)
    finally:
        done.set()
    seconds = time.perf_counter() - start
    status = {
        cp_model.OPTIMAL: SolveStatus.OPTIMAL,
        cp_model.FEASIBLE: SolveStatus.FEASIBLE,
        cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
        cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID,
    }.get(code, SolveStatus.UNKNOWN)
    has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    values = {j: float(solver.value(v)) for j, v in enumerate(y)} if has_solution else None
    bound = solver.best_objective_bound if has_solution else None
    return MipOutcome(status, values, bound, seconds, solver.status_name(code))  # type: ignore[arg-type]


def _stop_on(cancel: threading.Event, done: threading.Event, solver: cp_model.CpSolver) -> None:
    """Stop `solver` when `cancel` is set, until the solve is `done`."""
    while not done.is_set():
        if cancel.wait(0.2):
            solver.stop_search()
            return


def greedy_cover(
    inst: SitingInstance, rings: list[CoverageRing], covers: list[np.ndarray]
) -> list[int]:
    """Existing sites, then repeatedly the site adding the most ring-weighted coverage."""
    chosen = [int(j) for j in np.flatnonzero(inst.existing)]
    covered = [c[:, chosen].any(axis=1) for c in covers]
    while len(chosen) < inst.p:
        gain = sum(
            ring.weight * ((inst.weights * ~done) @ cover)
            for ring, cover, done in zip(rings, covers, covered, strict=True)
        )
        gain = np.asarray(gain, dtype=float) - 1e-9 * inst.cost.min(axis=0)  # ties: central
        gain[chosen] = -np.inf
        best = int(np.argmax(gain))
        chosen.append(best)
        covered = [done | cover[:, best] for cover, done in zip(covers, covered, strict=True)]
    return sorted(chosen)


def cover_value(
    rings: list[CoverageRing], covers: list[np.ndarray], inst: SitingInstance, sites: list[int]
) -> float:
    return float(
        sum(
            ring.weight * (inst.weights @ cover[:, sites].any(axis=1))
            for ring, cover in zip(rings, covers, strict=True)
        )
    )


def cover_result(
    inst: SitingInstance,
    rings: list[CoverageRing],
    covers: list[np.ndarray],
    sites: list[int],
    *,
    status: SolveStatus,
    bound: float | None,
    **kw,
) -> MaxCoverResult:
    objective = cover_value(rings, covers, inst, sites)
    total = float(inst.weights.sum())
    covered: dict[str, float] = {}
    shortfalls: list[Shortfall] = []
    for ring, cover in zip(rings, covers, strict=True):
        hit = cover[:, sites].any(axis=1)
        covered[ring.label] = float(inst.weights @ hit)
        shortfalls += [
            Shortfall(
                requirement="coverage",
                target_id=inst.demand_ids[i],
                missing=float(inst.weights[i]),
                unit="demand",
                reason=f"no open site within {ring.minutes:g}",
            )
            for i in np.flatnonzero(~hit & (inst.weights > 0))
        ]
    nearest = np.asarray(sites)[inst.cost[:, sites].argmin(axis=1)]
    gap = relative_gap(objective, bound)
    if status == SolveStatus.OPTIMAL and gap is not None and gap > 1e-6:
        status = SolveStatus.FEASIBLE
    return MaxCoverResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        objective_terms={ring.label: ring.weight * covered[ring.label] for ring in rings},
        open_sites=[inst.site_ids[j] for j in sites],
        assignment={d: inst.site_ids[j] for d, j in zip(inst.demand_ids, nearest, strict=True)},
        covered=covered,
        covered_share={k: v / total if total > 0 else 1.0 for k, v in covered.items()},
        shortfalls=shortfalls,
        **kw,
    )
