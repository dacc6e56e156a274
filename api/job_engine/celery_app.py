"""The Celery application of the job engine. Configured from the settings (broker URL and
queue) by `configure`, in the API process that sends tasks and in `pingan worker`.

Delivery is at least once: a task is acknowledged only when it returns (`acks_late`), a task
whose worker process dies is given back to the broker (`reject_on_worker_lost`), a worker
takes one message at a time (`prefetch 1`), and the broker keeps its messages on disk. The
database makes running a task twice harmless (`parts.claim`, `parts.finish`). No result
backend: the job rows are the results."""

from __future__ import annotations

from celery import Celery

from rosters.settings import Settings

celery_app = Celery("pingan", include=["api.job_engine.tasks"])
celery_app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_acks_on_failure_or_timeout=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    result_backend=None,
    task_serializer="json",
    accept_content=["json"],
    task_default_delivery_mode="persistent",
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_send_task_events=False,
    task_send_sent_event=False,
)


def configure(settings: Settings) -> Celery:
    """Point the app at the settings' broker and queue (idempotent)."""
    if not settings.broker_url:
        raise ValueError("broker_url: the job engine needs PINGAN_BROKER_URL (e.g. amqp://…)")
    celery_app.conf.update(
        broker_url=settings.broker_url,
        task_default_queue=settings.job_queue,
        task_default_routing_key=settings.job_queue,
    )
    return celery_app


def task_id(job_id: int, key: str) -> str:
    """The task id of a job's part (the same for every delivery: revoking it stops them all)."""
    return f"pingan-job-{job_id}-{key}"


def send(settings: Settings, name: str, job_id: int, key: str) -> None:
    """Send task `name` for part `key` of job `job_id` (after the rows are committed)."""
    configure(settings).send_task(
        name,
        args=[job_id, key],
        task_id=task_id(job_id, key),
        queue=settings.job_queue,
        routing_key=settings.job_queue,
    )


def revoke(settings: Settings, job_id: int, keys: list[str]) -> None:
    """Tell every worker to drop the tasks of these parts (queued ones are discarded)."""
    configure(settings).control.revoke([task_id(job_id, k) for k in keys])
