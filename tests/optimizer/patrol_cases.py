"""Small hand-made patrol scenarios with known answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ortools.sat.python import cp_model

from optimizer.scenario import Scenario, parse_scenario

DAY = dt.date(2026, 12, 7)  # a Monday
FLAT = [[1.0] * 24 for _ in range(7)]


def person(
    pid: str,
    force: str = "county_response",
    armed: bool = False,
    unit: str | None = None,
    skills: list[dict[str, Any]] | None = None,
    jur: str = "K1",
) -> dict[str, Any]:
    return {
        "id": pid,
        "name": f"人{pid}",
        "force": force,
        "jurisdiction_id": jur,
        "armed": armed,
        "unit_id": unit,
        "skills": skills or [],
        "home": [100.0, 38.0],
    }


def post(
    pid: str,
    staff: int = 1,
    armed: int = 0,
    kind: str = "checkpoint",
    skills: dict[str, int] | None = None,
    hours: list[list[int]] | None = None,
) -> dict[str, Any]:
    return {
        "id": pid,
        "name": f"卡点{pid}",
        "kind": kind,
        "jurisdiction_id": "T1",
        "location": [100.01, 38.01],
        "min_staff": staff,
        "min_armed": armed,
        "skills": skills or {},
        "hours": hours or [[0, 24]],
    }


def scenario(
    people: list[dict[str, Any]],
    posts: list[dict[str, Any]] | None = None,
    *,
    days: int = 1,
    rules: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Scenario:
    data: dict[str, Any] = {
        "format": "pingan-scenario",
        "version": "1.0",
        "name": "case",
        "horizon": {"start": DAY.isoformat(), "days": days},
        "jurisdictions": [
            {"id": "C", "name": "市", "level": "city"},
            {"id": "K1", "name": "县一", "level": "county", "parent_id": "C"},
            {"id": "T1", "name": "镇一", "level": "township", "parent_id": "K1"},
        ],
        "units": [
            {
                "id": "U1",
                "name": "一中队",
                "force": "patrol_swat",
                "jurisdiction_id": "K1",
                "squad": True,
            }
        ],
        "people": people,
        "shifts": [
            {"id": "D", "name": "白班", "start": "08:00", "hours": 8},
            {"id": "E", "name": "中班", "start": "16:00", "hours": 8},
            {"id": "N", "name": "夜班", "start": "00:00", "hours": 8},
        ],
        "posts": posts or [],
        "rules": rules or [],
        "weights": {
            "travel": 0,
            "fairness_hours": 0,
            "fairness_nights": 0,
            "fairness_weekends": 0,
            "continuity": 0,
        },
    }
    data.update(extra)
    return parse_scenario(data)


def proven_optimum(model: cp_model.CpModel, seconds: float = 60) -> float:
    """The objective CP-SAT proves optimal on one worker (raw model units)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    solver.parameters.max_time_in_seconds = seconds
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value
