"""The roster as the dispatch models read it: a scenario built from the database (forces,
people with skills, vehicles, geography, posts, zones, standby floors, absences around now).

Only what dispatch needs is read; the full scenario export belongs to `rosters/`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlmodel import Session, select

from optimizer.scenario import (
    Absence,
    Certification,
    Horizon,
    Jurisdiction,
    Person,
    Post,
    Scenario,
    StandbyFloor,
    Unit,
    Vehicle,
    Zone,
)
from rosters import models as m


def _ll(lon: float | None, lat: float | None) -> tuple[float, float] | None:
    return (lon, lat) if lon is not None and lat is not None else None


def dispatch_scenario(session: Session, day: dt.date) -> Scenario:
    """A one-day scenario of everything a suggestion or a backfill reads."""
    jur = session.exec(select(m.Jurisdiction)).all()
    code = {j.id: j.code for j in jur}
    units = session.exec(select(m.Unit)).all()
    ucode = {u.id: u.code for u in units}
    people = session.exec(select(m.Person)).all()
    pcode = {p.id: p.badge for p in people}
    certs: dict[int, list[Certification]] = defaultdict(list)
    for c in session.exec(select(m.Certification)).all():
        certs[c.person_id].append(Certification(skill=c.skill, expires=c.expires))
    start = dt.datetime.combine(day, dt.time()) - dt.timedelta(days=1)
    absences = [
        Absence(
            person_id=pcode[a.person_id],
            start=a.start_at.replace(tzinfo=None),
            end=a.end_at.replace(tzinfo=None),
            kind=a.kind,
        )
        for a in session.exec(select(m.Absence)).all()
        if a.end_at.replace(tzinfo=None) >= start
    ]
    return Scenario(
        name="dispatch",
        horizon=Horizon(start=day, days=1),
        jurisdictions=[
            Jurisdiction(
                id=j.code,
                name=j.name,
                level=j.level,
                parent_id=code.get(j.parent_id) if j.parent_id else None,
                centroid=_ll(j.centroid_lon, j.centroid_lat),
            )
            for j in jur
        ],
        units=[
            Unit(
                id=u.code,
                name=u.name,
                force=u.force,
                jurisdiction_id=code[u.jurisdiction_id],
                parent_id=ucode.get(u.parent_id) if u.parent_id else None,
                squad=u.squad,
                base=_ll(u.base_lon, u.base_lat),
            )
            for u in units
        ],
        people=[
            Person(
                id=p.badge,
                name=p.name,
                force=p.force,
                unit_id=ucode.get(p.unit_id) if p.unit_id else None,
                jurisdiction_id=code[p.jurisdiction_id],
                armed=p.armed,
                skills=certs.get(p.id, []),  # type: ignore[arg-type]
            )
            for p in people
        ],
        vehicles=[
            Vehicle(id=v.code, kind=v.kind, unit_id=ucode[v.unit_id], seats=v.seats)
            for v in session.exec(select(m.Vehicle)).all()
        ],
        absences=absences,
        posts=[
            Post(
                id=p.code,
                name=p.name,
                kind=p.kind,
                jurisdiction_id=code[p.jurisdiction_id],
                location=(p.lon, p.lat),
                hours=[tuple(h) for h in p.hours],  # type: ignore[misc]
                min_staff=p.min_staff,
                min_armed=p.min_armed,
            )
            for p in session.exec(select(m.Post)).all()
        ],
        zones=[
            Zone(
                id=z.code,
                name=z.name,
                jurisdiction_id=code[z.jurisdiction_id],
                centroid=_ll(z.centroid_lon, z.centroid_lat),
                risk=z.risk,
                min_presence=z.min_presence,
            )
            for z in session.exec(select(m.Zone)).all()
        ],
        standby=[
            StandbyFloor(
                jurisdiction_id=code[f.jurisdiction_id],
                forces=f.forces,  # type: ignore[arg-type]
                min_share=f.min_share,
                min_count=f.min_count,
            )
            for f in session.exec(select(m.StandbyFloor)).all()
        ],
    )
