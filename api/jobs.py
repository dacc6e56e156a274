"""Background solve jobs: a request records a job and returns at once (202); a worker thread
of this process runs the solve (CP-SAT releases the GIL, so requests are served meanwhile),
writes its progress (best objective and bound) and honours cancellation; the result is kept
on the job row.

Every process that runs jobs heartbeats its queued and running jobs each second; a job whose
heartbeat is older than `job_stale_seconds` (10 s: its process died) is marked failed — at
start-up and then every few seconds — never left "running" for ever; at start-up a job whose
process on this machine is gone is marked failed at once. Cancelling works from any process:
the request sets `cancel_requested`, and the owner's monitor sees it within a second.

With a broker configured (`PINGAN_BROKER_URL`), `submit` and `cancel` hand the job to the
job engine instead (`api.job_engine`: Celery workers, parts in the database); such jobs are
never failed for a missing heartbeat here: their parts are redelivered by the broker."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psutil
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.events import publish
from api.models import Job, JobStatus, utcnow
from optimizer.result import Progress
from rosters.settings import Settings

log = logging.getLogger("pingan.jobs")
S = JobStatus
PROGRESS_EVERY = 0.5  # seconds between progress writes


class JobError(ValueError):
    """A job that cannot be changed in the way asked (e.g. cancelling a finished job)."""


class JobNotFound(LookupError):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"job {job_id}: no such job")


@dataclass
class JobContext:
    """What a job function gets besides its parameters."""

    job_id: int
    engine: Engine
    settings: Settings
    cancel: threading.Event
    report: Callable[[Progress], None]
    actor: str


JobFunction = Callable[[JobContext, dict[str, Any]], dict[str, Any]]
#: job kind → function(context, params) → result JSON
KINDS: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(fn: JobFunction) -> JobFunction:
        KINDS[name] = fn
        return fn

    return register


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _set(engine: Engine, job_id: int, where: Any = None, **values: Any) -> bool:
    """Conditional update of one job; True when the row changed."""
    with Session(engine) as session:
        stmt = update(Job).where(Job.id == job_id)  # type: ignore[arg-type]
        if where is not None:
            stmt = stmt.where(where)
        changed = session.execute(stmt.values(**values)).rowcount == 1
        if changed and "status" in values:
            publish(session, "job", {"id": job_id, "status": values["status"]})
        session.commit()
        return changed


#: the `worker` of the jobs run by the job engine (not heartbeated by a server process)
ENGINE_WORKER = "celery"


def _dead_here(worker: str) -> bool:
    """True when `worker` (host:pid:…) names a process of this machine that is gone."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return int(pid) != os.getpid() and not psutil.pid_exists(int(pid))


def fail_stale_jobs(engine: Engine, stale_seconds: float, dead_owners: bool = False) -> int:
    """Mark failed every queued or running in-process job whose process stopped heartbeating
    (and, with `dead_owners`, at once those whose process on this machine is gone)."""
    limit = utcnow() - dt.timedelta(seconds=stale_seconds)
    unfinished = Job.status.in_([S.QUEUED.value, S.RUNNING.value])  # type: ignore[attr-defined]
    with Session(engine) as session:
        rows = list(
            session.exec(
                select(Job.id).where(
                    unfinished,
                    Job.worker != ENGINE_WORKER,
                    or_(
                        Job.heartbeat_at < limit,  # type: ignore[operator]
                        Job.heartbeat_at.is_(None) & (Job.created_at < limit),  # type: ignore[union-attr]
                    ),
                )
            ).all()
        )
        if dead_owners:
            owned = session.exec(
                select(Job.id, Job.worker).where(unfinished, Job.worker != ENGINE_WORKER)
            ).all()
            rows += [i for i, w in owned if i not in rows and _dead_here(w)]
    count = 0
    for job_id in rows:
        count += _set(
            engine,
            job_id,  # type: ignore[arg-type]
            Job.status.in_([S.QUEUED.value, S.RUNNING.value]),  # type: ignore[attr-defined]
            status=S.FAILED.value,
            finished_at=utcnow(),
            error="the server stopped while the job was queued or running",
        )
    return count


class JobRunner:
    """Runs this process's jobs in a thread pool and watches them (heartbeat, cancel)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.worker = f"{worker_name()}:{uuid.uuid4().hex[:6]}"
        self.pool = ThreadPoolExecutor(settings.job_workers, thread_name_prefix="pingan-job")
        self.cancels: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._monitor = threading.Thread(target=self._watch, name="pingan-jobs", daemon=True)

    @property
    def distributed(self) -> bool:
        """True when jobs go to the job engine (Celery workers)."""
        return bool(self.settings.broker_url)

    def start(self) -> None:
        fail_stale_jobs(self.engine, self.settings.job_stale_seconds, dead_owners=True)
        if self.distributed:
            from api.job_engine.submit import recover

            recover(self.engine, self.settings)
        self._monitor.start()

    def stop(self) -> None:
        self._stop.set()
        for event in list(self.cancels.values()):
            event.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self._monitor.is_alive():
            self._monitor.join(timeout=5)
        with Session(self.engine) as session:  # jobs that never started here
            session.execute(
                update(Job)
                .where(Job.worker == self.worker, Job.status == S.QUEUED.value)  # type: ignore[arg-type]
                .values(status=S.CANCELLED.value, finished_at=utcnow(), error="server stopped")
            )
            session.commit()

    def submit(self, session: Session, kind: str, params: dict[str, Any], actor: str) -> Job:
        """Record a queued job (committed) and hand it to a worker thread."""
        if kind not in KINDS:
            raise JobError(f"kind: unknown job kind '{kind}'")
        if self.distributed:
            from api.job_engine.submit import submit

            return submit(session, self.settings, kind, params, actor)
        now = utcnow()
        job = Job(
            kind=kind,
            params=params,
            created_by=actor,
            worker=self.worker,
            heartbeat_at=now,
            created_at=now,
        )
        session.add(job)
        session.flush()
        publish(session, "job", {"id": job.id, "status": job.status, "kind": kind})
        session.commit()
        session.refresh(job)
        with self._lock:
            self.cancels[job.id] = threading.Event()  # type: ignore[index]
        self.pool.submit(self._run, job.id, actor)  # type: ignore[arg-type]
        return job

    def cancel(self, session: Session, job_id: int) -> Job:
        """Cancel in the caller's transaction (it commits): a queued job at once, a running
        one by request (its owner stops the solve, which returns its best plan so far)."""
        job = session.get(Job, job_id)
        if job is None:
            raise JobNotFound(job_id)
        if JobStatus(job.status) in (S.SUCCEEDED, S.FAILED, S.CANCELLED):
            raise JobError(f"job {job_id} is already {job.status}")
        if job.worker == ENGINE_WORKER:
            from api.job_engine.submit import cancel

            cancel(session, self.settings, job)
            session.refresh(job)
            return job
        now_cancelled = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == S.QUEUED.value)  # type: ignore[arg-type]
            .values(status=S.CANCELLED.value, finished_at=utcnow(), cancel_requested=True)
        ).rowcount
        if now_cancelled:
            publish(session, "job", {"id": job_id, "status": S.CANCELLED.value})
        else:
            session.execute(
                update(Job).where(Job.id == job_id).values(cancel_requested=True)  # type: ignore[arg-type]
            )
        event = self.cancels.get(job_id)
        if event is not None:
            event.set()
        session.refresh(job)
        return job

    def _run(self, job_id: int, actor: str) -> None:
        try:
            self._execute(job_id, actor)
        finally:
            with self._lock:
                self.cancels.pop(job_id, None)

    def _execute(self, job_id: int, actor: str) -> None:
        started = _set(
            self.engine,
            job_id,
            Job.status == S.QUEUED.value,  # type: ignore[arg-type]
            status=S.RUNNING.value,
            started_at=utcnow(),
            heartbeat_at=utcnow(),
        )
        if not started:  # cancelled while queued
            return
        with Session(self.engine) as session:
            job = session.get(Job, job_id)
            kind, params = job.kind, dict(job.params)  # type: ignore[union-attr]
        cancel = self.cancels.get(job_id) or threading.Event()
        last = [0.0]

        def report(p: Progress) -> None:
            now = time.monotonic()
            if now - last[0] < PROGRESS_EVERY:
                return
            last[0] = now
            _set(self.engine, job_id, progress=p.model_dump(mode="json"), heartbeat_at=utcnow())

        context = JobContext(job_id, self.engine, self.settings, cancel, report, actor)
        try:
            result = KINDS[kind](context, params)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            _set(
                self.engine,
                job_id,
                status=S.FAILED.value,
                finished_at=utcnow(),
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            return
        status = S.CANCELLED if cancel.is_set() else S.SUCCEEDED
        final = {k: result.get(k) for k in ("seconds", "objective", "bound", "gap")}
        _set(
            self.engine,
            job_id,
            status=status.value,
            finished_at=utcnow(),
            result=result,
            progress={**final, "status": result.get("status")},
        )

    def _watch(self) -> None:
        """Heartbeat this process's jobs, pass on cancel requests, fail stale jobs."""
        sweep = 0.0
        while not self._stop.wait(1.0):
            try:
                with Session(self.engine) as session:
                    session.execute(
                        update(Job)
                        .where(
                            Job.worker == self.worker,  # type: ignore[arg-type]
                            Job.status.in_([S.QUEUED.value, S.RUNNING.value]),  # type: ignore[attr-defined]
                        )
                        .values(heartbeat_at=utcnow())
                    )
                    wanted = session.exec(
                        select(Job.id).where(
                            Job.worker == self.worker,
                            Job.cancel_requested == True,  # noqa: E712
                            Job.status == S.RUNNING.value,
                        )
                    ).all()
                    session.commit()
                for job_id in wanted:
                    event = self.cancels.get(job_id)  # type: ignore[call-overload]
                    if event is not None:
                        event.set()
                if time.monotonic() - sweep > self.settings.job_stale_seconds / 2:
                    sweep = time.monotonic()
                    fail_stale_jobs(self.engine, self.settings.job_stale_seconds)
            except Exception:  # the database may be briefly away; try again next second
                log.exception("job monitor")
