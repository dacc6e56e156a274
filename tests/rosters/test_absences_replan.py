"""Absences and the re-plan of published days: which published shifts a period breaks, what
a re-plan of one county's days gets as input and keeps, that its plan passes the
independent checker with the absent person off, and that a deactivated person is never
planned."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from optimizer.patrol import SolveParams, check_plan, replan_patrol
from optimizer.scenario import parse_scenario
from rosters.absences import AbsenceError, absences_between, add_absence, broken_shifts
from rosters.models import Person
from rosters.plans import publish_plan, save_plan
from rosters.replan import county_of, replan_inputs
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.api.city import DAY, PLAN, city_data

TZ = "Asia/Shanghai"
FAST = SolveParams(time_limit=10, num_workers=1, random_seed=1)


@pytest.fixture
def city(session: Session) -> Session:
    scenario = parse_scenario(city_data())
    load_scenario_into_db(session, scenario, replace=True)
    plan_id = save_plan(
        session,
        name="city",
        start=DAY,
        days=1,
        status="feasible",
        assignments=scenario.published_plan,
    )
    publish_plan(session, plan_id, by="test")
    return session


def at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0)) + dt.timedelta(hours=hour)


def test_broken_shifts_are_the_published_shifts_the_period_overlaps(city: Session) -> None:
    # K2-0 works the night shift (00-08), K2-1 the day shift (08-16) of DAY
    assert [(b.shift_id, b.target_id) for b in broken_shifts(city, "K2-0", at(7), at(9))] == [
        ("night", "K2-A")
    ]
    assert broken_shifts(city, "K2-0", at(8), at(24)) == []  # the night shift is over by 08:00
    day_shift = broken_shifts(city, "K2-1", at(-12), at(9))
    assert [(b.date, b.shift_name, b.start, b.end) for b in day_shift] == [
        (DAY, "白班", at(8), at(16))
    ]
    assert broken_shifts(city, "K2-1", at(16), at(30)) == []


def test_an_absence_is_refused_with_the_field_and_listed_by_unit(city: Session) -> None:
    with pytest.raises(AbsenceError) as bad:
        add_absence(city, badge="K1-0", start=at(10), end=at(9), kind="leave", note="", tz=TZ)
    assert bad.value.field == "end" and "晚于" in bad.value.zh
    with pytest.raises(AbsenceError) as nobody:
        add_absence(city, badge="X", start=at(9), end=at(10), kind="leave", note="", tz=TZ)
    assert nobody.value.field == "badge"
    row = add_absence(city, badge="K1-0", start=at(0), end=at(48), kind="sick", note="", tz=TZ)
    assert row.days() == [DAY, DAY + dt.timedelta(days=1)]
    found = absences_between(city, DAY, DAY, tz=TZ, unit="K1-U0")
    assert [(a.badge, a.start, a.end) for a in found] == [("K1-0", at(0), at(48))]
    assert absences_between(city, DAY, DAY, tz=TZ, unit="K2-U0") == []
    by_name = absences_between(city, DAY, DAY, tz=TZ, unit="甘州区巡特警1")
    assert [a.badge for a in by_name] == ["K1-0"]
    assert absences_between(city, DAY, DAY, tz=TZ, unit="%") == []  # wildcards are literal


def test_a_replan_of_one_county_keeps_the_others_and_takes_the_absent_off(city: Session) -> None:
    add_absence(city, badge="K1-0", start=at(0), end=at(24), kind="sick", note="", tz=TZ)
    assert county_of(city, "K1-0") == "K1"
    inputs = replan_inputs(
        city, start=DAY, days=1, county="K1", tz=TZ, now=at(0) - dt.timedelta(days=400)
    )
    assert {p.id for p in inputs.scenario.people} == {"K1-0", "K1-1", "K1-2"}
    assert {a.person_id for a in inputs.scenario.published_plan} == {"K1-0", "K1-1", "K1-2"}
    assert {(a.person_id, a.target_id) for a in inputs.untouched} == {
        (p, t) for p, _, t in PLAN if p.startswith("K2")
    }
    assert inputs.since == at(0)
    result = replan_patrol(inputs.scenario, inputs.since, FAST)
    assert check_plan(inputs.scenario, result.assignments) == []
    assert "K1-0" not in {a.person_id for a in result.assignments}
    assert result.diff is not None
    assert [(a.person_id, a.target_id) for a in result.diff.removed] == [("K1-0", "K1-A")]


def test_a_deactivated_person_is_never_planned(city: Session) -> None:
    person = city.exec(select(Person).where(Person.badge == "K1-2")).one()
    person.active = False
    city.add(person)
    city.flush()
    scenario = export_scenario(city, start=DAY, days=1, tz=TZ)
    assert "K1-2" not in {p.id for p in scenario.people}
    assert "K1-1" in {p.id for p in scenario.people}


def test_days_without_a_published_plan_cannot_be_replanned(city: Session) -> None:
    from rosters.replan import ReplanError

    later = DAY + dt.timedelta(days=10)
    with pytest.raises(ReplanError, match="no published plan"):
        replan_inputs(city, start=later, days=1, county=None, tz=TZ, now=at(0))
