"""Scenario ⇄ database: round trip, all-or-nothing loading, county export, plans."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from optimizer.scenario import Assignment, Scenario, ScenarioError, scenario_to_dict
from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.models import Jurisdiction, Person
from rosters.plans import (
    PlanError,
    load_assignments,
    publish_plan,
    published_assignments,
    save_plan,
)
from rosters.scenario_db import ScenarioLoadError, export_scenario, load_scenario_into_db

NOT_ROSTER = {"requests", "options"}  # per-solve parts, not kept with the roster


@pytest.fixture(scope="module")
def city() -> Scenario:
    return build_demo_city("small")


def _count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_round_trip_keeps_everything(session: Session, city: Scenario) -> None:
    load_scenario_into_db(session, city)
    back = export_scenario(  # the drill section too (its drills as absences are extra)
        session,
        start=city.horizon.start,
        days=city.horizon.days,
        name=city.name,
        drill_absences=False,
    )
    a, b = scenario_to_dict(city), scenario_to_dict(back)
    assert city.drills.sessions and a["drills"] == b["drills"]
    assert {k for k in a if a[k] != b[k]} <= NOT_ROSTER
    assert back.people[0].name == city.people[0].name  # Chinese survives


def test_loading_twice_is_refused_and_changes_nothing(fresh_engine: Engine, city: Scenario) -> None:
    with session_scope(fresh_engine) as s:
        load_scenario_into_db(s, city)
    with pytest.raises(ScenarioLoadError), session_scope(fresh_engine) as s:
        load_scenario_into_db(s, city)
    with Session(fresh_engine) as s:
        assert _count(s, Person) == len(city.people)


def test_failed_load_writes_nothing(fresh_engine: Engine, city: Scenario) -> None:
    broken = city.model_copy(deep=True)
    broken.people.append(broken.people[0].model_copy(update={"id": broken.people[1].id}))
    with pytest.raises(Exception), session_scope(fresh_engine) as s:  # noqa: B017
        load_scenario_into_db(s, broken)
    with Session(fresh_engine) as s:
        assert _count(s, Jurisdiction) == 0 and _count(s, Person) == 0


def test_bad_reference_is_refused_before_writing(session: Session, city: Scenario) -> None:
    bad = city.model_copy(deep=True)
    bad.people[0].unit_id = "NO-SUCH-UNIT"
    with pytest.raises(ScenarioError, match=r"people\[0\]\.unit_id"):
        load_scenario_into_db(session, bad)
    assert _count(session, Person) == 0


def test_replace_swaps_the_roster(session: Session, city: Scenario) -> None:
    load_scenario_into_db(session, city)
    other = build_demo_city("small", seed=99)
    load_scenario_into_db(session, other, replace=True)
    names = set(session.execute(select(Person.name)).scalars())
    assert names == {p.name for p in other.people}


def test_county_export_keeps_the_subtree(session: Session) -> None:
    medium = build_demo_city("medium")
    load_scenario_into_db(session, medium)
    county = export_scenario(session, start=medium.horizon.start, days=1, county="ZY02")
    ids = {j.id for j in county.jurisdictions}
    assert "ZY" in ids and "ZY02" in ids and "ZY01" not in ids
    assert all(j.id.startswith("ZY02") or j.id == "ZY" for j in county.jurisdictions)
    assert county.people and all(p.jurisdiction_id in ids for p in county.people)
    assert not any(p.jurisdiction_id == "ZY" for p in county.people)  # city SWAT left out
    with pytest.raises(ScenarioLoadError, match="county"):
        export_scenario(session, start=medium.horizon.start, days=1, county="XX")


def test_plans_are_stored_published_and_read_back(session: Session, city: Scenario) -> None:
    load_scenario_into_db(session, city)
    day = city.horizon.start
    first = [
        Assignment(
            person_id=city.people[0].id,
            date=day,
            shift_id="D",
            task="post",
            target_id=city.posts[0].id,
        )
    ]
    second = [
        Assignment(
            person_id=city.people[1].id, date=day, shift_id="N", task="standby", target_id="ZY06"
        )
    ]
    p1 = save_plan(session, name="a", start=day, days=1, status="optimal", assignments=first)
    p2 = save_plan(session, name="b", start=day, days=1, status="feasible", assignments=second)
    assert load_assignments(session, p1) == first
    assert published_assignments(session, day, 1) == []
    publish_plan(session, p1, by="commander")
    assert published_assignments(session, day, 1) == first
    publish_plan(session, p2, by="commander")  # the newer publication wins
    assert published_assignments(session, day, 1) == second
    assert published_assignments(session, day + dt.timedelta(days=1), 1) == []


def test_plan_with_unknown_people_is_refused(session: Session, city: Scenario) -> None:
    load_scenario_into_db(session, city)
    bad = [
        Assignment(
            person_id="NOBODY",
            date=city.horizon.start,
            shift_id="D",
            task="post",
            target_id=city.posts[0].id,
        )
    ]
    with pytest.raises(PlanError, match="NOBODY"):
        save_plan(
            session, name="x", start=city.horizon.start, days=1, status="optimal", assignments=bad
        )
