"""Small hand-made drill scenarios: one county (K1) with a SWAT unit of two squads and a
response-team squad, a range and a training ground, two instructors, a readiness floor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from optimizer.scenario import Scenario, parse_scenario

START = dt.date(2026, 12, 1)  # a Tuesday; 2026 is a year chinese_calendar knows


def people(unit: str, n: int, force: str = "patrol_swat", prefix: str = "") -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix or unit}-{i}",
            "name": f"队员{unit}{i}",
            "force": force,
            "unit_id": unit,
            "jurisdiction_id": "K1",
            "armed": True,
        }
        for i in range(n)
    ]


def live_fire(**kw: Any) -> dict[str, Any]:
    return {
        "id": "LF",
        "name": "实弹射击",
        "kind": "live_fire",
        "hours": 4,
        "venue_kind": "range",
        "instructor_skill": "firearms_instructor",
        **kw,
    }


def drill_setup(
    *,
    types: list[dict[str, Any]] | None = None,
    requirements: list[dict[str, Any]] | None = None,
    venues: list[dict[str, Any]] | None = None,
    instructors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "types": types if types is not None else [live_fire()],
        "requirements": requirements
        if requirements is not None
        else [
            {"id": "R1", "drill_type_id": "LF", "unit_ids": ["S1"], "count": 2, "per": "month"},
            {"id": "R2", "drill_type_id": "LF", "unit_ids": ["S2"], "count": 2, "per": "month"},
        ],
        "venues": venues
        if venues is not None
        else [
            {
                "id": "V1",
                "name": "县靶场",
                "kind": "range",
                "jurisdiction_id": "K1",
                "capacity": 12,
            }
        ],
        "instructors": instructors
        if instructors is not None
        else [
            {"id": "I1", "name": "教官甲", "skills": ["firearms_instructor"]},
        ],
        **extra,
    }


def scenario(
    *,
    days: int = 31,
    start: dt.date = START,
    drills: dict[str, Any] | None = None,
    squad_size: int = 10,
    floor: dict[str, Any] | None = None,
    **extra: Any,
) -> Scenario:
    data: dict[str, Any] = {
        "format": "pingan-scenario",
        "version": "1.1",
        "name": "drill case",
        "horizon": {"start": start.isoformat(), "days": days},
        "jurisdictions": [
            {"id": "C", "name": "市", "level": "city"},
            {"id": "K1", "name": "县一", "level": "county", "parent_id": "C"},
            {"id": "T1", "name": "镇一", "level": "township", "parent_id": "K1"},
        ],
        "units": [
            {"id": "XT", "name": "巡特警大队", "force": "patrol_swat", "jurisdiction_id": "K1"},
            {
                "id": "S1",
                "name": "一中队",
                "force": "patrol_swat",
                "jurisdiction_id": "K1",
                "parent_id": "XT",
                "squad": True,
            },
            {
                "id": "S2",
                "name": "二中队",
                "force": "patrol_swat",
                "jurisdiction_id": "K1",
                "parent_id": "XT",
                "squad": True,
            },
            {
                "id": "Y1",
                "name": "应急一中队",
                "force": "county_response",
                "jurisdiction_id": "K1",
                "squad": True,
            },
        ],
        "people": people("S1", squad_size)
        + people("S2", squad_size)
        + people("Y1", squad_size, "county_response"),
        "standby": [floor or {"jurisdiction_id": "K1", "min_share": 0.3}],
        "drills": drills or drill_setup(),
    }
    data.update(extra)
    return parse_scenario(data)
