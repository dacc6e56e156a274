"""A patrol plan solved in parts on many machines: pure functions on scenarios and results,
with no knowledge of the job engine that carries the parts (Celery lives in `api/`).

    split_patrol(scenario, params, part_seconds=None) -> list[PatrolPart]   (fan-out)
    solve_part(part, progress=None, cancel=None) -> PatrolResult           (one worker)
    merge_parts(name, results) -> PatrolResult                              (fan-in)
    project_wall_time(part_seconds, workers, merge_seconds=0) -> float      (planning capacity)

The parts and their solving are `solve.py`'s seam (`split_parts`, `part_sizes`, `solve_part`,
`merge_parts`): the counties of `decompose.county_parts` (independent when people patrol only
inside their own county), each solved as `plan_patrol` solves it, the plan the union, the
objective the sum, the bound the sum of the parts' bounds, the gap recomputed. A part's time
is what `plan_patrol` would give it if every part before it had used its whole share (its
minimum plus its share of the rest by size), its deterministic effort the same nominal share
as in one process (so a deterministic solve gives the same plan either way)."""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass, replace

from optimizer.parts import ScenarioPart
from optimizer.patrol import budget
from optimizer.patrol.result import PatrolResult
from optimizer.patrol.solve import SolveParams, part_sizes, split_parts
from optimizer.patrol.solve import merge_parts as merge_seam
from optimizer.patrol.solve import solve_part as solve_seam
from optimizer.result import ProgressCallback
from optimizer.scenario import Level, Scenario


@dataclass
class PatrolPart(ScenarioPart):
    """One independent part of a patrol plan: its key (the county id, or "all" when the
    scenario does not split), its scenario, its solve parameters and its weight (people)."""

    params: SolveParams
    params_type = SolveParams


def _county(part: Scenario) -> str:
    counties = [j.id for j in part.jurisdictions if j.level == Level.COUNTY]
    return counties[0] if len(counties) == 1 else "all"


def split_patrol(
    scenario: Scenario, params: SolveParams | None = None, part_seconds: float | None = None
) -> list[PatrolPart]:
    """The scenario's independent parts, each with its time limit (`part_seconds` when
    given, else its share of `params.time_limit` as above) and its deterministic effort.
    Raises PatrolInputError for bad input."""
    params = params or SolveParams()
    if part_seconds is not None and part_seconds <= 0:
        raise ValueError(f"part_seconds: must be positive, got {part_seconds}")
    parts = split_parts(scenario)
    sizes = part_sizes(parts)
    size, minima = [s for s, _ in sizes], [m for _, m in sizes]
    if len(parts) == 1:
        efforts, limits = [params.effort], [params.time_limit]
    else:
        efforts = budget.nominal_shares(params.effort, size)
        left = params.time_limit * (1 - budget.MERGE_SHARE)
        limits = [
            budget.share(
                left,
                [size[i], *size[:i], *size[i + 1 :]],
                [minima[i], *minima[:i], *minima[i + 1 :]],
            ).seconds
            for i in range(len(parts))
        ]
    if part_seconds is not None:
        efforts = limits = [part_seconds] * len(parts)
    return [
        PatrolPart(
            key=_county(part),
            scenario=part,
            params=replace(params, time_limit=max(0.05, limit), effort_seconds=effort),
            weight=weight,
        )
        for part, limit, effort, weight in zip(parts, limits, efforts, size, strict=True)
    ]


def solve_part(
    part: PatrolPart,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PatrolResult:
    """Solve one part (`solve.solve_part`)."""
    return solve_seam(part.scenario, part.params, progress, cancel)


def merge_parts(name: str, results: list[PatrolResult]) -> PatrolResult:
    """The whole plan from its parts' results, in the order of `split_patrol`'s parts: one
    part's result stands as it is (renamed); several are merged (`solve.merge_parts`: sums
    of objectives and of bounds, gap recomputed)."""
    if len(results) == 1:
        return results[0].model_copy(update={"scenario_name": name})
    return merge_seam(name, results)


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
