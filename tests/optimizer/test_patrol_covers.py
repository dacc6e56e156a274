"""Explicit covers (scenario `covers`): over-staffing a cover that has an `over_weight` is
paid per extra person (add_over_cover), a cover without one caps the post at its
requirement, and the checker's shortfalls follow the cover's requirement rather than the
post's minimum staff. Crafted cases with hand-worked optima."""

from __future__ import annotations

import datetime as dt
from typing import Any

from optimizer.patrol import SolveParams, check_plan, plan_patrol
from optimizer.result import SolveStatus
from tests.optimizer.patrol_cases import DAY, person, post, scenario

FAST = SolveParams(time_limit=20, num_workers=1, random_seed=1)
WEIGHTS = {
    "travel": 0,
    "fairness_hours": 0,
    "fairness_nights": 0,
    "fairness_weekends": 0,
    "continuity": 0,
    "preferences": 1,
}


def case(cover: dict[str, Any]) -> Any:
    """Three people who all ask to work the day shift of a post that needs one."""
    people = [person(f"p{i}") for i in range(3)]
    requests = [
        {"person_id": f"p{i}", "date": DAY.isoformat(), "shift_id": "D", "on": True, "weight": 1}
        for i in range(3)
    ]
    s = scenario(
        people,
        [post("P1", hours=[[8, 16]])],
        requests=requests,
        covers=[{"target_id": "P1", "shift_id": "D", "required": 1, "under_weight": 100, **cover}],
        weights=WEIGHTS,
    )
    r = plan_patrol(s, FAST)
    assert r.status == SolveStatus.OPTIMAL
    assert check_plan(s, r.assignments) == []
    return r


def on_post(r: Any) -> int:
    return sum(1 for a in r.assignments if a.target_id == "P1" and a.shift_id == "D")


def test_dear_over_staffing_leaves_requests_unmet() -> None:
    # a second person costs 5 and saves a request of 1: one works, two requests missed
    r = case({"over_weight": 5})
    assert on_post(r) == 1
    assert r.objective == 2
    assert r.objective_terms.get("over_cover", 0) == 0
    assert r.objective_terms["preferences"] == 2


def test_cheap_over_staffing_grants_every_request() -> None:
    # each extra person costs 0.5 < the request of 1 they would miss: all three work
    r = case({"over_weight": 0.5})
    assert on_post(r) == 3
    assert r.objective == 1
    assert r.objective_terms["over_cover"] == 1
    assert r.objective_terms.get("preferences", 0) == 0


def test_cover_without_over_weight_caps_at_the_requirement() -> None:
    r = case({})
    assert on_post(r) == 1
    assert r.objective == 2
    assert "over_cover" not in r.objective_terms


def test_shortfalls_follow_the_cover_requirement() -> None:
    # one person for a day shift that a cover raises to two: one missing, and explained
    s = scenario(
        [person("a")],
        [post("P1", hours=[[8, 16]])],
        covers=[{"target_id": "P1", "shift_id": "D", "required": 2, "under_weight": 100}],
        weights=WEIGHTS,
    )
    r = plan_patrol(s, FAST)
    assert r.status == SolveStatus.OPTIMAL and check_plan(s, r.assignments) == []
    assert r.objective == 100
    assert [(x.requirement, x.missing) for x in r.shortfalls] == [("post_cover", 1)]
    assert r.shortfalls[0].reason


def test_a_cover_of_zero_is_no_shortfall() -> None:
    # the first day's cover asks for nobody; the second day keeps the post's minimum of one
    s = scenario(
        [person("a")],
        [post("P1", hours=[[8, 16]])],
        days=2,
        covers=[{"target_id": "P1", "date": DAY.isoformat(), "shift_id": "D", "required": 0}],
        weights=WEIGHTS,
    )
    r = plan_patrol(s, FAST)
    assert r.status == SolveStatus.OPTIMAL and check_plan(s, r.assignments) == []
    assert [a.date for a in r.assignments] == [DAY + dt.timedelta(days=1)]
    assert r.shortfalls == []
