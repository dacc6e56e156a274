"""Valid bodies of every drill resource (created in this order, after the roster samples),
and one field to change in each."""

from __future__ import annotations

from typing import Any

CREATE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "drills/types",
        "LF",
        {
            "code": "LF",
            "name": "实弹射击",
            "kind": "live_fire",
            "hours": 4,
            "forces": ["patrol_swat"],
            "venue_kind": "range",
            "instructor_skill": "firearms_instructor",
        },
    ),
    (
        "drills/requirements",
        "R1",
        {
            "code": "R1",
            "drill_type": "LF",
            "units": ["U1"],
            "count": 2,
            "per": "month",
            "preferred_weekdays": [1, 3],
        },
    ),
    (
        "drills/venues",
        "V1",
        {
            "code": "V1",
            "name": "县靶场",
            "kind": "range",
            "jurisdiction": "K1",
            "capacity": 12,
            "lon": 100.4,
            "lat": 38.9,
            "open_from": "08:00:00",
            "open_until": "18:00:00",
            "weekdays": [0, 1, 2, 3, 4],
        },
    ),
    (
        "drills/instructors",
        "I1",
        {
            "code": "I1",
            "name": "教官甲",
            "person": "P1",
            "jurisdiction": "K1",
            "skills": ["firearms_instructor"],
            "unavailable": [{"start": "2026-12-10T00:00:00Z", "end": "2026-12-11T10:00:00Z"}],
        },
    ),
    (
        "drills/blackouts",
        "B1",
        {
            "code": "B1",
            "name": "重大活动安保",
            "start_at": "2026-12-20T00:00:00Z",
            "end_at": "2026-12-22T00:00:00Z",
            "kinds": ["live_fire"],
            "jurisdictions": ["K1"],
        },
    ),
    ("drills/calendar", "2026-10-01", {"date": "2026-10-01", "working": False, "name": "国庆节"}),
]

CHANGE: dict[str, tuple[str, Any]] = {
    "drills/types": ("hours", 3),
    "drills/requirements": ("count", 1),
    "drills/venues": ("capacity", 20),
    "drills/instructors": ("skills", ["firearms_instructor", "first_aid_instructor"]),
    "drills/blackouts": ("jurisdictions", []),
    "drills/calendar": ("name", "国庆"),
}
ENTITIES = {"drill_type", "drill_requirement", "venue", "instructor", "blackout", "calendar_day"}
