"""The API side of the job engine: record a job (committed) and only then send its split
task; cancel a job (its queued parts at once, the running ones by request, every part's task
revoked); at start-up send again the split of every unfinished job (a server that died
between committing a job and sending its task loses nothing: the split is idempotent)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.events import publish
from api.job_engine import ENGINE_WORKER
from api.job_engine import parts as db
from api.job_engine.celery_app import revoke, send
from api.job_engine.models import MERGE_KEY
from api.models import Job, JobStatus, utcnow
from rosters.settings import Settings

log = logging.getLogger("pingan.jobs")
SPLIT, PART = "pingan.job.split", "pingan.job.part"


def submit(
    session: Session, settings: Settings, kind: str, params: dict[str, Any], actor: str
) -> Job:
    """Record a queued job in the caller's session, commit, then send its split task."""
    now = utcnow()
    job = Job(
        kind=kind,
        params=params,
        created_by=actor,
        worker=ENGINE_WORKER,
        heartbeat_at=now,
        created_at=now,
    )
    session.add(job)
    session.flush()
    publish(session, "job", {"id": job.id, "status": job.status, "kind": kind})
    session.commit()
    session.refresh(job)
    try:
        send(settings, SPLIT, job.id, "split")  # type: ignore[arg-type]
    except Exception:  # the broker is away: the job stays queued and is sent at start-up
        log.exception("job %s: could not send its task; it is sent again at start-up", job.id)
    return job


def submit_job(
    engine: Engine, settings: Settings, kind: str, params: dict[str, Any], actor: str
) -> int:
    """`submit` in a session of its own (the scheduler, the command line); the job id."""
    with Session(engine) as session:
        return submit(session, settings, kind, params, actor).id  # type: ignore[return-value]


def cancel(session: Session, settings: Settings, job: Job) -> None:
    """Cancel in the caller's transaction (the caller commits): a queued job at once; a
    running one by request (running parts stop at their next heartbeat, the merge then marks
    the job cancelled); queued parts cancelled now and every task of the job revoked."""
    job_id: int = job.id  # type: ignore[assignment]
    keys, running = db.cancel_parts(session, job_id)
    now_cancelled = session.execute(
        update(Job)
        .where(
            Job.id == job_id,  # type: ignore[arg-type]
            Job.status.in_(  # type: ignore[attr-defined]
                [JobStatus.QUEUED.value] + ([] if running else [JobStatus.RUNNING.value])
            ),
        )
        .values(status=JobStatus.CANCELLED.value, finished_at=utcnow(), cancel_requested=True)
    ).rowcount
    if now_cancelled:
        publish(session, "job", {"id": job_id, "status": JobStatus.CANCELLED.value})
    else:
        session.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))  # type: ignore[arg-type]
    try:
        revoke(settings, job_id, [k for k in keys if k != MERGE_KEY] + ["split"])
    except Exception:  # revoking only saves work: the tasks check the job before running
        log.exception("job %s: could not revoke its tasks", job_id)


def recover(engine: Engine, settings: Settings) -> int:
    """Send again the split task of every unfinished engine job (outbox recovery)."""
    jobs = db.unfinished_engine_jobs(engine, ENGINE_WORKER)
    for job_id in jobs:
        try:
            send(settings, SPLIT, job_id, "split")
        except Exception:
            log.exception("job %s: could not send its task", job_id)
            break
    return len(jobs)


def submit_parts(
    engine: Engine,
    settings: Settings,
    kind: str,
    params: dict[str, Any],
    parts: list[db.PartSpec],
    merge: dict[str, Any],
    actor: str,
) -> int:
    """A job whose parts the caller made (e.g. a scenario file split on the command line):
    the job and its parts committed, then a task sent for each part; the job id."""
    with Session(engine) as session:
        now = utcnow()
        job = Job(
            kind=kind,
            params=params,
            created_by=actor,
            worker=ENGINE_WORKER,
            heartbeat_at=now,
            created_at=now,
        )
        session.add(job)
        session.flush()
        publish(session, "job", {"id": job.id, "status": job.status, "kind": kind})
        session.commit()
        job_id: int = job.id  # type: ignore[assignment]
    db.create_parts(engine, job_id, parts, merge)
    for part in sorted(parts, key=lambda p: -p.weight):  # heaviest first, as `part_keys`
        send(settings, PART, job_id, part.key)
    return job_id


def wait(engine: Engine, job_id: int, on_progress: Any = None, every: float = 1.0) -> Job:
    """Poll the job until it is finished (calling `on_progress(progress)` on each change)."""
    import time

    seen: dict[str, Any] | None = None
    while True:
        with Session(engine) as session:
            job = session.get(Job, job_id)
            if job is None:
                raise LookupError(f"job {job_id}: no such job")
            session.expunge(job)
        if on_progress is not None and job.progress != seen:
            seen = dict(job.progress)
            on_progress(seen)
        if JobStatus(job.status) in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED):
            return job
        time.sleep(every)
