"""Maximal covering siting against brute-force enumeration, with one or two rings, on both
solvers (CP-SAT with linearization_level=2, HiGHS)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer.result import SolveStatus
from optimizer.siting import (
    CoverageRing,
    SitingInputError,
    SitingInstance,
    check_max_cover,
    solve_max_cover,
)

SOLVERS = ["cp-sat", "highs"]


def random_instance(seed: int, n: int, m: int, p: int, existing: int = 0) -> SitingInstance:
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    flags = np.zeros(m, dtype=bool)
    flags[rng.choice(m, existing, replace=False)] = True
    return SitingInstance(
        demand_ids=[f"d{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
        weights=rng.integers(0, 9, n).astype(float),
        cost=np.round(np.linalg.norm(demand[:, None] - sites[None], axis=2), 1),
        p=p,
        existing=flags,
    )


def brute_force(inst: SitingInstance, rings: list[CoverageRing]) -> float:
    must = set(np.flatnonzero(inst.existing).tolist())
    best = -1.0
    for subset in itertools.combinations(range(inst.m), inst.p):
        if must <= set(subset):
            nearest = inst.cost[:, list(subset)].min(axis=1)
            best = max(best, sum(r.weight * inst.weights @ (nearest <= r.minutes) for r in rings))
    return best


CASES = [
    (11, 25, 10, 2, 0, [CoverageRing(minutes=2.5)]),
    (12, 30, 10, 3, 0, [CoverageRing(minutes=3.0)]),
    (13, 30, 12, 4, 1, [CoverageRing(minutes=2.0)]),
    (14, 30, 10, 3, 0, [CoverageRing(minutes=1.5, weight=2), CoverageRing(minutes=3.0)]),
    (15, 40, 12, 2, 0, [CoverageRing(minutes=3.0, weight=3), CoverageRing(minutes=5.0)]),
    (16, 20, 8, 8, 0, [CoverageRing(minutes=0.5)]),
]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("seed", "n", "m", "p", "existing", "rings"), CASES)
def test_matches_brute_force(
    solver: str, seed: int, n: int, m: int, p: int, existing: int, rings: list[CoverageRing]
) -> None:
    inst = random_instance(seed, n, m, p, existing)
    result = solve_max_cover(inst, rings, solver=solver, time_limit=30)  # type: ignore[arg-type]
    assert check_max_cover(inst, rings, result) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(brute_force(inst, rings))
    assert result.bound == pytest.approx(result.objective)
    assert result.gap == 0.0
    assert result.bound_source.startswith("CP-SAT" if solver == "cp-sat" else "HiGHS")


def test_rings_report_and_uncovered_shortfalls() -> None:
    cost = np.array([[1, 9], [4, 9], [9, 2], [9, 9]], dtype=float)
    inst = SitingInstance(
        demand_ids=list("abcd"),
        site_ids=["x", "y"],
        weights=np.array([5.0, 3.0, 4.0, 1.0]),
        cost=cost,
        p=1,
    )
    rings = [CoverageRing(minutes=5, weight=1), CoverageRing(minutes=3, weight=2)]
    result = solve_max_cover(inst, rings)
    assert check_max_cover(inst, rings, result) == []
    # x: 3-ring {a} → 2·5, 5-ring {a, b} → 8: 18; y: 2·4 + 4 = 12.
    assert result.open_sites == ["x"]
    assert result.objective == 18.0
    assert result.covered == {"covered within 3": 5.0, "covered within 5": 8.0}
    assert result.covered_share["covered within 5"] == pytest.approx(8 / 13)
    assert result.objective_terms == {"covered within 3": 10.0, "covered within 5": 8.0}
    short = {(s.target_id, s.reason) for s in result.shortfalls}
    assert short == {
        ("b", "no open site within 3"),
        ("c", "no open site within 3"),
        ("d", "no open site within 3"),
        ("c", "no open site within 5"),
        ("d", "no open site within 5"),
    }
    assert result.assignment == {"a": "x", "b": "x", "c": "x", "d": "x"}


def test_nobody_reachable_still_returns_a_plan() -> None:
    inst = random_instance(3, 10, 5, 2)
    result = solve_max_cover(inst, 0.01)
    assert check_max_cover(inst, [CoverageRing(minutes=0.01)], result) == []
    assert result.objective == 0.0
    assert result.status == SolveStatus.OPTIMAL
    assert len(result.open_sites) == 2


def test_bad_rings_and_solver() -> None:
    inst = random_instance(3, 10, 5, 2)
    with pytest.raises(SitingInputError, match=r"^rings: "):
        solve_max_cover(inst, [])
    with pytest.raises(SitingInputError, match=r"^solver: "):
        solve_max_cover(inst, 2.0, solver="gurobi")  # type: ignore[arg-type]


def test_cancel_stops_the_search_with_a_checked_plan() -> None:
    import threading

    inst = random_instance(21, 60, 25, 5)
    rings = [CoverageRing(minutes=2.0)]
    cancel = threading.Event()
    cancel.set()
    result = solve_max_cover(inst, rings, time_limit=600, cancel=cancel)
    assert check_max_cover(inst, rings, result) == []
    assert result.solve_seconds < 60  # a safety net: it stops long before the time limit
