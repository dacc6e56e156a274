"""Branch and bound on the Lagrangian bound (the tree search of Beasley 1985), run only when
the root bound and the best plan disagree.

A node fixes some sites open and some closed. Its bound is the subgradient ascent of the
relaxation with those sites fixed, started from its parent's multipliers with a full Polyak
step (`NODE_FACTOR`); it stops as soon as the bound shows that no plan in the node beats the
incumbent by the required margin (the node is dropped), or when the last `STALL_WINDOW`
iterations, carried on at that pace to the iteration cap, could not get there (the node
branches: its children go on from its multipliers). Reduced costs then fix more sites
(`fix_sites`). It branches on the chosen free site whose closing would raise the bound
least (ρ_next − ρ_j smallest, i.e. the largest ρ among the relaxation's free open sites: the
one it is least sure of): one child opens it, the other closes it. (Branching on the largest
raise instead, with the same node settings: pmed36 proven in 10.2 s of CPU and 833 nodes
against 6.1 s and 569, pmed39 in 1.7 s and 115 against 1.9 s and 149.) Nodes are taken
best bound first, so the smallest open bound is the global bound when time runs out.
Every relaxed plan met is a feasible p-set and is offered as a plan.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from optimizer.siting.lagrangian import Relaxation, fix_sites, subgradient

#: subgradient iterations at most per node
NODE_ITERATIONS = 200
#: iterations without a better bound before the step factor halves
NODE_PATIENCE = 25
#: the first step factor at a node (Polyak's f; above 2 the ascent diverges)
NODE_FACTOR = 1.5
NODE_MIN_STEP = 1e-3
#: a node stops when its gain over this many iterations, kept up to the cap, falls short
STALL_WINDOW = 30


@dataclass
class Node:
    bound: float
    opened: np.ndarray  # m bool
    closed: np.ndarray  # m bool
    multipliers: np.ndarray


@dataclass
class TreeOutcome:
    bound: float  # lower bound on every plan better than the incumbent's margin
    nodes: int
    complete: bool


def branch_and_bound(
    base: Relaxation,
    root: Node,
    *,
    upper: Callable[[], float],
    offer: Callable[[np.ndarray], None],
    target: Callable[[float], float],
    deadline: float,
    cancelled: Callable[[], bool] = lambda: False,
) -> TreeOutcome:
    """Prove that no plan costs ≤ target(upper()) or find one. `base` is the root's
    relaxation (each node replaces its fixings); `offer` gets relaxed plans (site indices)
    and may lower `upper()`."""
    counter = itertools.count()
    heap: list[tuple[float, int, Node]] = [(root.bound, next(counter), root)]
    nodes = 0
    while heap:
        if time.perf_counter() > deadline or cancelled():
            return TreeOutcome(min(heap[0][0], upper()), nodes, False)
        bound, _, node = heapq.heappop(heap)
        if bound > target(upper()):
            continue
        nodes += 1
        for child in _expand(base, node, upper, offer, target, deadline):
            heapq.heappush(heap, (child.bound, next(counter), child))
    return TreeOutcome(upper(), nodes, True)


def _expand(
    base: Relaxation,
    node: Node,
    upper: Callable[[], float],
    offer: Callable[[np.ndarray], None],
    target: Callable[[float], float],
    deadline: float,
) -> list[Node]:
    p = base.p
    if int(node.opened.sum()) > p or int((~node.closed).sum()) < p:
        return []
    if int((~node.closed).sum()) == p or int(node.opened.sum()) == p:
        offer(
            np.flatnonzero(~node.closed)
            if int(node.opened.sum()) < p
            else np.flatnonzero(node.opened)
        )
        return []
    relax, cols = _node_relaxation(base, node)
    lag = subgradient(
        relax,
        upper,
        node.multipliers,
        proven=lambda value: value > target(upper()),
        deadline=deadline,
        patience=NODE_PATIENCE,
        factor=NODE_FACTOR,
        min_step=NODE_MIN_STEP,
        max_iterations=NODE_ITERATIONS,
        goal=lambda: target(upper()),
        stall_window=STALL_WINDOW,
    )
    offer(cols[lag.sites])
    if lag.bound > target(upper()):
        return []
    fixing = fix_sites(relax, lag, target(upper()))
    opened, closed = node.opened.copy(), node.closed.copy()
    opened[cols[fixing.opened]] = True
    closed[cols[fixing.closed]] = True
    if int(opened.sum()) >= p or int((~closed).sum()) <= p:  # fixing decided the plan
        return [] if int(opened.sum()) > p else [Node(lag.bound, opened, closed, lag.multipliers)]
    rho = np.full(len(opened), np.inf)
    rho[cols] = lag.site_costs
    free = np.flatnonzero(~opened & ~closed)
    k_free = p - int(opened.sum())
    following = np.sort(rho[free])[k_free]
    chosen = [int(j) for j in cols[lag.sites] if not opened[j]]
    j = min(chosen, key=lambda k: following - rho[k])
    with_j, without_j = opened.copy(), closed.copy()
    with_j[j] = True
    without_j[j] = True
    return [
        Node(lag.bound, with_j, closed, lag.multipliers),
        Node(lag.bound, opened, without_j, lag.multipliers),
    ]


def _node_relaxation(base: Relaxation, node: Node) -> tuple[Relaxation, np.ndarray]:
    """The node's relaxation and the sites it indexes: with neighbour lists the whole matrix
    with the node's fixings; when read densely, only the columns of the sites not closed
    (a smaller matrix each iteration)."""
    if base.neighbours is not None:
        relax = replace(base, forced_open=node.opened, forced_closed=node.closed)
        return relax, np.arange(len(node.opened))
    cols = np.flatnonzero(~node.closed)
    return base.restricted(cols, node.opened[cols]), cols
