"""Dispatch: the commander accepts all or part of a suggestion and the units change status
atomically — every unit or none.

The guard is the write itself: each unit's status row is changed with a conditional
`UPDATE … WHERE unit_id = :u AND status = :seen` whose row count decides who won (SQLite
ignores `SELECT … FOR UPDATE`; on PostgreSQL the second writer waits for the first and then
finds the status changed). Behind it, a partial unique index on open dispatches
(`uq_dispatch_open_unit`) refuses a second open dispatch of a unit even if code were wrong.
Any refusal raises `DispatchConflict` and the caller's transaction rolls back.

On SQLite, start the transaction with a write (this module's first statement is one) or use
`rosters.db.session_scope`, which begins with BEGIN IMMEDIATE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dispatch.lifecycle import (
    IllegalTransition,
    IncidentNotFound,
    get_incident,
    record_event,
    transition,
    utcnow,
)
from dispatch.models import Dispatch, Incident, IncidentStatus, UnitStatus
from optimizer.reinforcement.forces import DISPATCHABLE, UnitState
from rosters.models import Unit

S = IncidentStatus
DISPATCH_FROM = (S.SUGGESTED, S.DISPATCHED, S.ON_SCENE)


class DispatchConflict(RuntimeError):
    """Some units could not be dispatched (taken by someone else, or not available)."""

    def __init__(self, incident: str, reasons: Mapping[str, str]) -> None:
        self.reasons = dict(reasons)
        shown = "; ".join(f"{u}: {r}" for u, r in sorted(reasons.items()))
        super().__init__(f"incident {incident}: nothing dispatched — {shown}")


def _units_by_code(session: Session, codes: Sequence[str]) -> dict[str, int]:
    rows = session.exec(select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all()  # type: ignore[attr-defined]
    found = {code: uid for code, uid in rows}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValueError(f"unknown unit(s): {', '.join(missing)}")
    return found


def ensure_status_rows(session: Session, unit_ids: Sequence[int], at: dt.datetime) -> None:
    """Create an `available` status row for units that have none yet (idempotent, safe
    against a concurrent creator)."""
    have = set(
        session.exec(select(UnitStatus.unit_id).where(UnitStatus.unit_id.in_(unit_ids))).all()  # type: ignore[attr-defined]
    )
    for uid in unit_ids:
        if uid in have:
            continue
        unit = session.get(Unit, uid)
        try:
            with session.begin_nested():
                session.add(
                    UnitStatus(
                        unit_id=uid,
                        status=UnitState.AVAILABLE.value,
                        lon=unit.base_lon if unit else None,
                        lat=unit.base_lat if unit else None,
                        source="plan",
                        updated_at=at,
                    )
                )
        except IntegrityError:
            pass


def dispatch_units(
    session: Session,
    incident_code: str,
    unit_codes: Sequence[str],
    *,
    actor: str,
    etas: Mapping[str, float] | None = None,
    at: dt.datetime | None = None,
) -> list[Dispatch]:
    """Send `unit_codes` to the incident, all or none. Raises `DispatchConflict` naming each
    unit that is no longer available, `IllegalTransition` when the incident cannot take
    units (reported without a suggestion, or closed)."""
    at = at or utcnow()
    if not unit_codes:
        raise ValueError("no units to dispatch")
    if len(set(unit_codes)) != len(unit_codes):
        raise ValueError("a unit is listed twice")
    # first statement is a write: it takes the write lock before anything is read
    touched = session.execute(
        update(Incident)
        .where(
            Incident.code == incident_code,
            Incident.status.in_([s.value for s in DISPATCH_FROM]),  # type: ignore[attr-defined]
        )
        .values(updated_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if touched != 1:
        incident = get_incident(session, incident_code)  # raises IncidentNotFound
        raise IllegalTransition(incident_code, incident.status, S.DISPATCHED.value)
    incident = get_incident(session, incident_code)
    ids = _units_by_code(session, unit_codes)
    ensure_status_rows(session, list(ids.values()), at)
    seen = dict(
        session.exec(
            select(UnitStatus.unit_id, UnitStatus.status).where(
                UnitStatus.unit_id.in_(list(ids.values()))  # type: ignore[attr-defined]
            )
        ).all()
    )
    reasons: dict[str, str] = {}
    previous: dict[str, str] = {}
    for code in unit_codes:
        uid = ids[code]
        status = seen.get(uid)
        if status not in {s.value for s in DISPATCHABLE}:
            reasons[code] = f"status {status}"
            continue
        won = session.execute(
            update(UnitStatus)
            .where(UnitStatus.unit_id == uid, UnitStatus.status == status)  # type: ignore[arg-type]
            .values(
                status=UnitState.EN_ROUTE.value,
                incident_id=incident.id,
                source="dispatch",
                updated_at=at,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            reasons[code] = "taken by another dispatch"
        else:
            previous[code] = status  # type: ignore[assignment]
    if reasons:
        raise DispatchConflict(incident_code, reasons)
    rows = [
        Dispatch(
            incident_id=incident.id,  # type: ignore[arg-type]
            unit_id=ids[code],
            dispatched_at=at,
            dispatched_by=actor,
            eta_minutes=(etas or {}).get(code),
            previous_status=previous[code],
        )
        for code in unit_codes
    ]
    try:
        with session.begin_nested():
            session.add_all(rows)
    except IntegrityError as exc:
        raise DispatchConflict(
            incident_code, {c: "already has an open dispatch" for c in unit_codes}
        ) from exc
    detail = {"units": list(unit_codes), "etas": dict(etas or {})}
    if incident.status == S.SUGGESTED.value:
        transition(session, incident, S.DISPATCHED, actor=actor, at=at, detail=detail)
    else:
        record_event(session, incident, "units_dispatched", actor, at, detail=detail)
    return rows


def _open_dispatches(session: Session, incident: Incident) -> list[Dispatch]:
    return list(
        session.exec(
            select(Dispatch).where(
                Dispatch.incident_id == incident.id,
                Dispatch.released_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )


def mark_on_scene(
    session: Session,
    incident_code: str,
    *,
    actor: str,
    unit_codes: Sequence[str] | None = None,
    at: dt.datetime | None = None,
) -> list[str]:
    """Units arrive (default: every unit en route); the incident becomes on_scene."""
    at = at or utcnow()
    incident = get_incident(session, incident_code)
    if incident.status not in (S.DISPATCHED.value, S.ON_SCENE.value):
        raise IllegalTransition(incident_code, incident.status, S.ON_SCENE.value)
    wanted = set(unit_codes) if unit_codes else None
    arrived = []
    for d in _open_dispatches(session, incident):
        unit = session.get(Unit, d.unit_id)
        if unit is None or (wanted is not None and unit.code not in wanted) or d.arrived_at:
            continue
        d.arrived_at = at
        session.add(d)
        session.execute(
            update(UnitStatus)
            .where(UnitStatus.unit_id == d.unit_id)  # type: ignore[arg-type]
            .values(status=UnitState.ON_SCENE.value, source="dispatch", updated_at=at)
        )
        arrived.append(unit.code)
    transition(session, incident, S.ON_SCENE, actor=actor, at=at, detail={"units": arrived})
    return arrived


def close_incident(
    session: Session,
    incident_code: str,
    *,
    actor: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> list[str]:
    """Close the incident and release its units (they are `returning`)."""
    at = at or utcnow()
    incident = get_incident(session, incident_code)
    released = []
    for d in _open_dispatches(session, incident):
        d.released_at = at
        session.add(d)
        session.execute(
            update(UnitStatus)
            .where(UnitStatus.unit_id == d.unit_id, UnitStatus.incident_id == incident.id)  # type: ignore[arg-type]
            .values(status=UnitState.RETURNING.value, source="dispatch", updated_at=at)
        )
        unit = session.get(Unit, d.unit_id)
        released.append(unit.code if unit else str(d.unit_id))
    transition(
        session, incident, S.CLOSED, actor=actor, at=at, detail={"released": released, "note": note}
    )
    return released


__all__ = [
    "DispatchConflict",
    "IllegalTransition",
    "IncidentNotFound",
    "close_incident",
    "dispatch_units",
    "ensure_status_rows",
    "mark_on_scene",
]
