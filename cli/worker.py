"""`pingan worker`: a Celery worker of the job engine. Run as many as wanted, on this machine
or others, all with the same database URL and broker URL (`PINGAN_DATABASE_URL`,
`PINGAN_BROKER_URL`); each solves the parts of the queued jobs one at a time per process."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cli.common import fail, state


def worker(
    queues: Annotated[
        str,
        typer.Option(
            help="comma-separated broker queues to take parts from (default: PINGAN_JOB_QUEUE)"
        ),
    ] = "",
    concurrency: Annotated[
        int, typer.Option(min=1, max=256, help="parts solved at once (worker processes)")
    ] = 1,
    broker_url: Annotated[
        str, typer.Option(envvar="PINGAN_BROKER_URL", help="Celery broker URL (amqp://…)")
    ] = "",
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info",
) -> None:
    """Start a worker that solves job parts (Celery, prefork processes)."""
    if not broker_url:
        fail(
            "--broker-url: a worker needs the broker (or PINGAN_BROKER_URL), e.g. amqp://guest:guest@127.0.0.1:5672//"
        )
    if loglevel.lower() not in ("debug", "info", "warning", "error"):
        fail(f"--loglevel: expected debug, info, warning or error, got {loglevel!r}")
    # the tasks read the settings: the options given here win over the environment
    os.environ["PINGAN_BROKER_URL"] = broker_url
    if state.database_url:
        os.environ["PINGAN_DATABASE_URL"] = state.database_url
    from rosters.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    from api.job_engine.celery_app import configure

    app = configure(settings)
    wanted = [q.strip() for q in (queues or settings.job_queue).split(",") if q.strip()]
    if not wanted:
        fail("--queues: at least one queue name")
    app.worker_main(
        [
            "worker",
            f"--queues={','.join(wanted)}",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel.upper()}",
            f"--hostname=pingan-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--pool=prefork",
        ]
    )


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
