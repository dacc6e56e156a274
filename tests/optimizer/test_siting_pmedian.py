"""p-median siting against brute-force enumeration of every p-subset (both methods: Lagrangian
with branch and bound, and the HiGHS MIP), plus input checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer.result import SolveStatus
from optimizer.siting import (
    CandidateSite,
    DemandPoint,
    SitingInputError,
    SitingInstance,
    SitingProblem,
    build_instance,
    check_pmedian,
    solve_pmedian,
)
from optimizer.siting.pmedian import LAGRANGIAN, LAGRANGIAN_TREE, PMedianMethod
from optimizer.travel import GreatCircleTravel, TravelMode


def random_instance(seed: int, n: int, m: int, p: int, existing: int = 0) -> SitingInstance:
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    cost = np.round(np.linalg.norm(demand[:, None] - sites[None], axis=2), 1)
    weights = rng.integers(0, 6, n).astype(float)
    flags = np.zeros(m, dtype=bool)
    flags[rng.choice(m, existing, replace=False)] = True
    return SitingInstance(
        demand_ids=[f"d{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
        weights=weights,
        cost=cost,
        p=p,
        existing=flags,
    )


def brute_force(inst: SitingInstance) -> float:
    must = set(np.flatnonzero(inst.existing).tolist())
    return min(
        float(inst.weights @ inst.cost[:, list(s)].min(axis=1))
        for s in itertools.combinations(range(inst.m), inst.p)
        if must <= set(s)
    )


@pytest.mark.parametrize(
    ("seed", "n", "m", "p", "existing"),
    [
        (1, 15, 8, 1, 0),
        (2, 15, 8, 2, 0),
        (3, 20, 10, 3, 0),
        (4, 20, 10, 5, 0),
        (5, 25, 12, 4, 1),
        (6, 12, 9, 9, 0),
        (7, 30, 11, 3, 2),
    ],
)
@pytest.mark.parametrize("method", ["lagrangian", "highs"])
def test_matches_brute_force(
    seed: int, n: int, m: int, p: int, existing: int, method: PMedianMethod
) -> None:
    inst = random_instance(seed, n, m, p, existing)
    result = solve_pmedian(inst, time_limit=30, random_seed=0, method=method)
    assert check_pmedian(inst, result) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(brute_force(inst), abs=1e-6)
    # Non-integer times: proven means within the default relative tolerance 1e-6.
    assert result.bound == pytest.approx(result.objective, rel=1e-6)
    assert result.gap is not None and result.gap <= 1e-6
    expected = {"HiGHS MIP"} if method == "highs" else {LAGRANGIAN, LAGRANGIAN_TREE}
    assert result.bound_source in expected
    assert result.first_feasible_seconds is not None


def test_integer_data_is_proven_by_rounding_up() -> None:
    # Integer weights and times: the objective is an integer, so a bound above obj − 1 proves.
    inst = random_instance(8, 30, 14, 3)
    integral = SitingInstance(
        demand_ids=inst.demand_ids,
        site_ids=inst.site_ids,
        weights=inst.weights,
        cost=np.round(inst.cost * 10),
        p=3,
    )
    result = solve_pmedian(integral, time_limit=30)
    assert check_pmedian(integral, result) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == brute_force(integral)
    assert result.bound == result.objective and result.gap == 0.0


def test_bad_method_is_refused() -> None:
    with pytest.raises(SitingInputError, match=r"^method: "):
        solve_pmedian(random_instance(1, 5, 4, 2), method="cp-sat")  # type: ignore[arg-type]


def test_ties_and_duplicate_rows() -> None:
    cost = np.array([[1, 1, 5], [1, 1, 5], [4, 4, 0], [2, 2, 2]], dtype=float)
    inst = SitingInstance(
        demand_ids=list("abcd"), site_ids=list("xyz"), weights=np.ones(4), cost=cost, p=2
    )
    result = solve_pmedian(inst)
    assert check_pmedian(inst, result) == []
    assert result.objective == 4.0
    assert "z" in result.open_sites
    assert result.max_minutes == 2.0
    assert result.mean_minutes == 1.0


def test_coordinates_and_travel_model() -> None:
    # Three clusters of incidents in a city; one candidate at the middle of each cluster.
    centres = [(104.00, 30.60), (104.10, 30.70), (104.20, 30.60)]
    demand = [
        DemandPoint(id=f"{k}-{q}", location=(lon + dx, lat + dy), weight=1 + q)
        for k, (lon, lat) in enumerate(centres)
        for q, (dx, dy) in enumerate([(0.005, 0), (-0.005, 0), (0, 0.004)])
    ]
    candidates = [CandidateSite(id=f"post{k}", location=c) for k, c in enumerate(centres)]
    candidates.append(CandidateSite(id="far", location=(105.0, 31.5)))
    problem = SitingProblem(demand=demand, candidates=candidates, p=3, mode=TravelMode.FOOT)
    travel = GreatCircleTravel()
    result = solve_pmedian(problem, travel)
    inst = build_instance(problem, travel)
    assert check_pmedian(inst, result) == []
    assert sorted(result.open_sites) == ["post0", "post1", "post2"]
    assert result.assignment["1-2"] == "post1"
    assert result.objective == pytest.approx(brute_force(inst))


def test_explicit_matrix_problem() -> None:
    problem = SitingProblem(
        demand=[DemandPoint(id="a", weight=2), DemandPoint(id="b", weight=1)],
        candidates=[CandidateSite(id="x"), CandidateSite(id="y", existing=True)],
        p=1,
        minutes=[[1.0, 6.0], [9.0, 2.0]],
    )
    result = solve_pmedian(problem)
    assert result.open_sites == ["y"]  # existing sites stay open even when worse
    assert result.objective == 14.0


def problem_with(**changes: object) -> SitingProblem:
    base = {
        "demand": [DemandPoint(id="a"), DemandPoint(id="b")],
        "candidates": [CandidateSite(id="x"), CandidateSite(id="y")],
        "p": 1,
        "minutes": [[1.0, 2.0], [3.0, 4.0]],
    }
    return SitingProblem(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"p": 3}, r"^p: must be between 1 and the 2 candidates, got 3"),
        ({"p": 0}, r"^p: "),
        ({"demand": []}, r"^demand: at least one"),
        ({"candidates": [], "minutes": [[], []]}, r"^candidates: at least one"),
        (
            {"demand": [DemandPoint(id="a"), DemandPoint(id="b", weight=-2)]},
            r"^demand\[1\]\.weight: must be finite and ≥ 0, got -2",
        ),
        ({"demand": [DemandPoint(id="a"), DemandPoint(id="a")]}, r"^demand\[1\]\.id: duplicate"),
        (
            {"minutes": [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]]},
            r"^minutes: shape \(2, 3\) does not match 2 demand points × 2 candidates",
        ),
        ({"minutes": [[1.0, 2.0], [3.0]]}, r"^minutes: rows of unequal length"),
        ({"minutes": [[1.0, -2.0], [3.0, 4.0]]}, r"^minutes\[0\]\[1\]: must be finite"),
        ({"minutes": None}, r"^demand\[0\]\.location: required"),
        (
            {
                "candidates": [
                    CandidateSite(id="x", existing=True),
                    CandidateSite(id="y", existing=True),
                ]
            },
            r"^candidates: 2 existing sites exceed p = 1",
        ),
    ],
)
def test_bad_input_names_the_field(changes: dict, message: str) -> None:
    with pytest.raises(SitingInputError, match=message):
        solve_pmedian(problem_with(**changes))


def test_cancel_returns_the_plan_so_far() -> None:
    import threading

    inst = random_instance(9, 40, 20, 4)
    cancel = threading.Event()
    cancel.set()
    result = solve_pmedian(inst, time_limit=600, cancel=cancel)
    assert check_pmedian(inst, result) == []
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.CANCELLED)
    assert result.objective >= brute_force(inst) - 1e-9


def test_progress_reports_plans_and_bounds() -> None:
    seen: list = []
    inst = random_instance(10, 40, 20, 4)
    result = solve_pmedian(inst, time_limit=60, progress=seen.append)
    assert seen and seen[0].objective is not None
    assert all(a.objective >= b.objective for a, b in itertools.pairwise(seen))
    assert min(p.objective for p in seen) == pytest.approx(result.objective)
