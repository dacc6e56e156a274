"""The audit log: one entry per write — who, when, what, and the record before and after —
and the query behind GET /audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import func
from sqlmodel import Session, select

from api.auth import Principal
from api.models import AuditEntry


def snapshot(obj: Any) -> dict[str, Any] | None:
    """A JSON-safe picture of a record (a pydantic/SQLModel object or a dict)."""
    if obj is None:
        return None
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    return to_jsonable_python(obj)


def record(
    session: Session,
    who: Principal,
    action: str,
    entity: str,
    entity_id: str | int,
    *,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Add an audit entry to the caller's transaction (it commits with the change)."""
    entry = AuditEntry(
        actor=who.name,
        role=who.role.value,
        action=action,
        entity=entity,
        entity_id=str(entity_id)[:64],
        before=snapshot(before),
        after=snapshot(after),
    )
    session.add(entry)
    return entry


def record_system(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    after: Any = None,
) -> AuditEntry:
    """An audit entry of something the server did itself, e.g. a login lockout (`actor`
    names the cause, such as the client address)."""
    entry = AuditEntry(
        actor=actor[:64],
        role="",
        action=action,
        entity=entity,
        entity_id=entity_id[:64],
        after=snapshot(after),
    )
    session.add(entry)
    return entry


def query_audit(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Entries matching every given filter, newest first, and how many match in all."""
    conditions = []
    if actor:
        conditions.append(AuditEntry.actor == actor)
    if action:
        conditions.append(AuditEntry.action == action)
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if entity_id:
        conditions.append(AuditEntry.entity_id == entity_id)
    if since:
        conditions.append(AuditEntry.at >= since)
    if until:
        conditions.append(AuditEntry.at < until)
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    rows = session.exec(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)
