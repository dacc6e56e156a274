"""Drill duties for the small test city (tests/api/city.py), created through the JSON API as
a training officer would: live-fire drills once a month for one unit of each county, at a
range in K1 with one instructor."""

from __future__ import annotations

from typing import Any

import httpx

from api.models import Role

TYPES = [
    {
        "code": "LF",
        "name": "实弹射击",
        "kind": "live_fire",
        "hours": 2,
        "forces": ["patrol_swat"],
        "headcount": 1,  # one of the unit's three at a time: the standby floor (2) holds
        "whole_squad": False,
        "venue_kind": "range",
        "instructor_skill": "firearms_instructor",
    }
]
REQUIREMENTS = [
    {"code": f"R-{c}", "drill_type": "LF", "units": [f"{c}-U0"], "count": 1, "per": "month"}
    for c in ("K1", "K2")
]
VENUES = [
    {
        "code": "V1",
        "name": "甘州靶场",
        "kind": "range",
        "jurisdiction": "K1",
        "capacity": 12,
        "lon": 100.45,
        "lat": 38.95,
    }
]
INSTRUCTORS = [
    {"code": "I1", "name": "教官甲", "jurisdiction": "K1", "skills": ["firearms_instructor"]}
]


def add_drill_duties(base: str, headers: dict[str, str]) -> None:
    """Create the drill types, duties, venue and instructor (201 each, or fail)."""
    resources: list[tuple[str, list[dict[str, Any]]]] = [
        ("drills/types", TYPES),
        ("drills/requirements", REQUIREMENTS),
        ("drills/venues", VENUES),
        ("drills/instructors", INSTRUCTORS),
    ]
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for path, bodies in resources:
            for body in bodies:
                r = client.post(f"/{path}", json=body)
                assert r.status_code == 201, (path, r.text)


__all__ = ["Role", "add_drill_duties"]
