"""An incident's life: reported → suggested → dispatched → on_scene → closed.

Every step is checked against the allowed transitions (an illegal one raises
`IllegalTransition` naming both states and what is allowed) and written to the audit trail
(`IncidentEvent`: when, who, what, from which status to which, details)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from dispatch.area import check_incident_location
from dispatch.models import Escalation, Incident, IncidentEvent, IncidentStatus
from optimizer.scenario import Incident as ScenarioIncident
from optimizer.scenario import IncidentNeeds
from rosters.models import Jurisdiction

S = IncidentStatus
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.REPORTED: frozenset({S.SUGGESTED, S.CLOSED}),
    S.SUGGESTED: frozenset({S.SUGGESTED, S.DISPATCHED, S.CLOSED}),
    S.DISPATCHED: frozenset({S.DISPATCHED, S.ON_SCENE, S.CLOSED}),
    S.ON_SCENE: frozenset({S.ON_SCENE, S.CLOSED}),
    S.CLOSED: frozenset(),
}


class IllegalTransition(ValueError):
    def __init__(self, code: str, current: str, wanted: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[IncidentStatus(current)])) or "nothing (closed)"
        super().__init__(
            f"incident {code}: cannot go from {current} to {wanted}; allowed next: {allowed}"
        )
        self.current, self.wanted = current, wanted


class IncidentNotFound(LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown incident '{code}'")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_event(
    session: Session,
    incident: Incident,
    action: str,
    actor: str,
    at: dt.datetime,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> IncidentEvent:
    event = IncidentEvent(
        incident_id=incident.id,  # type: ignore[arg-type]
        at=at,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail or {},
    )
    session.add(event)
    return event


def transition(
    session: Session,
    incident: Incident,
    to: IncidentStatus,
    *,
    actor: str,
    at: dt.datetime | None = None,
    action: str | None = None,
    detail: dict[str, Any] | None = None,
) -> IncidentEvent:
    """Move `incident` to `to` (or refuse), with an audit event. The status changes with a
    conditional UPDATE on the status it was read with, so a concurrent change is refused
    rather than overwritten."""
    at = at or utcnow()
    current = IncidentStatus(incident.status)
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(incident.code, current.value, to.value)
    values: dict[str, Any] = {"status": to.value, "updated_at": at}
    if to == S.CLOSED:
        values["closed_at"] = at
    changed = session.execute(
        update(Incident)
        .where(Incident.id == incident.id, Incident.status == current.value)  # type: ignore[arg-type]
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        session.refresh(incident)
        raise IllegalTransition(incident.code, incident.status, to.value)
    session.refresh(incident)
    return record_event(
        session,
        incident,
        action or to.value,
        actor,
        at,
        from_status=current.value,
        to_status=to.value,
        detail=detail,
    )


def get_incident(session: Session, code: str) -> Incident:
    incident = session.exec(select(Incident).where(Incident.code == code)).first()
    if incident is None:
        raise IncidentNotFound(code)
    return incident


def report_incident(
    session: Session,
    *,
    code: str,
    kind: str,
    location: tuple[float, float],
    needs: IncidentNeeds,
    actor: str,
    severity: int = 2,
    jurisdiction: str | None = None,
    escalation: Escalation | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Incident:
    """Record a new incident (status reported) and its first audit event. The location must
    lie in the area the roster covers (`dispatch.area`), else OutsideArea (a ValueError)."""
    at = at or utcnow()
    jid = None
    row = None
    if jurisdiction is not None:
        row = session.exec(select(Jurisdiction).where(Jurisdiction.code == jurisdiction)).first()
        if row is None:
            raise ValueError(f"jurisdiction: unknown jurisdiction '{jurisdiction}'")
        jid = row.id
    check_incident_location(session, location[0], location[1], row)
    incident = Incident(
        code=code,
        kind=kind,
        severity=severity,
        lon=location[0],
        lat=location[1],
        note=note,
        status=S.REPORTED.value,
        escalation=(escalation or Escalation.TOWNSHIP).value,
        jurisdiction_id=jid,
        needs=needs.model_dump(mode="json"),
        reported_at=at,
        reported_by=actor,
        updated_at=at,
    )
    session.add(incident)
    session.flush()
    record_event(
        session,
        incident,
        "reported",
        actor,
        at,
        to_status=S.REPORTED.value,
        detail={"kind": kind, "severity": severity, "needs": incident.needs},
    )
    return incident


def escalate(
    session: Session,
    code: str,
    level: Escalation,
    *,
    actor: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Incident:
    """Raise (or lower) the tier of forces the incident may draw on."""
    at = at or utcnow()
    incident = get_incident(session, code)
    if incident.status == S.CLOSED.value:
        raise IllegalTransition(code, incident.status, "escalated")
    previous = incident.escalation
    incident.escalation = level.value
    incident.updated_at = at
    session.add(incident)
    record_event(
        session,
        incident,
        "escalated",
        actor,
        at,
        detail={"from": previous, "to": level.value, "reason": reason},
    )
    return incident


def to_scenario_incident(session: Session, incident: Incident) -> ScenarioIncident:
    """The incident as the optimizer reads it (ids are codes; local naive time)."""
    jur = session.get(Jurisdiction, incident.jurisdiction_id) if incident.jurisdiction_id else None
    reported = incident.reported_at
    if reported.tzinfo is not None:
        from zoneinfo import ZoneInfo

        from rosters.settings import get_settings

        reported = reported.astimezone(ZoneInfo(get_settings().timezone)).replace(tzinfo=None)
    return ScenarioIncident(
        id=incident.code,
        reported_at=reported,
        location=(incident.lon, incident.lat),
        kind=incident.kind,
        severity=incident.severity,
        jurisdiction_id=jur.code if jur else None,
        needs=IncidentNeeds.model_validate(incident.needs),
    )
