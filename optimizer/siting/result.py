"""Siting results: the shared solve summary plus the chosen sites and who goes where."""

from __future__ import annotations

from pydantic import BaseModel, Field

from optimizer.result import SolveSummary


class SitingResult(SolveSummary):
    open_sites: list[str] = Field(default_factory=list, description="chosen site ids")
    assignment: dict[str, str] = Field(
        default_factory=dict, description="demand id → nearest open site id"
    )


class PMedianResult(SitingResult):
    """`objective` = Σ weight × time to the nearest open site."""

    mean_minutes: float | None = Field(default=None, description="demand-weighted mean time")
    max_minutes: float | None = Field(default=None, description="worst time of a demand point")


class CoverageRing(BaseModel):
    """Demand within `minutes` of an open site earns `weight` per unit of demand. Rings are
    cumulative: with rings 3 min (weight 2) and 5 min (weight 1) a point 2 min from a site
    earns 3 per unit, a point 4 min away earns 1."""

    minutes: float = Field(gt=0, description="threshold, same unit as the travel times")
    weight: float = Field(default=1.0, ge=0)

    @property
    def label(self) -> str:
        return f"covered within {self.minutes:g}"


class MaxCoverResult(SitingResult):
    """`objective` = Σ over rings of ring weight × demand covered within the ring."""

    covered: dict[str, float] = Field(
        default_factory=dict, description="ring label → demand covered within it"
    )
    covered_share: dict[str, float] = Field(
        default_factory=dict, description="ring label → covered share of all demand (0–1)"
    )
