"""Drill schedules and sessions in the database.

- `save_schedule`: keep a drill scheduler result as a draft schedule (its sessions as JSON);
- `publish_schedule`: write a draft's sessions to `drill_session` by session id — a session
  already published is updated in place (same id, its revision +1 when it moved), a new one
  is added, and a published future session of the schedule's duties that the draft no longer
  holds becomes cancelled; the schedule gets the next revision number;
- `record_session`: a session was done, missed or cancelled (a missed or cancelled drill is
  due again: the scheduler reads the statuses);
- `list_sessions`: by unit, venue, time window and status;
- `load_holiday_notice`: the State Council's notice for one year (replaces that year's days);
- `make_reminders`: each unit's drills of the next days, kept as one reminder per unit and day.

Every function checks its input first and raises `DrillError` (field, message) before
writing; the caller's transaction commits or rolls back as a whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, literal_column, select, union_all
from sqlmodel import Session

from optimizer import drill_format as df
from optimizer.drills import DrillResult
from optimizer.drills.names import CalendarNames
from optimizer.messages import Lang, msg, render_msg, status_msg
from optimizer.result import SolveStatus
from optimizer.scenario import Scenario
from rosters.db import newest_first, published_is
from rosters.drill_db import aware, drill_settings, local, session_units
from rosters.models import Unit
from rosters.models.drills import (
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
    Venue,
)

S = df.SessionStatus
#: status → the statuses it may be recorded as next
TRANSITIONS: dict[S, frozenset[S]] = {
    S.SCHEDULED: frozenset({S.DONE, S.MISSED, S.CANCELLED}),
    S.DONE: frozenset({S.MISSED}),  # corrections
    S.MISSED: frozenset({S.DONE}),
    S.CANCELLED: frozenset(),
}


class DrillError(ValueError):
    """Bad input for a drill operation; `problems` are (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in problems[:10]))

    def field_errors(self) -> list[dict[str, Any]]:
        return [
            {"loc": ["body", *f.split(".")] if f else ["body"], "msg": m} for f, m in self.problems
        ]


class StaleDraft(DrillError):
    """A draft whose sessions were recorded (done, missed, cancelled) since it was made."""

    def __init__(self, stale: list[tuple[int, str, str]]) -> None:
        self.codes = [code for _, code, _ in stale]
        super().__init__(
            [
                (f"sessions.{i}.id", f"session '{code}' is already {status}: make a new schedule")
                for i, code, status in stale
            ]
        )


class DrillNotFound(LookupError):
    """No such schedule or session."""


class DrillConflict(ValueError):
    """The operation does not fit the record's state (already published, already cancelled…).
    `message` is the sentence as code and parameters (`optimizer.messages`); str() is English."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.message = msg(code, **params)
        super().__init__(render_msg(self.message, "en"))

    def text(self, lang: Lang) -> str:
        return render_msg(self.message, lang)


@dataclass
class PublishReport:
    schedule_id: int
    revision: int
    added: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


# --- lookups --------------------------------------------------------------------------


def _ids(session: Session, model: Any, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = session.execute(select(model.code, model.id).where(model.code.in_(codes))).all()
    return dict(rows)  # type: ignore[arg-type]


def _codes(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(select(model.id, model.code).where(model.id.in_(ids))).all()
    return dict(rows)  # type: ignore[arg-type]


def _codes_at_once(session: Session, *wanted: tuple[Any, set[int]]) -> list[dict[int, str]]:
    """`_codes` of several tables in one query (UNION ALL), in the order asked."""
    out: list[dict[int, str]] = [{} for _ in wanted]
    parts = [
        select(literal_column(str(k)), model.id, model.code).where(model.id.in_(ids))
        for k, (model, ids) in enumerate(wanted)
        if ids
    ]
    if parts:
        for k, rid, code in session.execute(union_all(*parts)):
            out[k][rid] = code
    return out


@dataclass
class _Refs:
    requirements: dict[str, int]
    types: dict[str, int]
    units: dict[str, int]
    venues: dict[str, int]
    instructors: dict[str, int]


def _resolve(session: Session, sessions: Sequence[df.DrillSession], where: str) -> _Refs:
    """Row ids of every code the sessions name; DrillError listing the unknown ones."""
    refs = _Refs(
        _ids(session, DrillRequirement, {s.requirement_id for s in sessions}),
        _ids(session, DrillType, {s.drill_type_id for s in sessions}),
        _ids(session, Unit, {u for s in sessions for u in s.unit_ids}),
        _ids(session, Venue, {s.venue_id for s in sessions if s.venue_id}),
        _ids(session, Instructor, {s.instructor_id for s in sessions if s.instructor_id}),
    )
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, s in enumerate(sessions):
        p = f"{where}.{i}"
        if s.id in seen:
            problems.append((f"{p}.id", f"session '{s.id}' listed twice"))
        seen.add(s.id)
        checks = [
            ("requirement_id", s.requirement_id, refs.requirements, "drill requirement"),
            ("drill_type_id", s.drill_type_id, refs.types, "drill type"),
            ("venue_id", s.venue_id, refs.venues, "venue"),
            ("instructor_id", s.instructor_id, refs.instructors, "instructor"),
        ]
        checks += [("unit_ids", u, refs.units, "unit") for u in s.unit_ids]
        for name, code, known, what in checks:
            if code is not None and code not in known:
                problems.append((f"{p}.{name}", f"unknown {what} '{code}'"))
        if s.end <= s.start:
            problems.append((f"{p}.end", "must be after start"))
    if problems:
        raise DrillError(problems)
    return refs


# --- schedules ------------------------------------------------------------------------


def save_schedule(
    session: Session,
    result: DrillResult,
    *,
    name: str,
    start: dt.date,
    days: int,
    requirements: Sequence[str],
    county: str | None = None,
    created_by: str = "",
) -> DrillSchedule:
    """Keep a scheduler result as a draft schedule. `requirements` are the duties the solve
    covered: publishing cancels only their sessions that the schedule drops."""
    _resolve(session, result.sessions, "sessions")
    summary = result.model_dump(mode="json", exclude={"sessions"})
    summary["requirements"] = sorted(requirements)
    row = DrillSchedule(
        name=name,
        start=start,
        days=days,
        county=county,
        status=result.status.value,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        summary=summary,
        sessions=[s.model_dump(mode="json") for s in result.sessions],
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def list_schedules(
    session: Session, *, published: bool | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[DrillSchedule], int]:
    """Schedules, newest first (only the published or only the drafts when asked)."""
    conditions = published_is(DrillSchedule.published_at, published)
    return newest_first(session, DrillSchedule, conditions, limit, offset)


def get_schedule(session: Session, schedule_id: int) -> DrillSchedule:
    row = session.get(DrillSchedule, schedule_id)
    if row is None:
        raise DrillNotFound(f"drill schedule {schedule_id}: no such schedule")
    return row


def _changed(row: DrillSession, values: dict[str, Any]) -> bool:
    def norm(v: Any) -> Any:
        return v.astimezone(dt.UTC) if isinstance(v, dt.datetime) else v

    stored = {k: getattr(row, k) for k in values}
    if isinstance(stored.get("start_at"), dt.datetime) and stored["start_at"].tzinfo is None:
        stored["start_at"] = stored["start_at"].replace(tzinfo=dt.UTC)  # SQLite: naive UTC
        stored["end_at"] = stored["end_at"].replace(tzinfo=dt.UTC)
    return any(norm(stored[k]) != norm(v) for k, v in values.items())


def publish_schedule(session: Session, schedule_id: int, *, tz: str, by: str = "") -> PublishReport:
    """Publish a draft: its sessions replace the published future sessions of its duties in
    its horizon (kept by id), the others of those become cancelled."""
    sched = get_schedule(session, schedule_id)
    if sched.published_at is not None:
        raise DrillConflict("drill.publish.already", id=schedule_id, revision=sched.revision)
    if sched.status not in (SolveStatus.OPTIMAL.value, SolveStatus.FEASIBLE.value):
        raise DrillConflict(
            "drill.publish.no_solution", id=schedule_id, status=status_msg(sched.status)
        )
    zone = ZoneInfo(tz)
    drafts = [df.DrillSession.model_validate(x) for x in sched.sessions]
    refs = _resolve(session, drafts, "sessions")
    named = _ids(session, DrillRequirement, set(sched.summary.get("requirements", [])))
    scope = set(named.values()) | set(refs.requirements.values())
    start = aware(dt.datetime.combine(sched.start, dt.time()), zone)
    end = start + dt.timedelta(days=sched.days)
    existing = {
        r.code: r
        for r in session.exec(  # type: ignore[call-overload]
            select(DrillSession).where(DrillSession.code.in_([d.id for d in drafts]))  # type: ignore[attr-defined]
        ).scalars()
    }
    stale = [
        (i, d.id, existing[d.id].status)
        for i, d in enumerate(drafts)
        if d.id in existing and existing[d.id].status != S.SCHEDULED.value
    ]
    if stale:
        raise StaleDraft(stale)
    revision = (session.execute(select(func.max(DrillSchedule.revision))).scalar() or 0) + 1
    now = dt.datetime.now(dt.UTC)
    report = PublishReport(schedule_id, revision)
    for d in drafts:
        values = {
            "occurrence": d.occurrence,
            "requirement_id": refs.requirements[d.requirement_id],
            "drill_type_id": refs.types[d.drill_type_id],
            "start_at": aware(d.start, zone),
            "end_at": aware(d.end, zone),
            "venue_id": refs.venues[d.venue_id] if d.venue_id else None,
            "instructor_id": refs.instructors[d.instructor_id] if d.instructor_id else None,
            "participants": d.participants,
        }
        row = existing.get(d.id)
        if row is None:
            row = DrillSession(
                code=d.id,
                note=d.note,
                schedule_id=schedule_id,
                updated_at=now,
                updated_by=by,
                **values,
            )
            session.add(row)
            session.flush()
            session.execute(
                insert(DrillSessionUnit),
                [
                    {"session_id": row.id, "unit_id": refs.units[u], "position": k}
                    for k, u in enumerate(d.unit_ids)
                ],
            )
            report.added.append(d.id)
            continue
        row.schedule_id = schedule_id
        if _changed(row, values):
            for k, v in values.items():
                setattr(row, k, v)
            row.revision += 1
            row.updated_at, row.updated_by = now, by
            report.moved.append(d.id)
        else:
            report.unchanged.append(d.id)
        session.add(row)
    keep = {d.id for d in drafts}
    dropped = session.exec(  # type: ignore[call-overload]
        select(DrillSession).where(
            DrillSession.status == S.SCHEDULED.value,
            DrillSession.start_at >= start,  # type: ignore[operator]
            DrillSession.start_at < end,  # type: ignore[operator]
            DrillSession.requirement_id.in_(scope),  # type: ignore[attr-defined]
        )
    ).scalars()
    for row in dropped:
        if row.code in keep:
            continue
        row.status = S.CANCELLED.value
        row.note = f"not in drill schedule revision {revision}"[:256]
        row.revision += 1
        row.updated_at, row.updated_by = now, by
        session.add(row)
        report.cancelled.append(row.code)
    sched.revision = revision
    sched.published_at, sched.published_by = now, by
    session.add(sched)
    session.flush()
    return report


# --- sessions -------------------------------------------------------------------------


def get_session_row(session: Session, code: str) -> DrillSession:
    row = session.exec(select(DrillSession).where(DrillSession.code == code)).scalars().first()  # type: ignore[call-overload,arg-type]
    if row is None:
        raise DrillNotFound(f"drill session '{code}': no such session")
    return row


def record_session(
    session: Session,
    code: str,
    status: df.SessionStatus,
    *,
    note: str | None = None,
    by: str = "",
    now: dt.datetime | None = None,
) -> DrillSession:
    """Record what became of a session: done, missed or cancelled (or correct done ⇄ missed).
    A drill that has not started by `now` (default: the current time) cannot be done."""
    status = df.SessionStatus(status)
    row = get_session_row(session, code)
    current = df.SessionStatus(row.status)
    if status not in TRANSITIONS[current]:
        raise DrillConflict(
            "drill.session.transition",
            code=code,
            current=status_msg(current.value),
            allowed=[status_msg(x) for x in sorted(TRANSITIONS[current])]
            or msg("drill.session.nothing"),
            status=status_msg(status.value),
        )
    now = now or dt.datetime.now(dt.UTC)
    if status == df.SessionStatus.DONE and _utc(row.start_at) > now:
        raise DrillConflict("drill.session.future", code=code, start=_utc(row.start_at).isoformat())
    row.status = status.value
    if note is not None:
        row.note = note
    row.revision += 1
    row.updated_at, row.updated_by = dt.datetime.now(dt.UTC), by
    session.add(row)
    if status == df.SessionStatus.DONE:
        renew_certificates(session, row)
    session.flush()
    return row


def renew_certificates(session: Session, row: DrillSession) -> int:
    """A done drill that renews a certificate extends it for every participant (the members
    of its units, squads included, of the drill's forces) to the drill's day plus the
    type's validity — never shortening one that lasts longer. Returns how many it touched."""
    from rosters.models.forces import Certification, Person

    dtype = session.get(DrillType, row.drill_type_id)
    if dtype is None or not dtype.renews:
        return 0
    units = set(session_units(session, [row.id]).get(row.id, []))  # type: ignore[list-item]
    frontier = set(units)
    while frontier:  # squads of the units take part too
        children = set(
            session.execute(select(Unit.id).where(Unit.parent_id.in_(frontier))).scalars()  # type: ignore[union-attr]
        )
        frontier = children - units
        units |= children
    people = session.execute(
        select(Person.id).where(Person.unit_id.in_(units), Person.force.in_(dtype.forces))  # type: ignore[union-attr,attr-defined]
    ).scalars()
    from rosters.settings import get_settings

    day = local(row.end_at, ZoneInfo(get_settings().timezone)).date()
    until = day + dt.timedelta(days=dtype.renews_days)
    touched = 0
    for pid in people:
        cert = session.execute(
            select(Certification).where(
                Certification.person_id == pid, Certification.skill == dtype.renews
            )
        ).scalar_one_or_none()
        if cert is None:
            session.add(Certification(person_id=pid, skill=dtype.renews, expires=until))
        elif cert.expires is not None and cert.expires < until:
            cert.expires = until
            session.add(cert)
        else:
            continue
        touched += 1
    return touched


def list_sessions(
    session: Session,
    *,
    unit: str | None = None,
    venue: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    status: Sequence[df.SessionStatus] = (),
    code: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[DrillSession], int]:
    """Sessions overlapping [since, until), of a unit (by code) or a venue, by start time."""
    conditions: list[Any] = []
    if unit is not None:
        uid = session.execute(select(Unit.id).where(Unit.code == unit)).scalar()
        linked = select(DrillSessionUnit.session_id).where(DrillSessionUnit.unit_id == (uid or -1))
        conditions.append(DrillSession.id.in_(linked))  # type: ignore[union-attr]
    if venue is not None:
        vid = session.execute(select(Venue.id).where(Venue.code == venue)).scalar()
        conditions.append(DrillSession.venue_id == (vid or -1))
    if since is not None:
        conditions.append(DrillSession.end_at > since)  # type: ignore[operator]
    if until is not None:
        conditions.append(DrillSession.start_at < until)  # type: ignore[operator]
    if status:
        conditions.append(DrillSession.status.in_([df.SessionStatus(s).value for s in status]))  # type: ignore[attr-defined]
    if code is not None:
        conditions.append(DrillSession.code == code)
    stmt = select(DrillSession).where(*conditions).order_by(DrillSession.start_at, DrillSession.id)  # type: ignore[arg-type]
    if limit is not None:
        stmt = stmt.offset(offset).limit(limit)
    rows = list(session.exec(stmt).scalars())  # type: ignore[call-overload]
    if limit is None or (len(rows) < limit and (rows or offset == 0)):  # the last page
        return rows, (offset if limit is not None else 0) + len(rows)
    total = session.execute(
        select(func.count()).select_from(DrillSession).where(*conditions)
    ).scalar_one()
    return rows, int(total)


def sessions_public(session: Session, rows: Sequence[DrillSession]) -> list[dict[str, Any]]:
    """Rows with codes for their references, unit codes, and aware times."""
    units = session_units(session, [r.id for r in rows])  # type: ignore[misc]
    unit_codes, req, types, venues, ins = _codes_at_once(
        session,
        (Unit, {u for us in units.values() for u in us}),
        (DrillRequirement, {r.requirement_id for r in rows}),
        (DrillType, {r.drill_type_id for r in rows}),
        (Venue, {r.venue_id for r in rows if r.venue_id}),
        (Instructor, {r.instructor_id for r in rows if r.instructor_id}),
    )

    def utc(t: dt.datetime) -> dt.datetime:
        return t if t.tzinfo else t.replace(tzinfo=dt.UTC)

    return [
        {
            "id": r.code,
            "occurrence": r.occurrence,
            "requirement": req[r.requirement_id],
            "drill_type": types[r.drill_type_id],
            "units": [unit_codes[u] for u in units[r.id]],  # type: ignore[index]
            "start": utc(r.start_at),
            "end": utc(r.end_at),
            "venue": venues.get(r.venue_id) if r.venue_id else None,
            "instructor": ins.get(r.instructor_id) if r.instructor_id else None,
            "participants": r.participants,
            "status": r.status,
            "note": r.note,
            "schedule_id": r.schedule_id,
            "revision": r.revision,
            "updated_at": utc(r.updated_at),
            "updated_by": r.updated_by,
        }
        for r in rows
    ]


def as_format(public: dict[str, Any], tz: str) -> df.DrillSession:
    """A session as `sessions_public` shows it → the scenario format (local times)."""
    zone = ZoneInfo(tz)
    return df.DrillSession(
        id=public["id"],
        occurrence=public["occurrence"],
        requirement_id=public["requirement"],
        drill_type_id=public["drill_type"],
        unit_ids=public["units"],
        start=local(public["start"], zone),
        end=local(public["end"], zone),
        venue_id=public["venue"],
        instructor_id=public["instructor"],
        participants=public["participants"],
        status=public["status"],
        note=public["note"],
    )


def calendar_sequence(session: Session) -> int:
    """A number that grows with every change to any session or schedule (sessions' revisions
    only grow and sessions are never deleted): the iCalendar SEQUENCE of the events."""
    sessions = session.execute(select(func.coalesce(func.sum(DrillSession.revision), 0))).scalar()
    published = session.execute(select(func.coalesce(func.max(DrillSchedule.revision), 0))).scalar()
    return int(sessions or 0) + int(published or 0)


# --- settings -------------------------------------------------------------------------


def save_drill_settings(session: Session, settings: df.DrillSettings) -> df.DrillSettings:
    """Replace the drill settings (working hours, start times, weights) the solves use."""
    before = drill_settings(session)
    session.execute(delete(DrillSettingsRow))
    session.add(DrillSettingsRow(body=settings.model_dump(mode="json")))
    session.flush()
    return before


# --- the holiday notice ---------------------------------------------------------------


def load_holiday_notice(session: Session, year: int, days: Sequence[df.CalendarDay]) -> int:
    """Replace the year's calendar with the notice's days (holidays and adjusted working
    days); returns how many days it holds."""
    problems: list[tuple[str, str]] = []
    if not 1949 <= year <= 2200:
        problems.append(("year", f"{year} is not a year a notice is for"))
    seen: set[dt.date] = set()
    for i, d in enumerate(days):
        if d.date.year != year:
            problems.append((f"days.{i}.date", f"{d.date} is not in {year}"))
        if d.date in seen:
            problems.append((f"days.{i}.date", f"{d.date} listed twice"))
        seen.add(d.date)
    if problems:
        raise DrillError(problems)
    session.execute(
        delete(CalendarDay).where(
            CalendarDay.date >= dt.date(year, 1, 1),  # type: ignore[operator]
            CalendarDay.date <= dt.date(year, 12, 31),  # type: ignore[operator]
        )
    )
    if days:
        session.execute(
            insert(CalendarDay),
            [{"date": d.date, "working": d.working, "name": d.name} for d in days],
        )
    session.flush()
    return len(days)


def holiday_notice(session: Session, year: int) -> list[df.CalendarDay]:
    rows = session.exec(  # type: ignore[call-overload]
        select(CalendarDay)
        .where(
            CalendarDay.date >= dt.date(year, 1, 1),  # type: ignore[operator]
            CalendarDay.date <= dt.date(year, 12, 31),  # type: ignore[operator]
        )
        .order_by(CalendarDay.date)
    ).scalars()
    return [df.CalendarDay(date=r.date, working=r.working, name=r.name) for r in rows]


def upcoming_by_unit(
    session: Session, since: dt.datetime, until: dt.datetime
) -> dict[str, list[dict[str, Any]]]:
    """Scheduled sessions starting in [since, until), per unit code (a joint drill is listed
    under each of its units)."""
    rows, _ = list_sessions(session, since=since, until=until, status=[S.SCHEDULED])
    rows = [r for r in rows if _utc(r.start_at) >= since]
    out: dict[str, list[dict[str, Any]]] = {}
    for p in sessions_public(session, rows):
        for u in p["units"]:
            out.setdefault(u, []).append(p)
    return out


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def make_reminders(
    session: Session, day: dt.date, days: int, *, tz: str
) -> list[tuple[str, DrillReminder]]:
    """The reminders of `day`: for each unit with scheduled drills in [day, day + days), one
    row listing them. A unit already reminded that day is left alone (runs once)."""
    if days < 1:
        raise DrillError([("days", "at least one day ahead")])
    zone = ZoneInfo(tz)
    since = aware(dt.datetime.combine(day, dt.time()), zone)
    by_unit = upcoming_by_unit(session, since, since + dt.timedelta(days=days))
    ids = _ids(session, Unit, set(by_unit))
    done = set(
        session.execute(
            select(DrillReminder.unit_id).where(DrillReminder.day == day)  # type: ignore[arg-type]
        ).scalars()
    )
    out = []
    for code in sorted(by_unit):
        if ids[code] in done:
            continue
        items = [
            {
                k: v.isoformat() if isinstance(v, dt.datetime) else v
                for k, v in p.items()
                if k in ("id", "drill_type", "start", "end", "venue", "instructor", "units")
            }
            for p in by_unit[code]
        ]
        row = DrillReminder(unit_id=ids[code], day=day, days=days, sessions=items)
        session.add(row)
        out.append((code, row))
    session.flush()
    return out


def list_reminders(
    session: Session,
    *,
    unit: str | None = None,
    day: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    conditions: list[Any] = []
    if unit is not None:
        uid = session.execute(select(Unit.id).where(Unit.code == unit)).scalar()
        conditions.append(DrillReminder.unit_id == (uid or -1))
    if day is not None:
        conditions.append(DrillReminder.day == day)
    total = session.execute(
        select(func.count()).select_from(DrillReminder).where(*conditions)
    ).scalar_one()
    rows = list(
        session.exec(  # type: ignore[call-overload]
            select(DrillReminder)
            .where(*conditions)
            .order_by(DrillReminder.id.desc())  # type: ignore[union-attr]
            .offset(offset)
            .limit(limit)
        ).scalars()
    )
    codes = _codes(session, Unit, {r.unit_id for r in rows})
    items = [
        {
            "id": r.id,
            "at": _utc(r.at),
            "unit": codes[r.unit_id],
            "day": r.day,
            "days": r.days,
            "sessions": r.sessions,
        }
        for r in rows
    ]
    return items, int(total)


def drill_scenario(
    session: Session,
    *,
    start: dt.date,
    days: int,
    tz: str,
    county: str | None = None,
    name: str = "",
) -> Scenario:
    """What the drill scheduler sees of the database: the roster, the drill section and the
    published patrol plan of the horizon — without the scheduled drills as absences (they are
    what is being scheduled)."""
    from rosters.plans import published_assignments
    from rosters.scenario_db import export_scenario

    scenario = export_scenario(
        session,
        start=start,
        days=days,
        county=county,
        name=name or f"drills {start.isoformat()}",
        tz=tz,
        drill_absences=False,
    )
    people = {p.id for p in scenario.people}
    scenario.published_plan = [
        a for a in published_assignments(session, start, days) if a.person_id in people
    ]
    return scenario


def store_schedule(
    session: Session, scenario: Scenario, result: DrillResult, *, publish: bool, by: str
) -> dict[str, Any]:
    """Keep a scheduler result as a draft and, with `publish`, publish it: what happened."""
    from rosters.settings import get_settings

    row = save_schedule(
        session,
        result,
        name=scenario.name,
        start=scenario.horizon.start,
        days=scenario.horizon.days,
        requirements=[r.id for r in scenario.drills.requirements],
        created_by=by,
    )
    out: dict[str, Any] = {"schedule_id": row.id}
    if publish:
        report = publish_schedule(session, row.id, tz=get_settings().timezone, by=by)  # type: ignore[arg-type]
        out |= {
            "published_revision": report.revision,
            "added": len(report.added),
            "moved": len(report.moved),
            "unchanged": len(report.unchanged),
            "cancelled": len(report.cancelled),
        }
    return out


def find_sessions(
    session: Session,
    tz: str,
    *,
    unit: str | None = None,
    venue: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    status: Sequence[df.SessionStatus] = (),
) -> list[df.DrillSession]:
    """The sessions `list_sessions` selects, in the scenario format (local times)."""
    rows, _ = list_sessions(
        session, unit=unit, venue=venue, since=since, until=until, status=status
    )
    return [as_format(p, tz) for p in sessions_public(session, rows)]


def calendar_names(session: Session, tz: str) -> CalendarNames:
    """Names for a drill calendar — drill types, the units that have drill duties, venues,
    instructors — read straight from their tables (no roster export)."""
    drilling = select(DrillRequirementUnit.unit_id)
    return CalendarNames(
        tz,
        {t.code: (t.name, t.kind) for t in session.exec(select(DrillType)).scalars()},  # type: ignore[call-overload]
        {
            u.code: u.name
            for u in session.exec(select(Unit).where(Unit.id.in_(drilling))).scalars()  # type: ignore[call-overload,union-attr]
        },
        {
            v.code: (v.name, (v.lon, v.lat) if v.lon is not None and v.lat is not None else None)
            for v in session.exec(select(Venue)).scalars()  # type: ignore[call-overload]
        },
        {i.code: i.name for i in session.exec(select(Instructor)).scalars()},  # type: ignore[call-overload]
    )
