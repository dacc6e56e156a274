"""Model constraints hold in the database itself (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from rosters.models import Absence, Certification, Jurisdiction, Person, Post, Unit


def _city(session: Session) -> Jurisdiction:
    city = Jurisdiction(code="C", name="张掖市", level="city", population=1_200_000)
    session.add(city)
    session.flush()
    return city


def test_roster_rows_round_trip_with_chinese(session: Session) -> None:
    city = _city(session)
    county = Jurisdiction(code="C-1", name="甘州区", level="county", parent_id=city.id)
    session.add(county)
    session.flush()
    unit = Unit(code="XT-1", name="甘州巡特警大队", force="patrol_swat", jurisdiction_id=county.id)
    session.add(unit)
    session.flush()
    person = Person(
        badge="620001",
        name="王伟",
        force="patrol_swat",
        unit_id=unit.id,
        jurisdiction_id=county.id,
        armed=True,
    )
    session.add(person)
    session.flush()
    session.add(
        Certification(person_id=person.id, skill="riot_control", expires=dt.date(2027, 6, 30))
    )
    session.commit()
    got = session.exec(select(Person).where(Person.badge == "620001")).one()
    assert (got.name, got.armed, got.unit_id) == ("王伟", True, unit.id)


@pytest.mark.parametrize(
    "row",
    [
        lambda c: Jurisdiction(code="X", name="x", level="province"),
        lambda c: Jurisdiction(code="X", name="x", level="county", population=-1),
        lambda c: Jurisdiction(code="X", name="x", level="county", centroid_lon=100.0),
        lambda c: Unit(code="U", name="u", force="army", jurisdiction_id=c.id),
        lambda c: Unit(code="U", name="u", force="volunteer", jurisdiction_id=99_999),
        lambda c: Post(
            code="P",
            name="p",
            kind="checkpoint",
            lon=200.0,
            lat=39.0,
            jurisdiction_id=c.id,
            hours=[[0, 24]],
        ),
        lambda c: Post(
            code="P",
            name="p",
            kind="checkpoint",
            lon=100.0,
            lat=39.0,
            min_staff=2,
            min_armed=3,
            jurisdiction_id=c.id,
            hours=[[0, 24]],
        ),
        lambda c: Post(
            code="P",
            name="p",
            kind="tower",
            lon=100.0,
            lat=39.0,
            jurisdiction_id=c.id,
            hours=[[0, 24]],
        ),
        lambda c: Jurisdiction(code="C", name="duplicate code", level="county"),
    ],
    ids=[
        "bad-level",
        "negative-population",
        "half-coordinate",
        "bad-force",
        "dangling-fk",
        "lon-out-of-range",
        "armed-above-staff",
        "bad-post-kind",
        "duplicate-code",
    ],
)
def test_database_refuses_bad_rows(session: Session, row) -> None:  # type: ignore[no-untyped-def]
    city = _city(session)
    session.add(row(city))
    with pytest.raises(IntegrityError):
        session.flush()


def test_absence_must_end_after_start(session: Session) -> None:
    city = _city(session)
    person = Person(badge="1", name="李娜", force="volunteer", jurisdiction_id=city.id)
    session.add(person)
    session.flush()
    start = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    session.add(Absence(person_id=person.id, start_at=start, end_at=start, kind="sick"))
    with pytest.raises(IntegrityError):
        session.flush()
