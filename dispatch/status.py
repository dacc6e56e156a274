"""Unit status: derived from the published patrol plan and from dispatch events, and updated
from outside by position reports.

- `sync_unit_status` writes each unit's plan-derived status (on_post / on_patrol / standby /
  off_duty, with the post's or zone's position) — except units engaged in an incident
  (en_route / on_scene), which only dispatch events change.
- `report_position` records a position report (and optionally a new status).
- `unit_snapshots` reads the rows back as the optimizer's `UnitSnapshot`s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, select

from dispatch.dispatching import ensure_status_rows
from dispatch.lifecycle import utcnow
from dispatch.models import Dispatch, UnitStatus
from optimizer.reinforcement.forces import UnitSnapshot, UnitState, unit_states_from_plan
from optimizer.scenario import Assignment, Scenario
from rosters.models import Unit

ENGAGED = frozenset({UnitState.EN_ROUTE.value, UnitState.ON_SCENE.value})


class UnitNotFound(LookupError, ValueError):
    """No unit has this code (a ValueError too: bad input to the service)."""


def published_plan(session: Session, at: dt.datetime) -> list[Assignment] | None:
    """The published plan around `at` (yesterday and today, for night shifts), from
    `rosters.plans.published_assignments` when that module is installed; None otherwise."""
    try:
        from rosters.plans import published_assignments  # type: ignore[import-not-found]
    except ImportError:
        return None
    return list(published_assignments(session, at.date() - dt.timedelta(days=1), 2))


def sync_unit_status(
    session: Session,
    scenario: Scenario,
    at: dt.datetime,
    plan: Iterable[Assignment] | None = None,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Write every unit's status from the plan at local time `at` (default plan: the
    published one, else the scenario's). Returns how many rows changed."""
    now = now or utcnow()
    if plan is None:
        plan = published_plan(session, at)
    states = unit_states_from_plan(scenario, at, list(plan) if plan is not None else None)
    ids = dict(session.exec(select(Unit.code, Unit.id)).all())
    ensure_status_rows(session, [ids[c] for c in states if c in ids], now)
    rows = {r.unit_id: r for r in session.exec(select(UnitStatus)).all()}
    changed = 0
    for code, snap in states.items():
        row = rows.get(ids.get(code, -1))
        if row is None or row.status in ENGAGED:
            continue
        lon, lat = snap.position if snap.position else (row.lon, row.lat)
        new = (snap.status.value, lon, lat, snap.target_id)
        if (row.status, row.lon, row.lat, row.target) != new:
            row.status, row.lon, row.lat, row.target = new
            row.source, row.updated_at = "plan", now
            session.add(row)
            changed += 1
    return changed


def report_position(
    session: Session,
    unit_code: str,
    lon: float,
    lat: float,
    *,
    status: UnitState | None = None,
    at: dt.datetime | None = None,
) -> UnitStatus:
    """A position report from the field (GPS, radio). A unit engaged in an incident keeps
    its status unless it reports `on_scene`; otherwise any status may be reported."""
    at = at or utcnow()
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        raise UnitNotFound(f"unknown unit '{unit_code}'")
    ensure_status_rows(session, [unit.id], at)  # type: ignore[list-item]
    row = session.exec(select(UnitStatus).where(UnitStatus.unit_id == unit.id)).one()
    open_dispatch = session.exec(
        select(Dispatch).where(Dispatch.unit_id == unit.id, Dispatch.released_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if status is not None:
        if open_dispatch is not None and status not in (UnitState.EN_ROUTE, UnitState.ON_SCENE):
            raise ValueError(
                f"unit {unit_code} is dispatched to an open incident: it can report only "
                f"en_route or on_scene until the incident is closed"
            )
        if open_dispatch is None and status.value in ENGAGED:
            raise ValueError(f"unit {unit_code} has no open dispatch: cannot be {status.value}")
        row.status = status.value
    row.lon, row.lat, row.updated_at, row.source = lon, lat, at, "report"
    session.add(row)
    return row


def unit_snapshots(session: Session) -> dict[str, UnitSnapshot]:
    """Every unit's status row as the optimizer's snapshot, keyed by unit code."""
    rows = session.exec(select(Unit.code, UnitStatus).join(UnitStatus)).all()
    return {
        code: UnitSnapshot(
            code,
            UnitState(row.status),
            (row.lon, row.lat) if row.lon is not None and row.lat is not None else None,
            row.target,
        )
        for code, row in rows
    }
