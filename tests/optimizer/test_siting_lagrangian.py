"""The pieces of the scalable p-median: the Lagrangian bound is a valid lower bound (on small
cases against brute force, on OR-Library instances against the published optima), reduced-cost
fixing never removes an optimal plan, and the swap search prices every swap exactly (dense and
over the neighbour lists)."""

from __future__ import annotations

import csv
import itertools
import time
from pathlib import Path

import numpy as np
import pytest

from optimizer.siting import neighbours as neighbours_module
from optimizer.siting.bench_formats import read_pmed
from optimizer.siting.interchange import SwapData, best_swap, cost_of, greedy, local_search
from optimizer.siting.lagrangian import Relaxation, fix_sites, relaxed_sites, subgradient
from optimizer.siting.problem import SitingInstance

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench"


def random_instance(seed: int, n: int, m: int, p: int) -> SitingInstance:
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    return SitingInstance(
        demand_ids=[f"d{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
        weights=rng.integers(1, 6, n).astype(float),
        cost=np.round(np.linalg.norm(demand[:, None] - sites[None], axis=2), 1),
        p=p,
    )


def all_costs(inst: SitingInstance) -> dict[tuple[int, ...], float]:
    return {
        s: float(inst.weights @ inst.cost[:, list(s)].min(axis=1))
        for s in itertools.combinations(range(inst.m), inst.p)
    }


def relaxation(inst: SitingInstance) -> Relaxation:
    none = np.zeros(inst.m, dtype=bool)
    return Relaxation(inst.cost, inst.weights, inst.p, none.copy(), none.copy())


def run_subgradient(inst: SitingInstance, upper: float, seconds: float = 30) -> object:
    relax = relaxation(inst)
    return subgradient(
        relax,
        lambda: upper,
        inst.weights * inst.cost.min(axis=1),
        proven=lambda value: False,
        deadline=time.perf_counter() + seconds,
        max_iterations=2000,
    )


@pytest.mark.parametrize(("seed", "n", "m", "p"), [(1, 20, 10, 2), (2, 25, 12, 3), (3, 30, 9, 4)])
def test_every_multiplier_gives_a_lower_bound(seed: int, n: int, m: int, p: int) -> None:
    inst = random_instance(seed, n, m, p)
    optimum = min(all_costs(inst).values())
    relax = relaxation(inst)
    rng = np.random.default_rng(seed)
    for _ in range(50):
        lam = rng.uniform(0, 2, n) * inst.weights * inst.cost.mean(axis=1)
        rho, _ = relax.site_costs(lam)
        sites = relaxed_sites(relax, rho)
        assert lam.sum() + rho[sites].sum() <= optimum + 1e-9
    best = run_subgradient(inst, optimum)
    assert best.bound <= optimum + 1e-9  # type: ignore[attr-defined]
    assert best.bound >= 0.9 * optimum  # type: ignore[attr-defined]  # and it is a useful one


@pytest.mark.parametrize(("seed", "n", "m", "p"), [(4, 25, 11, 3), (5, 30, 12, 2), (6, 20, 10, 5)])
def test_fixing_keeps_every_optimal_plan(seed: int, n: int, m: int, p: int) -> None:
    inst = random_instance(seed, n, m, p)
    costs = all_costs(inst)
    optimum = min(costs.values())
    best = run_subgradient(inst, optimum)
    # Fix against "cost ≤ optimum": every optimal plan must survive the fixing.
    fixing = fix_sites(relaxation(inst), best, optimum + 1e-9)  # type: ignore[arg-type]
    optimal = [set(s) for s, v in costs.items() if v <= optimum + 1e-9]
    for plan in optimal:
        assert not any(j in plan for j in np.flatnonzero(fixing.closed))
        assert all(j in plan for j in np.flatnonzero(fixing.opened))
    assert fixing.closed.any()  # the test has teeth: something was fixed


def pmed_optima() -> dict[str, int]:
    path = BENCH / "pmed" / "optima.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as f:
        return {r["instance"]: int(r["optimum"]) for r in csv.DictReader(f)}


@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed4", "pmed6", "pmed8"])
def test_lagrangian_bound_below_the_published_optimum(name: str) -> None:
    optima = pmed_optima()
    if name not in optima:
        pytest.skip(f"benchmark data not found under {BENCH}")
    inst = read_pmed(BENCH / "pmed" / f"{name}.txt")
    best = run_subgradient(inst, optima[name], seconds=60)
    assert best.bound <= optima[name]  # type: ignore[attr-defined]
    assert best.bound >= 0.97 * optima[name]  # type: ignore[attr-defined]


def swap_data(inst: SitingInstance) -> SwapData:
    return SwapData(inst.cost, inst.weights, inst.existing, np.ones(inst.m, dtype=bool), inst.p)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(("seed", "p"), [(7, 1), (8, 3), (9, 6)])
def test_swap_profit_is_the_exact_change(
    sparse: bool, seed: int, p: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sparse:  # neighbour lists on a small matrix, short enough that some rows overflow
        monkeypatch.setattr(neighbours_module, "SPARSE_FROM", 0)
        monkeypatch.setattr(neighbours_module, "KEEP", 3)
        monkeypatch.setattr(neighbours_module, "KEEP_AT_LEAST", 1)
        monkeypatch.setattr(neighbours_module, "DENSE_SHARE", 1.0)
    inst = random_instance(seed, 40, 15, p)
    data = swap_data(inst)
    assert (data.neighbours is not None) == sparse
    sites = np.sort(np.random.default_rng(seed).choice(inst.m, p, replace=False))
    before = cost_of(data, sites)
    profit, a, k = best_swap(data, sites)
    after = sites.copy()
    after[k] = a
    assert before - cost_of(data, after) == pytest.approx(profit, abs=1e-9)
    best_change = max(
        before - cost_of(data, np.array([*np.delete(sites, kk), aa]))
        for kk in range(p)
        for aa in range(inst.m)
        if aa not in sites
    )
    assert profit == pytest.approx(best_change, abs=1e-9)


def test_local_search_ends_at_a_swap_optimum() -> None:
    inst = random_instance(10, 60, 25, 4)
    data = swap_data(inst)
    sites, value = local_search(data, greedy(data))
    assert value == pytest.approx(cost_of(data, sites))
    assert best_swap(data, sites)[0] <= 1e-9
    assert value >= min(all_costs(inst).values()) - 1e-9
