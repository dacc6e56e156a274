"""Siting input: demand points, candidate sites, the number of sites to open, and travel
times given as a matrix or computed from coordinates by a `TravelTimeModel`.

`build_instance` checks the input and turns it into a `SitingInstance` (plain numpy arrays,
indexed), which every siting model reads. Bad input raises `SitingInputError` naming the
field before anything is solved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from optimizer.scenario import LonLat
from optimizer.travel import GreatCircleTravel, TravelMode, TravelTimeModel


class SitingInputError(ValueError):
    """Malformed siting input; the message starts with the offending field."""


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DemandPoint(_Item):
    id: str = Field(min_length=1)
    location: LonLat | None = None
    weight: float = Field(default=1.0, description="demand (incidents, population…), ≥ 0")


class CandidateSite(_Item):
    id: str = Field(min_length=1)
    location: LonLat | None = None
    existing: bool = Field(default=False, description="already open: kept open, counts in p")


class SitingProblem(_Item):
    demand: list[DemandPoint]
    candidates: list[CandidateSite]
    p: int = Field(description="number of sites to open (existing ones included)")
    minutes: list[list[float]] | None = Field(
        default=None,
        description="travel time demand × candidate; any consistent unit (e.g. metres) works",
    )
    mode: TravelMode = TravelMode.VEHICLE


@dataclass(frozen=True)
class SitingInstance:
    """The indexed problem: `cost[i, j]` is the time from candidate j to demand point i."""

    demand_ids: list[str]
    site_ids: list[str]
    weights: np.ndarray
    cost: np.ndarray
    p: int
    existing: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        if len(self.existing) == 0:
            object.__setattr__(self, "existing", np.zeros(len(self.site_ids), dtype=bool))
        _validate(self)

    @property
    def n(self) -> int:
        return len(self.demand_ids)

    @property
    def m(self) -> int:
        return len(self.site_ids)


def build_instance(
    problem: SitingProblem | SitingInstance, travel: TravelTimeModel | None = None
) -> SitingInstance:
    """Validate `problem` and index it; travel times come from `problem.minutes` or, when it
    is absent, from `travel` (default `GreatCircleTravel()`) applied to the coordinates."""
    if isinstance(problem, SitingInstance):
        return problem
    if problem.minutes is not None:
        try:
            cost = np.asarray(problem.minutes, dtype=float)
        except ValueError as exc:
            raise SitingInputError("minutes: rows of unequal length") from exc
    else:
        for name, items in (("demand", problem.demand), ("candidates", problem.candidates)):
            for k, item in enumerate(items):
                if item.location is None:
                    raise SitingInputError(
                        f"{name}[{k}].location: required when no minutes matrix is given"
                    )
        model = travel or GreatCircleTravel()
        cost = model.matrix(
            [d.location for d in problem.demand],  # type: ignore[misc]
            [c.location for c in problem.candidates],  # type: ignore[misc]
            problem.mode,
        )
        cost = np.asarray(cost, dtype=float).reshape(len(problem.demand), -1)
    return SitingInstance(
        demand_ids=[d.id for d in problem.demand],
        site_ids=[c.id for c in problem.candidates],
        weights=np.array([d.weight for d in problem.demand], dtype=float),
        cost=cost,
        p=problem.p,
        existing=np.array([c.existing for c in problem.candidates], dtype=bool),
    )


def _validate(inst: SitingInstance) -> None:
    n, m = len(inst.demand_ids), len(inst.site_ids)
    if n == 0:
        raise SitingInputError("demand: at least one demand point is required")
    if m == 0:
        raise SitingInputError("candidates: at least one candidate site is required")
    for name, ids in (("demand", inst.demand_ids), ("candidates", inst.site_ids)):
        seen: set[str] = set()
        for k, pid in enumerate(ids):
            if pid in seen:
                raise SitingInputError(f"{name}[{k}].id: duplicate id {pid!r}")
            seen.add(pid)
    if not 1 <= inst.p <= m:
        raise SitingInputError(f"p: must be between 1 and the {m} candidates, got {inst.p}")
    if int(inst.existing.sum()) > inst.p:
        raise SitingInputError(
            f"candidates: {int(inst.existing.sum())} existing sites exceed p = {inst.p}"
        )
    if inst.weights.shape != (n,):
        raise SitingInputError(f"demand: {inst.weights.shape} weights for {n} points")
    bad = np.flatnonzero(~(inst.weights >= 0) | ~np.isfinite(inst.weights))
    if len(bad):
        k = int(bad[0])
        raise SitingInputError(f"demand[{k}].weight: must be finite and ≥ 0, got {inst.weights[k]}")
    if inst.cost.shape != (n, m):
        raise SitingInputError(
            f"minutes: shape {inst.cost.shape} does not match {n} demand points × {m} candidates"
        )
    bad_cells = np.argwhere(~(inst.cost >= 0) | ~np.isfinite(inst.cost))
    if len(bad_cells):
        i, j = (int(v) for v in bad_cells[0])
        raise SitingInputError(f"minutes[{i}][{j}]: must be finite and ≥ 0, got {inst.cost[i, j]}")
