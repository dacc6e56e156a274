"""A patrol plan solved in parts on many machines: pure functions on scenarios and results,
with no knowledge of the job engine that carries the parts (Celery lives in `api/`).

    split_patrol(scenario, params, part_seconds=None) -> list[PatrolPart]   (fan-out)
    solve_part(part, progress=None, cancel=None) -> PatrolResult           (one worker)
    merge_parts(name, results) -> PatrolResult                              (fan-in)
    project_wall_time(part_seconds, workers, merge_seconds=0) -> float      (planning capacity)

The parts are the counties of `decompose.county_parts` (independent when people patrol only
inside their own county); each part is solved exactly as `plan_patrol` solves a one-county
scenario, and the merge is `decompose.merge`: the plan is the union, the objective the sum,
the bound the sum of the parts' bounds, the gap recomputed from the two."""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass
from typing import Any

from optimizer.patrol.decompose import county_parts, merge
from optimizer.patrol.instance import validate_for_patrol
from optimizer.patrol.result import PatrolResult
from optimizer.patrol.solve import CITY_MARGIN, SolveParams, plan_patrol
from optimizer.result import ProgressCallback
from optimizer.scenario import Level, Scenario, parse_scenario


@dataclass
class PatrolPart:
    """One independent part of a patrol plan: its key (the county id, or "all" when the
    scenario does not split), its scenario, its solve parameters and its weight (people)."""

    key: str
    scenario: Scenario
    params: SolveParams
    weight: float

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "scenario": self.scenario.model_dump(mode="json"),
            "params": dict(self.params.__dict__),
            "weight": self.weight,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PatrolPart:
        return cls(
            key=str(data["key"]),
            scenario=parse_scenario(data["scenario"]),
            params=SolveParams(**data["params"]),
            weight=float(data["weight"]),
        )


def _county(part: Scenario) -> str:
    counties = [j.id for j in part.jurisdictions if j.level == Level.COUNTY]
    return counties[0] if len(counties) == 1 else "all"


def split_patrol(
    scenario: Scenario, params: SolveParams | None = None, part_seconds: float | None = None
) -> list[PatrolPart]:
    """The scenario's independent parts. Each part's time limit is `part_seconds` when given,
    else its share of `params.time_limit` by people (as `plan_patrol` shares the time among
    the counties it solves one after another). Raises PatrolInputError for bad input."""
    params = params or SolveParams()
    if part_seconds is not None and part_seconds <= 0:
        raise ValueError(f"part_seconds: must be positive, got {part_seconds}")
    validate_for_patrol(scenario)
    parts = county_parts(scenario)
    weights = [float(max(1, len(p.people))) for p in parts]
    total = sum(weights)
    margin = 0.0 if len(parts) == 1 else CITY_MARGIN
    out = []
    for part, weight in zip(parts, weights, strict=True):
        limit = part_seconds or max(1.0, params.time_limit * (1 - margin) * weight / total)
        out.append(
            PatrolPart(
                key=_county(part),
                scenario=part,
                params=SolveParams(**{**params.__dict__, "time_limit": limit}),
                weight=weight,
            )
        )
    return out


def solve_part(
    part: PatrolPart,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PatrolResult:
    """Solve one part as `plan_patrol` solves a one-county scenario."""
    return plan_patrol(part.scenario, part.params, progress, cancel)


def merge_parts(name: str, results: list[PatrolResult]) -> PatrolResult:
    """The whole plan from its parts' results, in the order of `split_patrol`'s parts: one
    part's result stands as it is (renamed); several are merged (sum of objectives and of
    bounds, gap recomputed)."""
    if len(results) == 1:
        return results[0].model_copy(update={"scenario_name": name})
    return merge(name, results)


def project_wall_time(part_seconds: list[float], workers: int, merge_seconds: float = 0.0) -> float:
    """Wall time of solving parts that took `part_seconds` each on `workers` workers:
    longest-processing-time-first list scheduling (each part, longest first, goes to the
    worker that is free first), plus the merge. Never less than the longest part."""
    if workers < 1:
        raise ValueError(f"workers: must be at least 1, got {workers}")
    free = [0.0] * min(workers, max(1, len(part_seconds)))
    heapq.heapify(free)
    for seconds in sorted(part_seconds, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + seconds)
    return max(free) + merge_seconds
