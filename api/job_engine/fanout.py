"""How each kind of job is split into parts, how a part is solved and how the parts' results
become the job's result. A patrol plan splits by county (`optimizer.patrol.distributed`), a
drill schedule by independent group (`optimizer.drills.distributed`); every other kind is
one part that runs the kind's in-process job function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from api.job_engine.parts import PartSpec
from api.jobs import KINDS, JobContext


@dataclass
class Split:
    parts: list[PartSpec]
    merge: dict[str, Any]  # what the merge needs besides the parts' results


class Fanout(Protocol):
    def split(self, ctx: JobContext, params: dict[str, Any]) -> Split: ...

    def solve(self, ctx: JobContext, part: dict[str, Any]) -> dict[str, Any]: ...

    def merge(
        self, ctx: JobContext, merge: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]: ...


class Whole:
    """A job that does not split: one part, the kind's job function, its result as is."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def split(self, ctx: JobContext, params: dict[str, Any]) -> Split:
        return Split([PartSpec("all", {"params": params})], {})

    def solve(self, ctx: JobContext, part: dict[str, Any]) -> dict[str, Any]:
        return KINDS[self.kind](ctx, dict(part["params"]))

    def merge(
        self, ctx: JobContext, merge: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return results[0]


class PatrolByCounty:
    """A patrol plan: one part per county, the plan merged and saved once all are done."""

    def split(self, ctx: JobContext, params: dict[str, Any]) -> Split:
        from api.solves import PatrolPlanRequest, patrol_scenario
        from optimizer.patrol import SolveParams
        from optimizer.patrol.distributed import split_patrol

        req = PatrolPlanRequest.model_validate(params)
        scenario, start = patrol_scenario(ctx, req)
        solve = SolveParams(time_limit=req.seconds, num_workers=req.workers, random_seed=req.seed)
        parts = split_patrol(scenario, solve, req.part_seconds)
        return Split(
            [PartSpec(p.key, p.to_json(), p.weight) for p in parts],
            {"name": scenario.name, "start": start.isoformat(), "days": req.days},
        )

    def solve(self, ctx: JobContext, part: dict[str, Any]) -> dict[str, Any]:
        from optimizer.patrol.distributed import PatrolPart, solve_part

        result = solve_part(PatrolPart.from_json(part), ctx.report, ctx.cancel)
        return result.model_dump(mode="json")

    def merge(
        self, ctx: JobContext, merge: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        from api.solves import store_patrol_plan
        from optimizer.patrol import PatrolResult
        from optimizer.patrol.distributed import merge_parts

        whole = merge_parts(merge["name"], [PatrolResult.model_validate(r) for r in results])
        start = dt.date.fromisoformat(merge["start"])
        save = bool(merge.get("save", True))
        return store_patrol_plan(ctx, merge["name"], start, int(merge["days"]), whole, save)


class DrillsByGroup:
    """A drill schedule: one part per independent group, merged and kept as a draft."""

    def split(self, ctx: JobContext, params: dict[str, Any]) -> Split:
        from api.solves import DrillScheduleRequest, drill_scenario_of
        from optimizer.drills import DrillParams
        from optimizer.drills.distributed import split_drills

        req = DrillScheduleRequest.model_validate(params)
        scenario, start = drill_scenario_of(ctx, req)
        solve = DrillParams(time_limit=req.seconds, num_workers=req.workers, random_seed=req.seed)
        parts = split_drills(scenario, solve)
        merge = {
            "name": scenario.name,
            "start": start.isoformat(),
            "params": params,
            "requirements": [r.id for r in scenario.drills.requirements],
        }
        return Split([PartSpec(p.key, p.to_json(), p.weight) for p in parts], merge)

    def solve(self, ctx: JobContext, part: dict[str, Any]) -> dict[str, Any]:
        from optimizer.drills import schedule_drills
        from optimizer.drills.distributed import DrillPart

        p = DrillPart.from_json(part)
        result = schedule_drills(p.scenario, p.params, progress=ctx.report, cancel=ctx.cancel)
        return result.model_dump(mode="json")

    def merge(
        self, ctx: JobContext, merge: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        from api.solves import DrillScheduleRequest, store_drill_schedule
        from optimizer.drills.distributed import merge_drills
        from optimizer.drills.result import DrillResult

        whole = merge_drills([DrillResult.model_validate(r) for r in results])
        req = DrillScheduleRequest.model_validate(merge["params"])
        start = dt.date.fromisoformat(merge["start"])
        return store_drill_schedule(
            ctx, merge["name"], start, req, list(merge["requirements"]), whole
        )


def fanout_of(kind: str) -> Fanout:
    if kind == "patrol_plan":
        return PatrolByCounty()
    if kind == "drill_schedule":
        return DrillsByGroup()
    if kind not in KINDS:
        raise ValueError(f"kind: unknown job kind '{kind}'")
    return Whole(kind)


def part_summary(result: dict[str, Any]) -> dict[str, Any]:
    """What the job's result keeps of a part's result (not its assignments)."""
    return {
        k: result.get(k)
        for k in ("status", "objective", "bound", "gap", "solve_seconds", "message")
        if k in result
    }
