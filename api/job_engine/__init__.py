"""The job engine for many machines: with `PINGAN_BROKER_URL` set, a job is split into parts
(one per county of a patrol plan; the whole of any other job) that Celery workers solve, and
merged when the last part is done. The database is the truth (`job` and `job_part` rows);
the broker only carries "solve part k of job j" messages, sent after the rows are committed.
Without a broker, jobs run in-process (`api.jobs.JobRunner`) exactly as before."""

from __future__ import annotations

from rosters.settings import Settings

__all__ = ["ENGINE_WORKER", "distributed"]

from api.jobs import ENGINE_WORKER


def distributed(settings: Settings) -> bool:
    """True when jobs go to Celery workers (a broker URL is configured)."""
    return bool(getattr(settings, "broker_url", ""))
