"""GET /audit: who changed what and when, filtered and paged (admins and commanders)."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.audit import query_audit
from api.deps import AuditReader, SessionDep
from api.schemas.common import Page

router = APIRouter(tags=["audit"])


class AuditPublic(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditFilters(BaseModel):
    actor: str | None = Field(default=None, max_length=64)
    action: str | None = Field(default=None, max_length=32)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)


@router.get("/audit", response_model=Page[AuditPublic], summary="Query the audit log")
def audit_log(
    session: SessionDep, who: AuditReader, filters: Annotated[AuditFilters, Query()]
) -> dict[str, Any]:
    f = filters.model_dump()
    rows, total = query_audit(session, **f)
    return {"items": rows, "total": total, "limit": f["limit"], "offset": f["offset"]}
