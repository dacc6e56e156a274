"""Post siting as a background job and its map.

POST /siting → 202 with the job and `Location: /jobs/{id}` (progress, cancel and result at
/jobs/{id}, as for plan solves); GET /siting/{job_id}/map → the chosen sites and today's
posts on the offline map (409 until the job has succeeded)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse

from api import audit
from api.deps import Planner, Reader, SessionDep, SettingsDep
from api.errors import ApiError
from api.models import Job, JobStatus
from api.routers.plans import JobPublic
from api.siting import KIND, SitingRequest, siting_page

router = APIRouter(tags=["siting"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="row id")]


@router.post(
    "/siting",
    status_code=202,
    response_model=JobPublic,
    summary="Site posts on the roster's geography (background job)",
)
def site_posts_job(
    request: Request, response: Response, session: SessionDep, who: Planner, body: SitingRequest
) -> Any:
    job = request.app.state.jobs.submit(session, KIND, body.model_dump(mode="json"), who.name)
    audit.record(session, who, "solve", "job", job.id, after={"kind": job.kind, **job.params})
    session.commit()
    response.headers["Location"] = f"/jobs/{job.id}"
    session.refresh(job)
    return job


@router.get(
    "/siting/{job_id}/map",
    response_class=HTMLResponse,
    summary="The map of a finished siting job",
)
def siting_map_page(
    session: SessionDep, settings: SettingsDep, who: Reader, job_id: RowId
) -> HTMLResponse:
    job = session.get(Job, job_id)
    if job is None or job.kind != KIND:
        raise ApiError(404, f"job {job_id}: no such siting job")
    if job.status != JobStatus.SUCCEEDED.value or not job.result:
        raise ApiError(409, f"job {job_id} is {job.status}; its map comes when it has succeeded")
    return HTMLResponse(siting_page(session.get_bind(), settings.timezone, job.params, job.result))
