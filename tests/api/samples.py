"""Valid bodies of every roster resource (created in this order), and a tiny roster."""

from __future__ import annotations

from typing import Any

FLAT = [[1.0] * 24 for _ in range(7)]

CREATE: list[tuple[str, str, dict[str, Any]]] = [
    ("jurisdictions", "C", {"code": "C", "name": "市", "level": "city"}),
    (
        "jurisdictions",
        "K1",
        {"code": "K1", "name": "甘州区", "level": "county", "parent": "C", "population": 500000},
    ),
    (
        "units",
        "U1",
        {
            "code": "U1",
            "name": "一中队",
            "force": "patrol_swat",
            "jurisdiction": "K1",
            "squad": True,
            "base_lon": 100.45,
            "base_lat": 38.93,
        },
    ),
    (
        "people",
        "P1",
        {
            "badge": "P1",
            "name": "张三",
            "force": "patrol_swat",
            "jurisdiction": "K1",
            "unit": "U1",
            "armed": True,
            "certifications": [{"skill": "first_aid", "expires": "2027-06-30"}],
        },
    ),
    (
        "zones",
        "Z1",
        {"code": "Z1", "name": "东街", "jurisdiction": "K1", "risk": FLAT, "min_presence": 1},
    ),
    (
        "posts",
        "X1",
        {
            "code": "X1",
            "name": "北门卡点",
            "kind": "checkpoint",
            "jurisdiction": "K1",
            "lon": 100.46,
            "lat": 38.94,
            "hours": [[8, 20]],
        },
    ),
    ("shift-templates", "D", {"code": "D", "name": "白班", "start": "08:00", "hours": 8}),
    (
        "standby-floors",
        "K1",
        {"jurisdiction": "K1", "forces": ["patrol_swat"], "min_count": 1},
    ),
    (
        "labour-rules",
        "rest",
        {"code": "rest", "kind": "min_rest", "body": {"hours": 11}},
    ),
]

#: one field to change per resource, and its new value
CHANGE: dict[str, tuple[str, Any]] = {
    "jurisdictions": ("population", 600000),
    "units": ("phone", "0936-110"),
    "people": ("rank", "警长"),
    "zones": ("min_presence", 2),
    "posts": ("min_staff", 2),
    "shift-templates": ("name", "早班"),
    "standby-floors": ("min_count", 3),
    "labour-rules": ("body", {"hours": 12}),
}
