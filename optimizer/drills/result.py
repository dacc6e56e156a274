"""The result of a drill scheduling solve."""

from __future__ import annotations

from pydantic import Field

from optimizer.drill_format import DrillSession
from optimizer.result import SolveSummary


class DrillResult(SolveSummary):
    sessions: list[DrillSession] = Field(default_factory=list)
    drills_due: int = Field(default=0, description="drills due in the horizon")
    groups: int = Field(default=0, description="independent groups solved separately")
    warnings: list[str] = Field(default_factory=list)
    calendar_sources: dict[str, str] = Field(
        default_factory=dict, description="year → notice, chinese_calendar or holidays"
    )
