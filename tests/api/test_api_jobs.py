"""Plan solves as background jobs: 202 + Location, progress, result, the plan checked by the
independent checker, publishing, cancelling, and recovery of jobs whose process died."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from api.app import create_app
from api.models import Job, JobStatus
from optimizer.patrol import check_plan
from optimizer.scenario import Assignment
from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.api.conftest import Api, api_settings, wait_for
from tests.optimizer.patrol_cases import DAY, person, post, scenario

FINISHED = {"succeeded", "failed", "cancelled"}


def tiny_roster(api: Api) -> None:
    case = scenario(
        [person(f"P{i}", armed=i < 2) for i in range(6)],
        [post("X1", staff=2, armed=1, hours=[[8, 16]])],
    )
    with session_scope(api.engine) as session:
        load_scenario_into_db(session, case)


def finished(api: Api, job_id: int) -> dict | None:
    job = api.client.get(f"/jobs/{job_id}", headers=api.as_("viewer")).json()
    return job if job["status"] in FINISHED else None


def test_patrol_job_lifecycle_plan_checked_and_published(api: Api) -> None:
    tiny_roster(api)
    c = api.client
    body = {"start": DAY.isoformat(), "days": 1, "seconds": 20, "workers": 1, "seed": 1}
    r = c.post("/plans/patrol", json=body, headers=api.as_("commander"))
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.headers["location"] == f"/jobs/{job_id}"
    early = c.get(f"/jobs/{job_id}/result", headers=api.as_("viewer"))
    assert early.status_code in (200, 409)  # 409 while it runs
    job = wait_for(lambda: finished(api, job_id))
    assert job["status"] == "succeeded", job
    result = c.get(f"/jobs/{job_id}/result", headers=api.as_("viewer")).json()["result"]
    assert result["status"] == "optimal"
    assert result["objective"] == result["bound"]
    plan_id = result["plan_id"]
    plan = c.get(f"/plans/{plan_id}", headers=api.as_("viewer")).json()
    assignments = [Assignment.model_validate(a) for a in plan["assignments"]]
    with Session(api.engine) as session:
        sc = export_scenario(session, start=DAY, days=1)
    assert check_plan(sc, assignments) == []
    on_post = [a for a in assignments if a.target_id == "X1"]
    assert len(on_post) == 2  # two people on the 08–16 shift, one of them armed
    # publishing: commanders only; audited; plan event
    assert c.post(f"/plans/{plan_id}/publish", headers=api.as_("dispatcher")).status_code == 403
    pub = c.post(f"/plans/{plan_id}/publish", headers=api.as_("commander"))
    assert pub.status_code == 200 and pub.json()["published_by"] == "commander"
    listed = c.get("/plans", params={"published": True}, headers=api.as_("viewer")).json()
    assert [p["id"] for p in listed["items"]] == [plan_id]
    audit = c.get("/audit", params={"entity": "plan"}, headers=api.as_("admin")).json()
    assert audit["items"][0]["action"] == "publish"
    assert audit["items"][0]["before"]["published_at"] is None


def test_only_planners_start_or_cancel_jobs(api: Api) -> None:
    for role in ("viewer", "dispatcher", "training_officer"):
        r = api.client.post("/plans/patrol", json={}, headers=api.as_(role))
        assert r.status_code == 403
    assert api.client.delete("/jobs/1", headers=api.as_("viewer")).status_code == 403
    assert api.client.get("/jobs/12345", headers=api.as_("viewer")).status_code == 404


def test_cancel_a_running_and_a_queued_job(api: Api) -> None:
    city = build_demo_city("small", start=dt.date(2026, 12, 1), days=1)
    with session_scope(api.engine) as session:
        load_scenario_into_db(session, city)
    c, h = api.client, api.as_("commander")
    body = {"start": "2026-12-01", "days": 3, "seconds": 120, "workers": 1}
    first = c.post("/plans/patrol", json=body, headers=h).json()["id"]
    second = c.post("/plans/patrol", json=body, headers=h).json()["id"]  # one worker: queued
    queued = c.post(f"/jobs/{second}/cancel", headers=h)
    assert queued.status_code == 200 and queued.json()["status"] == "cancelled"
    wait_for(lambda: c.get(f"/jobs/{first}", headers=h).json()["status"] == "running")
    assert c.delete(f"/jobs/{first}", headers=h).json()["cancel_requested"] is True
    job = wait_for(lambda: finished(api, first), seconds=120)
    assert job["status"] == "cancelled"
    again = c.delete(f"/jobs/{first}", headers=h)
    assert again.status_code == 409  # already finished
    statuses = {j["id"]: j["status"] for j in c.get("/jobs", headers=h).json()["items"]}
    assert statuses == {first: "cancelled", second: "cancelled"}


def test_jobs_of_a_dead_process_are_marked_failed_at_startup(api: Api) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with session_scope(api.engine) as session:
        job = Job(kind="patrol_plan", status="running", worker="gone:1", heartbeat_at=old)
        session.add(job)
        session.flush()
        job_id = job.id
    from fastapi.testclient import TestClient

    with TestClient(create_app(api_settings(), api.engine)), Session(api.engine) as session:
        row = session.get(Job, job_id)
        assert row is not None and row.status == JobStatus.FAILED.value
        assert "server stopped" in row.error
