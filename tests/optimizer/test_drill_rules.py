"""Each rule of the drill schedule on crafted cases, every schedule checked by the independent
checker, and the unmet drills matched against what the checker counts as missing."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from optimizer.drill_format import DrillSession, SessionStatus
from optimizer.drills import DrillParams, DrillResult, check_schedule, schedule_drills
from optimizer.drills.check import missing_drills
from optimizer.result import SolveStatus
from optimizer.scenario import Certification, Scenario
from tests.optimizer.drill_cases import START, drill_setup, live_fire, scenario


def solve(s: Scenario, seconds: float = 20) -> DrillResult:
    r = schedule_drills(s, DrillParams(time_limit=seconds, num_workers=1))
    assert r.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), r
    assert check_schedule(s, r.sessions) == []
    assert r.objective is not None and r.bound is not None and r.bound <= r.objective + 1e-6
    return r


def overlap(a: DrillSession, b: DrillSession) -> bool:
    return a.start < b.end and b.start < a.end


def test_every_duty_met_evenly_on_working_days() -> None:
    s = scenario()
    r = solve(s)
    assert r.status == SolveStatus.OPTIMAL and r.gap == 0
    assert len(r.sessions) == 4 and not r.shortfalls
    assert missing_drills(s, r.sessions) == {}
    for x in r.sessions:
        assert x.start.weekday() < 5 and x.start.hour in (8, 14)
    for unit in ("S1", "S2"):
        first, second = sorted(x.start for x in r.sessions if x.unit_ids == [unit])
        assert first.day <= 15 < second.day  # one in each half of December


def test_one_instructor_never_teaches_two_drills_at_once() -> None:
    big_venue = [
        {"id": "V1", "name": "大靶场", "kind": "range", "jurisdiction_id": "K1", "capacity": 50}
    ]
    s = scenario(drills=drill_setup(venues=big_venue))
    r = solve(s)
    for a, b in itertools.combinations(r.sessions, 2):
        assert not overlap(a, b)


def test_venue_capacity_keeps_two_squads_apart_even_with_two_instructors() -> None:
    two = [
        {"id": "I1", "name": "教官甲", "skills": ["firearms_instructor"]},
        {"id": "I2", "name": "教官乙", "skills": ["firearms_instructor"]},
    ]
    s = scenario(drills=drill_setup(instructors=two))  # range holds 12, squads are 10
    r = solve(s)
    assert len(r.sessions) == 4
    for a, b in itertools.combinations(r.sessions, 2):
        assert not overlap(a, b)


def test_readiness_floor_limits_drills_at_once() -> None:
    two = [
        {"id": "I1", "name": "教官甲", "skills": ["firearms_instructor"]},
        {"id": "I2", "name": "教官乙", "skills": ["firearms_instructor"]},
    ]
    big = [{"id": "V1", "name": "大靶场", "kind": "range", "jurisdiction_id": "K1", "capacity": 50}]
    # 30 ready people, floor 15: one squad of 10 may drill at a time, not two
    s = scenario(
        drills=drill_setup(instructors=two, venues=big),
        floor={"jurisdiction_id": "K1", "min_count": 15},
    )
    r = solve(s)
    assert len(r.sessions) == 4
    for a, b in itertools.combinations(r.sessions, 2):
        assert not overlap(a, b)
    # with a floor of 10 two squads may drill together: the checker accepts either way
    loose = scenario(
        drills=drill_setup(instructors=two, venues=big),
        floor={"jurisdiction_id": "K1", "min_count": 10},
    )
    assert len(solve(loose).sessions) == 4


def test_holidays_and_the_adjusted_working_day() -> None:
    reqs = [{"id": "R1", "drill_type_id": "LF", "unit_ids": ["S1"], "count": 4, "per": "week"}]
    s = scenario(start=dt.date(2026, 10, 5), days=7, drills=drill_setup(requirements=reqs))
    r = solve(s)
    days = sorted(x.start.date() for x in r.sessions)
    # 5–7 October are National Day holidays; 8, 9 and the adjusted Saturday 10 work
    assert all(d >= dt.date(2026, 10, 8) for d in days)
    assert len(r.sessions) == 4  # 8, 9 and 10 October: six half-days for four drills
    assert not r.warnings


def test_blackout_moves_drills_or_reports_them() -> None:
    blackout = {
        "id": "B1",
        "name": "重大活动安保",
        "start": "2026-12-01T00:00:00",
        "end": "2026-12-16T00:00:00",
    }
    s = scenario(drills=drill_setup(blackouts=[blackout]))
    r = solve(s)
    assert all(x.start >= dt.datetime(2026, 12, 16) for x in r.sessions)
    everything = dict(blackout, end="2027-01-01T00:00:00")
    s = scenario(drills=drill_setup(blackouts=[everything]))
    r = solve(s)
    assert r.sessions == []
    assert len(r.shortfalls) == 4
    assert all("blackout 重大活动安保" in x.reason for x in r.shortfalls)
    assert sum(missing_drills(s, r.sessions).values()) == len(r.shortfalls)


def test_blackout_for_another_kind_does_not_apply() -> None:
    blackout = {
        "id": "B1",
        "name": "主汛期",
        "start": "2026-12-01T00:00:00",
        "end": "2027-01-01T00:00:00",
        "kinds": ["flood_rescue"],
    }
    r = solve(scenario(drills=drill_setup(blackouts=[blackout])))
    assert len(r.sessions) == 4


def _absent(people: list[str], start: str, end: str) -> list[dict[str, Any]]:
    return [{"person_id": p, "start": start, "end": end, "kind": "leave"} for p in people]


def test_attendance_keeps_drills_off_days_the_squad_is_away() -> None:
    away = _absent([f"S1-{i}" for i in range(5)], "2026-12-01T00:00:00", "2026-12-24T00:00:00")
    s = scenario(absences=away)
    r = solve(s)
    s1 = [x for x in r.sessions if x.unit_ids == ["S1"]]
    assert len(s1) == 2 and all(x.start >= dt.datetime(2026, 12, 24) for x in s1)


def test_patrol_duty_in_the_published_plan_blocks_the_drill() -> None:
    plan = [
        {
            "person_id": f"S1-{i}",
            "date": (START + dt.timedelta(days=d)).isoformat(),
            "shift_id": "D",
            "task": "post",
            "target_id": "P1",
        }
        for i in range(10)
        for d in range(14)
    ]
    s = scenario(
        shifts=[{"id": "D", "name": "白班", "start": "08:00", "hours": 10}],
        posts=[
            {
                "id": "P1",
                "name": "卡点",
                "kind": "checkpoint",
                "jurisdiction_id": "T1",
                "location": [100.0, 38.0],
            }
        ],
        published_plan=plan,
    )
    r = solve(s)
    s1 = [x for x in r.sessions if x.unit_ids == ["S1"]]
    assert len(s1) == 2 and all(x.start.date() >= dt.date(2026, 12, 15) for x in s1)


def test_joint_drill_takes_both_units_at_once() -> None:
    joint = {
        "id": "JT",
        "name": "联合演练",
        "kind": "joint",
        "hours": 8,
        "venue_kind": "range",
        "forces": ["patrol_swat", "county_response"],
    }
    big = [{"id": "V1", "name": "大靶场", "kind": "range", "jurisdiction_id": "K1", "capacity": 50}]
    reqs = [{"id": "J", "drill_type_id": "JT", "unit_ids": ["S1", "Y1"], "per": "month"}]
    away = _absent(["Y1-0", "Y1-1", "Y1-2"], "2026-12-01T00:00:00", "2026-12-20T00:00:00")
    s = scenario(
        drills=drill_setup(types=[live_fire(), joint], requirements=reqs, venues=big), absences=away
    )
    r = solve(s)
    assert len(r.sessions) == 1
    x = r.sessions[0]
    assert x.participants == 20 and x.start >= dt.datetime(2026, 12, 20)


def test_min_gap_between_drills_of_a_duty() -> None:
    reqs = [
        {
            "id": "R1",
            "drill_type_id": "LF",
            "unit_ids": ["S1"],
            "count": 3,
            "per": "month",
            "min_gap_days": 9,
        }
    ]
    r = solve(scenario(drills=drill_setup(requirements=reqs)))
    starts = sorted(x.start for x in r.sessions)
    assert len(starts) == 3
    assert all(b - a >= dt.timedelta(days=9) for a, b in itertools.pairwise(starts))


def test_preferred_weekdays_are_kept_when_possible() -> None:
    reqs = [
        {
            "id": "R1",
            "drill_type_id": "LF",
            "unit_ids": ["S1"],
            "count": 2,
            "per": "month",
            "preferred_weekdays": [3],
        }
    ]
    r = solve(scenario(drills=drill_setup(requirements=reqs)))
    assert [x.start.weekday() for x in r.sessions] == [3, 3]
    assert r.objective_terms.get("preferences", 0) == 0


def test_over_demand_leaves_exactly_the_minimal_shortfall() -> None:
    # one instructor, one working week: ten half-days for twelve drills
    reqs = [
        {"id": f"R{u}", "drill_type_id": "LF", "unit_ids": [u], "count": 6, "per": "week"}
        for u in ("S1", "S2")
    ]
    s = scenario(start=dt.date(2026, 12, 7), days=7, drills=drill_setup(requirements=reqs))
    r = solve(s)
    assert r.status == SolveStatus.OPTIMAL
    assert len(r.sessions) == 10 and len(r.shortfalls) == 2
    assert sum(missing_drills(s, r.sessions).values()) == 2
    assert all("instructors unavailable or busy" in x.reason for x in r.shortfalls)


def test_hard_duties_that_cannot_be_met_name_the_conflict() -> None:
    blackout = {
        "id": "B1",
        "name": "两会安保",
        "start": "2026-12-01T00:00:00",
        "end": "2027-01-01T00:00:00",
    }
    reqs = [
        {
            "id": "R1",
            "drill_type_id": "LF",
            "unit_ids": ["S1"],
            "count": 2,
            "per": "month",
            "hard": True,
        },
        {"id": "R2", "drill_type_id": "LF", "unit_ids": ["S2"], "count": 2, "per": "month"},
    ]
    s = scenario(drills=drill_setup(requirements=reqs, blackouts=[blackout]))
    r = schedule_drills(s, DrillParams(time_limit=20, num_workers=1))
    assert r.status == SolveStatus.INFEASIBLE and r.objective is None
    rules = [c.rule for c in r.conflicts]
    assert any(rule.startswith("duty R1") for rule in rules)
    assert "blackout 两会安保" in rules
    assert not any("R2" in rule for rule in rules)
    assert not any(rule.startswith("venue") or rule.startswith("instructor") for rule in rules)


def test_hard_duties_against_the_readiness_floor() -> None:
    big = [{"id": "V1", "name": "大靶场", "kind": "range", "jurisdiction_id": "K1", "capacity": 50}]
    reqs = [
        {
            "id": "R1",
            "drill_type_id": "LF",
            "unit_ids": ["S1"],
            "count": 2,
            "per": "month",
            "hard": True,
        }
    ]
    # 30 ready people, floor 25: no squad of 10 may ever leave for a drill
    s = scenario(
        drills=drill_setup(requirements=reqs, venues=big),
        floor={"jurisdiction_id": "K1", "min_count": 25},
    )
    r = schedule_drills(s, DrillParams(time_limit=20, num_workers=1))
    assert r.status == SolveStatus.INFEASIBLE
    rules = [c.rule for c in r.conflicts]
    assert any(rule.startswith("readiness floor 县一") for rule in rules)
    assert any(rule.startswith("duty R1") for rule in rules)


def test_rescheduling_after_a_cancellation_keeps_the_rest() -> None:
    s = scenario()
    first = solve(s)
    cancelled = first.sessions[1]
    published = [
        x.model_copy(update={"status": SessionStatus.CANCELLED}) if x.id == cancelled.id else x
        for x in first.sessions
    ]
    blocked = {
        "id": "B1",
        "name": "临时安保",
        "start": cancelled.start.isoformat(),
        "end": (cancelled.start + dt.timedelta(days=3)).isoformat(),
    }
    s2 = scenario(
        drills=drill_setup(
            sessions=[x.model_dump(mode="json") for x in published], blackouts=[blocked]
        )
    )
    second = solve(s2)
    before = {x.id: x for x in first.sessions}
    kept = [x for x in second.sessions if x.id in before]
    assert len(kept) == 3 and all(x.start == before[x.id].start for x in kept)
    moved = [x for x in second.sessions if x.id not in before]
    assert len(moved) == 1 and moved[0].id == f"{cancelled.occurrence}#2"
    assert moved[0].occurrence == cancelled.occurrence
    assert second.objective_terms.get("changes", 0) == 0


def test_deterministic_for_a_seed() -> None:
    s = scenario()
    a = schedule_drills(s, DrillParams(time_limit=20, num_workers=1, random_seed=3))
    b = schedule_drills(s, DrillParams(time_limit=20, num_workers=1, random_seed=3))
    assert [x.model_dump() for x in a.sessions] == [x.model_dump() for x in b.sessions]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["requirements"][0].update(drill_type_id="NOPE"), "unknown drill type 'NOPE'"),
        (lambda d: d["requirements"][0].update(unit_ids=["X9"]), "unknown unit 'X9'"),
        (lambda d: d["types"][0].update(venue_kind="pool"), "no venue of kind 'pool'"),
        (lambda d: d["types"][0].update(hours=11), "does not fit the 10 h day"),
        (lambda d: d["requirements"][0].update(preferred_weekdays=[7]), "weekdays are 0"),
        (lambda d: d["requirements"].append(dict(d["requirements"][0])), "duplicate id 'R1'"),
        (lambda d: d["types"][0].update(instructor_skill="diving"), "no instructor has 'diving'"),
    ],
)
def test_bad_catalogue_or_duties_are_refused_with_the_field(change: Any, message: str) -> None:
    from optimizer.scenario import ScenarioError

    d = drill_setup()
    change(d)
    with pytest.raises(ScenarioError) as err:
        scenario(drills=d)
    assert message in str(err.value) and "drills." in str(err.value)


def test_impossible_horizon_and_no_duties_are_input_errors() -> None:
    from optimizer.drills import DrillInputError
    from optimizer.scenario import ScenarioError

    with pytest.raises(DrillInputError, match="no drill duties"):
        schedule_drills(scenario(drills=drill_setup(requirements=[])))
    with pytest.raises(ScenarioError, match=r"horizon\.days"):
        scenario(days=400)


def test_a_renewing_drill_comes_before_the_certificates_lapse() -> None:
    aid = {
        "id": "FA",
        "name": "急救",
        "kind": "first_aid",
        "hours": 4,
        "renews": "first_aid",
        "forces": ["patrol_swat"],
    }
    reqs = [{"id": "A1", "drill_type_id": "FA", "unit_ids": ["S1"], "per": "month"}]
    s = scenario(drills=drill_setup(types=[live_fire(), aid], requirements=reqs))
    late = solve(s).sessions[0].start
    assert late.day >= 8  # without lapsing certificates: near the middle of the month
    for p in s.people:
        if p.unit_id == "S1":
            p.skills = [Certification(skill="first_aid", expires=dt.date(2026, 12, 3))]
    r = solve(s)
    assert r.sessions[0].start < dt.datetime(2026, 12, 4)
    assert r.objective_terms.get("lapsed_certificates", 0) == 0
