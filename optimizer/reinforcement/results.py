"""What a reinforcement suggestion and a backfill return: the choice, its explanation and the
solve's truth (status, objective, bound, terms, shortfalls)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from optimizer.result import SolveSummary
from optimizer.scenario import Level


class UnitChoice(BaseModel):
    """One unit of a suggestion and why it is there."""

    unit_id: str
    name: str
    force: str
    status: str
    tier: Level = Field(description="escalation tier the unit is drawn from")
    eta_minutes: float
    headcount: int
    armed: int
    skills: dict[str, int] = Field(default_factory=dict)
    vehicles: int = 0
    covers: list[str] = Field(default_factory=list, description="needs this unit contributes to")
    reason: str = ""


class NeedReport(BaseModel):
    """How one need of the incident is met by a suggestion."""

    need: str = Field(description="headcount, armed, vehicles or skill:<name>")
    requested: int
    provided: int
    met_at_minutes: float | None = Field(
        default=None, description="when the suggested units meet it (None = not met)"
    )
    best_possible_minutes: float | None = Field(
        default=None,
        description="earliest time any eligible units could meet this need alone "
        "(floors ignored); None = the forces allowed cannot meet it at all",
    )
    within_target: bool = False
    note: str = ""
    note_code: str = Field(default="", description="code of the note in optimizer.messages")
    note_params: dict[str, Any] = Field(default_factory=dict, description="parameters of note_code")


class Suggestion(BaseModel):
    rank: int = Field(description="1 = best")
    units: list[UnitChoice] = Field(default_factory=list)
    arrival_minutes: float = Field(description="when the last suggested unit arrives")
    first_arrival_minutes: float | None = None
    unit_count: int = 0
    headcount: int = 0
    shortfall: int = Field(default=0, description="need units (people, vehicles…) left unmet")
    needs: list[NeedReport] = Field(default_factory=list)
    objective_key: list[float] = Field(
        default_factory=list,
        description="lexicographic key: shortfall, arrival s, units, tier sum, travel s",
    )


class ReinforcementResult(SolveSummary):
    incident_id: str
    level: Level = Field(description="highest escalation tier the suggestion draws from")
    escalations: list[str] = Field(default_factory=list, description="why the tier was raised")
    suggestions: list[Suggestion] = Field(default_factory=list, description="best first")
    eligible_units: int = 0
    candidates: int = Field(default=0, description="units the exact model was solved on")
    pruning: str = ""

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None


class Move(BaseModel):
    unit_id: str
    name: str
    status: str
    from_position: tuple[float, float]
    to_site: str = Field(description="zone or standby-point id the unit moves to")
    to_position: tuple[float, float]
    travel_minutes: float


class CoverageFigures(BaseModel):
    """Share of the current hour's risk reachable within each ring (minutes → share 0…1)."""

    shares: dict[str, float] = Field(default_factory=dict)
    risk_total: float = 0.0


class BackfillResult(SolveSummary):
    before: CoverageFigures
    after_dispatch: CoverageFigures
    after_moves: CoverageFigures
    moves: list[Move] = Field(default_factory=list)
    candidate_moves: int = 0
