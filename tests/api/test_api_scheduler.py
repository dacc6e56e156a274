"""Scheduled jobs: stored in the database (they survive a restart), run by exactly one
elected scheduler among several (PostgreSQL advisory lock), each period run once, and the
readiness monitor raising an alert when a county's standby is below its floor, and the
morning drill reminders (per unit, once per day even when two schedulers fire them)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api import scheduler as sch
from api.models import Event, ScheduledRun
from api.scheduler import SchedulerElection, claim
from optimizer.drill_format import DrillSession
from optimizer.drills import DrillParams, schedule_drills
from rosters.db import session_scope
from rosters.drills import list_reminders, publish_schedule, save_schedule
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.api.conftest import api_settings, wait_for
from tests.optimizer.drill_cases import START
from tests.optimizer.drill_cases import scenario as drill_scenario
from tests.optimizer.patrol_cases import person, scenario

JOBS = {"nightly_patrol_plan", "readiness_monitor", "weekly_standards_report", "drill_reminders"}


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


def _publish_drills(engine: Engine) -> list[DrillSession]:
    """The drill case's December drills, scheduled and published."""
    with session_scope(engine) as session:
        load_scenario_into_db(session, drill_scenario())
    with session_scope(engine) as session:
        sc = export_scenario(session, start=START, days=31, drill_absences=False)
        result = schedule_drills(sc, DrillParams(time_limit=20, num_workers=1, random_seed=0))
        row = save_schedule(
            session,
            result,
            name="drills",
            start=START,
            days=31,
            requirements=[r.id for r in sc.drills.requirements],
        )
        publish_schedule(session, row.id, tz="Asia/Shanghai")  # type: ignore[arg-type]
    return result.sessions


def test_drill_reminders_list_each_units_next_drills_once(fresh_engine: Engine) -> None:
    drills = _publish_drills(fresh_engine)
    first = min(x.start for x in drills).date()
    settings = api_settings(drill_reminder_days=3)
    sch.context.engine, sch.context.settings = fresh_engine, settings
    try:
        detail = sch.drill_reminders(day=first)
        assert sch.drill_reminders(day=first) is None  # the day already ran
    finally:
        sch.context.engine = sch.context.settings = None
    soon = [x for x in drills if first <= x.start.date() < first + dt.timedelta(days=3)]
    units = sorted({u for x in soon for u in x.unit_ids})
    assert detail == {"units": units, "sessions": len(soon)} and soon
    with Session(fresh_engine) as session:
        events = session.exec(select(Event).where(Event.kind == "reminder")).all()
        items, total = list_reminders(session)
    assert sorted(e.payload["unit"] for e in events) == units
    assert total == len(units)
    listed = {r["unit"]: {x["id"] for x in r["sessions"]} for r in items}
    assert listed == {u: {x.id for x in soon if u in x.unit_ids} for u in units}


def test_two_schedulers_remind_once(fresh_engine: Engine, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("the election needs PostgreSQL (PINGAN_TEST_POSTGRES)")
    _publish_drills(fresh_engine)
    a = SchedulerElection(fresh_engine, api_settings(), retry_seconds=0.05)
    b = SchedulerElection(fresh_engine, api_settings(), retry_seconds=0.05)
    a.start()
    b.start()
    try:
        wait_for(lambda: a.leading or b.leading, seconds=20)
        wait_for(lambda: a.attempts >= 3 and b.attempts >= 3, seconds=20)
        assert a.leading != b.leading
        leader = a if a.leading else b
        run_now(leader, "drill_reminders")
        wait_for(lambda: [r for r in runs(fresh_engine, "drill_reminders") if r.finished_at])
        # the other process fires the same day's job by hand: the claimed day does not run again
        sch.context.engine, sch.context.settings = fresh_engine, api_settings()
        assert sch.drill_reminders() is None
    finally:
        a.stop()
        b.stop()
        sch.context.engine = sch.context.settings = None
    done = runs(fresh_engine, "drill_reminders")
    assert len(done) == 1 and done[0].status == "succeeded", done[0].detail
