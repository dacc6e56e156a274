"""The roster tables as API resources (see `api.crud`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from api.crud import Ref, Resource
from api.schemas import roster as s
from rosters.models import (
    Certification,
    Jurisdiction,
    LabourRule,
    Person,
    Post,
    ShiftTemplate,
    StandbyFloor,
    Unit,
    Zone,
)

IN_JURISDICTION = Ref("jurisdiction", "jurisdiction_id", Jurisdiction)


def _read_certifications(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {i: {"certifications": []} for i in ids}
    if not ids:
        return out
    C = Certification
    certs = session.execute(
        select(C.person_id, C.skill, C.expires)  # type: ignore[call-overload]
        .where(C.person_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(C.id)
    )
    for person_id, skill, expires in certs:
        out[person_id]["certifications"].append({"skill": skill, "expires": expires})
    return out


def _write_certifications(session: Session, person: Any, data: dict[str, Any]) -> None:
    if "certifications" not in data:
        return
    session.execute(delete(Certification).where(Certification.person_id == person.id))  # type: ignore[arg-type]
    for c in data["certifications"] or []:
        session.add(Certification(person_id=person.id, skill=c["skill"], expires=c["expires"]))
    session.flush()


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "jurisdictions",
        "jurisdiction",
        Jurisdiction,
        s.JurisdictionCreate,
        s.JurisdictionUpdate,
        s.JurisdictionPublic,
        refs=(Ref("parent", "parent_id", Jurisdiction),),
        filters=("level", "urban"),
    ),
    Resource(
        "units",
        "unit",
        Unit,
        s.UnitCreate,
        s.UnitUpdate,
        s.UnitPublic,
        refs=(IN_JURISDICTION, Ref("parent", "parent_id", Unit)),
        filters=("force", "squad"),
    ),
    Resource(
        "people",
        "person",
        Person,
        s.PersonCreate,
        s.PersonUpdate,
        s.PersonPublic,
        key="badge",
        refs=(IN_JURISDICTION, Ref("unit", "unit_id", Unit)),
        filters=("force", "armed", "role", "active"),
        read_extra=_read_certifications,
        write_extra=_write_certifications,
        extra_fields=("certifications",),
    ),
    Resource(
        "zones",
        "zone",
        Zone,
        s.ZoneCreate,
        s.ZoneUpdate,
        s.ZonePublic,
        refs=(IN_JURISDICTION,),
    ),
    Resource(
        "posts",
        "post",
        Post,
        s.PostCreate,
        s.PostUpdate,
        s.PostPublic,
        refs=(IN_JURISDICTION,),
        filters=("kind",),
    ),
    Resource(
        "shift-templates",
        "shift_template",
        ShiftTemplate,
        s.ShiftTemplateCreate,
        s.ShiftTemplateUpdate,
        s.ShiftTemplatePublic,
    ),
    Resource(
        "standby-floors",
        "standby_floor",
        StandbyFloor,
        s.StandbyFloorCreate,
        s.StandbyFloorUpdate,
        s.StandbyFloorPublic,
        key="jurisdiction",
        refs=(IN_JURISDICTION,),
        search=None,
    ),
    Resource(
        "labour-rules",
        "labour_rule",
        LabourRule,
        s.LabourRuleCreate,
        s.LabourRuleUpdate,
        s.LabourRulePublic,
        filters=("kind",),
        search="code",
    ),
)
