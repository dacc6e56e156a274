"""Incident lifecycle: legal steps are audited, illegal ones refused with a clear error; a
suggestion from the database roster and live unit status; position reports."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select
from test_dispatching import AT, seed_roster

from dispatch.dispatching import close_incident, dispatch_units, mark_on_scene
from dispatch.lifecycle import (
    IllegalTransition,
    IncidentNotFound,
    escalate,
    get_incident,
    report_incident,
    transition,
)
from dispatch.models import Escalation, IncidentEvent, IncidentStatus, UnitStatus
from dispatch.status import report_position, sync_unit_status, unit_snapshots
from dispatch.suggesting import backfill_for_incident, suggest_for_incident
from optimizer.reinforcement import UnitState
from optimizer.scenario import IncidentNeeds
from rosters.models import Zone

S = IncidentStatus


def report(session: Session, code: str = "I-1", **needs: int) -> None:
    report_incident(
        session,
        code=code,
        kind="violent",
        location=(100.0, 30.0),
        needs=IncidentNeeds(**needs),
        actor="值班员",
        jurisdiction="T1",
        at=AT,
    )


def test_full_lifecycle_is_audited_in_order(session: Session) -> None:
    seed_roster(session)
    report(session, headcount=6)
    result = suggest_for_incident(session, "I-1", actor="系统", at=AT)
    assert result.best is not None
    units = [u.unit_id for u in result.best.units]
    assert units == ["U1", "U2"]  # nearest first: U1 at the spot, U2 1.1 km away
    dispatch_units(session, "I-1", units, actor="指挥长", at=AT)
    assert mark_on_scene(session, "I-1", actor="U1", at=AT + dt.timedelta(minutes=3)) == units
    close_incident(session, "I-1", actor="指挥长", at=AT + dt.timedelta(hours=1))
    incident = get_incident(session, "I-1")
    events = session.exec(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id)
        .order_by(IncidentEvent.id)
    ).all()
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in events] == [
        ("reported", None, "reported", "值班员"),
        ("suggested", "reported", "suggested", "系统"),
        ("dispatched", "suggested", "dispatched", "指挥长"),
        ("on_scene", "dispatched", "on_scene", "U1"),
        ("closed", "on_scene", "closed", "指挥长"),
    ]
    assert all(e.at is not None for e in events)
    assert incident.closed_at is not None and incident.suggestion is not None


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ([], S.DISPATCHED),
        ([], S.ON_SCENE),
        ([S.SUGGESTED], S.ON_SCENE),
        ([S.SUGGESTED, S.DISPATCHED, S.ON_SCENE], S.SUGGESTED),
        ([S.CLOSED], S.SUGGESTED),
        ([S.CLOSED], S.CLOSED),
    ],
)
def test_illegal_transitions_are_refused(
    session: Session, path: list[IncidentStatus], wanted: IncidentStatus
) -> None:
    seed_roster(session)
    report(session)
    incident = get_incident(session, "I-1")
    for step in path:
        transition(session, incident, step, actor="x", at=AT)
    before = incident.status
    with pytest.raises(IllegalTransition, match=f"cannot go from {before} to {wanted.value}"):
        transition(session, incident, wanted, actor="x", at=AT)
    assert get_incident(session, "I-1").status == before


def test_unknown_incident_and_escalation(session: Session) -> None:
    seed_roster(session)
    with pytest.raises(IncidentNotFound):
        get_incident(session, "nope")
    report(session, headcount=2)
    escalate(session, "I-1", Escalation.CITY, actor="指挥长", reason="terror", at=AT)
    assert get_incident(session, "I-1").escalation == "city"
    result = suggest_for_incident(session, "I-1", actor="系统", at=AT)
    assert result.level.value == "city"


def test_status_from_plan_and_position_reports(session: Session) -> None:
    seed_roster(session)
    report(session, headcount=4)
    states = unit_snapshots(session)
    assert states == {}
    suggest_for_incident(session, "I-1", actor="系统", at=AT)  # creates rows from the plan
    states = unit_snapshots(session)
    assert {s.status for s in states.values()} == {UnitState.AVAILABLE}
    report_position(session, "U3", 100.0, 30.0, status=UnitState.STANDBY, at=AT)
    row = session.exec(select(UnitStatus).where(UnitStatus.source == "report")).one()
    assert (row.status, row.lat) == ("standby", 30.0)
    dispatch_units(session, "I-1", ["U3"], actor="指挥长", at=AT)
    with pytest.raises(ValueError, match="can report only en_route or on_scene"):
        report_position(session, "U3", 100.0, 30.0, status=UnitState.AVAILABLE, at=AT)
    with pytest.raises(ValueError, match="unknown unit"):
        report_position(session, "U404", 100.0, 30.0, at=AT)


def test_sync_keeps_engaged_units(session: Session) -> None:
    from dispatch.snapshot import dispatch_scenario

    seed_roster(session)
    report(session, headcount=4)
    suggest_for_incident(session, "I-1", actor="系统", at=AT)
    dispatch_units(session, "I-1", ["U1"], actor="指挥长", at=AT)
    scenario = dispatch_scenario(session, AT.date())
    sync_unit_status(session, scenario, AT.replace(tzinfo=None), plan=[])
    states = unit_snapshots(session)
    assert states["U1"].status == UnitState.EN_ROUTE
    assert states["U2"].status == UnitState.AVAILABLE


def test_backfill_after_dispatch_uses_the_units_as_they_were(session: Session) -> None:
    seed_roster(session)
    town = session.exec(select(UnitStatus)).all()
    assert town == []
    from rosters.models import Jurisdiction

    t1 = session.exec(select(Jurisdiction).where(Jurisdiction.code == "T1")).one()
    session.add(
        Zone(
            code="Z1",
            name="Z1",
            jurisdiction_id=t1.id,
            centroid_lon=100.0,
            centroid_lat=30.0,
            risk=[[1.0] * 24 for _ in range(7)],
        )
    )
    session.flush()
    report(session, headcount=4)
    suggest_for_incident(session, "I-1", actor="系统", at=AT)
    dispatch_units(session, "I-1", ["U1"], actor="指挥长", at=AT)
    result = backfill_for_incident(session, "I-1")
    assert result.before.shares["3"] == 1.0
    assert result.after_moves.shares["3"] >= result.after_dispatch.shares["3"]


def test_coverage_left_by_each_suggestion(session: Session) -> None:
    """Coverage now and once each kept suggestion's units leave: a figure per ring, one row
    per suggestion, never more than now; none before a suggestion."""
    from dispatch.suggesting import coverage_left
    from rosters.models import Jurisdiction

    seed_roster(session)
    t1 = session.exec(select(Jurisdiction).where(Jurisdiction.code == "T1")).one()
    session.add(
        Zone(
            code="Z1",
            name="Z1",
            jurisdiction_id=t1.id,
            centroid_lon=100.0,
            centroid_lat=30.0,
            risk=[[1.0] * 24 for _ in range(7)],
        )
    )
    session.flush()
    report(session, headcount=4)
    assert coverage_left(session, "I-1") is None
    result = suggest_for_incident(session, "I-1", actor="系统", at=AT)
    left = coverage_left(session, "I-1")
    assert left is not None and left.now["3"] == 1.0
    assert [s.rank for s in left.suggestions] == [s.rank for s in result.suggestions]
    assert len(left.after) == len(result.suggestions) >= 1
    for after in left.after:
        assert after.keys() == left.now.keys()
        assert all(after[ring] <= left.now[ring] for ring in after)
    with pytest.raises(Exception, match="I-404"):
        coverage_left(session, "I-404")
