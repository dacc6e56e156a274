"""Result types shared by every model: a solve never raises for an infeasible or timed-out
problem, it returns a result that carries the truth (status, objective, bound, gap, terms,
what could not be met and which rules conflict)."""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    MODEL_INVALID = "model_invalid"


class Shortfall(BaseModel):
    """A requirement the plan does not meet: what, where, when, how short, and why."""

    requirement: str = Field(description="kind of requirement, e.g. post_cover, zone_presence")
    target_id: str = Field(description="post, zone, county or drill requirement id")
    start: str | None = Field(default=None, description="ISO start of the uncovered period")
    end: str | None = Field(default=None, description="ISO end of the uncovered period")
    missing: float = Field(description="how much is missing (people, hours, drills…)")
    unit: str = "people"
    reason: str = ""
    reason_code: str = Field(
        default="", description="code of the reason in optimizer.messages ('' when none)"
    )
    reason_params: dict[str, Any] = Field(
        default_factory=dict, description="parameters of reason_code"
    )


class Conflict(BaseModel):
    """A named hard rule that takes part in an infeasible set."""

    rule: str = Field(description="human-readable rule name, e.g. 'min rest 11 h — county 甘州'")
    kind: str = ""
    detail: str = ""
    rule_code: str = Field(
        default="", description="code of the rule's name in optimizer.messages ('' when none)"
    )
    rule_params: dict[str, Any] = Field(default_factory=dict, description="parameters of rule_code")


class Progress(BaseModel):
    """A progress report sent to callbacks while a solve runs."""

    seconds: float
    objective: float | None
    bound: float | None
    gap: float | None


ProgressCallback = Callable[[Progress], None]


class SolveSummary(BaseModel):
    """Fields every solver result carries. Model-specific results extend it."""

    status: SolveStatus
    objective: float | None = None
    bound: float | None = None
    gap: float | None = Field(default=None, description="relative gap |obj-bound|/max(1,|obj|)")
    bound_source: str = Field(
        default="", description="what proved the bound, e.g. CP-SAT, HiGHS LP"
    )
    objective_terms: dict[str, float] = Field(default_factory=dict)
    solve_seconds: float = 0.0
    first_feasible_seconds: float | None = None
    num_workers: int = 1
    shortfalls: list[Shortfall] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    message: str = ""


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative optimality gap, 0 when proven; None when either side is missing."""
    if objective is None or bound is None or math.isinf(objective) or math.isinf(bound):
        return None
    diff = abs(objective - bound)
    if diff < 1e-9:
        return 0.0
    return diff / max(1.0, abs(objective))


SUMMARY_KEYS = (
    "status",
    "objective",
    "bound",
    "gap",
    "bound_source",
    "solve_seconds",
    "first_feasible_seconds",
    "num_workers",
)


def summary_rows(result: SolveSummary, extra: tuple[str, ...] = ()) -> list[list[object]]:
    """The solver's figures as [name, value] rows (for a sheet of a plan's workbook): the
    summary fields, `extra` fields of the result, each objective term, each conflict."""
    rows: list[list[object]] = [[k, str(getattr(result, k))] for k in SUMMARY_KEYS + extra]
    rows += [[f"term: {name}", value] for name, value in result.objective_terms.items()]
    rows += [["conflict", c.rule] for c in result.conflicts]
    return rows
