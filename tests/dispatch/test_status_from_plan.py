"""Unit status follows the plan published in the database."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from dispatch.models import UnitStatus
from dispatch.status import sync_unit_status
from optimizer.scenario import Assignment
from rosters.demo_city import build_demo_city
from rosters.models import Unit
from rosters.plans import publish_plan, save_plan
from rosters.scenario_db import load_scenario_into_db


def test_status_comes_from_the_published_plan(session: Session) -> None:
    city = build_demo_city("small")
    load_scenario_into_db(session, city)
    squad = next(u for u in city.units if u.squad and u.force == "patrol_swat")
    members = [p.id for p in city.people if p.unit_id == squad.id]
    post = next(p for p in city.posts if p.hours)
    day = city.horizon.start
    plan = [
        Assignment(person_id=m, date=day, shift_id="D", task="post", target_id=post.id)
        for m in members
    ]
    plan_id = save_plan(session, name="t", start=day, days=1, status="optimal", assignments=plan)
    at = dt.datetime.combine(day, dt.time(10))

    def status() -> str:
        unit_id = session.exec(select(Unit.id).where(Unit.code == squad.id)).one()
        return session.exec(select(UnitStatus.status).where(UnitStatus.unit_id == unit_id)).one()

    sync_unit_status(session, city, at)  # nothing published yet: the squad is free
    before = status()
    publish_plan(session, plan_id)
    sync_unit_status(session, city, at)
    assert before != "on_post" and status() == "on_post"
