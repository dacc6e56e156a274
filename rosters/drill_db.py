"""The drill section of a scenario ⇄ the drill tables.

`load_drills` writes `scenario.drills` (inside the caller's transaction, after the roster:
codes are resolved through the roster's new row ids); `export_drills` reads it back for a
horizon, narrowed to the exported subtree; `drill_absences` turns the drills that are
scheduled in the horizon into absences of kind `drill` for the people taking part (the unit
members of the drill's forces, and the instructor), so the patrol plan keeps them free.

Every session that starts before the horizon's end is exported: done and missed drills decide
what is due, the minimum gaps and when a renewed certificate lapses, and a scenario file
round-trips."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlmodel import Session, SQLModel

from optimizer import drill_format as df
from optimizer import scenario as sc
from rosters.models.drills import (
    Blackout,
    BlackoutJurisdiction,
    CalendarDay,
    DrillReminder,
    DrillRequirement,
    DrillRequirementUnit,
    DrillSchedule,
    DrillSession,
    DrillSessionUnit,
    DrillSettingsRow,
    DrillType,
    Instructor,
    InstructorAway,
    Venue,
)

DRILL_NOTE = "drill session "  # note of a generated absence: "drill session <id>"

#: every drill table, children before parents (the order to delete in)
DRILL_TABLES: tuple[type[SQLModel], ...] = (
    DrillReminder,
    DrillSessionUnit,
    DrillSession,
    DrillSchedule,
    DrillRequirementUnit,
    DrillRequirement,
    DrillType,
    InstructorAway,
    Instructor,
    BlackoutJurisdiction,
    Blackout,
    Venue,
    CalendarDay,
    DrillSettingsRow,
)


@dataclass
class RosterIds:
    """Codes of the roster → row ids (as the loader just inserted them)."""

    jurisdictions: dict[str, int]
    units: dict[str, int]
    people: dict[str, int]


def aware(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=zone)


def local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A stored time as the scenario's naive local time (SQLite hands back naive UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone).replace(tzinfo=None)


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> dict[str, int]:
    if not rows:
        return {}
    table = model.__table__  # type: ignore[attr-defined]
    if "code" in table.c:
        result = session.execute(insert(table).returning(table.c.id, table.c.code), rows)
        return {code: rid for rid, code in result}
    session.execute(insert(table), rows)
    return {}


def load_drills(
    session: Session, d: df.DrillSetup, ids: RosterIds, zone: ZoneInfo
) -> dict[str, int]:
    """Write a (reference-checked) drill section; returns row counts."""
    type_ids = _insert(
        session,
        DrillType,
        [
            {
                "code": t.id,
                "name": t.name,
                "kind": t.kind.value,
                "hours": t.hours,
                "forces": [f.value for f in t.forces],
                "headcount": t.headcount,
                "min_attendance": t.min_attendance,
                "venue_kind": t.venue_kind,
                "instructor_skill": t.instructor_skill,
                "whole_squad": t.whole_squad,
                "renews": t.renews,
                "renews_days": t.renews_days,
            }
            for t in d.types
        ],
    )
    req_ids = _insert(
        session,
        DrillRequirement,
        [
            {
                "code": r.id,
                "drill_type_id": type_ids[r.drill_type_id],
                "count": r.count,
                "per": r.per,
                "min_gap_days": r.min_gap_days,
                "preferred_weekdays": list(r.preferred_weekdays),
                "hard": r.hard,
                "weight": r.weight,
            }
            for r in d.requirements
        ],
    )
    _insert(
        session,
        DrillRequirementUnit,
        [
            {"requirement_id": req_ids[r.id], "unit_id": ids.units[u], "position": k}
            for r in d.requirements
            for k, u in enumerate(r.unit_ids)
        ],
    )
    venue_ids = _insert(
        session,
        Venue,
        [
            {
                "code": v.id,
                "name": v.name,
                "kind": v.kind,
                "jurisdiction_id": ids.jurisdictions[v.jurisdiction_id],
                "lon": v.location[0] if v.location else None,
                "lat": v.location[1] if v.location else None,
                "capacity": v.capacity,
                "open_from": v.open_from,
                "open_until": v.open_until,
                "weekdays": list(v.weekdays),
            }
            for v in d.venues
        ],
    )
    ins_ids = _insert(
        session,
        Instructor,
        [
            {
                "code": i.id,
                "name": i.name,
                "person_id": ids.people[i.person_id] if i.person_id else None,
                "jurisdiction_id": ids.jurisdictions[i.jurisdiction_id]
                if i.jurisdiction_id
                else None,
                "skills": list(i.skills),
            }
            for i in d.instructors
        ],
    )
    _insert(
        session,
        InstructorAway,
        [
            {"instructor_id": ins_ids[i.id], "start_at": aware(a, zone), "end_at": aware(b, zone)}
            for i in d.instructors
            for a, b in i.unavailable
        ],
    )
    blackout_ids = _insert(
        session,
        Blackout,
        [
            {
                "code": b.id,
                "name": b.name,
                "start_at": aware(b.start, zone),
                "end_at": aware(b.end, zone),
                "kinds": [k.value for k in b.kinds],
            }
            for b in d.blackouts
        ],
    )
    _insert(
        session,
        BlackoutJurisdiction,
        [
            {
                "blackout_id": blackout_ids[b.id],
                "jurisdiction_id": ids.jurisdictions[j],
                "position": k,
            }
            for b in d.blackouts
            for k, j in enumerate(b.jurisdiction_ids)
        ],
    )
    _insert(
        session,
        CalendarDay,
        [{"date": c.date, "working": c.working, "name": c.name} for c in d.calendar],
    )
    if d.settings != df.DrillSettings():
        _insert(session, DrillSettingsRow, [{"body": d.settings.model_dump(mode="json")}])
    session_ids = _insert(
        session,
        DrillSession,
        [
            {
                "code": s.id,
                "occurrence": s.occurrence,
                "requirement_id": req_ids[s.requirement_id],
                "drill_type_id": type_ids[s.drill_type_id],
                "start_at": aware(s.start, zone),
                "end_at": aware(s.end, zone),
                "venue_id": venue_ids[s.venue_id] if s.venue_id else None,
                "instructor_id": ins_ids[s.instructor_id] if s.instructor_id else None,
                "participants": s.participants,
                "status": s.status.value,
                "note": s.note,
                "updated_by": "import",
            }
            for s in d.sessions
        ],
    )
    _insert(
        session,
        DrillSessionUnit,
        [
            {"session_id": session_ids[s.id], "unit_id": ids.units[u], "position": k}
            for s in d.sessions
            for k, u in enumerate(s.unit_ids)
        ],
    )
    return {
        "drill_types": len(d.types),
        "drill_requirements": len(d.requirements),
        "venues": len(d.venues),
        "instructors": len(d.instructors),
        "blackouts": len(d.blackouts),
        "calendar_days": len(d.calendar),
        "drill_sessions": len(d.sessions),
    }


def _links(
    session: Session, model: type[SQLModel], owner: str, target: str
) -> dict[int, list[int]]:
    """owner id → target ids, in their stored order."""
    out: dict[int, list[int]] = defaultdict(list)
    col = getattr(model, owner)
    rows = session.exec(select(model).order_by(col, model.position))  # type: ignore[call-overload,attr-defined]
    for link in rows.scalars():
        out[getattr(link, owner)].append(getattr(link, target))
    return out


def drill_settings(session: Session) -> df.DrillSettings:
    row = session.exec(select(DrillSettingsRow).order_by(DrillSettingsRow.id)).scalars().first()  # type: ignore[call-overload,arg-type]
    return df.DrillSettings.model_validate(row.body) if row else df.DrillSettings()


def session_units(session: Session, ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(ids)
    out: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return out
    link = DrillSessionUnit
    rows = session.execute(
        select(link.session_id, link.unit_id)  # type: ignore[call-overload]
        .where(link.session_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(link.session_id, link.position)
    )
    for session_id, unit_id in rows:
        out[session_id].append(unit_id)
    return out


def export_drills(
    session: Session,
    *,
    jurisdictions: dict[int, str],
    units: dict[int, str],
    people: dict[int, str],
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
) -> df.DrillSetup:
    """The drill section for the exported roster: `jurisdictions`, `units` and `people` map
    the exported rows' ids to their codes (a county export passes its subtree and ancestors).
    Duties and sessions of units outside the export are left out."""
    types = list(session.exec(select(DrillType).order_by(DrillType.id)).scalars())  # type: ignore[call-overload,arg-type]
    tcode = {t.id: t.code for t in types}
    req_units = _links(session, DrillRequirementUnit, "requirement_id", "unit_id")
    reqs = [
        r
        for r in session.exec(select(DrillRequirement).order_by(DrillRequirement.id)).scalars()  # type: ignore[call-overload,arg-type]
        if req_units[r.id] and all(u in units for u in req_units[r.id])
    ]
    rcode = {r.id: r.code for r in reqs}
    venues = [
        v
        for v in session.exec(select(Venue).order_by(Venue.id)).scalars()  # type: ignore[call-overload,arg-type]
        if v.jurisdiction_id in jurisdictions
    ]
    vcode = {v.id: v.code for v in venues}
    instructors = [
        i
        for i in session.exec(select(Instructor).order_by(Instructor.id)).scalars()  # type: ignore[call-overload,arg-type]
        if i.jurisdiction_id is None or i.jurisdiction_id in jurisdictions
    ]
    icode = {i.id: i.code for i in instructors}
    away: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for a in session.exec(select(InstructorAway).order_by(InstructorAway.id)).scalars():  # type: ignore[call-overload,arg-type]
        away[a.instructor_id].append((local(a.start_at, zone), local(a.end_at, zone)))
    blackout_jurs = _links(session, BlackoutJurisdiction, "blackout_id", "jurisdiction_id")
    blackouts = []
    for b in session.exec(select(Blackout).order_by(Blackout.id)).scalars():  # type: ignore[call-overload,arg-type]
        where = blackout_jurs[b.id]
        inside = [jurisdictions[j] for j in where if j in jurisdictions]
        if where and not inside:
            continue  # a blackout of other counties only
        blackouts.append(
            df.Blackout(
                id=b.code,
                name=b.name,
                start=local(b.start_at, zone),
                end=local(b.end_at, zone),
                kinds=b.kinds,  # type: ignore[arg-type]
                jurisdiction_ids=inside,
            )
        )
    rows = list(
        session.exec(
            select(DrillSession)  # type: ignore[call-overload]
            .where(DrillSession.start_at < aware(end, zone))  # type: ignore[operator]
            .order_by(DrillSession.id)  # as loaded and published: a file round-trips
        ).scalars()
    )
    s_units = session_units(session, [s.id for s in rows])
    sessions = [
        df.DrillSession(
            id=s.code,
            occurrence=s.occurrence,
            requirement_id=rcode[s.requirement_id],
            drill_type_id=tcode[s.drill_type_id],
            unit_ids=[units[u] for u in s_units[s.id]],
            start=local(s.start_at, zone),
            end=local(s.end_at, zone),
            venue_id=vcode.get(s.venue_id) if s.venue_id else None,
            instructor_id=icode.get(s.instructor_id) if s.instructor_id else None,
            participants=s.participants,
            status=s.status,  # type: ignore[arg-type]
            note=s.note,
        )
        for s in rows
        if s.requirement_id in rcode and all(u in units for u in s_units[s.id])
    ]
    return df.DrillSetup(
        types=[
            df.DrillType(
                id=t.code,
                name=t.name,
                kind=t.kind,  # type: ignore[arg-type]
                hours=t.hours,
                forces=t.forces,  # type: ignore[arg-type]
                headcount=t.headcount,
                min_attendance=t.min_attendance,
                venue_kind=t.venue_kind,
                instructor_skill=t.instructor_skill,
                whole_squad=t.whole_squad,
                renews=t.renews,
                renews_days=t.renews_days,
            )
            for t in types
        ],
        requirements=[
            df.DrillRequirement(
                id=r.code,
                drill_type_id=tcode[r.drill_type_id],
                unit_ids=[units[u] for u in req_units[r.id]],
                count=r.count,
                per=r.per,  # type: ignore[arg-type]
                min_gap_days=r.min_gap_days,
                preferred_weekdays=r.preferred_weekdays,
                hard=r.hard,
                weight=r.weight,
            )
            for r in reqs
        ],
        venues=[
            df.Venue(
                id=v.code,
                name=v.name,
                kind=v.kind,
                jurisdiction_id=jurisdictions[v.jurisdiction_id],
                location=(v.lon, v.lat) if v.lon is not None and v.lat is not None else None,
                capacity=v.capacity,
                open_from=v.open_from,
                open_until=v.open_until,
                weekdays=v.weekdays,
            )
            for v in venues
        ],
        instructors=[
            df.Instructor(
                id=i.code,
                name=i.name,
                person_id=people.get(i.person_id) if i.person_id else None,
                skills=i.skills,
                jurisdiction_id=jurisdictions[i.jurisdiction_id] if i.jurisdiction_id else None,
                unavailable=away[i.id],
            )
            for i in instructors
        ],
        blackouts=blackouts,
        calendar=[
            df.CalendarDay(date=c.date, working=c.working, name=c.name)
            for c in session.exec(select(CalendarDay).order_by(CalendarDay.date)).scalars()  # type: ignore[call-overload,arg-type]
        ],
        sessions=sessions,
        settings=drill_settings(session),
    )


def participants(s: sc.Scenario, session: df.DrillSession) -> list[str]:
    """The people a drill session takes: the members of its units (a squad's members count
    for its parent unit too) whose force takes part in the drill type. A drill with a
    headcount below that does not name its people, so all of them are counted."""
    dtype = {t.id: t for t in s.drills.types}[session.drill_type_id]
    units = s.by_id("units")
    members: dict[str, list[str]] = defaultdict(list)
    for p in s.people:
        u = p.unit_id
        while u is not None:
            members[u].append(p.id)
            u = units[u].parent_id
    force = {p.id: p.force for p in s.people}
    out: list[str] = []
    for u in session.unit_ids:
        out += [p for p in members[u] if force[p] in dtype.forces and p not in out]
    return out


def drill_absences(s: sc.Scenario) -> list[sc.Absence]:
    """Absences (kind `drill`) for the drills scheduled (or done) in the horizon: the
    participants and the instructor, while the drill runs."""
    start = dt.datetime.combine(s.horizon.start, dt.time())
    end = start + dt.timedelta(days=s.horizon.days)
    instructors = {i.id: i for i in s.drills.instructors}
    known = {p.id for p in s.people}
    out = []
    for x in s.drills.sessions:
        if x.status not in (df.SessionStatus.SCHEDULED, df.SessionStatus.DONE):
            continue
        if not (x.start < end and start < x.end):
            continue
        people = participants(s, x)
        ins = instructors.get(x.instructor_id or "")
        if ins is not None and ins.person_id in known and ins.person_id not in people:
            people.append(ins.person_id)
        out += [
            sc.Absence(
                person_id=p,
                start=x.start,
                end=x.end,
                kind=sc.AbsenceKind.DRILL,
                note=f"{DRILL_NOTE}{x.id}",
            )
            for p in people
        ]
    return out


def is_generated(a: sc.Absence, session_ids: set[str]) -> bool:
    """An absence `drill_absences` made (not written back when a scenario is loaded)."""
    return (
        a.kind == sc.AbsenceKind.DRILL
        and a.note.startswith(DRILL_NOTE)
        and a.note[len(DRILL_NOTE) :] in session_ids
    )
