"""The solves that run as background jobs: read the roster as a scenario, solve with progress
and cancellation, store the plan. Job functions take a `JobContext` and the job's params
and return the result JSON kept on the job."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.deps import DRILL_WRITE, PLAN_WRITE
from api.events import publish
from api.jobs import JobContext, job_kind
from api.models import Role
from rosters.db import session_scope


class _SolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    start: dt.date | None = Field(default=None, description="first day (default: tomorrow)")
    county: str | None = Field(default=None, max_length=64, description="only this county")
    name: str = Field(default="", max_length=128)
    seconds: float = Field(default=60.0, ge=0.5, le=3600, description="time limit of the solve")
    workers: int = Field(default=2, ge=1, le=16, description="CP-SAT workers")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="random seed")


class PatrolPlanRequest(_SolveRequest):
    """A patrol plan to make from the roster in the database."""

    days: int = Field(default=1, ge=1, le=28)
    part_seconds: float | None = Field(
        default=None,
        ge=0.5,
        le=3600,
        description="with the job engine (Celery workers): time limit of each county's part "
        "(default: its share of `seconds` by people)",
    )


#: the name of a plan generated without one, in Chinese and English (`plan_title`)
DEFAULT_PLAN_NAME = ("巡逻勤务 {day}", "patrol plan {day}")


def default_plan_name(start: dt.date) -> str:
    return DEFAULT_PLAN_NAME[0].format(day=start.isoformat())


def plan_title(name: str, start: dt.date, lang: str) -> str:
    """A plan's name for a page in `lang`: a default name (and the older English one,
    "patrol DAY") in the page's language, any other name as its author wrote it."""
    day = start.isoformat()
    defaults = {form.format(day=day) for form in DEFAULT_PLAN_NAME} | {f"patrol {day}"}
    if name in defaults:
        return DEFAULT_PLAN_NAME[0 if lang == "zh" else 1].format(day=day)
    return name


def tomorrow(tz: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(tz)).date() + dt.timedelta(days=1)


def patrol_scenario(ctx: JobContext, req: PatrolPlanRequest) -> tuple[Any, dt.date]:
    """The roster in the database as the scenario of the plan asked for, and its first day."""
    from rosters.scenario_db import export_scenario

    tz = ctx.settings.timezone
    start = req.start or tomorrow(tz)
    with Session(ctx.engine) as session:
        scenario = export_scenario(
            session,
            start=start,
            days=req.days,
            county=req.county,
            name=req.name or default_plan_name(start),
            tz=tz,
        )
    return scenario, start


def store_patrol_plan(
    ctx: JobContext, name: str, start: dt.date, days: int, result: Any, save: bool = True
) -> dict[str, Any]:
    """Save a patrol result as a plan (when it has assignments and `save`: a plan of a
    scenario file whose roster is not in the database is not); the job's result JSON."""
    from rosters.plans import save_plan

    summary = result.model_dump(mode="json", exclude={"assignments"})
    plan_id = None
    if result.assignments and save:
        with session_scope(ctx.engine) as session:  # BEGIN IMMEDIATE on SQLite
            plan_id = save_plan(
                session,
                name=name,
                start=start,
                days=days,
                status=result.status.value,
                assignments=result.assignments,
                objective=result.objective,
                bound=result.bound,
                gap=result.gap,
                summary=summary,
                created_by=ctx.actor,
            )
            publish(session, "plan", {"id": plan_id, "action": "created", "job": ctx.job_id})
    return {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": result.solve_seconds,
        "plan_id": plan_id,
        "assignments": len(result.assignments),
        "summary": summary,
    }


@job_kind("patrol_plan")
def run_patrol_plan(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from optimizer.patrol import SolveParams, plan_patrol

    req = PatrolPlanRequest.model_validate(params)
    scenario, start = patrol_scenario(ctx, req)
    result = plan_patrol(
        scenario,
        SolveParams(time_limit=req.seconds, num_workers=req.workers, random_seed=req.seed),
        progress=ctx.report,
        cancel=ctx.cancel,
    )
    return store_patrol_plan(ctx, scenario.name, start, req.days, result)


class DrillScheduleRequest(_SolveRequest):
    """A drill schedule to make from the drill duties in the database."""

    days: int = Field(default=31, ge=1, le=366)


def drill_scenario_of(ctx: JobContext, req: DrillScheduleRequest) -> tuple[Any, dt.date]:
    """The drill duties in the database as the scenario asked for, and its first day."""
    from rosters.drills import drill_scenario

    tz = ctx.settings.timezone
    start = req.start or tomorrow(tz)
    with Session(ctx.engine) as session:
        scenario = drill_scenario(
            session, start=start, days=req.days, tz=tz, county=req.county, name=req.name or ""
        )
    return scenario, start


def store_drill_schedule(
    ctx: JobContext,
    name: str,
    start: dt.date,
    req: DrillScheduleRequest,
    requirements: list[str],
    result: Any,
) -> dict[str, Any]:
    """Keep a drill result as a draft schedule; the job's result JSON."""
    from rosters.drills import save_schedule

    with session_scope(ctx.engine) as session:
        schedule = save_schedule(
            session,
            result,
            name=name,
            start=start,
            days=req.days,
            county=req.county,
            requirements=requirements,
            created_by=ctx.actor,
        )
        publish(
            session, "drill", {"action": "scheduled", "schedule": schedule.id, "job": ctx.job_id}
        )
        schedule_id = schedule.id
    return {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": result.solve_seconds,
        "schedule_id": schedule_id,
        "sessions": len(result.sessions),
        "drills_due": result.drills_due,
        "shortfalls": len(result.shortfalls),
        "conflicts": [c.model_dump(mode="json") for c in result.conflicts],
        "warnings": result.warnings,
    }


@job_kind("drill_schedule")
def run_drill_schedule(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Schedule the drills due in the horizon around the published patrol plan; the result
    is kept as a draft schedule (published by a commander or training officer)."""
    from optimizer.drills import DrillParams, schedule_drills

    req = DrillScheduleRequest.model_validate(params)
    scenario, start = drill_scenario_of(ctx, req)
    result = schedule_drills(
        scenario,
        DrillParams(time_limit=req.seconds, num_workers=req.workers, random_seed=req.seed),
        progress=ctx.report,
        cancel=ctx.cancel,
    )
    requirements = [r.id for r in scenario.drills.requirements]
    return store_drill_schedule(ctx, scenario.name, start, req, requirements, result)


@job_kind("drill_reminders")
def run_drill_reminders(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Each unit's drills of the next days as reminders (the scheduler's morning job, run on
    a worker when the job engine is configured)."""
    from api.scheduler import make_drill_reminders

    day = dt.date.fromisoformat(str(params["day"]))
    return make_drill_reminders(ctx.engine, ctx.settings, day)


#: job kind → the roles (besides admins) that may start and cancel it
JOB_ROLES: dict[str, frozenset[Role]] = {
    "patrol_plan": PLAN_WRITE,
    "drill_schedule": DRILL_WRITE,
    "drill_reminders": DRILL_WRITE,
}


class PatrolReplanRequest(_SolveRequest):
    """Re-plan days of the published patrol plan (after leave): one county (`county`) or all,
    keeping as much of what is published as it can; the result is a draft plan of those days."""

    start: dt.date = Field(description="first day to re-plan")  # type: ignore[assignment]
    days: int = Field(default=1, ge=1, le=28)


@job_kind("patrol_replan")
def run_patrol_replan(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from optimizer.patrol import SolveParams, replan_patrol
    from rosters.replan import replan_inputs, save_replan

    req = PatrolReplanRequest.model_validate(params)
    tz = ctx.settings.timezone
    now = dt.datetime.now(ZoneInfo(tz)).replace(tzinfo=None)
    with Session(ctx.engine) as session:
        inputs = replan_inputs(
            session, start=req.start, days=req.days, county=req.county, tz=tz, now=now
        )
    result = replan_patrol(
        inputs.scenario,
        inputs.since,
        SolveParams(time_limit=req.seconds, num_workers=req.workers, random_seed=req.seed),
        progress=ctx.report,
        cancel=ctx.cancel,
    )
    with session_scope(ctx.engine) as session:
        out = save_replan(session, inputs, result, created_by=ctx.actor)
        if out["plan_id"] is not None:
            publish(session, "plan", {"id": out["plan_id"], "action": "created", "job": ctx.job_id})
    return out


JOB_ROLES["patrol_replan"] = PLAN_WRITE

# Post siting ("siting") is a job of its own module; imported here so that every process
# that runs jobs (the API, the job engine's workers) knows the kind.
from api import siting as _siting  # noqa: E402

JOB_ROLES[_siting.KIND] = PLAN_WRITE
