"""Dispatch is all-or-nothing and a unit is never double-booked — even by two commanders at
the same moment (real concurrent connections, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dispatch.dispatching import (
    DispatchConflict,
    close_incident,
    dispatch_units,
)
from dispatch.lifecycle import IllegalTransition, get_incident, report_incident, transition
from dispatch.models import Dispatch, IncidentStatus, UnitStatus
from optimizer.scenario import IncidentNeeds
from rosters.db import session_scope as write_session
from rosters.models import Jurisdiction, Person, Unit

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def seed_roster(session: Session, units: int = 3) -> None:
    city = Jurisdiction(code="C", name="示范市", level="city")
    session.add(city)
    session.flush()
    county = Jurisdiction(code="K1", name="甘州区", level="county", parent_id=city.id)
    session.add(county)
    session.flush()
    town = Jurisdiction(
        code="T1",
        name="梁家墩镇",
        level="township",
        parent_id=county.id,
        centroid_lon=100.0,
        centroid_lat=30.0,
    )
    session.add(town)
    session.flush()
    for k in range(units):
        unit = Unit(
            code=f"U{k + 1}",
            name=f"应急分队{k + 1}",
            force="township_force",
            jurisdiction_id=town.id,
            base_lon=100.0,
            base_lat=30.0 + 0.01 * k,
        )
        session.add(unit)
        session.flush()
        for j in range(4):
            session.add(
                Person(
                    badge=f"U{k + 1}-{j}",
                    name=f"队员{k}{j}",
                    force="township_force",
                    unit_id=unit.id,
                    jurisdiction_id=town.id,
                    armed=j == 0,
                )
            )
    session.flush()


def open_incident(session: Session, code: str) -> None:
    incident = report_incident(
        session,
        code=code,
        kind="violent",
        location=(100.0, 30.0),
        needs=IncidentNeeds(headcount=4),
        actor="值班员",
        jurisdiction="T1",
        at=AT,
    )
    transition(session, incident, IncidentStatus.SUGGESTED, actor="system", at=AT)


def test_dispatch_moves_units_and_incident_and_is_audited(session: Session) -> None:
    seed_roster(session)
    open_incident(session, "I-1")
    rows = dispatch_units(session, "I-1", ["U1", "U2"], actor="指挥长", etas={"U1": 2.5}, at=AT)
    assert len(rows) == 2 and rows[0].eta_minutes == 2.5
    statuses = session.exec(select(UnitStatus.status)).all()
    assert sorted(statuses) == ["en_route", "en_route"]
    incident = get_incident(session, "I-1")
    assert incident.status == "dispatched"
    released = close_incident(session, "I-1", actor="指挥长", at=AT)
    assert sorted(released) == ["U1", "U2"]
    assert sorted(session.exec(select(UnitStatus.status)).all()) == ["returning", "returning"]
    # a returning unit may be sent again
    open_incident(session, "I-2")
    dispatch_units(session, "I-2", ["U1"], actor="指挥长", at=AT)


def test_partial_conflict_dispatches_nothing(session: Session) -> None:
    seed_roster(session)
    open_incident(session, "I-1")
    open_incident(session, "I-2")
    dispatch_units(session, "I-1", ["U2"], actor="a", at=AT)
    with pytest.raises(DispatchConflict, match="U2: status en_route"), session.begin_nested():
        dispatch_units(session, "I-2", ["U1", "U2"], actor="b", at=AT)
    u1 = session.exec(select(UnitStatus).join(Unit).where(Unit.code == "U1")).first()
    assert u1 is None or u1.status == "available"  # rolled back with the rest
    assert len(session.exec(select(Dispatch)).all()) == 1
    assert get_incident(session, "I-2").status == "suggested"


def test_dispatch_needs_a_suggested_open_incident(session: Session) -> None:
    seed_roster(session)
    report_incident(
        session,
        code="I-9",
        kind="fire",
        location=(100.0, 30.0),
        needs=IncidentNeeds(),
        actor="值班员",
        at=AT,
    )
    with pytest.raises(IllegalTransition, match="cannot go from reported to dispatched"):
        dispatch_units(session, "I-9", ["U1"], actor="a", at=AT)


def test_database_refuses_a_second_open_dispatch_of_a_unit(session: Session) -> None:
    seed_roster(session)
    open_incident(session, "I-1")
    open_incident(session, "I-2")
    incidents = [get_incident(session, c) for c in ("I-1", "I-2")]
    unit = session.exec(select(Unit).where(Unit.code == "U1")).one()
    session.add(
        Dispatch(
            incident_id=incidents[0].id,
            unit_id=unit.id,
            dispatched_at=AT,
            dispatched_by="x",
            previous_status="standby",
        )
    )
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            Dispatch(
                incident_id=incidents[1].id,
                unit_id=unit.id,
                dispatched_at=AT,
                dispatched_by="y",
                previous_status="standby",
            )
        )
    # a released dispatch does not count
    first = session.exec(select(Dispatch)).one()
    first.released_at = AT
    session.add(first)
    session.add(
        Dispatch(
            incident_id=incidents[1].id,
            unit_id=unit.id,
            dispatched_at=AT,
            dispatched_by="y",
            previous_status="returning",
        )
    )
    session.flush()


@pytest.mark.parametrize("immediate", [False, True], ids=["plain", "write_session"])
def test_two_commanders_at_once_exactly_one_wins(fresh_engine: Engine, immediate: bool) -> None:
    rounds = 4
    with Session(fresh_engine) as s:
        seed_roster(s, units=rounds)
        for r in range(rounds):
            open_incident(s, f"A-{r}")
            open_incident(s, f"B-{r}")
        s.commit()
    for r in range(rounds):
        barrier = threading.Barrier(2)
        outcome: dict[str, str] = {}

        def commander(
            incident: str,
            unit: str = f"U{r + 1}",
            barrier: threading.Barrier = barrier,
            outcome: dict[str, str] = outcome,
        ) -> None:
            barrier.wait()
            try:
                if immediate:
                    with write_session(fresh_engine) as s:
                        dispatch_units(s, incident, [unit], actor=incident, at=AT)
                else:
                    with Session(fresh_engine) as s:
                        dispatch_units(s, incident, [unit], actor=incident, at=AT)
                        s.commit()
                outcome[incident] = "won"
            except DispatchConflict:
                outcome[incident] = "conflict"

        threads = [threading.Thread(target=commander, args=(f"{x}-{r}",)) for x in "AB"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(outcome.values()) == ["conflict", "won"], outcome
        with Session(fresh_engine) as s:
            unit = s.exec(select(Unit).where(Unit.code == f"U{r + 1}")).one()
            open_rows = s.exec(
                select(Dispatch).where(Dispatch.unit_id == unit.id, Dispatch.released_at.is_(None))
            ).all()
            assert len(open_rows) == 1
            status = s.exec(select(UnitStatus).where(UnitStatus.unit_id == unit.id)).one()
            winner = next(i for i, o in outcome.items() if o == "won")
            assert status.status == "en_route"
            assert status.incident_id == get_incident(s, winner).id == open_rows[0].incident_id
            loser = next(i for i, o in outcome.items() if o == "conflict")
            assert get_incident(s, loser).status == "suggested"
