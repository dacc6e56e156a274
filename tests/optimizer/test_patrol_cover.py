"""Patrol plans on crafted cases: full cover where it exists, exactly the minimal shortfall
where it does not, armed and skill needs, standby floors, eligibility. Every plan is checked
by the independent checker."""

from __future__ import annotations

import pytest

from optimizer.patrol import SolveParams, check_plan, plan_patrol
from optimizer.result import SolveStatus
from tests.optimizer.patrol_cases import DAY, person, post, scenario

FAST = SolveParams(time_limit=20, num_workers=1, random_seed=1)


def solve(s):  # type: ignore[no-untyped-def]
    r = plan_patrol(s, FAST)
    assert check_plan(s, r.assignments) == []
    return r


def missing(r, requirement: str) -> float:  # type: ignore[no-untyped-def]
    return sum(x.missing for x in r.shortfalls if x.requirement == requirement)


def test_planted_full_cover_is_found() -> None:
    s = scenario([person(f"p{i}") for i in range(3)], [post("P1")])
    r = solve(s)
    assert r.status == SolveStatus.OPTIMAL and r.shortfalls == []
    assert sorted(a.shift_id for a in r.assignments if a.task == "post") == ["D", "E", "N"]
    assert r.gap == 0 and r.bound is not None and r.objective_terms["unmet_post_cover"] == 0


def test_over_demand_gives_exactly_the_minimal_shortfall() -> None:
    # 2 staff × 3 shifts = 6 person-shifts, 4 people working one shift a day: 2 missing
    s = scenario([person(f"p{i}") for i in range(4)], [post("P1", staff=2)])
    r = solve(s)
    assert r.status == SolveStatus.OPTIMAL
    assert missing(r, "post_cover") == 2
    assert all(x.reason for x in r.shortfalls)


def test_armed_checkpoint_gets_the_armed_officer() -> None:
    people = [person("a", armed=True), person("b"), person("c")]
    s = scenario(people, [post("P1", staff=1, armed=1, kind="armed_checkpoint", hours=[[8, 16]])])
    r = solve(s)
    on_post = [a.person_id for a in r.assignments if a.task == "post"]
    assert on_post == ["a"] and r.shortfalls == []


def test_missing_armed_officer_is_explained() -> None:
    people = [person("a", armed=True), person("b")]
    absences = [
        {"person_id": "a", "start": f"{DAY}T00:00:00", "end": f"{DAY}T23:59:00", "kind": "sick"}
    ]
    s = scenario(
        people,
        [post("P1", staff=1, armed=1, kind="armed_checkpoint", hours=[[8, 16]])],
        absences=absences,
    )
    r = solve(s)
    armed = [x for x in r.shortfalls if x.requirement == "armed"]
    assert [x.missing for x in armed] == [1]
    assert "1 absent" in armed[0].reason and "armed officers" in armed[0].reason


def test_expired_certificate_does_not_count() -> None:
    people = [
        person("old", skills=[{"skill": "first_aid", "expires": "2026-01-01"}]),
        person("new", skills=[{"skill": "first_aid", "expires": "2027-01-01"}]),
    ]
    s = scenario(people, [post("P1", staff=1, skills={"first_aid": 1}, hours=[[8, 16]])])
    r = solve(s)
    assert [a.person_id for a in r.assignments if a.task == "post"] == ["new"]


def test_volunteers_never_man_armed_checkpoints() -> None:
    vol = person("v", force="volunteer")
    s = scenario([vol], [post("P1", kind="armed_checkpoint", hours=[[8, 16]])])
    s.posts[0].forces.append("volunteer")  # even if the post lists them
    r = solve(s)
    assert r.assignments == [] and missing(r, "post_cover") == 1


def test_standby_floor_is_kept_off_posts() -> None:
    people = [person(f"s{i}", force="patrol_swat", armed=True) for i in range(6)]
    s = scenario(
        people, [post("P1", hours=[[8, 16]])], standby=[{"jurisdiction_id": "K1", "min_count": 1}]
    )
    r = solve(s)
    for shift in ("D", "E", "N"):
        on = [a for a in r.assignments if a.shift_id == shift and a.task == "standby"]
        assert len(on) == 1 and on[0].target_id == "K1"
    assert r.shortfalls == []


def test_people_stay_in_their_county() -> None:
    jurisdictions = [
        {"id": "C", "name": "市", "level": "city"},
        {"id": "K1", "name": "县一", "level": "county", "parent_id": "C"},
        {"id": "K2", "name": "县二", "level": "county", "parent_id": "C"},
        {"id": "T1", "name": "镇一", "level": "township", "parent_id": "K1"},
    ]
    s = scenario(
        [person("x", jur="K2")], [post("P1", hours=[[8, 16]])], jurisdictions=jurisdictions
    )
    r = solve(s)
    assert r.assignments == []


def test_same_seed_same_plan() -> None:
    s = scenario([person(f"p{i}") for i in range(5)], [post("P1", staff=2)])
    assert plan_patrol(s, FAST).assignments == plan_patrol(s, FAST).assignments


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_reported(workers: int) -> None:
    seen = []
    s = scenario([person(f"p{i}") for i in range(3)], [post("P1")])
    plan_patrol(s, SolveParams(time_limit=10, num_workers=workers), progress=seen.append)
    assert seen and all(p.objective is not None and p.bound is not None for p in seen)


def test_plan_file_schema_is_committed() -> None:
    import json

    from optimizer.patrol.plan_io import PLAN_SCHEMA_PATH, plan_json_schema

    assert json.loads(PLAN_SCHEMA_PATH.read_text(encoding="utf-8")) == plan_json_schema()


def test_demo_county_day_plan_meets_every_hard_rule() -> None:
    from rosters.demo_city import build_demo_city

    s = build_demo_city("small", days=1)
    r = plan_patrol(s, SolveParams(time_limit=15, num_workers=1, random_seed=1))
    assert r.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert check_plan(s, r.assignments) == []
    assert r.bound is not None and r.bound <= r.objective + 1e-6
