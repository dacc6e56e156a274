"""The drill tables as API resources (see `api.crud`): drill types, duties (with their units),
venues, instructors (with the periods they are away), blackouts (with their jurisdictions)
and the days of the holiday notice. Commanders and training officers write them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, SQLModel, select

from api.crud import Ref, Resource
from api.deps import DRILL_WRITE
from api.errors import ApiError, FieldError
from api.schemas import drills as s
from rosters.models import Jurisdiction, Person, Unit
from rosters.models.drills import (
    Blackout,
    BlackoutJurisdiction,
    CalendarDay,
    DrillRequirement,
    DrillRequirementUnit,
    DrillType,
    Instructor,
    InstructorAway,
    Venue,
)

ReadExtra = Callable[[Session, Sequence[int]], dict[int, dict[str, Any]]]
WriteExtra = Callable[[Session, Any, dict[str, Any]], None]


def code_list(
    name: str, link: type[SQLModel], owner: str, target: str, model: type[SQLModel]
) -> tuple[ReadExtra, WriteExtra]:
    """An API list of codes (`units: ["S1", "S2"]`) kept as rows of a link table, in order."""

    def read(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {i: {name: []} for i in ids}
        if not ids:
            return out
        found = session.exec(
            select(getattr(link, owner), model.code)  # type: ignore[attr-defined]
            .join(model, model.id == getattr(link, target))  # type: ignore[attr-defined]
            .where(getattr(link, owner).in_(ids))
            .order_by(getattr(link, owner), link.position)  # type: ignore[attr-defined]
        ).all()
        for oid, code in found:
            out[oid][name].append(code)
        return out

    def write(session: Session, row: Any, data: dict[str, Any]) -> None:
        if name not in data:
            return
        codes: list[str] = list(data[name] or [])
        known = dict(
            session.exec(
                select(model.code, model.id).where(model.code.in_(codes))  # type: ignore[attr-defined]
            ).all()
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ApiError(
                422,
                f"{name}: unknown {model.__tablename__} {', '.join(map(repr, unknown[:5]))}",  # type: ignore[attr-defined]
                [FieldError(loc=["body", name], msg=f"unknown code '{c}'") for c in unknown],
            )
        session.execute(delete(link).where(getattr(link, owner) == row.id))
        if codes:
            session.execute(
                insert(link),
                [{owner: row.id, target: known[c], "position": k} for k, c in enumerate(codes)],
            )
        session.flush()

    return read, write


def _read_away(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {"unavailable": []})
    for i in ids:
        out[i] = {"unavailable": []}
    if ids:
        found = session.exec(
            select(InstructorAway)
            .where(InstructorAway.instructor_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(InstructorAway.start_at, InstructorAway.id)  # type: ignore[arg-type]
        ).all()
        for a in found:
            out[a.instructor_id]["unavailable"].append({"start": a.start_at, "end": a.end_at})
    return dict(out)


def _write_away(session: Session, row: Any, data: dict[str, Any]) -> None:
    if "unavailable" not in data:
        return
    session.execute(delete(InstructorAway).where(InstructorAway.instructor_id == row.id))  # type: ignore[arg-type]
    for a in data["unavailable"] or []:
        session.add(InstructorAway(instructor_id=row.id, start_at=a["start"], end_at=a["end"]))
    session.flush()


_req_units = code_list("units", DrillRequirementUnit, "requirement_id", "unit_id", Unit)
_blackout_jurs = code_list(
    "jurisdictions", BlackoutJurisdiction, "blackout_id", "jurisdiction_id", Jurisdiction
)
IN_JURISDICTION = Ref("jurisdiction", "jurisdiction_id", Jurisdiction)

DRILL_RESOURCES: tuple[Resource, ...] = (
    Resource(
        "drills/types",
        "drill_type",
        DrillType,
        s.DrillTypeCreate,
        s.DrillTypeUpdate,
        s.DrillTypePublic,
        filters=("kind", "venue_kind"),
        write_roles=DRILL_WRITE,
    ),
    Resource(
        "drills/requirements",
        "drill_requirement",
        DrillRequirement,
        s.DrillRequirementCreate,
        s.DrillRequirementUpdate,
        s.DrillRequirementPublic,
        refs=(Ref("drill_type", "drill_type_id", DrillType),),
        filters=("per", "hard"),
        search="code",
        read_extra=_req_units[0],
        write_extra=_req_units[1],
        extra_fields=("units",),
        write_roles=DRILL_WRITE,
    ),
    Resource(
        "drills/venues",
        "venue",
        Venue,
        s.VenueCreate,
        s.VenueUpdate,
        s.VenuePublic,
        refs=(IN_JURISDICTION,),
        filters=("kind",),
        write_roles=DRILL_WRITE,
    ),
    Resource(
        "drills/instructors",
        "instructor",
        Instructor,
        s.InstructorCreate,
        s.InstructorUpdate,
        s.InstructorPublic,
        refs=(IN_JURISDICTION, Ref("person", "person_id", Person, key="badge")),
        read_extra=_read_away,
        write_extra=_write_away,
        extra_fields=("unavailable",),
        write_roles=DRILL_WRITE,
    ),
    Resource(
        "drills/blackouts",
        "blackout",
        Blackout,
        s.BlackoutCreate,
        s.BlackoutUpdate,
        s.BlackoutPublic,
        read_extra=_blackout_jurs[0],
        write_extra=_blackout_jurs[1],
        extra_fields=("jurisdictions",),
        write_roles=DRILL_WRITE,
    ),
    Resource(
        "drills/calendar",
        "calendar_day",
        CalendarDay,
        s.CalendarDayCreate,
        s.CalendarDayUpdate,
        s.CalendarDayPublic,
        key="date",
        filters=("working",),
        search="name",
        write_roles=DRILL_WRITE,
        parse_key=dt.date.fromisoformat,
    ),
)
