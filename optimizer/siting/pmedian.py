"""p-median siting: open exactly p sites so that Σ_i w_i · t(i, nearest open site) is least.

Formulation (solved exactly with HiGHS through MathOpt). For demand point i let
D_i^1 < D_i^2 < … < D_i^K be the distinct times from i to the candidates it could use, and
z_i^k ∈ [0, 1] mean "no open site within D_i^k" (Elloumi 2010, "A tighter formulation of the
p-median problem", J. Comb. Optim. 19; the radius idea of García, Labbé and Marín 2011,
INFORMS J. Comput. 23):

    min  Σ_i w_i (D_i^1 + Σ_{k<K} (D_i^{k+1} − D_i^k) z_i^k)
    s.t. z_i^1 + Σ_{j: t_ij = D_i^1} y_j ≥ 1
         z_i^k − z_i^{k−1} + Σ_{j: t_ij = D_i^k} y_j ≥ 0      k = 2 … K−1
         Σ_j y_j = p,  y_j ∈ {0, 1} (y_j = 1 for existing sites),  z ≥ 0

Chaining the covering rows (instead of z_i^k + Σ_{t_ij ≤ D_i^k} y_j ≥ 1) keeps the model at
one y per (i, j) pair, like the classic x_ij ≤ y_j model; by induction the chained rows imply
the unchained ones and give the same LP bound, which equals the classic strong formulation's.

Two exact reductions: (1) with exactly p of m sites open, one of any m − p + 1 candidates is
open, so i's candidate list stops at its (m − p + 1)-th closest; (2) demand points of weight
0 are left out. The sites are then read from y and every demand point is assigned to its
nearest open site; the objective is recomputed from the matrix.

A greedy plan (add the site that lowers the objective most, p times) is built first: it is the
first feasible plan, the MIP's hint, and the answer if HiGHS finds nothing in time.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.math_opt.python import mathopt

from optimizer.result import SolveStatus, relative_gap
from optimizer.siting.mip import HIGHS, solve_highs
from optimizer.siting.problem import SitingInstance, SitingProblem, build_instance
from optimizer.siting.result import PMedianResult
from optimizer.travel import TravelTimeModel


def solve_pmedian(
    problem: SitingProblem | SitingInstance,
    travel: TravelTimeModel | None = None,
    *,
    time_limit: float = 60.0,
    random_seed: int = 0,
    log: bool = False,
) -> PMedianResult:
    """Open `p` sites minimising total weighted travel time; proves optimality when it can."""
    start = time.perf_counter()
    inst = build_instance(problem, travel)
    greedy = greedy_pmedian(inst)
    first_feasible = time.perf_counter() - start
    model, y = build_pmedian_model(inst)
    hint = {y[j]: 0.0 for j in range(inst.m)} | {y[j]: 1.0 for j in greedy}
    remaining = max(0.1, time_limit - (time.perf_counter() - start))
    out = solve_highs(model, time_limit=remaining, hint=hint, random_seed=random_seed, log=log)
    sites = greedy
    if out.values is not None:
        chosen = [j for j in range(inst.m) if out.values[y[j]] > 0.5]
        if len(chosen) == inst.p and pmedian_cost(inst, chosen) <= pmedian_cost(inst, greedy):
            sites = chosen
    # Without a MIP answer the greedy plan stands (validated input is never infeasible).
    proven = out.status == SolveStatus.OPTIMAL
    status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    return pmedian_result(
        inst,
        sites,
        status=status,
        bound=out.bound,
        solve_seconds=time.perf_counter() - start,
        first_feasible_seconds=first_feasible,
        message=out.detail,
    )


def build_pmedian_model(inst: SitingInstance) -> tuple[mathopt.Model, list[mathopt.Variable]]:
    """The chained radius formulation above; returns the model and the site variables."""
    model = mathopt.Model(name="p-median")
    y = [
        model.add_binary_variable(name=f"open[{sid}]")
        if not inst.existing[j]
        else model.add_variable(lb=1, ub=1, is_integer=True, name=f"open[{sid}]")
        for j, sid in enumerate(inst.site_ids)
    ]
    model.add_linear_constraint(mathopt.fast_sum(y) == inst.p, name="open exactly p")
    keep = inst.m - inst.p + 1
    constant = 0.0
    terms: list[mathopt.LinearExpression] = []
    for i in np.flatnonzero(inst.weights > 0):
        row = inst.cost[i]
        order = np.argsort(row, kind="stable")
        cutoff = row[order[keep - 1]]
        order = order[row[order] <= cutoff]
        levels, starts = np.unique(row[order], return_index=True)
        constant += inst.weights[i] * levels[0]
        previous: mathopt.Variable | None = None
        for k in range(len(levels) - 1):
            z = model.add_variable(lb=0, ub=1, name=f"beyond[{inst.demand_ids[i]},{k}]")
            at_level = [y[j] for j in order[starts[k] : starts[k + 1]]]
            lhs = z + mathopt.fast_sum(at_level) - (previous if previous is not None else 1)
            model.add_linear_constraint(lhs >= 0)
            terms.append(inst.weights[i] * (levels[k + 1] - levels[k]) * z)
            previous = z
    model.minimize(constant + mathopt.fast_sum(terms))
    return model, y


def greedy_pmedian(inst: SitingInstance) -> list[int]:
    """Existing sites, then repeatedly the site that lowers the weighted time most."""
    chosen = [int(j) for j in np.flatnonzero(inst.existing)]
    nearest = inst.cost[:, chosen].min(axis=1) if chosen else np.full(inst.n, np.inf)
    while len(chosen) < inst.p:
        candidate_cost = inst.weights @ np.minimum(nearest[:, None], inst.cost)
        candidate_cost[chosen] = np.inf
        best = int(np.argmin(candidate_cost))
        chosen.append(best)
        nearest = np.minimum(nearest, inst.cost[:, best])
    return sorted(chosen)


def pmedian_cost(inst: SitingInstance, sites: list[int]) -> float:
    return float(inst.weights @ inst.cost[:, sites].min(axis=1))


def pmedian_result(
    inst: SitingInstance, sites: list[int], *, status: SolveStatus, bound: float | None, **kw
) -> PMedianResult:
    times = inst.cost[:, sites]
    nearest = np.asarray(sites)[times.argmin(axis=1)]
    objective = pmedian_cost(inst, sites)
    total = float(inst.weights.sum())
    gap = relative_gap(objective, bound)
    if status == SolveStatus.OPTIMAL and gap is not None and gap > 1e-6:
        status = SolveStatus.FEASIBLE
    return PMedianResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        bound_source=HIGHS if bound is not None else "",
        objective_terms={"weighted_minutes": objective},
        open_sites=[inst.site_ids[j] for j in sites],
        assignment={d: inst.site_ids[j] for d, j in zip(inst.demand_ids, nearest, strict=True)},
        mean_minutes=objective / total if total > 0 else 0.0,
        max_minutes=float(times.min(axis=1).max()),
        **kw,
    )
