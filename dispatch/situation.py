"""The live situation as the wall shows it, read from the database into plain objects.

`live_situation(session, at)` gives the roster of the day (a scenario whose incidents are the
open incidents and whose published plan is the one in force), each unit's live status and
last position, the open dispatches and the incident records. `unit_updates` and
`incident_records` read just the units or incidents a live update names, without exporting
the whole roster again.

Times: the database keeps aware UTC datetimes; everything here is local naive time in the
command centre's time zone (`settings.timezone`), like the scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from dispatch.lifecycle import to_scenario_incident
from dispatch.models import Dispatch, Incident, IncidentStatus, UnitStatus
from optimizer.scenario import Force, Scenario
from optimizer.scenario import Incident as ScenarioIncident
from optimizer.scenario import Unit as ScenarioUnit
from rosters.models import Jurisdiction, Person, Unit
from rosters.plans import published_assignments
from rosters.scenario_db import export_scenario

LonLat = tuple[float, float]


@dataclass(frozen=True)
class IncidentRecord:
    """An incident as a list on the wall shows it (local time)."""

    code: str
    kind: str
    severity: int
    status: str
    escalation: str
    jurisdiction: str | None
    reported_at: dt.datetime
    lon: float
    lat: float
    note: str = ""
    incident: ScenarioIncident | None = None


@dataclass(frozen=True)
class OpenDispatch:
    incident: str
    unit: str
    eta_minutes: float | None
    arrived: bool


@dataclass(frozen=True)
class UnitLive:
    """One unit with what its pin needs: where it is, its status and its headcount."""

    unit: ScenarioUnit
    status: str
    position: LonLat | None
    headcount: int


@dataclass
class LiveSituation:
    scenario: Scenario
    at: dt.datetime
    unit_status: dict[str, str] = field(default_factory=dict)
    unit_positions: dict[str, LonLat] = field(default_factory=dict)
    dispatches: list[OpenDispatch] = field(default_factory=list)
    incidents: list[IncidentRecord] = field(default_factory=list)


def local_now(tz: str) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(tz)).replace(tzinfo=None, microsecond=0)


def _local(value: dt.datetime, tz: str) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def _record(session: Session, incident: Incident, codes: dict[int, str], tz: str) -> IncidentRecord:
    return IncidentRecord(
        code=incident.code,
        kind=incident.kind,
        severity=incident.severity,
        status=incident.status,
        escalation=incident.escalation,
        jurisdiction=codes.get(incident.jurisdiction_id) if incident.jurisdiction_id else None,
        reported_at=_local(incident.reported_at, tz),
        lon=incident.lon,
        lat=incident.lat,
        note=incident.note,
        incident=to_scenario_incident(session, incident),
    )


def incident_records(
    session: Session, tz: str, codes: Iterable[str] | None = None, open_only: bool = True
) -> list[IncidentRecord]:
    """Incidents, newest first: the open ones, or those with the given codes (any status)."""
    stmt = select(Incident)
    if codes is not None:
        stmt = stmt.where(Incident.code.in_(list(codes)))  # type: ignore[attr-defined]
    elif open_only:
        stmt = stmt.where(Incident.status != IncidentStatus.CLOSED.value)
    rows = session.exec(stmt.order_by(Incident.reported_at.desc(), Incident.id.desc())).all()  # type: ignore[attr-defined]
    jcodes = _jurisdiction_codes(session, {r.jurisdiction_id for r in rows if r.jurisdiction_id})
    return [_record(session, r, jcodes, tz) for r in rows]


def _jurisdiction_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Jurisdiction.id, Jurisdiction.code).where(Jurisdiction.id.in_(ids)))  # type: ignore[union-attr]
    return dict(rows.all())  # type: ignore[arg-type]


def _status_rows(session: Session, unit_ids: set[int] | None = None) -> dict[int, UnitStatus]:
    stmt = select(UnitStatus)
    if unit_ids is not None:
        stmt = stmt.where(UnitStatus.unit_id.in_(unit_ids))  # type: ignore[attr-defined]
    return {row.unit_id: row for row in session.exec(stmt).all()}


def open_dispatches(session: Session, incidents: Iterable[str] | None = None) -> list[OpenDispatch]:
    """Units sent and not yet released, of every incident or of the given ones."""
    stmt = (
        select(Dispatch, Incident.code, Unit.code)
        .join(Incident, Incident.id == Dispatch.incident_id)  # type: ignore[arg-type]
        .join(Unit, Unit.id == Dispatch.unit_id)  # type: ignore[arg-type]
        .where(Dispatch.released_at.is_(None))  # type: ignore[union-attr]
    )
    if incidents is not None:
        stmt = stmt.where(Incident.code.in_(list(incidents)))  # type: ignore[attr-defined]
    rows = session.exec(stmt.order_by(Dispatch.id)).all()  # type: ignore[arg-type]
    return [
        OpenDispatch(inc, unit, d.eta_minutes, d.arrived_at is not None) for d, inc, unit in rows
    ]


def live_situation(session: Session, tz: str, at: dt.datetime | None = None) -> LiveSituation:
    """The roster of `at`'s day (default now, local time) with the live layers on it."""
    at = at or local_now(tz)
    day = at.date()
    # from the day before: a night shift that began yesterday is still running
    scenario = export_scenario(
        session, start=day - dt.timedelta(days=1), days=2, name=f"situation {day}", tz=tz
    )
    ucode = dict(session.exec(select(Unit.id, Unit.code)).all())  # type: ignore[arg-type]
    status: dict[str, str] = {}
    positions: dict[str, LonLat] = {}
    for unit_id, row in _status_rows(session).items():
        code = ucode.get(unit_id)
        if code is None:
            continue
        status[code] = row.status
        if row.lon is not None and row.lat is not None:
            positions[code] = (row.lon, row.lat)
    records = incident_records(session, tz)
    scenario = scenario.model_copy(
        update={
            "incidents": [r.incident for r in records],
            "published_plan": published_assignments(session, day - dt.timedelta(days=1), 2),
        }
    )
    return LiveSituation(
        scenario=scenario,
        at=at,
        unit_status=status,
        unit_positions=positions,
        dispatches=open_dispatches(session),
        incidents=records,
    )


def unit_updates(session: Session, codes: Iterable[str]) -> list[UnitLive]:
    """The named units as their pins need them (unknown codes are skipped)."""
    units = session.exec(select(Unit).where(Unit.code.in_(list(codes)))).all()  # type: ignore[attr-defined]
    if not units:
        return []
    ids = {u.id for u in units}
    jcodes = _jurisdiction_codes(session, {u.jurisdiction_id for u in units})
    heads = dict(
        session.exec(
            select(Person.unit_id, func.count())
            .where(Person.unit_id.in_(ids))  # type: ignore[union-attr]
            .group_by(Person.unit_id)
        ).all()  # type: ignore[arg-type]
    )
    status = _status_rows(session, ids)  # type: ignore[arg-type]
    out = []
    for u in units:
        row = status.get(u.id)  # type: ignore[arg-type]
        base = (u.base_lon, u.base_lat) if u.base_lon is not None else None
        where = (row.lon, row.lat) if row and row.lon is not None else base
        unit = ScenarioUnit(
            id=u.code,
            name=u.name,
            force=Force(u.force),
            jurisdiction_id=jcodes[u.jurisdiction_id],
            base=base,  # type: ignore[arg-type]
            phone=u.phone,
        )
        out.append(
            UnitLive(unit, row.status if row else "available", where, int(heads.get(u.id, 0)))  # type: ignore[call-overload]
        )
    return out
