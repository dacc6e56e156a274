"""Suggestions and backfill for an incident in the database: read the roster and the units'
live status, run the pure models, keep the suggestion on the incident and audit it; and the
coverage each kept suggestion would leave behind (`coverage_left`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from dispatch.lifecycle import get_incident, to_scenario_incident, transition, utcnow
from dispatch.models import Dispatch, IncidentStatus
from dispatch.snapshot import dispatch_scenario
from dispatch.status import sync_unit_status, unit_snapshots
from optimizer.reinforcement import (
    ReinforcementOptions,
    ReinforcementResult,
    UnitState,
    build_instance,
    suggest_reinforcement,
)
from optimizer.reinforcement.backfill import BackfillOptions, suggest_backfill
from optimizer.reinforcement.coverage import coverage_figures, covering_mask, demand_points
from optimizer.reinforcement.results import BackfillResult, Suggestion
from optimizer.scenario import Level
from rosters.models import Unit


def suggest_for_incident(
    session: Session,
    code: str,
    *,
    actor: str,
    options: ReinforcementOptions | None = None,
    exclude: frozenset[str] = frozenset(),
    at: dt.datetime | None = None,
) -> ReinforcementResult:
    """Suggest units for incident `code` from the units' live status, keep the suggestion on
    the incident (status → suggested) with an audit event."""
    at = at or utcnow()
    incident = get_incident(session, code)
    if incident.status not in (IncidentStatus.REPORTED.value, IncidentStatus.SUGGESTED.value):
        from dispatch.lifecycle import IllegalTransition

        raise IllegalTransition(code, incident.status, IncidentStatus.SUGGESTED.value)
    inc = to_scenario_incident(session, incident)
    scenario = dispatch_scenario(session, inc.reported_at.date())
    states = unit_snapshots(session)
    if not states:
        sync_unit_status(session, scenario, inc.reported_at, now=at)
        states = unit_snapshots(session)
    inst = build_instance(scenario, inc.reported_at, states, options)
    result = suggest_reinforcement(
        inst, inc, escalation=Level(incident.escalation), exclude=exclude, options=options
    )
    incident.suggestion = result.model_dump(mode="json")
    session.add(incident)
    best = result.best
    transition(
        session,
        incident,
        IncidentStatus.SUGGESTED,
        actor=actor,
        at=at,
        detail={
            "units": [u.unit_id for u in best.units] if best else [],
            "arrival_minutes": best.arrival_minutes if best else None,
            "level": result.level.value,
            "escalations": result.escalations,
        },
    )
    return result


def backfill_for_incident(
    session: Session,
    code: str,
    *,
    reinforcement: ReinforcementOptions | None = None,
    options: BackfillOptions | None = None,
) -> BackfillResult:
    """Moves that restore coverage after the incident's open dispatches left."""
    incident = get_incident(session, code)
    inc = to_scenario_incident(session, incident)
    scenario = dispatch_scenario(session, inc.reported_at.date())
    states = unit_snapshots(session)
    rows = session.exec(
        select(Unit.code, Dispatch.previous_status)
        .join(Unit, Unit.id == Dispatch.unit_id)
        .where(  # type: ignore[arg-type]
            Dispatch.incident_id == incident.id,
            Dispatch.released_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    gone = []
    for unit_code, previous in rows:
        if unit_code in states:  # as it was before it left
            states[unit_code] = dataclasses.replace(states[unit_code], status=UnitState(previous))
            gone.append(unit_code)
    inst = build_instance(scenario, inc.reported_at, states, reinforcement)
    return suggest_backfill(inst, gone, options)


@dataclass(frozen=True)
class CoverageLeft:
    """Share of the hour's risk reachable within each response ring (minutes → share 0…1):
    now, and once each suggestion's units have left."""

    now: dict[str, float]
    after: list[dict[str, float]]  # one per suggestion, best first
    suggestions: list[Suggestion]


def coverage_left(session: Session, code: str) -> CoverageLeft | None:
    """The coverage each of incident `code`'s kept suggestions would leave: the reinforcement
    model's coverage figures (`optimizer.reinforcement.coverage`) with that suggestion's units
    gone, from the roster and live status as they are now. None without a suggestion.

    The suggestion's own instance is not kept (it was built by an earlier request, and the
    suggestion should not wait for these figures), so the roster is read once here."""
    incident = get_incident(session, code)
    if not incident.suggestion:
        return None
    suggestions = ReinforcementResult.model_validate(incident.suggestion).suggestions
    if not suggestions:
        return None
    inc = to_scenario_incident(session, incident)
    scenario = dispatch_scenario(session, inc.reported_at.date())
    inst = build_instance(scenario, inc.reported_at, unit_snapshots(session))
    demand = demand_points(scenario, inc.reported_at)
    now = coverage_figures(inst, demand, covering_mask(inst)).shares
    after = [
        coverage_figures(inst, demand, covering_mask(inst, [u.unit_id for u in s.units])).shares
        for s in suggestions
    ]
    return CoverageLeft(now, after, suggestions)
