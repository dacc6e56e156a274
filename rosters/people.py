"""Finding people in the roster: search by badge or name, unit, force and skill, paged (the
roster page's list). Reading and writing one person goes through the people resource of the
API (`api.crud`), which audits every write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlmodel import Session

from rosters.models import Certification, Jurisdiction, Person, Unit
from rosters.search import contains_text


@dataclass(frozen=True)
class PersonRow:
    id: int
    badge: str
    name: str
    force: str
    rank: str
    armed: bool
    active: bool
    phone: str
    unit: str | None
    unit_name: str | None
    jurisdiction: str
    skills: list[tuple[str, dt.date | None]] = field(default_factory=list)


def search_people(
    session: Session,
    *,
    q: str = "",
    unit: str = "",
    force: str = "",
    skill: str = "",
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PersonRow], int]:
    """People whose badge or name contains ``q``, of unit ``unit`` (its code, or a part of
    its name), force ``force``,
    holding skill ``skill``; by badge. Returns one page and the number matching."""
    conditions = []
    if q.strip():
        text = q.strip()
        conditions.append(or_(contains_text(Person.badge, text), contains_text(Person.name, text)))
    if unit.strip():
        conditions.append(or_(Unit.code == unit.strip(), contains_text(Unit.name, unit.strip())))
    if force:
        conditions.append(Person.force == force)
    if skill:
        holders = select(Certification.person_id).where(Certification.skill == skill)
        conditions.append(Person.id.in_(holders))  # type: ignore[union-attr]
    if active is not None:
        conditions.append(Person.active == active)  # type: ignore[arg-type]
    base = select(Person.id).outerjoin(Unit, Unit.id == Person.unit_id).where(*conditions)  # type: ignore[arg-type]
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(
        select(Person, Unit.code, Unit.name, Jurisdiction.code)
        .outerjoin(Unit, Unit.id == Person.unit_id)  # type: ignore[arg-type]
        .join(Jurisdiction, Jurisdiction.id == Person.jurisdiction_id)  # type: ignore[arg-type]
        .where(*conditions)
        .order_by(Person.badge)
        .offset(offset)
        .limit(limit)
    ).all()
    ids = [p.id for p, *_ in rows]
    skills: dict[int, list[tuple[str, dt.date | None]]] = {}
    if ids:
        for c in session.execute(
            select(Certification)
            .where(Certification.person_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(Certification.skill)
        ).scalars():
            skills.setdefault(c.person_id, []).append((c.skill, c.expires))
    return [
        PersonRow(
            p.id,
            p.badge,
            p.name,
            p.force,
            p.rank,
            p.armed,
            p.active,
            p.phone,
            ucode,
            uname,
            jcode,
            skills.get(p.id, []),
        )
        for p, ucode, uname, jcode in rows
    ], int(total)


def unit_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every unit, by code."""
    return [(c, n) for c, n in session.execute(select(Unit.code, Unit.name).order_by(Unit.code))]


def jurisdiction_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every jurisdiction, by code."""
    return [
        (c, n)
        for c, n in session.execute(
            select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)
        )
    ]


def skill_choices(session: Session) -> list[str]:
    """Every skill someone holds."""
    return list(
        session.execute(
            select(Certification.skill).distinct().order_by(Certification.skill)
        ).scalars()
    )
