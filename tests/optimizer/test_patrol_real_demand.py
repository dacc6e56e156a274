"""Real demand (scenario format 1.2): armed and skilled counts per day and shift on covers,
skills a post requires of everyone on it, standby floors per day and shift. Crafted cases
with hand-worked optima, every plan checked by the independent checker (`check_plan`,
`plan_shortfalls`), and the checker itself shown to catch hand-made plans that break them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.patrol import SolveParams, check_plan, plan_patrol, plan_shortfalls
from optimizer.patrol.instance import build_instance
from optimizer.result import SolveStatus
from optimizer.scenario import Assignment, Scenario, ScenarioError, TaskKind
from tests.optimizer import planted as gen
from tests.optimizer.patrol_cases import DAY, person, post, scenario
from tests.optimizer.test_patrol_planted import _solved

FAST = SolveParams(time_limit=30, num_workers=1, random_seed=1)
DOG = "dog_handling"


def on(r: Any, target: str, shift: str, date: dt.date = DAY) -> list[str]:
    return sorted(
        a.person_id
        for a in r.assignments
        if a.target_id == target and a.shift_id == shift and a.date == date
    )


def solved(s: Scenario) -> Any:
    r = plan_patrol(s, FAST)
    assert r.status == SolveStatus.OPTIMAL
    assert check_plan(s, r.assignments) == []
    # the independent checker's shortfalls are the result's (reasons aside)
    mine = sorted((x.requirement, x.target_id, x.start, x.missing) for x in r.shortfalls)
    theirs = sorted(
        (x.requirement, x.target_id, x.start, x.missing) for x in plan_shortfalls(s, r.assignments)
    )
    assert mine == theirs
    return r


def assign(pid: str, target: str, shift: str, task: str = "post", date: dt.date = DAY) -> Any:
    return Assignment(
        person_id=pid, date=date, shift_id=shift, task=TaskKind(task), target_id=target
    )


# --- armed officers on the night shift only ----------------------------------------------


def night_armed(armed_people: int) -> Scenario:
    """A post of two people in each of three shifts; a cover asks two armed on nights only.
    Six people (one shift a day each), `armed_people` of them armed."""
    people = [person(f"a{i}", armed=True) for i in range(armed_people)]
    people += [person(f"u{i}") for i in range(6 - armed_people)]
    return scenario(
        people,
        [post("P1", staff=2)],
        version="1.2",
        covers=[{"target_id": "P1", "shift_id": "N", "armed": 2}],
    )


def test_night_only_armed_requirement_is_met_on_the_night() -> None:
    s = night_armed(2)
    r = solved(s)
    assert r.objective == 0 and r.shortfalls == []
    assert on(r, "P1", "N") == ["a0", "a1"]  # the only two armed: both on the night
    assert len(on(r, "P1", "D")) == 2 and len(on(r, "P1", "E")) == 2


def test_night_armed_requirement_binds_only_on_the_night() -> None:
    # unarmed people on the day and evening shifts are no shortfall; on the night they are
    s = night_armed(2)
    plan = [assign("u0", "P1", "D"), assign("u1", "P1", "D")]
    plan += [assign("u2", "P1", "E"), assign("u3", "P1", "E")]
    plan += [assign("a0", "P1", "N"), assign("u0", "P1", "N", date=DAY)]
    missing = {(x.requirement, x.start[11:16], x.missing) for x in plan_shortfalls(s, plan[:4])}
    assert ("armed", "00:00", 2) in missing
    assert not any(req == "armed" and hour != "00:00" for req, hour, _ in missing)
    night = [assign("a0", "P1", "N"), assign("u1", "P1", "N")]
    assert [
        (x.requirement, x.missing) for x in plan_shortfalls(s, night) if x.start[11:13] == "00"
    ] == [("armed", 1)]


def test_one_armed_officer_short_on_the_night_is_reported_and_explained() -> None:
    r = solved(night_armed(1))
    assert r.objective == 10_000  # weights.unmet_armed × 1
    assert [(x.requirement, x.start[11:16], x.missing) for x in r.shortfalls] == [
        ("armed", "00:00", 1)
    ]
    assert "armed officers" in (r.shortfalls[0].reason or "")


def test_cover_skill_counts_per_shift() -> None:
    # first aid asked on the evening shift only: the one first-aider works the evening
    aid = [{"skill": "first_aid"}]
    s = scenario(
        [person("m", skills=aid), person("x"), person("y")],
        [post("P1")],
        version="1.2",
        covers=[{"target_id": "P1", "shift_id": "E", "skills": {"first_aid": 1}}],
    )
    r = solved(s)
    assert r.objective == 0 and on(r, "P1", "E") == ["m"]


# --- a skill required of everyone on a post ----------------------------------------------


def dog_post(people: list[dict[str, Any]], days: int = 1, **extra: Any) -> Scenario:
    return scenario(
        people,
        [{**post("P1", hours=[[8, 16]]), "required_skills": [DOG]}],
        days=days,
        version="1.2",
        **extra,
    )


def test_skill_required_post_is_staffed_only_by_the_skilled() -> None:
    s = dog_post([person("x"), person("h", skills=[{"skill": DOG}]), person("y")])
    r = solved(s)
    assert r.objective == 0 and on(r, "P1", "D") == ["h"]
    inst = build_instance(s)
    unskilled = [pi for pi, p in enumerate(inst.people) if p.id != "h"]
    assert all(not inst.eligible[pi] for pi in unskilled)


def test_an_expired_certificate_keeps_its_holder_off_the_post() -> None:
    cert = {"skill": DOG, "expires": DAY.isoformat()}  # valid on the first day only
    s = dog_post([person("h", skills=[cert]), person("x")], days=2)
    r = solved(s)
    assert on(r, "P1", "D") == ["h"]
    assert on(r, "P1", "D", DAY + dt.timedelta(days=1)) == []
    assert [(x.requirement, x.start[:10], x.missing) for x in r.shortfalls] == [
        ("post_cover", (DAY + dt.timedelta(days=1)).isoformat(), 1)
    ]


def test_no_skilled_person_free_is_a_shortfall_explained() -> None:
    # the only dog handler is on leave: the post stays empty though x is free
    absent = {
        "person_id": "h",
        "start": f"{DAY.isoformat()}T00:00:00",
        "end": f"{(DAY + dt.timedelta(days=1)).isoformat()}T00:00:00",
    }
    s = dog_post([person("h", skills=[{"skill": DOG}]), person("x")], absences=[absent])
    r = solved(s)
    assert r.assignments == []
    assert [(x.requirement, x.missing) for x in r.shortfalls] == [("post_cover", 1)]
    reason = r.shortfalls[0].reason or ""
    assert DOG in reason and "of 1 " in reason and "1 absent" in reason


def test_nobody_skilled_at_all_says_so() -> None:
    r = solved(dog_post([person("x")]))
    assert "may take P1 at all" in (r.shortfalls[0].reason or "")


def test_checker_refuses_an_unskilled_person_on_the_post() -> None:
    s = dog_post([person("h", skills=[{"skill": DOG}]), person("x")])
    assert check_plan(s, [assign("h", "P1", "D")]) == []
    problems = check_plan(s, [assign("x", "P1", "D")])
    assert problems == [f"x on P1 on {DAY} without the required {DOG}"]


# --- standby floors per day and shift ------------------------------------------------------


def standby(people: int, night: int, **extra: Any) -> Scenario:
    """A standby floor of one in county K1, raised to `night` on the night shift."""
    return scenario(
        [person(f"r{i}") for i in range(people)],
        [],
        version="1.2",
        standby=[{"jurisdiction_id": "K1", "min_count": 1}],
        covers=[{"target_id": "K1", "shift_id": "N", "required": night}],
        **extra,
    )


def test_standby_floor_higher_at_night() -> None:
    r = solved(standby(5, 3))
    assert r.objective == 0
    assert len(on(r, "K1", "N")) == 3 and len(on(r, "K1", "D")) == 1 and len(on(r, "K1", "E")) == 1


def test_standby_night_floor_short_is_reported() -> None:
    # four people, five standby places in the day (1 + 1 + 3): one is missing somewhere
    r = solved(standby(4, 3))
    assert r.objective == 8_000  # weights.unmet_standby × 1
    assert [(x.requirement, x.target_id, x.missing) for x in r.shortfalls] == [("standby", "K1", 1)]
    assert "ready officers on standby" in (r.shortfalls[0].reason or "")


def test_checker_reads_the_night_floor() -> None:
    s = standby(5, 3)
    plan = [assign(f"r{i}", "K1", "N", "standby") for i in range(2)]
    plan += [assign("r2", "K1", "D", "standby"), assign("r3", "K1", "E", "standby")]
    assert [(x.start[11:16], x.missing) for x in plan_shortfalls(s, plan)] == [("00:00", 1)]


def test_standby_cover_survives_the_county_split() -> None:
    # two counties: the parts are planned apart, each keeping its own floor's covers
    s = standby(5, 3)
    data = s.model_dump(mode="json")
    data["jurisdictions"].append({"id": "K2", "name": "县二", "level": "county", "parent_id": "C"})
    data["people"] += [{**person(f"q{i}", jur="K2")} for i in range(3)]
    data["standby"].append({"jurisdiction_id": "K2", "min_count": 1})
    from optimizer.scenario import parse_scenario

    s2 = parse_scenario(data)
    r = solved(s2)
    assert r.objective == 0 and len(on(r, "K1", "N")) == 3 and len(on(r, "K2", "N")) == 1


# --- the format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cover", "field"),
    [
        ({"target_id": "nowhere", "required": 1}, "covers[0].target_id"),
        ({"target_id": "P1"}, "covers[0]: a cover gives at least one"),
        ({"target_id": "P1", "armed": 3}, "covers[0].armed: 3 exceeds the 2 people"),
        ({"target_id": "P1", "required": 1, "armed": 2}, "covers[0].armed"),
        ({"target_id": "P1", "skills": {"first_aid": 5}}, "covers[0].skills.first_aid"),
        ({"target_id": "P1", "skills": {"first_aid": -1}}, "covers[0].skills"),
        ({"target_id": "P1", "shift_id": "X", "armed": 1}, "covers[0].shift_id"),
    ],
)
def test_bad_covers_name_the_field(cover: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError) as err:
        scenario([person("a")], [post("P1", staff=2)], version="1.2", covers=[cover])
    assert field in str(err.value)


def test_required_skills_are_checked() -> None:
    with pytest.raises(ScenarioError, match=r"posts\[0\]\.required_skills"):
        scenario([person("a")], [{**post("P1"), "required_skills": [""]}], version="1.2")


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_older_versions_still_load(version: str) -> None:
    s = scenario(
        [person("a")],
        [post("P1")],
        version=version,
        covers=[{"target_id": "P1", "shift_id": "N", "required": 2}],
    )
    assert s.covers[0].armed is None and s.covers[0].skills is None
    assert s.posts[0].required_skills == []


# --- the aggregated model stays a relaxation ------------------------------------------------


def test_aggregated_model_with_real_demand_never_exceeds_the_exact_optimum() -> None:
    from optimizer.patrol.aggregate import aggregate
    from optimizer.patrol.model import build_model
    from optimizer.patrol.relax import solve_relaxation
    from optimizer.patrol.variables import SCALE
    from tests.optimizer.patrol_cases import proven_optimum
    from tests.optimizer.test_patrol_aggregate import unit_people, zone

    dog = [{"skill": DOG, "expires": (DAY + dt.timedelta(days=1)).isoformat()}]
    people = unit_people(2, armed=True) + unit_people(2, "U2") + unit_people(2, "U3", skills=dog)
    s = scenario(
        people,
        [post("P1", staff=2), {**post("P2", hours=[[8, 16]]), "required_skills": [DOG]}],
        version="1.2",
        rules=[
            {"kind": "shift_count", "id": "max2", "max": 2},
            {"kind": "min_rest", "id": "rest", "hours": 11},
        ],
        zones=[zone("Z1", 2.0)],
        standby=[{"jurisdiction_id": "K1", "min_count": 1}],
        covers=[
            {"target_id": "P1", "shift_id": "N", "armed": 2},
            {"target_id": "Z1", "shift_id": "E", "armed": 1, "skills": {DOG: 1}},
            {"target_id": "K1", "shift_id": "N", "required": 2},
        ],
        units=[
            {"id": u, "name": u, "force": "county_response", "jurisdiction_id": "K1"}
            for u in ("U1", "U2", "U3")
        ],
    )
    inst = build_instance(s)
    agg = aggregate(inst)
    assert len(agg.members) == 3
    exact = proven_optimum(build_model(inst).model) / SCALE
    relaxed = proven_optimum(build_model(agg.inst).model) / SCALE
    lp = solve_relaxation(build_model(agg.inst).model, time_limit=30)
    assert lp.bound is not None and lp.bound / SCALE <= relaxed + 1e-6 <= exact + 2e-6
    r = solved(s)
    assert r.objective == pytest.approx(exact)


# --- planted known optima with real demand ---------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {
            "seed": st.integers(0, 10_000),
            "counties": st.integers(1, 2),
            "people": st.integers(4, 12),
            "days": st.integers(1, 3),
            "posts": st.integers(1, 3),
        }
    ),
    st.sampled_from(["planted", "no_spare", "crew_only"]),
)
def test_planted_real_demand_optimum_is_found_and_proven(size: dict, kind: str) -> None:
    case = {"planted": gen.planted, "no_spare": gen.no_spare, "crew_only": gen.crew_only}[kind]
    real = gen.with_real_demand(case(**size), size["seed"])
    assert check_plan(real.scenario, real.plan) == []
    assert sum(x.missing for x in plan_shortfalls(real.scenario, real.plan)) == real.unmet
    _solved(real)


def test_the_map_staffing_reads_armed_counts_of_covers() -> None:
    from maps.staffing import required_staff

    s = night_armed(2)
    shifts, p1 = s.by_id("shifts"), s.posts[0]
    assert required_staff(s, p1, DAY, shifts["N"]) == (2, 2)
    assert required_staff(s, p1, DAY, shifts["D"]) == (2, 0)
