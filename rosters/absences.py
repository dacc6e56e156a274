"""Absences of the roster (leave, sick, training, secondment): add one, list those of a
period, and the published shifts an absence breaks (the person's assignments in the
published plan that overlap it).

Times are the command centre's local wall-clock times (naive, in the timezone `tz`), as in
the scenario format; they are stored timezone-aware."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlmodel import Session

from optimizer.scenario import AbsenceKind, Assignment
from rosters.models import Absence, Person, Post, ShiftTemplate, Unit, Zone
from rosters.plans import published_assignments
from rosters.search import contains_text

#: the longest absence one entry may cover
MAX_DAYS = 366


class AbsenceError(ValueError):
    """An absence that cannot be added: ``field`` names the form field, with the reason in
    Chinese and in English."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(f"{field}: {en}")
        self.field, self.zh, self.en = field, zh, en


@dataclass(frozen=True)
class AbsenceRow:
    id: int
    badge: str
    name: str
    unit: str | None
    start: dt.datetime
    end: dt.datetime
    kind: str
    note: str

    def days(self) -> list[dt.date]:
        """The local days the absence touches."""
        last = (self.end - dt.timedelta(microseconds=1)).date()
        n = (last - self.start.date()).days + 1
        return [self.start.date() + dt.timedelta(days=i) for i in range(max(n, 1))]


@dataclass(frozen=True)
class BrokenShift:
    """A published assignment of the absent person that overlaps the absence."""

    date: dt.date
    shift_id: str
    shift_name: str
    start: dt.datetime
    end: dt.datetime
    task: str
    target_id: str
    target_name: str


def to_local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone).replace(tzinfo=None)


def find_person(session: Session, badge: str) -> Person:
    person = session.execute(select(Person).where(Person.badge == badge)).scalar()
    if person is None:
        raise AbsenceError("badge", f"没有警号为 {badge} 的人员", f"no person with badge {badge}")
    return person


def add_absence(
    session: Session,
    *,
    badge: str,
    start: dt.datetime,
    end: dt.datetime,
    kind: str,
    note: str,
    tz: str,
) -> AbsenceRow:
    """Add an absence (flushed, not committed). Refused with an `AbsenceError` naming the
    field when the person is unknown, the period is empty or too long, or the kind unknown."""
    person = find_person(session, badge)
    if kind not in {k.value for k in AbsenceKind}:
        raise AbsenceError("kind", f"未知的类别 {kind}", f"unknown kind {kind}")
    if end <= start:
        raise AbsenceError("end", "结束时间须晚于开始时间", "the end must come after the start")
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise AbsenceError(
            "end", f"一次最多登记 {MAX_DAYS} 天", f"at most {MAX_DAYS} days at a time"
        )
    if len(note) > 256:
        raise AbsenceError("note", "备注最多 256 个字", "the note has at most 256 characters")
    zone = ZoneInfo(tz)
    row = Absence(
        person_id=person.id,  # type: ignore[arg-type]
        start_at=start.replace(tzinfo=zone),
        end_at=end.replace(tzinfo=zone),
        kind=kind,
        note=note,
    )
    session.add(row)
    session.flush()
    unit = session.get(Unit, person.unit_id) if person.unit_id else None
    return AbsenceRow(
        row.id,  # type: ignore[arg-type]
        person.badge,
        person.name,
        unit.code if unit else None,
        start,
        end,
        kind,
        note,
    )


def absences_between(
    session: Session,
    first: dt.date,
    last: dt.date,
    *,
    tz: str,
    unit: str | None = None,
    badge: str | None = None,
) -> list[AbsenceRow]:
    """Absences touching the local days [first, last], of a unit's people (its code or a
    part of its name) or one person, by start."""
    zone = ZoneInfo(tz)
    since = dt.datetime.combine(first, dt.time(0), zone)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
    stmt = (
        select(Absence, Person.badge, Person.name, Unit.code)
        .join(Person, Person.id == Absence.person_id)  # type: ignore[arg-type]
        .outerjoin(Unit, Unit.id == Person.unit_id)  # type: ignore[arg-type]
        .where(Absence.start_at < until, Absence.end_at > since)  # type: ignore[arg-type]
        .order_by(Absence.start_at, Absence.id)  # type: ignore[arg-type]
    )
    if unit:
        stmt = stmt.where(or_(Unit.code == unit, contains_text(Unit.name, unit)))
    if badge:
        stmt = stmt.where(Person.badge == badge)
    return [
        AbsenceRow(
            a.id,
            b,
            n,
            u,
            to_local(a.start_at, zone),
            to_local(a.end_at, zone),
            a.kind,
            a.note,
        )
        for a, b, n, u in session.execute(stmt).all()
    ]


def shift_times(session: Session) -> dict[str, tuple[str, dt.time, int]]:
    """shift code → (name, local start, hours)."""
    return {
        t.code: (t.name, dt.time.fromisoformat(t.start), t.hours)
        for t in session.execute(select(ShiftTemplate)).scalars()
    }


def target_names(session: Session) -> dict[str, str]:
    """post and zone code → name."""
    posts = dict(session.execute(select(Post.code, Post.name)).all())
    zones = dict(session.execute(select(Zone.code, Zone.name)).all())
    return {**zones, **posts}  # type: ignore[dict-item]


def broken_shifts(
    session: Session, badge: str, start: dt.datetime, end: dt.datetime
) -> list[BrokenShift]:
    """The person's assignments in the published plan whose shift overlaps [start, end)."""
    shifts = shift_times(session)
    names = target_names(session)
    first = start.date() - dt.timedelta(days=1)  # a night shift of the day before
    days = (end.date() - first).days + 1
    out = []
    for a in published_assignments(session, first, days):
        if a.person_id != badge:
            continue
        begin, finish = assignment_times(a, shifts)
        if begin < end and finish > start:
            out.append(
                BrokenShift(
                    a.date,
                    a.shift_id,
                    shifts.get(a.shift_id, (a.shift_id,))[0],
                    begin,
                    finish,
                    a.task.value,
                    a.target_id,
                    names.get(a.target_id, a.target_id),
                )
            )
    return sorted(out, key=lambda b: (b.start, b.target_id))


def assignment_times(
    a: Assignment, shifts: dict[str, tuple[str, dt.time, int]]
) -> tuple[dt.datetime, dt.datetime]:
    """Local start and end of an assignment's shift (a whole day for an unknown shift)."""
    _, begin, hours = shifts.get(a.shift_id, ("", dt.time(0), 24))
    start = dt.datetime.combine(a.date, begin)
    return start, start + dt.timedelta(hours=hours)


def delete_absence(session: Session, absence_id: int, tz: str) -> AbsenceRow:
    """Withdraw an absence (flushed, not committed); returns what it was. LookupError when
    there is no such absence."""
    row = session.get(Absence, absence_id)
    if row is None:
        raise LookupError(f"absence {absence_id}: no such absence")
    person = session.get(Person, row.person_id)
    unit = session.get(Unit, person.unit_id) if person and person.unit_id else None
    zone = ZoneInfo(tz)
    gone = AbsenceRow(
        absence_id,
        person.badge if person else "",
        person.name if person else "",
        unit.code if unit else None,
        to_local(row.start_at, zone),
        to_local(row.end_at, zone),
        row.kind,
        row.note,
    )
    session.delete(row)
    session.flush()
    return gone
