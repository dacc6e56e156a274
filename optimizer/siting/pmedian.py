"""p-median siting: open exactly p sites so that Σ_i w_i · t(i, nearest open site) is least.

The default method ("lagrangian") scales to thousands of sites:

1. a greedy plan (add the site that lowers the cost most, p times), improved by swap local
   search (`interchange.py`): the first feasible plan, in well under a second on n = 900;
2. the Lagrangian bound by subgradient ascent (`lagrangian.py`); every 25 iterations the
   relaxation's sites seed another local search, so the bound and the plan improve together;
3. if the bound and the plan still disagree (beyond rounding: when weights and times are
   integers the objective is an integer and the bound rounds up), reduced costs fix the sites
   that cannot be open / must be open in a better plan, and branch and bound on the
   Lagrangian bound (`tree.py`) settles the rest.

`method="highs"` solves the whole model below as one MIP with HiGHS through MathOpt (exact,
and a cross-check, but its LP alone takes minutes from n ≈ 700). For demand point i let
D_i^1 < D_i^2 < … < D_i^K be the distinct times from i to the candidates it could use, and
z_i^k ∈ [0, 1] mean "no open site within D_i^k" (Elloumi 2010, "A tighter formulation of the
p-median problem", J. Comb. Optim. 19; the radius idea of García, Labbé and Marín 2011,
INFORMS J. Comput. 23):

    min  Σ_i w_i (D_i^1 + Σ_{k<K} (D_i^{k+1} − D_i^k) z_i^k)
    s.t. z_i^1 + Σ_{j: t_ij = D_i^1} y_j ≥ 1
         z_i^k − z_i^{k−1} + Σ_{j: t_ij = D_i^k} y_j ≥ 0      k = 2 … K−1
         Σ_j y_j = p,  y_j ∈ {0, 1} (y_j = 1 for existing sites),  z ≥ 0

Chaining the covering rows keeps the model at one y per (i, j) pair; its LP bound equals the
classic strong formulation's (and the Lagrangian bound's limit). Exact reductions: i's list
stops at its (m − p + 1)-th closest candidate and at its nearest existing site; demand points
of weight 0 are left out.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from ortools.math_opt.python import mathopt

from optimizer.result import Progress, ProgressCallback, SolveStatus, relative_gap
from optimizer.siting.interchange import SwapData, cost_of, greedy, local_search, nearest_two
from optimizer.siting.lagrangian import (
    LagrangianBound,
    Relaxation,
    fix_sites,
    rounds_up,
    subgradient,
)
from optimizer.siting.mip import HIGHS, solve_highs
from optimizer.siting.problem import SitingInputError, SitingInstance, SitingProblem, build_instance
from optimizer.siting.result import PMedianResult
from optimizer.siting.tree import Node, branch_and_bound
from optimizer.travel import TravelTimeModel

PMedianMethod = Literal["lagrangian", "highs"]
LAGRANGIAN = "Lagrangian"
LAGRANGIAN_TREE = "Lagrangian + branch and bound"
#: a relaxed plan this close to the incumbent (relative) is worth a local search
LOCAL_SEARCH_WITHIN = 0.03
#: subgradient iterations between two rounds of fixing at the root
ROOT_ROUND = 150
#: share of the time that local searches from other relaxed plans may take
SEARCH_SHARE = 0.25
#: share of the time that local searches from the tree's relaxed plans may take once
#: `FRUITLESS` searches in a row found no better plan (until then `SEARCH_SHARE`): when the
#: root's plan is already optimal (pmed36) searching every new plan of the tree took a
#: quarter of the time for nothing, but when it is not, the tree's plans are how the
#: optimum is found (pmed20, 25 and 30 with no searches at the root: at the first nodes)
TREE_SEARCH_SHARE = 0.05
FRUITLESS = 20


def solve_pmedian(
    problem: SitingProblem | SitingInstance,
    travel: TravelTimeModel | None = None,
    *,
    time_limit: float = 60.0,
    random_seed: int = 0,
    method: PMedianMethod = "lagrangian",
    gap_tolerance: float = 1e-6,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    log: bool = False,
) -> PMedianResult:
    """Open `p` sites minimising total weighted travel time; proves optimality when it can.

    With non-integer data a plan within `gap_tolerance` (relative) of the bound counts as
    proven; with integer data only ceil(bound) == objective does."""
    start = time.perf_counter()
    inst = build_instance(problem, travel)
    if method == "highs":
        return _solve_highs_model(inst, start, time_limit, random_seed, log)
    if method != "lagrangian":
        raise SitingInputError(f"method: expected 'lagrangian' or 'highs', got {method!r}")
    search = _Search(inst, start, time_limit, gap_tolerance, progress, cancel)
    return search.run()


@dataclass
class _Search:
    """One Lagrangian solve: the incumbent plan, the bound, the clock."""

    inst: SitingInstance
    start: float
    time_limit: float
    gap_tolerance: float
    progress: ProgressCallback | None
    cancel: threading.Event | None
    sites: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    value: float = float("inf")
    bound: float | None = None
    seen: set[bytes] = field(default_factory=set)
    search_seconds: float = 0.0
    fruitless: int = 0  # local searches in a row that found no better plan

    def __post_init__(self) -> None:
        inst = self.inst
        self.integral = bool(
            np.all(inst.weights == np.round(inst.weights))
            and np.all(inst.cost == np.round(inst.cost))
        )
        self.deadline = self.start + self.time_limit
        self.data = SwapData(
            inst.cost, inst.weights, inst.existing, np.ones(inst.m, dtype=bool), inst.p
        )

    def clock(self) -> float:
        return time.perf_counter()

    def stopped(self) -> bool:
        return self.clock() > self.deadline or (self.cancel is not None and self.cancel.is_set())

    def target(self, upper: float) -> float:
        """A better plan costs at most this (integer data: one less than the incumbent)."""
        if self.integral:
            return upper - 1 + 1e-6
        return upper - self.gap_tolerance * max(1.0, abs(upper))

    def proven(self, bound: float) -> bool:
        return bound > self.target(self.value)

    def offer(self, sites: np.ndarray, improve: bool = False, in_tree: bool = False) -> None:
        """A plan met on the way; with `improve` it may be improved by local search first."""
        sites = np.sort(np.asarray(sites, dtype=np.int64))
        value = cost_of(self.data, sites)
        key = sites.tobytes()
        if improve and key not in self.seen and self._worth_a_search(value, in_tree):
            self.seen.add(key)
            began = self.clock()
            sites, value = local_search(self.data, sites, deadline=self.deadline, clock=self.clock)
            self.search_seconds += self.clock() - began
            self.fruitless += 1
        if value < self.value - 1e-9 * max(1.0, abs(value)):
            self.sites, self.value, self.fruitless = sites, value, 0
            self._report()

    def _worth_a_search(self, value: float, in_tree: bool) -> bool:
        """The root's plans: within 3 % of the incumbent always, others while local search
        has taken less than a quarter of the time so far (they diversify, but cost a search
        each). The tree's plans: while local search has taken less than a quarter of the
        time, or 5 % once `FRUITLESS` searches in a row found nothing."""
        elapsed = self.clock() - self.start
        if in_tree:
            share = TREE_SEARCH_SHARE if self.fruitless >= FRUITLESS else SEARCH_SHARE
            return self.search_seconds < share * elapsed
        near = value <= (1 + LOCAL_SEARCH_WITHIN) * self.value
        return near or self.search_seconds < SEARCH_SHARE * elapsed

    def _report(self) -> None:
        if self.progress is not None:
            bound = None if self.bound is None else rounds_up(self.bound, self.integral)
            self.progress(
                Progress(
                    seconds=self.clock() - self.start,
                    objective=self.value,
                    bound=bound,
                    gap=relative_gap(self.value, bound),
                )
            )

    def run(self) -> PMedianResult:
        inst = self.inst
        self.offer(greedy(self.data), improve=True)
        first_feasible = self.clock() - self.start
        served = inst.weights > 0
        relax = Relaxation(
            inst.cost[served],
            inst.weights[served],
            inst.p,
            inst.existing.copy(),
            np.zeros(inst.m, dtype=bool),
            None if self.data.neighbours is None else self.data.neighbours.restricted(served),
        )
        d1, _, _ = nearest_two(self.data, self.sites)
        lag, opened, closed = self._root(relax, relax.weights * d1[served])
        self.bound, source, nodes = lag.bound, LAGRANGIAN, 0
        self._report()
        if not self.proven(self.bound) and not self.stopped():
            root = Node(lag.bound, opened, closed, lag.multipliers)
            tree = branch_and_bound(
                relax,
                root,
                upper=lambda: self.value,
                offer=lambda s: self.offer(s, improve=True, in_tree=True),
                target=self.target,
                deadline=self.deadline,
                cancelled=self._cancelled,
            )
            self.bound, source, nodes = max(self.bound, tree.bound), LAGRANGIAN_TREE, tree.nodes
        bound = min(rounds_up(self.bound, self.integral), self.value)
        proven = self.proven(self.bound) or bound >= self.value
        status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
        if not proven and self.cancel is not None and self.cancel.is_set():
            status = SolveStatus.CANCELLED
        if proven:
            bound = self.value if self.integral else bound
        return pmedian_result(
            inst,
            [int(j) for j in self.sites],
            status=status,
            bound=bound,
            bound_source=source,
            solve_seconds=self.clock() - self.start,
            first_feasible_seconds=first_feasible,
            message=f"{lag.iterations} subgradient iterations ({lag.stopped}), {nodes} nodes",
        )

    def _root(
        self, relax: Relaxation, multipliers: np.ndarray
    ) -> tuple[LagrangianBound, np.ndarray, np.ndarray]:
        """Subgradient ascent at the root in rounds of `ROOT_ROUND` iterations; after each
        round reduced costs fix sites, and when read densely the closed sites' columns leave
        the matrix (on pmed38, p = 5, about 780 of 900 after the first round), so later rounds
        are cheaper. A bound after fixing holds for every plan better than the incumbent,
        which is all a proof needs. Returns the best bound (its sites and ρ indexed over all
        sites) and the sites fixed open and closed."""
        m = relax.cost.shape[1]
        cols = np.arange(m)
        current, factor, iterations = relax, 2.0, 0
        best: LagrangianBound | None = None
        while True:
            lag = subgradient(
                current,
                lambda: self.value,
                multipliers,
                proven=self.proven,
                deadline=self.deadline,
                on_sites=lambda s, c=cols: self.offer(c[s], improve=True),
                cancelled=self._cancelled,
                factor=factor,
                max_iterations=ROOT_ROUND,
            )
            iterations += lag.iterations
            if best is None or lag.bound > best.bound:
                rho = np.full(m, np.inf)
                rho[cols] = lag.site_costs
                best = replace(lag, site_costs=rho, sites=cols[lag.sites])
            best.iterations, best.stopped = iterations, lag.stopped
            multipliers, factor = lag.multipliers, lag.factor
            fixing = fix_sites(current, lag, self.target(self.value))
            current = replace(
                current,
                forced_open=current.forced_open | fixing.opened,
                forced_closed=current.forced_closed | fixing.closed,
            )
            if lag.stopped != "iterations":
                break
            if current.neighbours is None and current.forced_closed.sum() > 0.2 * len(cols):
                keep = ~current.forced_closed
                cols = cols[keep]
                current = current.restricted(np.flatnonzero(keep), current.forced_open[keep])
        opened, closed = np.zeros(m, dtype=bool), np.ones(m, dtype=bool)
        opened[cols[current.forced_open]] = True
        closed[cols[~current.forced_closed]] = False
        return best, opened | relax.forced_open, closed

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()


def _solve_highs_model(
    inst: SitingInstance, start: float, time_limit: float, random_seed: int, log: bool
) -> PMedianResult:
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
    status = SolveStatus.OPTIMAL if out.status == SolveStatus.OPTIMAL else SolveStatus.FEASIBLE
    return pmedian_result(
        inst,
        sites,
        status=status,
        bound=out.bound,
        bound_source=HIGHS if out.bound is not None else "",
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
    existing = np.flatnonzero(inst.existing)
    constant = 0.0
    terms: list[mathopt.LinearExpression] = []
    for i in np.flatnonzero(inst.weights > 0):
        row = inst.cost[i]
        order = np.argsort(row, kind="stable")
        cutoff = row[order[keep - 1]]
        if len(existing):
            cutoff = min(cutoff, float(row[existing].min()))
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
    data = SwapData(inst.cost, inst.weights, inst.existing, np.ones(inst.m, dtype=bool), inst.p)
    return [int(j) for j in greedy(data)]


def pmedian_cost(inst: SitingInstance, sites: list[int]) -> float:
    return float(inst.weights @ inst.cost[:, sites].min(axis=1))


def pmedian_result(
    inst: SitingInstance,
    sites: list[int],
    *,
    status: SolveStatus,
    bound: float | None,
    bound_source: str,
    **kw,
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
        bound_source=bound_source if bound is not None else "",
        objective_terms={"weighted_minutes": objective},
        open_sites=[inst.site_ids[j] for j in sites],
        assignment={d: inst.site_ids[j] for d, j in zip(inst.demand_ids, nearest, strict=True)},
        mean_minutes=objective / total if total > 0 else 0.0,
        max_minutes=float(times.min(axis=1).max()),
        **kw,
    )
