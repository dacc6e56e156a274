"""Deterministic effort: with `SolveParams(deterministic=True)` two runs with the same seed
and worker count give the same plan (CP-SAT's deterministic time and interleaved search,
HiGHS node limits, groups planned again in rounds merged in a fixed order, a number of
groups instead of a deadline). The time limit here is a safety net far above the effort."""

from __future__ import annotations

import pytest

from optimizer.patrol import SolveParams, check_plan, plan_patrol
from optimizer.patrol.solve import CUT_SHORT, solve_part
from optimizer.scenario import Scenario, Weights
from tests.optimizer.planted import planted


def _open_case() -> Scenario:
    """A county whose optimum is not met at once (every objective term on), so CP-SAT and
    the group search both do their counted work."""
    case = planted(11, counties=1, people=60, days=3, posts=6)
    return case.scenario.model_copy(update={"weights": Weights()})


def _run(scenario: Scenario, workers: int) -> tuple[list[tuple], float | None, dict]:
    params = SolveParams(
        time_limit=300, num_workers=workers, random_seed=4, deterministic=True, effort_seconds=4
    )
    r = plan_patrol(scenario, params)
    assert CUT_SHORT not in r.message
    assert check_plan(scenario, r.assignments) == []
    plan = sorted((a.person_id, a.date, a.shift_id, a.target_id) for a in r.assignments)
    return plan, r.objective, r.effort


@pytest.mark.parametrize("workers", [1, 2])
def test_two_runs_give_the_same_plan(workers: int) -> None:
    s = _open_case()
    first, second = _run(s, workers), _run(s, workers)
    assert first[1] == second[1]
    assert first[0] == second[0]
    assert first[2] == second[2]  # the same groups, the same gains
    assert first[2]["groups"] > 0


def test_a_part_solved_on_its_own_is_the_same_as_in_the_whole() -> None:
    """The seam the distributed solve uses: a part given its nominal share as effort plans
    as `plan_patrol` plans it."""
    s = _open_case()
    params = SolveParams(
        time_limit=300, num_workers=1, random_seed=4, deterministic=True, effort_seconds=4
    )
    alone = solve_part(s, params)
    whole = plan_patrol(s, params)
    assert alone.objective == whole.objective
    assert alone.assignments == whole.assignments
