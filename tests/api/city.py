"""A small city in the database for the page tests: two counties (甘州区 K1, 临泽县 K2) with
their townships, zones, posts, units, people, standby floors and a published plan for the
day shift of `DAY`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from optimizer.scenario import Scenario, parse_scenario
from rosters.db import session_scope
from rosters.plans import publish_plan, save_plan
from rosters.scenario_db import load_scenario_into_db

DAY = dt.date(2025, 5, 5)  # a Monday


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


#: (county, lon, lat) of the two counties
COUNTIES = [("K1", "甘州区", 100.40, 38.90), ("K2", "临泽县", 100.70, 38.90)]
#: plan: (badge, shift, post) — K1's posts in the day shift, K2's in the night shift
PLAN = [
    ("K1-0", "day", "K1-A"),
    ("K1-1", "day", "K1-A"),
    ("K1-2", "day", "K1-B"),
    ("K2-0", "night", "K2-A"),
    ("K2-1", "day", "K2-B"),
]


def city_data(units_per_county: int = 2) -> dict[str, Any]:
    jurisdictions: list[dict[str, Any]] = [{"id": "C", "name": "张掖市", "level": "city"}]
    units, people, posts, zones, floors = [], [], [], [], []
    for code, name, lon, lat in COUNTIES:
        jurisdictions.append(
            {
                "id": code,
                "name": name,
                "level": "county",
                "parent_id": "C",
                "boundary": square(lon, lat, 0.2),
            }
        )
        jurisdictions.append(
            {
                "id": f"{code}-T",
                "name": f"{name}城关镇",
                "level": "township",
                "parent_id": code,
                "boundary": square(lon, lat, 0.1),
            }
        )
        for u in range(units_per_county):
            units.append(
                {
                    "id": f"{code}-U{u}",
                    "name": f"{name}巡特警{u + 1}中队",
                    "force": "patrol_swat",
                    "jurisdiction_id": code,
                    "base": [lon + 0.02 + 0.001 * u, lat + 0.02 + 0.0005 * u],
                }
            )
        for i in range(3):
            people.append(
                {
                    "id": f"{code}-{i}",
                    "name": f"{name[:2]}民警{i}",
                    "force": "patrol_swat",
                    "unit_id": f"{code}-U0",
                    "jurisdiction_id": f"{code}-T",
                    "armed": i == 2,
                    "phone": f"139{i:08d}",
                }
            )
        posts += [
            {
                "id": f"{code}-A",
                "name": f"{name}北门卡点",
                "kind": "checkpoint",
                "jurisdiction_id": f"{code}-T",
                "location": [lon + 0.03, lat + 0.03],
                "min_staff": 2,
            },
            {
                "id": f"{code}-B",
                "name": f"{name}东站武装卡点",
                "kind": "armed_checkpoint",
                "jurisdiction_id": code,
                "location": [lon + 0.15, lat + 0.05],
                "min_staff": 1,
                "min_armed": 1,
            },
        ]
        zones.append(
            {
                "id": f"{code}-Z",
                "name": f"{name}中心街区",
                "jurisdiction_id": f"{code}-T",
                "geometry": square(lon, lat, 0.05),
                "risk": [[float(h % 5) for h in range(24)] for _ in range(7)],
            }
        )
        floors.append({"jurisdiction_id": code, "forces": ["patrol_swat"], "min_count": 2})
    return {
        "format": "pingan-scenario",
        "version": "1.0",
        "name": "page city",
        "horizon": {"start": DAY.isoformat(), "days": 1},
        "jurisdictions": jurisdictions,
        "units": units,
        "people": people,
        "shifts": [
            {"id": "night", "name": "夜班", "start": "00:00", "hours": 8},
            {"id": "day", "name": "白班", "start": "08:00", "hours": 8},
            {"id": "evening", "name": "晚班", "start": "16:00", "hours": 8},
        ],
        "posts": posts,
        "zones": zones,
        "standby": floors,
        "published_plan": [
            {"person_id": p, "date": DAY.isoformat(), "shift_id": s, "task": "post", "target_id": t}
            for p, s, t in PLAN
        ],
    }


@dataclass
class City:
    scenario: Scenario
    plan_id: int


def load_city(engine: Engine, units_per_county: int = 2) -> City:
    """Load the city's roster and store and publish its plan."""
    scenario = parse_scenario(city_data(units_per_county))
    with session_scope(engine) as session:
        load_scenario_into_db(session, scenario, replace=True)
        plan_id = save_plan(
            session,
            name="page city plan",
            start=DAY,
            days=1,
            status="feasible",
            assignments=scenario.published_plan,
            objective=12.0,
            bound=10.0,
            gap=0.2,
        )
        publish_plan(session, plan_id, by="test")
    return City(scenario, plan_id)
