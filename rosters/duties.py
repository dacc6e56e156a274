"""One person's duties: their shifts in the published plans of the coming days, with where
each takes place (a post's position, a zone's shape, the county for standby), and their
unit — what an officer's page "my duties" shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from rosters.absences import assignment_times, shift_times
from rosters.models import Jurisdiction, Person, Post, Unit, Zone
from rosters.plans import published_assignments


@dataclass(frozen=True)
class Duty:
    date: dt.date
    shift_id: str
    shift_name: str
    start: dt.datetime
    end: dt.datetime
    task: str
    target_id: str
    target_name: str
    #: a point to show it at (lon, lat), when known
    point: tuple[float, float] | None
    #: a zone's GeoJSON geometry, when the duty is patrolling a zone
    geometry: dict[str, Any] | None


def person_duties(session: Session, badge: str, start: dt.date, days: int) -> list[Duty]:
    """The person's assignments in the published plans of [start, start+days), by time."""
    mine = [a for a in published_assignments(session, start, days) if a.person_id == badge]
    if not mine:
        return []
    shifts = shift_times(session)
    targets = {a.target_id for a in mine}
    posts = {
        p.code: p
        for p in session.execute(select(Post).where(Post.code.in_(targets))).scalars()  # type: ignore[attr-defined]
    }
    zones = {
        z.code: z
        for z in session.execute(select(Zone).where(Zone.code.in_(targets))).scalars()  # type: ignore[attr-defined]
    }
    counties = {
        j.code: j
        for j in session.execute(
            select(Jurisdiction).where(Jurisdiction.code.in_(targets))  # type: ignore[attr-defined]
        ).scalars()
    }
    out = []
    for a in mine:
        begin, end = assignment_times(a, shifts)
        name, point, geometry = a.target_id, None, None
        if a.target_id in posts:
            post = posts[a.target_id]
            name, point = post.name, (post.lon, post.lat)
        elif a.target_id in zones:
            zone = zones[a.target_id]
            name, geometry = zone.name, zone.geometry
            if zone.centroid_lon is not None and zone.centroid_lat is not None:
                point = (zone.centroid_lon, zone.centroid_lat)
        elif a.target_id in counties:
            county = counties[a.target_id]
            name = county.name
            if county.centroid_lon is not None and county.centroid_lat is not None:
                point = (county.centroid_lon, county.centroid_lat)
        out.append(
            Duty(
                a.date,
                a.shift_id,
                shifts.get(a.shift_id, (a.shift_id,))[0],
                begin,
                end,
                a.task.value,
                a.target_id,
                name,
                point,
                geometry,
            )
        )
    return sorted(out, key=lambda d: (d.start, d.target_id))


@dataclass(frozen=True)
class PersonUnit:
    person: Person
    unit: Unit | None
    jurisdiction: Jurisdiction | None


def person_and_unit(session: Session, badge: str) -> PersonUnit | None:
    person = session.execute(select(Person).where(Person.badge == badge)).scalar()
    if person is None:
        return None
    unit = session.get(Unit, person.unit_id) if person.unit_id else None
    return PersonUnit(person, unit, session.get(Jurisdiction, person.jurisdiction_id))
