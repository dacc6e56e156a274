"""The result of a patrol solve."""

from __future__ import annotations

from pydantic import BaseModel, Field

from optimizer.result import SolveSummary
from optimizer.scenario import Assignment


class PlanDiff(BaseModel):
    added: list[Assignment] = Field(default_factory=list)
    removed: list[Assignment] = Field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.removed)


class PatrolResult(SolveSummary):
    scenario_name: str = ""
    assignments: list[Assignment] = Field(default_factory=list)
    diff: PlanDiff | None = None
    model_size: dict[str, int] = Field(default_factory=dict)
    effort: dict[str, int] = Field(
        default_factory=dict,
        description="work done: groups planned again, groups that improved the plan, parts",
    )
    deterministic: bool = Field(
        default=False, description="solved with deterministic effort (same seed → same plan)"
    )
