"""The Lagrangian branch and bound: a node stops its subgradient as soon as it is pruned or its
progress stalls, and the tree still proves the optimum (against brute force on small integer
instances whose root bound does not), and finds it when the root's plan is not optimal."""

from __future__ import annotations

import csv
import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from optimizer.result import SolveStatus
from optimizer.siting import SitingInstance, check_pmedian, solve_pmedian
from optimizer.siting import pmedian as pmedian_module
from optimizer.siting import tree as tree_module
from optimizer.siting.bench_formats import read_pmed
from optimizer.siting.lagrangian import LagrangianBound, Relaxation, subgradient
from optimizer.siting.pmedian import LAGRANGIAN_TREE
from optimizer.siting.tree import Node

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench"


def integer_instance(seed: int, n: int, m: int, p: int) -> SitingInstance:
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    return SitingInstance(
        demand_ids=[f"d{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
        weights=rng.integers(1, 6, n).astype(float),
        cost=np.round(np.linalg.norm(demand[:, None] - sites[None], axis=2)),
        p=p,
    )


def brute_force(inst: SitingInstance) -> float:
    return min(
        float(inst.weights @ inst.cost[:, list(s)].min(axis=1))
        for s in itertools.combinations(range(inst.m), inst.p)
    )


def relaxation(inst: SitingInstance) -> Relaxation:
    none = np.zeros(inst.m, dtype=bool)
    return Relaxation(inst.cost, inst.weights, inst.p, none.copy(), none.copy())


def start(inst: SitingInstance) -> np.ndarray:
    return inst.weights * inst.cost.min(axis=1)


@pytest.mark.parametrize(("seed", "p"), [(10, 3), (27, 3), (27, 4)])
def test_tree_proves_the_brute_force_optimum(seed: int, p: int) -> None:
    # The root bound of these instances rounds up below the optimum: the tree is needed.
    inst = integer_instance(seed, 60, 18, p)
    result = solve_pmedian(inst, time_limit=60)
    assert check_pmedian(inst, result) == []
    assert result.bound_source == LAGRANGIAN_TREE
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == brute_force(inst)
    assert result.bound == result.objective and result.gap == 0.0


def test_a_stalled_ascent_stops_before_its_cap() -> None:
    # A goal far above the optimum cannot be reached: the ascent gives up once its recent
    # gain, kept up to the cap, falls short, and its bound is still a lower bound.
    inst = integer_instance(3, 40, 15, 3)
    optimum = brute_force(inst)

    def ascent(**stall: Any) -> Any:
        return subgradient(
            relaxation(inst),
            lambda: optimum,
            start(inst),
            proven=lambda value: value > 2 * optimum,
            deadline=time.perf_counter() + 60,
            factor=1.5,
            max_iterations=300,
            **stall,
        )

    lag = ascent(goal=lambda: 2 * optimum, stall_window=10)
    assert lag.stopped == "stalled"
    assert lag.iterations < 300
    assert lag.bound <= optimum + 1e-9
    without = ascent()
    assert without.iterations > lag.iterations  # the same ascent without the stall rule


def test_a_node_is_pruned_as_soon_as_its_bound_passes_the_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An incumbent below the node's first bound: the node's ascent stops at its first
    # iteration and the node has no children.
    inst = integer_instance(5, 40, 15, 3)
    relax = relaxation(inst)
    runs: list[LagrangianBound] = []

    def recorded(*args: object, **kw: object) -> LagrangianBound:
        runs.append(subgradient(*args, **kw))  # type: ignore[arg-type]
        return runs[-1]

    monkeypatch.setattr(tree_module, "subgradient", recorded)
    first = float(start(inst).sum())  # L at the starting multipliers: every ρ_j is 0
    incumbent = first / 2
    offered: list[np.ndarray] = []
    none = np.zeros(inst.m, dtype=bool)
    outcome = tree_module.branch_and_bound(
        relax,
        Node(0.0, none.copy(), none.copy(), start(inst)),
        upper=lambda: incumbent,
        offer=offered.append,
        target=lambda upper: upper - 1 + 1e-6,
        deadline=time.perf_counter() + 60,
    )
    assert outcome.complete and outcome.nodes == 1
    assert [(r.stopped, r.iterations) for r in runs] == [("proven", 1)]
    assert len(offered) == 1 and len(offered[0]) == inst.p


def test_the_tree_finds_the_optimum_the_root_missed(monkeypatch: pytest.MonkeyPatch) -> None:
    # pmed30 (n 600, p 200) with no local search at the root: the root's plan costs 2009 and
    # its bound rounds up to the optimum 1989, so the tree's relaxed plans, searched, must
    # find the optimum (at the first nodes).
    path = BENCH / "pmed" / "pmed30.txt"
    if not path.exists():
        pytest.skip(f"benchmark data not found at {path}")
    with (BENCH / "pmed" / "optima.csv").open(newline="") as f:
        optimum = {r["instance"]: int(r["optimum"]) for r in csv.DictReader(f)}["pmed30"]
    root = pmedian_module._Search._root

    def root_without_searches(search, relax, multipliers):  # type: ignore[no-untyped-def]
        offer = search.offer
        search.offer = lambda sites, **kw: offer(sites)
        try:
            return root(search, relax, multipliers)
        finally:
            del search.offer

    monkeypatch.setattr(pmedian_module._Search, "_root", root_without_searches)
    inst = read_pmed(path)
    result = solve_pmedian(inst, time_limit=120)
    assert check_pmedian(inst, result) == []
    assert result.bound_source == LAGRANGIAN_TREE
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == optimum
