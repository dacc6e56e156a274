"""Scheduled jobs: stored in the database (they survive a restart), run by exactly one
elected scheduler among several (PostgreSQL advisory lock), each period run once, and the
readiness monitor raising an alert when a county's standby is below its floor."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api import scheduler as sch
from api.models import Event, ScheduledRun
from api.scheduler import SchedulerElection, claim
from rosters.db import session_scope
from rosters.scenario_db import load_scenario_into_db
from tests.api.conftest import api_settings, wait_for
from tests.optimizer.patrol_cases import person, scenario

JOBS = {"nightly_patrol_plan", "readiness_monitor", "weekly_standards_report"}


def stored_jobs(engine: Engine) -> dict[str, float | None]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all())


def runs(engine: Engine, job_id: str) -> list[ScheduledRun]:
    with Session(engine) as session:
        return list(session.exec(select(ScheduledRun).where(ScheduledRun.job_id == job_id)).all())


def run_now(election: SchedulerElection, job_id: str) -> None:
    assert election.scheduler is not None
    election.scheduler.modify_job(job_id, next_run_time=dt.datetime.now(dt.UTC))
    election.scheduler.wakeup()


def test_jobs_are_stored_and_survive_a_restart(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        load_scenario_into_db(session, scenario([person("P1")]))
    first = SchedulerElection(fresh_engine, api_settings(), retry_seconds=0.05)
    first.start()
    wait_for(lambda: first.leading, seconds=20)
    stored = stored_jobs(fresh_engine)
    assert set(stored) == JOBS and all(t is not None for t in stored.values())
    first.stop()
    assert not first.leading
    again = SchedulerElection(fresh_engine, api_settings(), retry_seconds=0.05)
    again.start()
    wait_for(lambda: again.leading, seconds=20)
    assert set(stored_jobs(fresh_engine)) == JOBS  # replaced, not duplicated
    run_now(again, "weekly_standards_report")
    done = wait_for(
        lambda: [r for r in runs(fresh_engine, "weekly_standards_report") if r.finished_at]
    )
    again.stop()
    assert done[0].status == "succeeded", done[0].detail
    assert done[0].key.count("-W") == 1 and done[0].detail["shortfalls"] > 0


def test_a_period_runs_once(fresh_engine: Engine) -> None:
    assert claim(fresh_engine, "nightly_patrol_plan", "2026-12-02") is not None
    assert claim(fresh_engine, "nightly_patrol_plan", "2026-12-02") is None
    assert claim(fresh_engine, "nightly_patrol_plan", "2026-12-03") is not None


def test_readiness_monitor_alerts_below_the_floor(fresh_engine: Engine) -> None:
    case = scenario(
        [person(f"P{i}", force="patrol_swat", unit="U1") for i in range(4)],
        standby=[{"jurisdiction_id": "K1", "forces": ["patrol_swat"], "min_count": 2}],
    )
    with session_scope(fresh_engine) as session:
        load_scenario_into_db(session, case)
    sch.context.engine, sch.context.settings = fresh_engine, api_settings()
    try:
        detail = sch.readiness_monitor()
    finally:
        sch.context.engine = sch.context.settings = None
    assert detail == {"below_floor": ["K1"]}
    with Session(fresh_engine) as session:
        alerts = session.exec(select(Event).where(Event.kind == "alert")).all()
    assert len(alerts) == 1
    assert alerts[0].payload["required"] == 2 and alerts[0].payload["on_standby"] == 0


def test_two_schedulers_elect_one_and_fail_over(fresh_engine: Engine, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("the election needs PostgreSQL (PINGAN_TEST_POSTGRES)")
    a = SchedulerElection(fresh_engine, api_settings(), retry_seconds=0.05)
    b = SchedulerElection(fresh_engine, api_settings(), retry_seconds=0.05)
    a.start()
    wait_for(lambda: a.leading, seconds=20)
    b.start()
    wait_for(lambda: b.attempts >= 3, seconds=20)
    try:
        assert a.leading and not b.leading
        assert set(stored_jobs(fresh_engine)) == JOBS
        run_now(a, "readiness_monitor")
        wait_for(lambda: [r for r in runs(fresh_engine, "readiness_monitor") if r.finished_at])
        a.stop()  # the leader goes away: the other takes over, with the stored jobs
        wait_for(lambda: b.leading, seconds=20)
        assert set(stored_jobs(fresh_engine)) == JOBS
        assert len(runs(fresh_engine, "readiness_monitor")) == 1
    finally:
        a.stop()
        b.stop()
