"""The re-plan of a draft patrol plan around its pins, as a background job
("patrol_replan_pins"; "patrol_replan" is the re-plan of published days after leave): the
plan's scenario with the draft as the plan to keep, its pins fixed in the model
(`optimizer.patrol.pins.replan_around_pins`), the result written back over the draft's
assignments (`rosters.plan_edits.store_replan`); the pins stay."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.events import publish
from api.jobs import JobContext, job_kind
from rosters.db import session_scope as write_session

KIND = "patrol_replan_pins"


class ReplanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    plan_id: int = Field(ge=1, le=2**31 - 1)
    seconds: float = Field(default=30.0, ge=0.5, le=3600, description="time limit")
    workers: int = Field(default=2, ge=1, le=16)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


@job_kind(KIND)
def run_replan_around_pins(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from optimizer.patrol import SolveParams
    from optimizer.patrol.pins import replan_around_pins
    from rosters.models.plans import Plan
    from rosters.plan_edits import load_pins, plan_workspace, store_replan
    from rosters.plans import PlanError, load_assignments

    req = ReplanRequest.model_validate(params)
    with Session(ctx.engine) as session:
        plan = session.get(Plan, req.plan_id)
        if plan is None:
            raise PlanError(f"plan {req.plan_id}: no such plan")
        scenario = plan_workspace(session, plan, ctx.settings.timezone).scenario
        scenario = scenario.model_copy(
            update={"published_plan": load_assignments(session, req.plan_id)}
        )
        pins = [pin for _, pin in load_pins(session, req.plan_id)]
    result = replan_around_pins(
        scenario,
        pins,
        SolveParams(time_limit=req.seconds, num_workers=req.workers, random_seed=req.seed),
        progress=ctx.report,
        cancel=ctx.cancel,
    )
    stored = False
    if result.assignments and not (ctx.cancel.is_set() and result.objective is None):
        with write_session(ctx.engine) as session:
            store_replan(session, req.plan_id, result)
            publish(session, "plan", {"id": req.plan_id, "action": "replanned", "job": ctx.job_id})
        stored = True
    return {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": result.solve_seconds,
        "plan_id": req.plan_id,
        "stored": stored,
        "changes": result.diff.changes if result.diff else None,
        "pins": len(pins),
        "conflicts": [c.model_dump(mode="json") for c in result.conflicts],
        "message": result.message,
    }
