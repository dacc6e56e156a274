"""In-process jobs survive a crash honestly: a job whose server process died is marked failed
at once when its process was on this machine, and within 15 s of the restart otherwise (it
heartbeats each second; 10 s without one is a dead job); a live job is left alone."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.app import create_app
from api.models import Job, JobStatus
from rosters.db import session_scope
from tests.api.conftest import api_settings, wait_for


def _job(engine: Engine, worker: str, heartbeat: dt.datetime) -> int:
    with session_scope(engine) as session:
        job = Job(kind="patrol_plan", status="running", worker=worker, heartbeat_at=heartbeat)
        session.add(job)
        session.flush()
        return job.id  # type: ignore[return-value]


def _status(engine: Engine, job_id: int) -> str:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job.status


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_job_of_a_dead_process_on_this_machine_fails_at_startup(fresh_engine: Engine) -> None:
    now = dt.datetime.now(dt.UTC)
    dead = _job(fresh_engine, f"{socket.gethostname()}:{_dead_pid()}:abc123", now)
    alive = _job(fresh_engine, f"{socket.gethostname()}:1:abc123", now)  # pid 1 lives
    with TestClient(create_app(api_settings(), fresh_engine)):
        assert _status(fresh_engine, dead) == JobStatus.FAILED.value
        assert _status(fresh_engine, alive) == JobStatus.RUNNING.value


def test_a_job_of_another_machine_fails_within_15_s_of_the_restart(fresh_engine: Engine) -> None:
    job_id = _job(fresh_engine, "elsewhere:4242:abc123", dt.datetime.now(dt.UTC))
    engine_job = _job(fresh_engine, "celery", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with TestClient(create_app(api_settings(), fresh_engine)):  # the restart
        wait_for(lambda: _status(fresh_engine, job_id) == JobStatus.FAILED.value, seconds=15)
        # the job engine's jobs are redelivered by the broker: never failed for a heartbeat
        assert _status(fresh_engine, engine_job) == JobStatus.RUNNING.value
