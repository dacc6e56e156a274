"""Scheduled jobs with APScheduler 3 and a persistent SQLAlchemy job store (table
`apscheduler_jobs`, made by the migration), so schedules survive restarts.

Exactly one scheduler runs at a time: on PostgreSQL every server process joins an election
and only the holder of the advisory lock `pg_try_advisory_lock(hashtext('pingan-scheduler:'
|| current_schema()))` runs the scheduler (the lock lives on a connection the winner keeps
open; if that process dies the lock is freed and another process takes over within
`RETRY_SECONDS`). On SQLite the one server process runs it. As a second guard, each run
claims a row in `scheduled_run` keyed by job and period (the plan's date, the ISO week…),
so a job runs once per period even if two schedulers ever fired it.

Jobs: nightly patrol plan for the next day, readiness monitor (an alert event when a
county's standby falls below its floor), weekly standards report, and each morning the drill
reminders (per unit, its drills of the next `drill_reminder_days` days: a `drill_reminder`
row and a `reminder` event) when the drill tables are installed."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.events import publish
from api.jobs import worker_name
from api.models import ScheduledRun, utcnow
from rosters.db import session_scope as write_session
from rosters.settings import Settings

log = logging.getLogger("pingan.scheduler")
RETRY_SECONDS = 5.0
READINESS_MINUTES = 5
LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('pingan-scheduler:' || current_schema()))"


class _Context:
    """The engine and settings the job functions use (set by the running scheduler)."""

    engine: Engine | None = None
    settings: Settings | None = None


context = _Context()


def claim(engine: Engine, job_id: str, key: str) -> int | None:
    """Claim the run of `job_id` for period `key`; None when it already ran (or runs)."""
    try:
        with Session(engine) as session:
            run = ScheduledRun(job_id=job_id, key=key, worker=worker_name())
            session.add(run)
            session.commit()
            return run.id
    except IntegrityError:
        return None


def finish(engine: Engine, run_id: int, status: str, detail: dict[str, Any]) -> None:
    with Session(engine) as session:
        session.execute(
            update(ScheduledRun)
            .where(ScheduledRun.id == run_id)  # type: ignore[arg-type]
            .values(status=status, finished_at=utcnow(), detail=detail)
        )
        session.commit()


def _run(job_id: str, key: str, body: Any) -> dict[str, Any] | None:
    engine, settings = context.engine, context.settings
    if engine is None or settings is None:
        log.warning("scheduled job %s fired without a running scheduler", job_id)
        return None
    run_id = claim(engine, job_id, key)
    if run_id is None:
        log.info("scheduled job %s for %s already ran", job_id, key)
        return None
    try:
        detail = body(engine, settings)
    except Exception as exc:
        log.exception("scheduled job %s failed", job_id)
        finish(engine, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
        return None
    finish(engine, run_id, "succeeded", detail)
    return detail


def _local_now(settings: Settings) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(settings.timezone))


def nightly_patrol_plan() -> dict[str, Any] | None:
    """Make (not publish) the next day's patrol plan; a commander reviews and publishes it."""
    settings = context.settings
    if settings is None:
        return None
    day = _local_now(settings).date() + dt.timedelta(days=1)

    def body(engine: Engine, settings: Settings) -> dict[str, Any]:
        from api.jobs import JobContext
        from api.solves import run_patrol_plan

        params = {"start": day.isoformat(), "days": 1, "seconds": settings.nightly_plan_seconds}
        if settings.broker_url:  # the job engine: enqueued like any plan job
            from api.job_engine.submit import submit_job

            return {"job": submit_job(engine, settings, "patrol_plan", params, "scheduler")}
        ctx = JobContext(0, engine, settings, threading.Event(), lambda p: None, "scheduler")
        return run_patrol_plan(ctx, params)

    return _run("nightly_patrol_plan", day.isoformat(), body)


def readiness_monitor() -> dict[str, Any] | None:
    """Alert when a county's standby falls below its floor."""
    now = utcnow()
    bucket = now.replace(
        minute=now.minute - now.minute % READINESS_MINUTES, second=0, microsecond=0
    )

    def body(engine: Engine, settings: Settings) -> dict[str, Any]:
        from dispatch.readiness import standby_readiness

        with write_session(engine) as session:
            short = [r for r in standby_readiness(session) if r.short > 0]
            for r in short:
                publish(
                    session,
                    "alert",
                    {"alert": "standby_below_floor", **r.model_dump(), "short": r.short},
                )
        return {"below_floor": [r.county for r in short]}

    return _run("readiness_monitor", bucket.isoformat(), body)


def weekly_standards_report() -> dict[str, Any] | None:
    settings = context.settings
    if settings is None:
        return None
    year, week, _ = _local_now(settings).isocalendar()

    def body(engine: Engine, settings: Settings) -> dict[str, Any]:
        from rosters.scenario_db import export_scenario
        from rosters.standards import load_standards, standards_report

        with write_session(engine) as session:
            scenario = export_scenario(
                session, start=_local_now(settings).date(), days=1, tz=settings.timezone
            )
            shortfalls = standards_report(scenario, load_standards(settings.standards_file))
            publish(session, "alert", {"alert": "standards_report", "shortfalls": len(shortfalls)})
        return {
            "shortfalls": len(shortfalls),
            "missing": sum(s.missing for s in shortfalls),
            "items": [s.model_dump(mode="json") for s in shortfalls[:500]],
        }

    return _run("weekly_standards_report", f"{year}-W{week:02d}", body)


def drill_reminders(day: dt.date | None = None) -> dict[str, Any] | None:
    """Each unit's drills of the next days become a reminder (row + live `reminder` event)."""
    settings = context.settings
    if settings is None:
        return None
    today = day or _local_now(settings).date()

    def body(engine: Engine, settings: Settings) -> dict[str, Any]:
        if settings.broker_url:  # the job engine: enqueued like any job
            from api.job_engine.submit import submit_job

            params = {"day": today.isoformat()}
            return {"job": submit_job(engine, settings, "drill_reminders", params, "scheduler")}
        return make_drill_reminders(engine, settings, today)

    return _run("drill_reminders", today.isoformat(), body)


def make_drill_reminders(engine: Engine, settings: Settings, today: dt.date) -> dict[str, Any]:
    """Each unit's drills of the `drill_reminder_days` days from `today` as reminders."""
    from rosters.drills import make_reminders

    with write_session(engine) as session:
        made = make_reminders(session, today, settings.drill_reminder_days, tz=settings.timezone)
        count = sum(len(row.sessions) for _, row in made)
        for unit, row in made:
            publish(
                session,
                "reminder",
                {
                    "reminder": row.id,
                    "unit": unit,
                    "day": today.isoformat(),
                    "days": row.days,
                    "sessions": row.sessions,
                },
            )
    return {"units": [u for u, _ in made], "sessions": count}


def drills_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("rosters.models.drills") is not None


def configure_jobs(scheduler: BackgroundScheduler, settings: Settings) -> list[str]:
    """Add (or replace) the standard jobs in the persistent store; returns their ids."""
    tz = ZoneInfo(settings.timezone)
    hour, minute = (int(x) for x in settings.nightly_plan_at.split(":"))
    common: dict[str, Any] = {
        "replace_existing": True,
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 3600,
    }
    scheduler.add_job(
        nightly_patrol_plan,
        CronTrigger(hour=hour, minute=minute, timezone=tz),
        id="nightly_patrol_plan",
        name="next day's patrol plan",
        **common,
    )
    scheduler.add_job(
        readiness_monitor,
        IntervalTrigger(minutes=READINESS_MINUTES, timezone=tz),
        id="readiness_monitor",
        name="standby floors",
        **{**common, "misfire_grace_time": 60},
    )
    scheduler.add_job(
        weekly_standards_report,
        CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=tz),
        id="weekly_standards_report",
        name="weekly staffing-standards report",
        **common,
    )
    if drills_installed():
        hour, minute = (int(x) for x in settings.drill_reminder_at.split(":"))
        scheduler.add_job(
            drill_reminders,
            CronTrigger(hour=hour, minute=minute, timezone=tz),
            id="drill_reminders",
            name="morning drill reminders",
            **common,
        )
    return [j.id for j in scheduler.get_jobs()]


class SchedulerElection:
    """Runs the scheduler in this process while it holds the election lock."""

    def __init__(self, engine: Engine, settings: Settings, retry_seconds: float = RETRY_SECONDS):
        self.engine, self.settings, self.retry = engine, settings, retry_seconds
        self.scheduler: BackgroundScheduler | None = None
        self._lock_conn: Connection | None = None
        self.attempts = 0  # election rounds run (for observers and tests)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pingan-election", daemon=True)

    @property
    def leading(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._resign()

    def _try_lock(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True  # SQLite: one server process
        conn = self.engine.connect()
        try:
            got = bool(conn.execute(text(LOCK_SQL)).scalar())
            conn.commit()
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._lock_conn = conn
        return True

    def _still_holding(self) -> bool:
        if self._lock_conn is None:
            return self.engine.dialect.name != "postgresql"
        try:
            self._lock_conn.execute(text("SELECT 1"))
            self._lock_conn.commit()
            return True
        except Exception:
            return False

    def _lead(self) -> None:
        context.engine, context.settings = self.engine, self.settings
        store = SQLAlchemyJobStore(engine=self.engine, tablename="apscheduler_jobs")
        scheduler = BackgroundScheduler(
            jobstores={"default": store}, timezone=ZoneInfo(self.settings.timezone)
        )
        scheduler.start(paused=True)
        configure_jobs(scheduler, self.settings)
        scheduler.resume()
        self.scheduler = scheduler
        log.info("this process runs the scheduler (%s)", worker_name())

    def _resign(self) -> None:
        if self.scheduler is not None:
            try:
                self.scheduler.shutdown(wait=True)
            except Exception:
                log.exception("scheduler shutdown")
            self.scheduler = None
        if self._lock_conn is not None:
            try:  # the connection goes back to the pool: free the lock explicitly
                self._lock_conn.execute(text("SELECT pg_advisory_unlock_all()"))
                self._lock_conn.commit()
                self._lock_conn.close()
            except Exception:
                self._lock_conn.invalidate()  # a closed session frees its locks
            self._lock_conn = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.scheduler is None:
                    if self._try_lock():
                        self._lead()
                elif not self._still_holding():
                    log.warning("lost the scheduler lock: stepping down")
                    self._resign()
            except Exception:
                log.exception("scheduler election")
                self._resign()
            self.attempts += 1
            self._stop.wait(self.retry)
