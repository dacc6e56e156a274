"""Publishing a plan supersedes the county-days it covers in older published plans: a
county-day has at most one published plan, and the live plan is read from the one that
stands (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from optimizer.scenario import Assignment, TaskKind, parse_scenario
from rosters.plans import (
    publish_diff,
    publish_superseding,
    published_assignments,
    save_plan,
    superseded_days,
)
from rosters.scenario_db import load_scenario_into_db
from tests.api.city import DAY, city_data

NEXT = DAY + dt.timedelta(days=1)


def _a(person: str, shift: str, target: str, day: dt.date = DAY) -> Assignment:
    return Assignment(
        person_id=person, date=day, shift_id=shift, task=TaskKind.POST, target_id=target
    )


def _plan(session: Session, name: str, days: int, plan: list[Assignment]) -> int:
    return save_plan(session, name=name, start=DAY, days=days, status="feasible", assignments=plan)


def _live(session: Session) -> set[tuple[str, dt.date, str, str]]:
    return {
        (a.person_id, a.date, a.shift_id, a.target_id)
        for a in published_assignments(session, DAY, 2)
    }


def test_publishing_supersedes_only_the_county_days_it_covers(session: Session) -> None:
    load_scenario_into_db(session, parse_scenario(city_data()), replace=True)
    # a city plan of two days: both counties on both days
    city = _plan(
        session,
        "city",
        2,
        [
            _a("K1-0", "day", "K1-A"),
            _a("K2-0", "day", "K2-A"),
            _a("K1-0", "day", "K1-A", NEXT),
            _a("K2-0", "day", "K2-A", NEXT),
        ],
    )
    assert publish_superseding(session, city, by="a").superseded == {}
    # then K1's plan of the first day
    k1 = _plan(session, "K1 day 1", 1, [_a("K1-1", "night", "K1-A")])
    diff = publish_diff(session, k1)
    assert diff.added == [_a("K1-1", "night", "K1-A")]
    assert diff.removed == [_a("K1-0", "day", "K1-A")]  # K2 and the second day untouched
    done = publish_superseding(session, k1, by="b")
    assert done.superseded == {city: [("K1", DAY)]}
    assert _live(session) == {
        ("K1-1", DAY, "night", "K1-A"),
        ("K2-0", DAY, "day", "K2-A"),
        ("K1-0", NEXT, "day", "K1-A"),
        ("K2-0", NEXT, "day", "K2-A"),
    }
    assert superseded_days(session, city) == {k1: 1}
    # publishing the city plan again takes its county-day back
    again = publish_superseding(session, city, by="a")
    assert again.superseded == {k1: [("K1", DAY)]}
    assert superseded_days(session, city) == {}
    assert ("K1-0", DAY, "day", "K1-A") in _live(session)
    assert ("K1-1", DAY, "night", "K1-A") not in _live(session)
