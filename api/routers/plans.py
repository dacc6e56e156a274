"""Plan solves as background jobs, their progress, cancel and result; stored plans and
publishing one.

POST /plans/patrol → 202 with the job and `Location: /jobs/{id}`; GET /jobs/{id} shows the
progress (best objective and bound so far); DELETE /jobs/{id} (or POST /jobs/{id}/cancel)
cancels; GET /jobs/{id}/result gives the result once finished (409 before)."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api import audit
from api.auth import Principal
from api.deps import DRILL_WRITE, PLAN_WRITE, Planner, Reader, SessionDep, require
from api.errors import ApiError
from api.events import publish
from api.jobs import JobRunner
from api.models import FINISHED, Job, JobStatus, Role
from api.schemas.common import Page
from api.solves import JOB_ROLES, PatrolPlanRequest
from rosters.db import newest_first, published_is
from rosters.models.plans import Plan
from rosters.plans import load_assignments, publish_superseding

router = APIRouter(tags=["plans"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="row id")]
#: may cancel some kind of job (which kinds: `JOB_ROLES`)
JobWriter = Annotated[Principal, Depends(require(PLAN_WRITE | DRILL_WRITE))]


class JobPublic(BaseModel):
    id: int
    kind: str
    status: JobStatus
    params: dict[str, Any]
    progress: dict[str, Any] = Field(description="seconds, objective, bound, gap so far")
    error: str
    cancel_requested: bool
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class JobResult(BaseModel):
    id: int
    status: JobStatus
    result: dict[str, Any] | None
    error: str


class PlanPublic(BaseModel):
    id: int
    name: str
    kind: str
    start: dt.date
    days: int
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    created_at: dt.datetime
    created_by: str
    published_at: dt.datetime | None
    published_by: str


class AssignmentPublic(BaseModel):
    person_id: str
    date: dt.date
    shift_id: str
    task: str
    target_id: str


class PlanDetail(PlanPublic):
    summary: dict[str, Any]
    assignments: list[AssignmentPublic]


def _runner(request: Request) -> JobRunner:
    return request.app.state.jobs


def _job(session: Any, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise ApiError(404, f"job {job_id}: no such job")
    return job


@router.post(
    "/plans/patrol",
    status_code=202,
    response_model=JobPublic,
    summary="Make a patrol plan (background job)",
)
def plan_patrol_job(
    request: Request, response: Response, session: SessionDep, who: Planner, body: PatrolPlanRequest
) -> Job:
    job = _runner(request).submit(session, "patrol_plan", body.model_dump(mode="json"), who.name)
    audit.record(session, who, "solve", "job", job.id, after={"kind": job.kind, **job.params})  # type: ignore[arg-type]
    session.commit()
    response.headers["Location"] = f"/jobs/{job.id}"
    session.refresh(job)
    return job


@router.get("/jobs", response_model=Page[JobPublic], summary="List solve jobs")
def list_jobs(
    session: SessionDep,
    who: Reader,
    status: JobStatus | None = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    conditions = []
    if status is not None:
        conditions.append(Job.status == status.value)
    if kind:
        conditions.append(Job.kind == kind)
    columns = list(JobPublic.model_fields)  # not the result
    rows, total = newest_first(session, Job, conditions, limit, offset, columns)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


@router.get("/jobs/{job_id}", response_model=JobPublic, summary="A job and its progress")
def get_job(session: SessionDep, who: Reader, job_id: RowId) -> Job:
    return _job(session, job_id)


@router.get("/jobs/{job_id}/result", response_model=JobResult, summary="A finished job's result")
def job_result(session: SessionDep, who: Reader, job_id: RowId) -> dict[str, Any]:
    job = _job(session, job_id)
    if JobStatus(job.status) not in FINISHED:
        raise ApiError(409, f"job {job_id} is {job.status}: no result yet")
    return {"id": job.id, "status": job.status, "result": job.result, "error": job.error}


def _cancel(request: Request, session: Any, who: Principal, job_id: int) -> Job:
    kind = _job(session, job_id).kind
    allowed = JOB_ROLES.get(kind, PLAN_WRITE) | {Role.ADMIN}
    if who.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise ApiError(403, f"role {who.role.value} may not cancel a {kind} job (allowed: {names})")
    job = _runner(request).cancel(session, job_id)
    audit.record(session, who, "cancel", "job", job_id, after={"status": job.status})
    session.commit()
    return job


@router.delete("/jobs/{job_id}", response_model=JobPublic, summary="Cancel a job")
def cancel_job(request: Request, session: SessionDep, who: JobWriter, job_id: RowId) -> Job:
    return _cancel(request, session, who, job_id)


@router.post("/jobs/{job_id}/cancel", response_model=JobPublic, summary="Cancel a job")
def cancel_job_post(request: Request, session: SessionDep, who: JobWriter, job_id: RowId) -> Job:
    return _cancel(request, session, who, job_id)


@router.get("/plans", response_model=Page[PlanPublic], summary="List stored plans")
def list_plans(
    session: SessionDep,
    who: Reader,
    published: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    conditions = published_is(Plan.published_at, published)
    columns = list(PlanPublic.model_fields)  # not the summary
    rows, total = newest_first(session, Plan, conditions, limit, offset, columns)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


def _plan(session: Any, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise ApiError(404, f"plan {plan_id}: no such plan")
    return plan


@router.get("/plans/{plan_id}", response_model=PlanDetail, summary="A plan with its assignments")
def get_plan(session: SessionDep, who: Reader, plan_id: RowId) -> dict[str, Any]:
    plan = _plan(session, plan_id)
    assignments = [a.model_dump(mode="json") for a in load_assignments(session, plan_id)]
    return {**plan.model_dump(), "assignments": assignments}


@router.post("/plans/{plan_id}/publish", response_model=PlanPublic, summary="Publish a plan")
def publish_stored_plan(session: SessionDep, who: Planner, plan_id: RowId) -> Plan:
    """Publish (superseding the older published plans' county-days it covers), audited with
    the days it took over, announced; the plan pages publish through here too."""
    before = PlanPublic.model_validate(_plan(session, plan_id), from_attributes=True)
    done = publish_superseding(session, plan_id, by=who.name)
    after = PlanPublic.model_validate(done.plan, from_attributes=True).model_dump(mode="json")
    superseded = {str(k): [(c, d.isoformat()) for c, d in v] for k, v in done.superseded.items()}
    audit.record(
        session, who, "publish", "plan", plan_id, before=before,
        after={**after, "superseded": superseded},
    )  # fmt: skip
    publish_event(session, plan_id, done.plan.start, done.plan.days)
    session.commit()
    session.refresh(done.plan)
    return done.plan


def publish_event(session: Any, plan_id: int, start: dt.date, days: int) -> None:
    publish(
        session,
        "plan",
        {"id": plan_id, "action": "published", "start": start.isoformat(), "days": days},
    )
