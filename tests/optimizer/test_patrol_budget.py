"""Every phase of a patrol solve on the clock (`budget.py`): the shares of the parts, the
time kept for explaining shortfalls, and one coarse check that a multi-county solve with a
small limit returns within it (the limit held is the property under test; the margin is
generous as the machine is shared)."""

from __future__ import annotations

import pytest

from optimizer.patrol import SolveParams, check_plan, plan_patrol, plan_shortfalls
from optimizer.patrol.budget import (
    minimum_seconds,
    nominal_shares,
    read_back_seconds,
    share,
    short_message,
    wrap_up_seconds,
)
from optimizer.patrol.explain import UNEXPLAINED, explain_shortfalls
from optimizer.patrol.instance import build_instance
from optimizer.patrol.solve import Clock, _polish, part_sizes, split_parts
from optimizer.scenario import Weights
from tests.optimizer.planted import no_spare, planted


def test_a_part_gets_its_minimum_and_the_spare_time_by_size() -> None:
    got = share(100.0, [3.0, 1.0], [10.0, 2.0])
    assert not got.short
    assert got.seconds == pytest.approx(10.0 + 88.0 * 3 / 4)


def test_shares_taken_in_turn_use_the_time_exactly_and_pass_on_what_is_left() -> None:
    sizes, minima = [5.0, 1.0, 2.0], [4.0, 1.0, 2.0]
    left, taken = 60.0, []
    for i in range(3):
        got = share(left, sizes[i:], minima[i:])
        taken.append(got.seconds)
        left -= got.seconds
    assert sum(taken) == pytest.approx(60.0)
    assert all(t >= m for t, m in zip(taken, minima, strict=True))
    # a part that ends early leaves its time to the next ones
    first = share(60.0, sizes, minima).seconds
    second_if_first_took_half = share(60.0 - first / 2, sizes[1:], minima[1:]).seconds
    assert second_if_first_took_half > share(60.0 - first, sizes[1:], minima[1:]).seconds


def test_too_little_time_is_shared_by_need_and_said_but_never_exceeded() -> None:
    got = share(3.0, [1.0, 1.0], [4.0, 2.0])
    assert got.short
    assert got.seconds == pytest.approx(2.0)
    assert share(0.0, [1.0], [1.0]).seconds == 0.0
    assert "3 parts" in short_message(3)


def test_minimum_grows_with_people_and_days_and_nominal_shares_follow_size() -> None:
    assert minimum_seconds(646, 7) > minimum_seconds(646, 1) > minimum_seconds(10, 1)
    shares = nominal_shares(100.0, [1.0, 3.0])
    assert shares[1] == pytest.approx(3 * shares[0]) and sum(shares) < 100.0
    assert wrap_up_seconds(100.0) > wrap_up_seconds(1.0) > 0


def test_the_parts_of_a_split_scenario_are_sized_by_people_and_days() -> None:
    case = planted(1, counties=3, people=10, days=2)
    parts = split_parts(case.scenario)
    assert len(parts) == 3
    assert [size for size, _ in part_sizes(parts)] == [20.0, 20.0, 20.0]


def test_explanations_stop_at_their_deadline() -> None:
    case = no_spare(2, counties=1, people=8, days=2, extra=3)
    inst = build_instance(case.scenario)
    shortfalls = plan_shortfalls(case.scenario, case.plan)
    assert shortfalls
    explained = explain_shortfalls(inst, case.plan, shortfalls)
    assert all(s.reason and s.reason != UNEXPLAINED for s in explained)
    late = explain_shortfalls(inst, case.plan, shortfalls, deadline=0.0)
    assert [s.reason for s in late] == [UNEXPLAINED] * len(shortfalls)
    assert [s.missing for s in late] == [s.missing for s in shortfalls]


def test_a_multi_county_solve_holds_a_small_limit() -> None:
    """Three counties with every objective term on (so the searches would run on): the
    solve returns within its limit + 2 % + 1 s (plus a margin for the shared machine)."""
    case = planted(3, counties=3, people=40, days=3, posts=4)
    scenario = case.scenario.model_copy(update={"weights": Weights()})
    limit = 6.0
    r = plan_patrol(scenario, SolveParams(time_limit=limit, num_workers=1, random_seed=1))
    assert r.solve_seconds <= limit * 1.02 + 1 + 2.0
    assert check_plan(scenario, r.assignments) == []
    assert r.objective is not None and r.bound is not None


def test_a_limit_below_every_parts_need_is_said_in_the_message() -> None:
    case = planted(3, counties=3, people=40, days=3, posts=4)
    r = plan_patrol(case.scenario, SolveParams(time_limit=0.5, num_workers=1, random_seed=1))
    assert short_message(3) in r.message
    assert check_plan(case.scenario, r.assignments) == []


@pytest.mark.parametrize("people, limit", [(10, 30.0), (646, 30.0), (646, 3.0), (5000, 40.0)])
def test_a_plan_with_nothing_to_explain_is_searched_into_the_wrap_up(
    people: int, limit: float
) -> None:
    """The search on a plan without shortfalls may run past the part's work end, keeping
    what reading the plan back and checking it take by size, never more than the wrap-up."""
    inst = build_instance(planted(1, counties=1, people=10, days=7).scenario)
    inst = inst.of_people([0] * people)  # (only the size counts)
    clock = Clock(100.0, limit)
    polish = _polish(inst, clock, SolveParams(), None, None, None, 0.25)
    assert polish.deadline == clock.work_end and polish.quiet_deadline is not None
    kept = clock.deadline - polish.quiet_deadline
    assert kept == pytest.approx(min(clock.wrap, read_back_seconds(people * 7)))
    if (people, limit) == (646, 30.0):  # the county week: 0.48 s kept instead of 1.5 s
        assert kept < clock.wrap / 3
