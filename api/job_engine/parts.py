"""The job engine's bookkeeping in the database: a job's parts are created once, claimed by
one worker at a time (a running part whose heartbeat stopped may be claimed again), finished
once (the first finished run's result is kept), and the last part to finish opens the
merge. Progress of the whole job is the sum of its parts'. Every function is one short
transaction, safe to call again (a task delivered twice does no harm)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from api.events import publish
from api.job_engine.models import MERGE_KEY, PART_FINISHED, JobPart, PartStatus
from api.models import FINISHED, Job, JobStatus, utcnow
from optimizer.result import relative_gap
from rosters.db import session_scope

log = logging.getLogger("pingan.jobs")
P, S = PartStatus, JobStatus
#: a running part whose heartbeat is older than this is taken to be dead (heartbeats: 1 s)
PART_STALE_SECONDS = 6.0


@dataclass
class PartSpec:
    """One part to create: its key, its input (JSON) and its weight."""

    key: str
    params: dict[str, Any]
    weight: float = 1.0


def create_parts(engine: Engine, job_id: int, parts: list[PartSpec], merge: dict[str, Any]) -> bool:
    """Create the parts and the merge row of a job and mark it running; False when they
    already existed (another delivery of the split did it)."""
    keys = [p.key for p in parts]
    if len(set(keys)) != len(keys) or MERGE_KEY in keys:
        raise ValueError(f"parts of job {job_id}: keys must be unique and not '{MERGE_KEY}'")
    try:
        with session_scope(engine) as session:
            for p in parts:
                session.add(JobPart(job_id=job_id, key=p.key, params=p.params, weight=p.weight))
            session.add(JobPart(job_id=job_id, key=MERGE_KEY, status=P.WAITING.value, params=merge))
            session.flush()
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == S.QUEUED.value)  # type: ignore[arg-type]
                .values(
                    status=S.RUNNING.value,
                    started_at=utcnow(),
                    heartbeat_at=utcnow(),
                    progress=sum_progress([(p.key, P.QUEUED.value, {}) for p in parts]),
                )
            )
            publish(session, "job", {"id": job_id, "status": S.RUNNING.value, "parts": keys})
        return True
    except IntegrityError:
        return False


def part_keys(engine: Engine, job_id: int, statuses: set[PartStatus]) -> list[str]:
    """The keys of a job's parts in these statuses, heaviest first (the order their tasks
    are sent in: the largest parts start first, so that no large part is left for the end
    when the other workers are idle — longest-processing-time-first)."""
    with Session(engine) as session:
        rows = session.exec(
            select(JobPart.key)
            .where(
                JobPart.job_id == job_id,
                JobPart.key != MERGE_KEY,
                JobPart.status.in_([s.value for s in statuses]),  # type: ignore[attr-defined]
            )
            .order_by(JobPart.weight.desc(), JobPart.id)  # type: ignore[attr-defined, arg-type]
        ).all()
    return list(rows)


def get_part(engine: Engine, job_id: int, key: str) -> JobPart | None:
    with Session(engine) as session:
        part = session.exec(
            select(JobPart).where(JobPart.job_id == job_id, JobPart.key == key)
        ).first()
        if part is not None:
            session.expunge(part)
        return part


def parts_of(engine: Engine, job_id: int) -> list[JobPart]:
    """Every part of a job but the merge, in the order they were made, without their input
    (`params`, which for a province is most of the rows' size: left unloaded)."""
    with Session(engine) as session:
        rows = session.exec(
            select(JobPart)
            .options(defer(JobPart.params))  # type: ignore[arg-type]
            .where(JobPart.job_id == job_id, JobPart.key != MERGE_KEY)
            .order_by(JobPart.id)  # type: ignore[arg-type]
        ).all()
        for r in rows:
            session.expunge(r)
        return list(rows)


def has_parts(engine: Engine, job_id: int) -> bool:
    """Whether the job's parts were made (by an earlier delivery of its split)."""
    with Session(engine) as session:
        return (
            session.exec(select(JobPart.id).where(JobPart.job_id == job_id).limit(1)).first()
            is not None
        )


def claim(engine: Engine, job_id: int, key: str, worker: str) -> str:
    """Claim a part for `worker`: "claimed", or why not: "finished" (done, failed or
    cancelled), "stopped" (its job is finished or being cancelled: the part is marked
    cancelled), "busy" (another worker runs it and heartbeats), "gone" (no such part)."""
    stale = utcnow() - dt.timedelta(seconds=PART_STALE_SECONDS)
    with session_scope(engine) as session:
        part = session.exec(
            select(JobPart).where(JobPart.job_id == job_id, JobPart.key == key)
        ).first()
        job = session.get(Job, job_id)
        if part is None or job is None:
            return "gone"
        if PartStatus(part.status) in PART_FINISHED:
            return "finished"
        if JobStatus(job.status) in FINISHED or (job.cancel_requested and key != MERGE_KEY):
            part.status, part.finished_at = P.CANCELLED.value, utcnow()
            return "stopped"
        claimable = or_(
            JobPart.status == P.QUEUED.value,
            and_(
                JobPart.status == P.RUNNING.value,
                or_(JobPart.heartbeat_at < stale, JobPart.heartbeat_at.is_(None)),  # type: ignore[operator, union-attr]
            ),
        )
        now = utcnow()
        changed = session.execute(
            update(JobPart)
            .where(JobPart.id == part.id, claimable)  # type: ignore[arg-type]
            .values(
                status=P.RUNNING.value,
                attempts=JobPart.attempts + 1,
                worker=worker,
                started_at=now,
                heartbeat_at=now,
            )
        ).rowcount
        return "claimed" if changed == 1 else "busy"


def heartbeat(engine: Engine, job_id: int, key: str, worker: str) -> bool:
    """Heartbeat a running part (and its job); True when its job asks to be cancelled."""
    with Session(engine) as session:
        now = utcnow()
        session.execute(
            update(JobPart)
            .where(JobPart.job_id == job_id, JobPart.key == key, JobPart.worker == worker)  # type: ignore[arg-type]
            .values(heartbeat_at=now)
        )
        session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=now))  # type: ignore[arg-type]
        row = session.exec(select(Job.cancel_requested, Job.status).where(Job.id == job_id)).first()
        session.commit()
    return row is None or bool(row[0]) or JobStatus(row[1]) in FINISHED


def sum_progress(parts: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """The whole job's progress from its parts' (key, status, progress): the objective is the
    sum once every part has one, the bound the sum of the bounds (0 for a part without one,
    still a valid bound: every objective term is ≥ 0), the gap recomputed; with counts."""
    objectives = [p.get("objective") for _, _, p in parts]
    objective = (
        round(sum(objectives), 3)  # type: ignore[arg-type]
        if parts and all(o is not None for o in objectives)
        else None
    )
    bounds = [p.get("bound") for _, _, p in parts]
    bound = round(sum(b or 0.0 for b in bounds), 3) if any(b is not None for b in bounds) else None
    return {
        "seconds": max((p.get("seconds") or 0.0 for _, _, p in parts), default=0.0),
        "objective": objective,
        "bound": bound,
        "gap": relative_gap(objective, bound),
        "parts": len(parts),
        "parts_done": sum(s == P.DONE.value for _, s, _ in parts),
        "parts_running": sum(s == P.RUNNING.value for _, s, _ in parts),
        "parts_failed": sum(s == P.FAILED.value for _, s, _ in parts),
    }


def _job_progress(session: Session, job_id: int) -> dict[str, Any]:
    rows = session.exec(
        select(JobPart.key, JobPart.status, JobPart.progress)
        .where(JobPart.job_id == job_id, JobPart.key != MERGE_KEY)
        .order_by(JobPart.id)  # type: ignore[arg-type]
    ).all()
    return sum_progress([(k, s, dict(p or {})) for k, s, p in rows])


def record_progress(
    engine: Engine, job_id: int, key: str, worker: str, progress: dict[str, Any], event: bool
) -> None:
    """A part's progress; the job's progress becomes the sum of its parts' (published as a
    `job` event when `event`)."""
    with Session(engine) as session:
        session.execute(
            update(JobPart)
            .where(
                JobPart.job_id == job_id,  # type: ignore[arg-type]
                JobPart.key == key,
                JobPart.worker == worker,
                JobPart.status == P.RUNNING.value,
            )
            .values(progress=progress, heartbeat_at=utcnow())
        )
        total = _job_progress(session, job_id)
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == S.RUNNING.value)  # type: ignore[arg-type]
            .values(progress=total)
        )
        if event:
            publish(session, "job", {"id": job_id, "status": S.RUNNING.value, "progress": total})
        session.commit()


def finish(
    engine: Engine,
    job_id: int,
    key: str,
    status: PartStatus,
    result: dict[str, Any] | None,
    worker: str,
    error: str = "",
    stats: dict[str, float | None] | None = None,
) -> tuple[bool, bool]:
    """Store a part's outcome once (a later run of the same part changes nothing) and update
    the job's progress. Returns (stored, merge_opened): the merge opens (waiting → queued)
    when this was the last part to finish."""
    stats = stats or {}
    with session_scope(engine) as session:  # BEGIN IMMEDIATE on SQLite
        # the job row locked: parts finishing at once see each other's outcome
        session.exec(select(Job.id).where(Job.id == job_id).with_for_update()).first()
        progress = {}
        if result is not None:
            progress = {k: result.get(k) for k in ("objective", "bound", "gap")}
            progress["seconds"] = stats.get("seconds")
        stored = (
            session.execute(
                update(JobPart)
                .where(
                    JobPart.job_id == job_id,  # type: ignore[arg-type]
                    JobPart.key == key,
                    JobPart.status.not_in([s.value for s in PART_FINISHED]),  # type: ignore[attr-defined]
                )
                .values(
                    status=status.value,
                    result=result,
                    progress=progress,
                    error=error[:2000],
                    solved_by=worker,
                    finished_at=utcnow(),
                    seconds=stats.get("seconds"),
                    peak_rss_mb=stats.get("peak_rss_mb"),
                )
            ).rowcount
            == 1
        )
        left = session.exec(
            select(JobPart.id).where(
                JobPart.job_id == job_id,
                JobPart.key != MERGE_KEY,
                JobPart.status.not_in([s.value for s in PART_FINISHED]),  # type: ignore[attr-defined]
            )
        ).first()
        opened = False
        if left is None:
            opened = (
                session.execute(
                    update(JobPart)
                    .where(
                        JobPart.job_id == job_id,  # type: ignore[arg-type]
                        JobPart.key == MERGE_KEY,
                        JobPart.status == P.WAITING.value,
                    )
                    .values(status=P.QUEUED.value)
                ).rowcount
                == 1
            )
        total = _job_progress(session, job_id)
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == S.RUNNING.value)  # type: ignore[arg-type]
            .values(progress=total)
        )
        publish(session, "job", {"id": job_id, "status": S.RUNNING.value, "progress": total})
    return stored, opened


def release(engine: Engine, job_id: int, key: str, worker: str, error: str) -> None:
    """A run of a part that raised: back to queued (to be tried again), the error kept."""
    with Session(engine) as session:
        session.execute(
            update(JobPart)
            .where(
                JobPart.job_id == job_id,  # type: ignore[arg-type]
                JobPart.key == key,
                JobPart.worker == worker,
                JobPart.status == P.RUNNING.value,
            )
            .values(status=P.QUEUED.value, error=error[:2000])
        )
        session.commit()


def end_job(
    engine: Engine,
    job_id: int,
    status: JobStatus,
    result: dict[str, Any] | None = None,
    error: str = "",
) -> bool:
    """Finish a job once (a job already finished is left as it is); True when it changed."""
    with session_scope(engine) as session:
        values: dict[str, Any] = {"status": status.value, "finished_at": utcnow()}
        if result is not None:
            values["result"] = result
            values["progress"] = {
                **{k: result.get(k) for k in ("seconds", "objective", "bound", "gap")},
                **{k: v for k, v in _job_progress(session, job_id).items() if k.startswith("part")},
                "status": result.get("status"),
            }
        if error:
            values["error"] = error[:2000]
        changed = (
            session.execute(
                update(Job)
                .where(
                    Job.id == job_id,  # type: ignore[arg-type]
                    Job.status.in_([S.QUEUED.value, S.RUNNING.value]),  # type: ignore[attr-defined]
                )
                .values(**values)
            ).rowcount
            == 1
        )
        if changed:
            publish(session, "job", {"id": job_id, "status": status.value})
            if status in (S.FAILED, S.CANCELLED):
                session.execute(
                    update(JobPart)
                    .where(
                        JobPart.job_id == job_id,  # type: ignore[arg-type]
                        JobPart.status.in_([P.QUEUED.value, P.WAITING.value]),  # type: ignore[attr-defined]
                    )
                    .values(status=P.CANCELLED.value, finished_at=utcnow())
                )
    return changed


def cancel_parts(session: Session, job_id: int) -> tuple[list[str], bool]:
    """In the caller's transaction: the job's queued parts cancelled; returns every part key
    (to revoke their tasks) and whether some part still runs."""
    session.execute(
        update(JobPart)
        .where(JobPart.job_id == job_id, JobPart.status == P.QUEUED.value)  # type: ignore[arg-type]
        .values(status=P.CANCELLED.value, finished_at=utcnow())
    )
    rows = session.exec(select(JobPart.key, JobPart.status).where(JobPart.job_id == job_id)).all()
    running = any(s == P.RUNNING.value for k, s in rows if k != MERGE_KEY)
    if not running:  # nothing left to finish: no merge will come
        session.execute(
            update(JobPart)
            .where(JobPart.job_id == job_id, JobPart.status == P.WAITING.value)  # type: ignore[arg-type]
            .values(status=P.CANCELLED.value, finished_at=utcnow())
        )
    return [k for k, _ in rows], running


def unfinished_engine_jobs(engine: Engine, worker: str) -> list[int]:
    with Session(engine) as session:
        rows = session.exec(
            select(Job.id).where(
                Job.worker == worker,
                Job.status.in_([S.QUEUED.value, S.RUNNING.value]),  # type: ignore[attr-defined]
            )
        ).all()
    return [r for r in rows if r is not None]
