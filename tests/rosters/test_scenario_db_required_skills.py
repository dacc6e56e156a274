"""Scenario 1.2 in the database: a post's required skills survive the round trip (the
migration 0007c_covers adds the column); posts without any come back with none."""

from __future__ import annotations

from sqlmodel import Session

from optimizer.scenario import Scenario
from rosters.demo_city import build_demo_city
from rosters.scenario_db import export_scenario, load_scenario_into_db


def test_required_skills_round_trip(session: Session) -> None:
    city: Scenario = build_demo_city("small")
    first = city.posts[0].model_copy(update={"required_skills": ["dog_handling", "first_aid"]})
    city = city.model_copy(update={"posts": [first, *city.posts[1:]]})
    load_scenario_into_db(session, city)
    back = export_scenario(
        session, start=city.horizon.start, days=city.horizon.days, drill_absences=False
    )
    got = {p.id: p.required_skills for p in back.posts}
    assert got[first.id] == ["dog_handling", "first_aid"]
    assert all(skills == [] for pid, skills in got.items() if pid != first.id)
