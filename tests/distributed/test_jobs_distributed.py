"""The job engine with a real RabbitMQ and real worker processes: a patrol plan fanned out by
county and merged equals the in-process plan; a worker killed (kill -9) mid-part → another
solves the part, one result stored; the API server (a real `pingan serve`) killed (kill -9)
mid-job → the result is served after the restart, and a job it committed but never sent is
sent at start-up; cancel; a part failing three times fails the job, naming the part."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.job_engine.celery_app import send
from api.job_engine.models import MERGE_KEY, JobPart
from api.job_engine.parts import PartSpec, create_parts
from api.models import Event, Job, Role
from optimizer.patrol import SolveParams, check_plan, plan_patrol
from optimizer.scenario import Assignment, parse_scenario
from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.models.plans import Plan, PlanAssignment
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.api.city import DAY, city_data
from tests.api.conftest import add_users, bearer, wait_for
from tests.distributed.conftest import BACKENDS, Engine_, Servers, Workers, free_port

FINISHED = {"succeeded", "failed", "cancelled"}


def _app(db: Engine_) -> TestClient:
    return TestClient(create_app(db.settings, db.engine))


def _users(db: Engine_) -> dict[str, dict[str, str]]:
    add_users(db.engine, "")
    return {r.value: bearer(r) for r in Role}


def _job(db: Engine_, job_id: int) -> Job:
    with Session(db.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _parts(db: Engine_, job_id: int) -> list[JobPart]:
    with Session(db.engine) as session:
        rows = session.exec(select(JobPart).where(JobPart.job_id == job_id)).all()
        for r in rows:
            session.expunge(r)
        return list(rows)


def _finished(db: Engine_, job_id: int) -> Job | None:
    job = _job(db, job_id)
    return job if job.status in FINISHED else None


def _running_part(db: Engine_, job_id: int) -> JobPart | None:
    return next(
        (p for p in _parts(db, job_id) if p.status == "running" and p.key != MERGE_KEY), None
    )


def _two_counties(db: Engine_) -> None:
    with session_scope(db.engine) as session:
        load_scenario_into_db(session, parse_scenario(city_data()))


def _small_county(db: Engine_) -> None:
    with session_scope(db.engine) as session:
        load_scenario_into_db(session, build_demo_city("small", seed=7, days=1, start=DAY))


def _plan(c: TestClient, h: dict[str, str], **body: Any) -> int:
    r = c.post("/plans/patrol", json={"start": DAY.isoformat(), "days": 1, **body}, headers=h)
    assert r.status_code == 202, r.text
    return r.json()["id"]


@pytest.mark.parametrize("job_db", BACKENDS, indirect=True)
def test_fan_out_by_county_equals_the_in_process_plan(
    job_db: Engine_, workers: Workers, tmp_path: Path
) -> None:
    _two_counties(job_db)
    users = _users(job_db)
    workers.start(tmp_path)
    with _app(job_db) as c:
        job_id = _plan(c, users["commander"], seconds=20, workers=1, seed=3)
        job = wait_for(lambda: _finished(job_db, job_id), seconds=120, every=0.2)
        assert job.status == "succeeded", (job.error, workers.log_text())
        progress = c.get(f"/jobs/{job_id}", headers=users["viewer"]).json()["progress"]
        result = c.get(f"/jobs/{job_id}/result", headers=users["viewer"]).json()["result"]
        plan = c.get(f"/plans/{result['plan_id']}", headers=users["viewer"]).json()
    parts = {p.key: p for p in _parts(job_db, job_id)}
    assert set(parts) == {"K1", "K2", MERGE_KEY}
    assert all(p.status == "done" and p.attempts == 1 for p in parts.values())
    assert progress["parts"] == 2 and progress["parts_done"] == 2
    with Session(job_db.engine) as session:  # the event stream carried the summed progress
        events = session.exec(select(Event).where(Event.kind == "job")).all()
    summed = [e.payload["progress"] for e in events if "progress" in e.payload]
    assert summed and summed[-1]["parts"] == 2
    # the bound is the sum of the parts' bounds, the objective the sum of theirs
    k1, k2 = parts["K1"].result, parts["K2"].result
    assert result["bound"] == round(k1["bound"] + k2["bound"], 3)  # type: ignore[index]
    assert result["objective"] == round(k1["objective"] + k2["objective"], 3)  # type: ignore[index]
    with Session(job_db.engine) as session:
        scenario = export_scenario(session, start=DAY, days=1)
    assignments = [Assignment.model_validate(a) for a in plan["assignments"]]
    assert check_plan(scenario, assignments) == []
    # the same scenario, seed and one worker in this process: the same (proven optimal) plan
    alone = plan_patrol(scenario, SolveParams(time_limit=20, num_workers=1, random_seed=3))
    assert alone.status.value == result["status"] == "optimal"
    assert alone.objective == result["objective"]
    assert len(alone.assignments) == len(assignments)


@pytest.mark.parametrize("job_db", BACKENDS, indirect=True)
def test_worker_killed_mid_part_another_solves_it_once(
    job_db: Engine_, workers: Workers, tmp_path: Path
) -> None:
    _small_county(job_db)
    users = _users(job_db)
    workers.start(tmp_path)
    workers.start(tmp_path)
    with _app(job_db) as c:
        job_id = _plan(c, users["commander"], seconds=8, workers=1, seed=1)
        part = wait_for(lambda: _running_part(job_db, job_id), seconds=90, every=0.1)
        pid = int(part.worker.split(":")[1])
        victim = wait_for(lambda: workers.owner(pid), seconds=5)
        workers.kill(victim)
        job = wait_for(lambda: _finished(job_db, job_id), seconds=150, every=0.2)
        assert job.status == "succeeded", (job.error, workers.log_text())
        result = c.get(f"/jobs/{job_id}/result", headers=users["viewer"]).json()["result"]
    parts = [p for p in _parts(job_db, job_id) if p.key != MERGE_KEY]
    assert len(parts) == 1  # one row per part (unique job and key), one stored result
    (solved,) = parts
    assert solved.attempts == 2 and solved.status == "done"
    assert int(solved.solved_by.split(":")[1]) != pid
    with Session(job_db.engine) as session:  # one plan, its assignments stored once
        plans = session.exec(select(Plan)).all()
        rows = session.exec(select(PlanAssignment)).all()
    assert [p.id for p in plans] == [result["plan_id"]]
    assert len(rows) == len(solved.result["assignments"]) > 0  # type: ignore[index]
    keys = {(a.person_id, a.date, a.shift, a.task, a.target) for a in rows}
    assert len(keys) == len(rows)


def _outbox_job(db: Engine_) -> int:
    """A patrol job recorded (committed) by a server that died before sending its task."""
    params = {"start": DAY.isoformat(), "days": 1, "seconds": 5, "workers": 1, "seed": 2}
    with session_scope(db.engine) as session:
        job = Job(kind="patrol_plan", params=params, worker="celery", created_by="commander")
        session.add(job)
        session.flush()
        return job.id  # type: ignore[return-value]


def test_api_server_killed_mid_job_the_result_is_served_after_the_restart(
    job_db: Engine_, workers: Workers, servers: Servers, tmp_path: Path
) -> None:
    _small_county(job_db)
    _users(job_db)
    h = bearer(Role.COMMANDER)
    workers.start(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = servers.start(tmp_path, port)
    body = {"start": DAY.isoformat(), "days": 1, "seconds": 6, "workers": 1, "seed": 1}
    r = httpx.post(f"{base}/plans/patrol", json=body, headers=h, timeout=30)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    wait_for(lambda: _running_part(job_db, job_id), seconds=90, every=0.1)
    servers.kill(first)  # kill -9 while the part runs
    assert first.returncode == -signal.SIGKILL
    orphan = _outbox_job(job_db)  # and one it had committed but never sent
    servers.start(tmp_path, port)  # sends the orphan's task again at start-up
    for j in (job_id, orphan):
        job = wait_for(lambda j=j: _finished(job_db, j), seconds=150, every=0.2)
        assert job.status == "succeeded", (job.error, workers.log_text(), servers.log_text())
        r = httpx.get(f"{base}/jobs/{j}/result", headers=bearer(Role.VIEWER), timeout=30)
        assert r.status_code == 200 and r.json()["result"]["plan_id"] is not None, r.text
    with Session(job_db.engine) as session:
        assert len(session.exec(select(Plan)).all()) == 2  # one plan a job


def test_cancel_stops_every_part(job_db: Engine_, workers: Workers, tmp_path: Path) -> None:
    _small_county(job_db)
    users = _users(job_db)
    workers.start(tmp_path)
    with _app(job_db) as c:
        job_id = _plan(c, users["commander"], seconds=120, workers=1, seed=1)
        wait_for(lambda: _running_part(job_db, job_id), seconds=90, every=0.1)
        r = c.post(f"/jobs/{job_id}/cancel", headers=users["commander"])
        assert r.status_code in (200, 202), r.text
        job = wait_for(lambda: _finished(job_db, job_id), seconds=60, every=0.2)
    assert job.status == "cancelled", (job.error, workers.log_text())
    assert {p.status for p in _parts(job_db, job_id)} == {"cancelled"}


def test_a_part_failing_three_times_fails_the_job_naming_it(
    job_db: Engine_, workers: Workers, tmp_path: Path
) -> None:
    with session_scope(job_db.engine) as session:
        job = Job(kind="patrol_plan", worker="celery", created_by="test")
        session.add(job)
        session.flush()
        job_id: int = job.id  # type: ignore[assignment]
    broken = {"key": "K9", "scenario": {"name": "no format"}, "params": {}, "weight": 1}
    create_parts(job_db.engine, job_id, [PartSpec("K9", broken)], {"name": "x"})
    workers.start(tmp_path)
    send(job_db.settings, "pingan.job.part", job_id, "K9")
    job = wait_for(lambda: _finished(job_db, job_id), seconds=90, every=0.2)
    assert job.status == "failed"
    assert job.error.startswith("part K9 failed 3 times"), job.error
    part = next(p for p in _parts(job_db, job_id) if p.key == "K9")
    assert part.status == "failed" and part.attempts == 3
    assert dt.datetime.now(dt.UTC) >= job.finished_at.replace(tzinfo=dt.UTC)  # type: ignore[union-attr]


def test_the_nightly_plan_and_reminders_enqueue_through_the_engine(
    job_db: Engine_, workers: Workers, tmp_path: Path
) -> None:
    from api import scheduler

    _two_counties(job_db)
    settings = job_db.settings.model_copy(update={"nightly_plan_seconds": 20.0})
    scheduler.context.engine, scheduler.context.settings = job_db.engine, settings
    try:
        plan = scheduler.nightly_patrol_plan()
        reminders = scheduler.drill_reminders(DAY)
    finally:
        scheduler.context.engine = scheduler.context.settings = None
    assert plan is not None and reminders is not None
    workers.start(tmp_path)
    for job_id, kind in ((plan["job"], "patrol_plan"), (reminders["job"], "drill_reminders")):
        job = wait_for(lambda j=job_id: _finished(job_db, j), seconds=120, every=0.2)
        assert (job.kind, job.worker, job.status) == (kind, "celery", "succeeded"), job.error
    assert _job(job_db, plan["job"]).result["plan_id"] is not None  # type: ignore[index]
    done = _job(job_db, reminders["job"]).result or {}
    assert (done["units"], done["sessions"], done["parts"]) == ([], 0, {"all": {"status": "done"}})


def test_cancel_before_any_worker_took_it(
    job_db: Engine_, workers: Workers, tmp_path: Path
) -> None:
    _two_counties(job_db)
    users = _users(job_db)
    with _app(job_db) as c:
        job_id = _plan(c, users["commander"], seconds=20, workers=1)
        r = c.post(f"/jobs/{job_id}/cancel", headers=users["commander"])
        assert r.status_code in (200, 202) and r.json()["status"] == "cancelled", r.text
        workers.start(tmp_path)  # its split task is dropped: the job stays cancelled
        later = _plan(c, users["commander"], seconds=20, workers=1)  # queued behind it
        done = wait_for(lambda: _finished(job_db, later), seconds=120, every=0.2)
    assert done.status == "succeeded", (done.error, workers.log_text())
    assert _job(job_db, job_id).status == "cancelled" and _parts(job_db, job_id) == []
