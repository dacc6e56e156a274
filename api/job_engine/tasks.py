"""The job engine's three tasks, each safe to run twice:

- `pingan.job.split`: make the job's parts (once) and send a task for each unfinished one;
- `pingan.job.part`: claim a part, solve it (heartbeat, progress, cancel), store its result
  once; the last part to finish sends the merge; a part that fails `job_part_tries` times
  fails its job, naming the part;
- `pingan.job.merge`: the job's result from its parts' results, stored on the job."""

from __future__ import annotations

import logging
import os
import resource
import socket
import threading
import time
import uuid
from typing import Any

from celery import Task

from api import job_kinds  # noqa: F401  (registers every job kind)
from api.job_engine import parts as db
from api.job_engine.celery_app import celery_app, send
from api.job_engine.fanout import fanout_of, part_summary
from api.job_engine.models import MERGE_KEY, PartStatus
from api.jobs import JobContext
from api.models import FINISHED, Job, JobStatus
from optimizer.result import Progress
from rosters.db import get_engine
from rosters.settings import Settings, get_settings

log = logging.getLogger("pingan.jobs")
SPLIT, PART, MERGE = "pingan.job.split", "pingan.job.part", "pingan.job.merge"
PROGRESS_EVERY = 0.5  # seconds between a part's progress writes
EVENT_EVERY = 2.0  # seconds between a part's progress events
INPUT_ERRORS = (ValueError, LookupError)  # bad input: trying again would fail again


def _runtime() -> tuple[Any, Settings]:
    settings = get_settings()
    return get_engine(settings.database_url), settings


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _job(engine: Any, job_id: int) -> Job | None:
    from sqlmodel import Session

    with Session(engine) as session:
        job = session.get(Job, job_id)
        if job is not None:
            session.expunge(job)
        return job


def _peak_rss_mb() -> float:
    """Peak resident memory of this process and of its largest finished child (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, child) / 1024, 1)


@celery_app.task(name=SPLIT, bind=True)
def split_job(self: Task, job_id: int, key: str = "") -> None:
    engine, settings = _runtime()
    job = _job(engine, job_id)
    if job is None or JobStatus(job.status) in FINISHED:
        return
    if job.cancel_requested:
        db.end_job(engine, job_id, JobStatus.CANCELLED, error="cancelled before it started")
        return
    if not db.has_parts(engine, job_id):
        ctx = JobContext(
            job_id, engine, settings, threading.Event(), lambda p: None, job.created_by
        )
        try:
            split = fanout_of(job.kind).split(ctx, dict(job.params))
        except INPUT_ERRORS as exc:
            db.end_job(engine, job_id, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
            return
        except Exception as exc:
            if self.request.retries + 1 >= settings.job_part_tries:
                log.exception("job %s: splitting failed", job_id)
                error = f"splitting the job failed {settings.job_part_tries} times: {exc}"
                db.end_job(engine, job_id, JobStatus.FAILED, error=error)
                return
            raise self.retry(exc=exc, countdown=1, max_retries=None) from exc
        db.create_parts(engine, job_id, split.parts, split.merge)
    for k in db.part_keys(engine, job_id, {PartStatus.QUEUED}):
        send(settings, PART, job_id, k)
    merge = db.get_part(engine, job_id, MERGE_KEY)
    if merge is not None and merge.status in (PartStatus.QUEUED, PartStatus.RUNNING):
        send(settings, MERGE, job_id, MERGE_KEY)


def _claim(engine: Any, job_id: int, key: str, worker: str) -> str:
    """Claim the part, waiting while another worker runs it but may have died (a message
    given back by a dead worker comes before its heartbeat is stale)."""
    deadline = time.monotonic() + 2 * db.PART_STALE_SECONDS + 2
    while True:
        outcome = db.claim(engine, job_id, key, worker)
        if outcome != "busy" or time.monotonic() > deadline:
            return outcome
        time.sleep(1.0)


def _fail_or_retry(
    task: Task, engine: Any, settings: Settings, job_id: int, key: str, worker: str, exc: Exception
) -> None:
    part = db.get_part(engine, job_id, key)
    tries = part.attempts if part is not None else settings.job_part_tries
    error = f"{type(exc).__name__}: {exc}"
    if tries >= settings.job_part_tries:
        what = "the merge" if key == MERGE_KEY else f"part {key}"
        log.error("job %s: %s failed %s times: %s", job_id, what, tries, error)
        db.finish(engine, job_id, key, PartStatus.FAILED, None, worker, error)
        db.end_job(engine, job_id, JobStatus.FAILED, error=f"{what} failed {tries} times: {error}")
        return
    log.warning("job %s: %s failed (try %s): %s", job_id, key, tries, error)
    db.release(engine, job_id, key, worker, error)
    raise task.retry(exc=exc, countdown=1, max_retries=None)


def _exhausted(engine: Any, settings: Settings, job_id: int, key: str, worker: str) -> bool:
    """A part claimed more often than allowed (its workers died or it failed each time)."""
    part = db.get_part(engine, job_id, key)
    if part is None or part.attempts <= settings.job_part_tries:
        return False
    what = "the merge" if key == MERGE_KEY else f"part {key}"
    why = part.error or "its worker died"
    db.finish(engine, job_id, key, PartStatus.FAILED, None, worker, why)
    db.end_job(
        engine,
        job_id,
        JobStatus.FAILED,
        error=f"{what} failed {settings.job_part_tries} times: {why}",
    )
    return True


@celery_app.task(name=PART, bind=True)
def solve_part(self: Task, job_id: int, key: str) -> None:
    engine, settings = _runtime()
    worker = _worker()
    outcome = _claim(engine, job_id, key, worker)
    if outcome == "stopped":
        _after_finish(engine, settings, job_id)
        return
    if outcome != "claimed" or _exhausted(engine, settings, job_id, key, worker):
        return
    part, job = db.get_part(engine, job_id, key), _job(engine, job_id)
    assert part is not None and job is not None
    cancel, stop = threading.Event(), threading.Event()

    def beat() -> None:
        while not stop.wait(1.0):
            try:
                if db.heartbeat(engine, job_id, key, worker):
                    cancel.set()
            except Exception:  # the database may be briefly away
                log.exception("job %s part %s: heartbeat", job_id, key)

    last = [0.0, 0.0]

    def report(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY:
            return
        event = now - last[1] >= EVENT_EVERY
        last[0] = now
        if event:
            last[1] = now
        db.record_progress(engine, job_id, key, worker, p.model_dump(mode="json"), event)

    heart = threading.Thread(target=beat, name=f"heartbeat-{job_id}-{key}", daemon=True)
    heart.start()
    began = time.perf_counter()
    ctx = JobContext(job_id, engine, settings, cancel, report, job.created_by)
    try:
        result = fanout_of(job.kind).solve(ctx, dict(part.params))
    except Exception as exc:
        stop.set()
        log.exception("job %s part %s failed", job_id, key)
        _fail_or_retry(self, engine, settings, job_id, key, worker, exc)
        return
    finally:
        stop.set()
        heart.join(timeout=5)
    stats = {"seconds": round(time.perf_counter() - began, 3), "peak_rss_mb": _peak_rss_mb()}
    status = PartStatus.CANCELLED if cancel.is_set() else PartStatus.DONE
    stored, opened = db.finish(engine, job_id, key, status, result, worker, stats=stats)
    if not stored:
        log.info(
            "job %s part %s: already finished by another run; this result dropped", job_id, key
        )
    if opened:
        send(settings, MERGE, job_id, MERGE_KEY)


def _after_finish(engine: Any, settings: Settings, job_id: int) -> None:
    """After a part was cancelled without running: the merge, if it was the last."""
    opened = db.finish(engine, job_id, "", PartStatus.CANCELLED, None, "")[1]
    if opened:
        send(settings, MERGE, job_id, MERGE_KEY)


@celery_app.task(name=MERGE, bind=True)
def merge_job(self: Task, job_id: int, key: str = MERGE_KEY) -> None:
    engine, settings = _runtime()
    worker = _worker()
    if _claim(engine, job_id, MERGE_KEY, worker) != "claimed":
        return
    if _exhausted(engine, settings, job_id, MERGE_KEY, worker):
        return
    job, merge = _job(engine, job_id), db.get_part(engine, job_id, MERGE_KEY)
    assert job is not None and merge is not None
    parts = db.parts_of(engine, job_id)
    summary = {p.key: {"status": p.status, **part_summary(p.result or {})} for p in parts}
    if job.cancel_requested or any(p.status != PartStatus.DONE for p in parts):
        failed = [p.key for p in parts if p.status == PartStatus.FAILED]
        status = JobStatus.FAILED if failed and not job.cancel_requested else JobStatus.CANCELLED
        db.finish(engine, job_id, MERGE_KEY, PartStatus.CANCELLED, None, worker)
        db.end_job(
            engine,
            job_id,
            status,
            {"status": "cancelled", "parts": summary},
            error=f"parts failed: {', '.join(failed)}" if failed else "",
        )
        return
    ctx = JobContext(job_id, engine, settings, threading.Event(), lambda p: None, job.created_by)
    began = time.perf_counter()
    try:
        result = fanout_of(job.kind).merge(ctx, dict(merge.params), [p.result or {} for p in parts])
    except Exception as exc:
        log.exception("job %s: merge failed", job_id)
        _fail_or_retry(self, engine, settings, job_id, MERGE_KEY, worker, exc)
        return
    result = {**result, "parts": summary, "merge_seconds": round(time.perf_counter() - began, 3)}
    db.finish(engine, job_id, MERGE_KEY, PartStatus.DONE, {"merged": True}, worker)
    status = JobStatus.CANCELLED if _job(engine, job_id).cancel_requested else JobStatus.SUCCEEDED  # type: ignore[union-attr]
    db.end_job(engine, job_id, status, result)
