"""Database connections of a server process, sized to its threads.

A request holds at most one pooled connection at a time: authentication reads with a session
of its own that it closes before the endpoint runs, and the request's session (`api.deps`)
takes its connection only when first used. Blocking request work runs on at most
`PINGAN_REQUEST_THREADS` threads at once, and the pool holds twice that many connections plus
those of the background threads (job runner, event bus, scheduler), so requests do not queue
for connections (on PostgreSQL, workers × pool size must stay below `max_connections`). If
the pool is exhausted anyway, a request waits `PINGAN_DB_POOL_TIMEOUT` seconds, then gets a
problem+json 503 with `Retry-After` instead of hanging."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.errors import problem
from rosters.settings import Settings

#: connections kept for the background threads beside the job workers
BACKGROUND_CONNECTIONS = 4
RETRY_AFTER_SECONDS = 1


def pool_size(settings: Settings) -> int:
    """Twice the request threads (a request keeps its connection from its endpoint's thread
    until its session is closed after the response is serialised, which may wait for a
    thread itself) plus the background threads' connections."""
    return 2 * settings.request_threads + 2 * settings.job_workers + BACKGROUND_CONNECTIONS


def pool_options(settings: Settings, url: str) -> dict[str, Any]:
    """`create_engine` pool arguments for a server process (none for in-memory SQLite, whose
    pool is a single connection)."""
    if url.startswith("sqlite") and (":memory:" in url or url in ("sqlite://", "sqlite:///")):
        return {}
    return {
        "pool_size": pool_size(settings),
        "max_overflow": 0,
        "pool_timeout": settings.db_pool_timeout,
    }


def server_engine(settings: Settings) -> Engine:
    """The engine of a server process, its pool sized to the process's threads."""
    from rosters.db import make_engine

    return make_engine(settings.database_url, **pool_options(settings, settings.database_url))


def limit_request_threads(settings: Settings) -> None:
    """At most `request_threads` blocking calls of this event loop at once (sync endpoints and
    dependencies, `run_in_threadpool`). Call from within the running loop."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads


def install_pool_handler(app: FastAPI) -> None:
    """No free database connection within the pool timeout: 503 and when to try again."""

    @app.exception_handler(PoolTimeout)
    async def _busy(request: Request, exc: PoolTimeout) -> JSONResponse:
        return problem(
            request,
            503,
            "the server is busy (no free database connection): try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
