"""Standby readiness per county floor: people of the floor's forces in standby units against
max(min_count, ⌈min_share × strength⌉); the API's old import path still works."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from dispatch.models import UnitStatus
from dispatch.readiness import standby_readiness
from optimizer.reinforcement.forces import UnitState
from rosters.models import Unit
from rosters.scenario_db import load_scenario_into_db
from tests.optimizer.patrol_cases import person, scenario


def _load(session: Session, **floor: object) -> None:
    people = [person(f"P{i}", force="patrol_swat", unit="U1") for i in range(5)]
    people.append(person("Q1", force="county_response"))
    floor = {"jurisdiction_id": "K1", "forces": ["patrol_swat"], **floor}
    load_scenario_into_db(session, scenario(people, standby=[floor]))


def test_nobody_on_standby_is_short_of_the_floor(session: Session) -> None:
    _load(session, min_share=0.5)
    (k1,) = standby_readiness(session)
    assert (k1.county, k1.strength, k1.on_standby) == ("K1", 5, 0)
    assert k1.required == 3 and k1.short == 3  # ⌈0.5 × 5⌉; Q1's force does not count


def test_a_standby_unit_meets_the_floor(session: Session) -> None:
    _load(session, min_count=4)
    unit = session.exec(select(Unit).where(Unit.code == "U1")).one()
    now = dt.datetime.now(dt.UTC)
    session.add(UnitStatus(unit_id=unit.id, status=UnitState.STANDBY.value, updated_at=now))  # type: ignore[arg-type]
    session.flush()
    (k1,) = standby_readiness(session)
    assert (k1.required, k1.on_standby, k1.short) == (4, 5, 0)
