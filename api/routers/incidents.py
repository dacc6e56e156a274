"""Incidents from report to close, suggestions of the units to send, dispatch (all units or
none), backfill, and the units' live status. Dispatchers and commanders act; everyone reads."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from api import audit
from api.auth import Principal
from api.deps import Dispatcher, Reader, SessionDep
from api.events import publish
from api.schemas.common import (
    CodeList,
    CodeRef,
    CodeText,
    Etas,
    Lat,
    Lon,
    NoteText,
    RequestModel,
    ShortText,
)
from dispatch.dispatching import close_incident, dispatch_units, mark_on_scene
from dispatch.lifecycle import escalate, get_incident, report_incident
from dispatch.models import Escalation, Incident, IncidentEvent, IncidentStatus, UnitStatus
from dispatch.status import report_position
from dispatch.suggesting import backfill_for_incident, suggest_for_incident
from optimizer.reinforcement import ReinforcementResult, UnitState
from optimizer.reinforcement.results import BackfillResult
from optimizer.scenario import IncidentNeeds
from rosters.models import Jurisdiction, Unit

router = APIRouter(tags=["incidents"])


_In = RequestModel


class IncidentReport(_In):
    code: CodeText
    kind: ShortText = Field(min_length=1, description="mass_incident, violent, fire…")
    lon: Lon
    lat: Lat
    severity: int = Field(default=2, ge=1, le=4)
    jurisdiction: CodeRef | None = None
    escalation: Escalation | None = None
    needs: IncidentNeeds = Field(
        default_factory=IncidentNeeds,
        description="headcount, armed, vehicles, and at most 50 skills (skill → people)",
    )
    note: NoteText = ""


class IncidentPublic(BaseModel):
    code: str
    kind: str
    severity: int
    lon: float
    lat: float
    note: str
    status: IncidentStatus
    escalation: Escalation
    jurisdiction: str | None
    needs: dict[str, Any]
    suggestion: dict[str, Any] | None
    reported_at: dt.datetime
    reported_by: str
    updated_at: dt.datetime
    closed_at: dt.datetime | None


class IncidentEventPublic(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


class IncidentDetail(IncidentPublic):
    events: list[IncidentEventPublic]


class SuggestRequest(_In):
    exclude: CodeList = Field(default_factory=list, description="unit codes")


class DispatchRequest(_In):
    units: CodeList = Field(min_length=1, description="unit codes")
    etas: Etas = Field(default_factory=dict, description="unit code → minutes")


class UnitsRequest(_In):
    units: CodeList | None = Field(default=None, description="default: all")


class CloseRequest(_In):
    note: NoteText = ""


class EscalateRequest(_In):
    level: Escalation
    reason: NoteText = ""


class UnitCodes(BaseModel):
    units: list[str]


class UnitStatusPublic(BaseModel):
    unit: str
    status: UnitState
    lon: float | None
    lat: float | None
    target: str | None
    incident: str | None
    source: str
    updated_at: dt.datetime


class PositionReport(_In):
    lon: Lon
    lat: Lat
    status: UnitState | None = None


def _public(session: Session, incident: Incident) -> dict[str, Any]:
    jur = session.get(Jurisdiction, incident.jurisdiction_id) if incident.jurisdiction_id else None
    return {**incident.model_dump(), "jurisdiction": jur.code if jur else None}


def _changed(
    session: Session, who: Principal, code: str, action: str, before: Any
) -> dict[str, Any]:
    """Audit and announce a change of the incident, commit, return its public form."""
    incident = get_incident(session, code)
    session.refresh(incident)
    after = _public(session, incident)
    audit.record(session, who, action, "incident", code, before=before, after=after)
    publish(session, "incident", {"code": code, "action": action, "status": incident.status})
    session.commit()
    return after


def _before(session: Session, code: str) -> dict[str, Any]:
    return _public(session, get_incident(session, code))


@router.post("/incidents", response_model=IncidentPublic, status_code=201, summary="Report")
def report(session: SessionDep, who: Dispatcher, body: IncidentReport) -> dict[str, Any]:
    report_incident(
        session,
        code=body.code,
        kind=body.kind,
        location=(body.lon, body.lat),
        needs=body.needs,
        actor=who.name,
        severity=body.severity,
        jurisdiction=body.jurisdiction,
        escalation=body.escalation,
        note=body.note,
    )
    return _changed(session, who, body.code, "report", None)


@router.get("/incidents", response_model=list[IncidentPublic], summary="List incidents")
def list_incidents(
    session: SessionDep,
    who: Reader,
    status: IncidentStatus | None = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    # the columns as they are with the jurisdiction's code joined in (as `_public` gives
    # them, without a table object and a lookup of the jurisdiction a row)
    inc, jur = Incident.__table__, Jurisdiction.__table__  # type: ignore[attr-defined]
    stmt = sa_select(*inc.columns, jur.c.code.label("jurisdiction")).outerjoin(
        jur, jur.c.id == inc.c.jurisdiction_id
    )
    if status is not None:
        stmt = stmt.where(inc.c.status == status.value)
    if open_only:
        stmt = stmt.where(inc.c.status != IncidentStatus.CLOSED.value)
    result = session.execute(stmt.order_by(inc.c.id.desc()).offset(offset).limit(limit))
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


@router.get("/incidents/{code}", response_model=IncidentDetail, summary="An incident")
def read_incident(session: SessionDep, who: Reader, code: str) -> dict[str, Any]:
    incident = get_incident(session, code)
    events = session.exec(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id)
        .order_by(IncidentEvent.id)  # type: ignore[arg-type]
    ).all()
    return {**_public(session, incident), "events": [e.model_dump() for e in events]}


@router.post(
    "/incidents/{code}/suggest", response_model=ReinforcementResult, summary="Suggest units"
)
def suggest(
    session: SessionDep, who: Dispatcher, code: str, body: SuggestRequest | None = None
) -> ReinforcementResult:
    before = _before(session, code)
    exclude = frozenset(body.exclude) if body else frozenset()
    result = suggest_for_incident(session, code, actor=who.name, exclude=exclude)
    _changed(session, who, code, "suggest", before)
    return result


@router.post("/incidents/{code}/dispatch", response_model=IncidentPublic, summary="Dispatch")
def dispatch(
    session: SessionDep, who: Dispatcher, code: str, body: DispatchRequest
) -> dict[str, Any]:
    before = _before(session, code)
    dispatch_units(session, code, body.units, actor=who.name, etas=body.etas)
    publish(session, "unit_status", {"units": body.units, "status": "en_route", "incident": code})
    return _changed(session, who, code, "dispatch", before)


@router.post("/incidents/{code}/arrive", response_model=UnitCodes, summary="Units on scene")
def arrive(
    session: SessionDep, who: Dispatcher, code: str, body: UnitsRequest | None = None
) -> dict[str, Any]:
    before = _before(session, code)
    units = mark_on_scene(session, code, actor=who.name, unit_codes=body.units if body else None)
    publish(session, "unit_status", {"units": units, "status": "on_scene", "incident": code})
    _changed(session, who, code, "arrive", before)
    return {"units": units}


@router.post("/incidents/{code}/close", response_model=UnitCodes, summary="Close")
def close(
    session: SessionDep, who: Dispatcher, code: str, body: CloseRequest | None = None
) -> dict[str, Any]:
    before = _before(session, code)
    units = close_incident(session, code, actor=who.name, note=body.note if body else "")
    publish(session, "unit_status", {"units": units, "status": "returning", "incident": code})
    _changed(session, who, code, "close", before)
    return {"units": units}


@router.post("/incidents/{code}/escalate", response_model=IncidentPublic, summary="Escalate")
def raise_level(
    session: SessionDep, who: Dispatcher, code: str, body: EscalateRequest
) -> dict[str, Any]:
    before = _before(session, code)
    escalate(session, code, body.level, actor=who.name, reason=body.reason)
    return _changed(session, who, code, "escalate", before)


@router.get(
    "/incidents/{code}/backfill", response_model=BackfillResult, summary="Moves to fill the hole"
)
def backfill(session: SessionDep, who: Reader, code: str) -> BackfillResult:
    return backfill_for_incident(session, code)


def _unit_status_rows(session: Session, status: UnitState | None) -> list[dict[str, Any]]:
    st, unit, inc = (m.__table__ for m in (UnitStatus, Unit, Incident))  # type: ignore[attr-defined]
    stmt = (
        sa_select(*st.columns, unit.c.code.label("unit"), inc.c.code.label("incident"))
        .join(unit, unit.c.id == st.c.unit_id)
        .outerjoin(inc, inc.c.id == st.c.incident_id)
    )
    if status is not None:
        stmt = stmt.where(st.c.status == status.value)
    result = session.execute(stmt.order_by(unit.c.code))
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


@router.get("/unit-status", response_model=list[UnitStatusPublic], summary="Units' live status")
def unit_status(
    session: SessionDep, who: Reader, status: UnitState | None = None
) -> list[dict[str, Any]]:
    return _unit_status_rows(session, status)


@router.post("/units/{code}/position", response_model=UnitStatusPublic, summary="A position report")
def position(
    session: SessionDep, who: Dispatcher, code: str, body: PositionReport
) -> dict[str, Any]:
    row = report_position(session, code, body.lon, body.lat, status=body.status)
    after = {**row.model_dump(mode="json"), "unit": code}
    audit.record(session, who, "position", "unit_status", code, after=after)
    publish(
        session,
        "unit_status",
        {"units": [code], "status": row.status, "lon": body.lon, "lat": body.lat},
    )
    session.commit()
    return next(r for r in _unit_status_rows(session, None) if r["unit"] == code)
