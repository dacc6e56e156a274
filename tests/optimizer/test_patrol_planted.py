"""Known optima, planted (`planted.py`): a plan drawn first keeping every labour rule, the
demand read off it, and over-demand variants whose minimal shortfall is provable. The
optimiser must reach exactly that optimum, prove it (status optimal, bound = objective) and
stop there: no group of people planned again once the plan meets its bound."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.patrol import SolveParams, check_plan, plan_patrol, plan_shortfalls
from optimizer.patrol.granularity import granularity
from optimizer.patrol.instance import build_instance
from optimizer.patrol.plans import assignments_of
from optimizer.patrol.reroster import SearchLimits, SearchStats, search
from optimizer.result import SolveStatus
from tests.optimizer.planted import UNMET, Planted, crew_only, no_spare, planted

SIZES = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 10_000),
        "counties": st.integers(1, 3),
        "people": st.integers(4, 14),
        "days": st.integers(1, 4),
        "posts": st.integers(1, 3),
        "mixed": st.booleans(),  # two forces, posts for one of them, runs of at most 3 days
    }
)
PROPERTY = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _solved(case: Planted) -> None:
    """The optimiser reaches the planted optimum, proves it and keeps every hard rule."""
    r = plan_patrol(case.scenario, SolveParams(time_limit=60, num_workers=1, random_seed=1))
    assert check_plan(case.scenario, r.assignments) == []
    assert r.objective == case.optimum
    assert r.bound == case.optimum
    assert r.status == SolveStatus.OPTIMAL and r.gap == 0.0
    missing = sum(s.missing for s in plan_shortfalls(case.scenario, r.assignments))
    assert missing == case.unmet
    assert r.effort["groups"] == 0  # met its bound before any group search: stopped there


@PROPERTY
@given(SIZES)
def test_a_drawn_plan_keeps_every_rule_and_meets_the_demand_read_off_it(size: dict) -> None:
    for case in (planted(**size), no_spare(**size, extra=2), crew_only(**size, extra=1)):
        assert check_plan(case.scenario, case.plan) == []
        missing = sum(s.missing for s in plan_shortfalls(case.scenario, case.plan))
        assert missing == case.unmet


@PROPERTY
@given(SIZES)
def test_full_cover_is_found_and_proven(size: dict) -> None:
    _solved(planted(**size))


@PROPERTY
@given(SIZES, st.integers(1, 4))
def test_a_county_without_a_spare_shift_leaves_exactly_the_extra_unmet(
    size: dict, extra: int
) -> None:
    _solved(no_spare(**size, extra=extra))


@PROPERTY
@given(SIZES, st.integers(1, 3))
def test_a_shift_with_only_its_drawn_crew_leaves_exactly_the_extra_unmet(
    size: dict, extra: int
) -> None:
    _solved(crew_only(**size, extra=extra))


def test_the_objective_steps_by_the_cover_weight() -> None:
    inst = build_instance(no_spare(3).scenario)
    assert granularity(inst) == UNMET


def test_the_group_search_stops_once_the_plan_meets_its_bound() -> None:
    """From an empty plan the group search fills the county; once the plan meets the known
    optimum (the bound), it stops: far fewer groups than the budget allows."""
    case = planted(5, counties=1, people=60, days=3, posts=8)
    inst = build_instance(case.scenario)
    stats = SearchStats()
    limits = SearchLimits(bound=0.0, groups=40, deterministic=True)
    plan = search(inst, set(), time.perf_counter() + 300, seed=2, limits=limits, stats=stats)
    assert check_plan(case.scenario, assignments_of(inst, plan)) == []
    assert not plan_shortfalls(case.scenario, assignments_of(inst, plan))
    assert stats.stopped_at_bound and 0 < stats.groups < 40
    again = SearchStats()
    search(inst, plan, time.perf_counter() + 300, seed=2, limits=limits, stats=again)
    assert again.stopped_at_bound and again.groups == 0  # already optimal: no group at all
