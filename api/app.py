"""The FastAPI application: `create_app(settings=None, engine=None)`.

At start-up it marks failed the solve jobs whose process died, starts this process's job
runner and live-update bus, and — when enabled — joins the scheduler election. The docs page
(/docs) is served from vendored Swagger UI files: no CDN request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from api import job_kinds  # noqa: F401  (registers every job kind)
from api.errors import FieldError, install_error_handlers, problem, problem_responses
from api.events import EventBus
from api.jobs import JobError, JobNotFound, JobRunner
from api.known_keys import KnownKeys
from api.limits import install_request_limits
from api.pool import install_pool_handler, limit_request_threads, server_engine
from api.read_cache import KeptAnswers, ReadCache
from api.security_headers import SecurityHeadersMiddleware
from api.signing_key import WeakSecretKey, key_problem
from api.stamp_reader import stamp_reader
from rosters.settings import Settings, get_settings

log = logging.getLogger("pingan.api")
STATIC = Path(__file__).parent / "static"
VERSION = "0.1.0"


def _domain_errors() -> dict[type[BaseException], int]:
    """Service exceptions → HTTP status (their message is the problem's detail)."""
    from dispatch.dispatching import DispatchConflict
    from dispatch.lifecycle import IllegalTransition, IncidentNotFound
    from dispatch.status import UnitNotFound
    from optimizer.drills import DrillInputError
    from optimizer.patrol import PatrolInputError
    from optimizer.scenario import ScenarioError
    from rosters.drills import DrillConflict, DrillError, DrillNotFound
    from rosters.plans import PlanError
    from rosters.scenario_db import ScenarioLoadError
    from rosters.standards import StandardsError
    from rosters.tables.readers import FileFormatError

    return {
        IncidentNotFound: 404,
        UnitNotFound: 404,
        JobNotFound: 404,
        DrillNotFound: 404,
        DrillConflict: 409,
        DrillError: 422,
        DrillInputError: 422,
        IllegalTransition: 409,
        DispatchConflict: 409,
        JobError: 409,
        PlanError: 422,
        ScenarioError: 422,
        ScenarioLoadError: 422,
        PatrolInputError: 422,
        FileFormatError: 422,
        StandardsError: 500,
        ValueError: 422,  # services refuse bad input with ValueError naming the field
    }


def _routers(app: FastAPI) -> None:
    from api.routers import (
        audit,
        auth,
        drills,
        events,
        incidents,
        pages,
        plans,
        roster,
        siting,
        tables,
    )

    app.include_router(auth.router)
    for router in roster.roster_routers():
        app.include_router(router)
    app.include_router(tables.router)
    app.include_router(plans.router)
    app.include_router(drills.router)
    app.include_router(incidents.router)
    app.include_router(events.router)
    app.include_router(audit.router)
    app.include_router(siting.router)
    from api import workbench

    # before the read-only pages: a workbench path such as /pages/plan/new wins over
    # /pages/plan/{plan_id}
    workbench.install(app)
    app.include_router(pages.router)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    weak = key_problem(settings.secret_key)
    if weak:
        raise WeakSecretKey(weak)
    if engine is None:
        engine = server_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # re-entrant: test clients may enter the lifespan of an app already running
        first = app.state.lifespans == 0
        app.state.lifespans += 1
        if first:
            limit_request_threads(settings)
            _start(app, engine, settings)
        try:
            yield
        finally:
            app.state.lifespans -= 1
            if app.state.lifespans == 0:
                _stop(app)
                if app.state.stamps is not None:
                    await app.state.stamps.close()

    app = FastAPI(
        title="pingan 平安",
        version=VERSION,
        description="Patrol plans, drills, incidents and dispatch for a command centre. "
        "Log in at POST /auth/token; every error is application/problem+json (RFC 9457).",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.lifespans = 0
    app.state.jobs = JobRunner(engine, settings)
    app.state.bus = EventBus(engine, settings.events_poll_seconds)
    app.state.scheduler = None
    app.state.read_cache = KeptAnswers(settings.read_cache_entries)
    app.state.stamps = stamp_reader(engine)
    app.state.known_keys = KnownKeys()
    install_error_handlers(app, _domain_errors())
    app.add_middleware(ReadCache)  # innermost: what it replays gets every header below
    install_request_limits(app)
    install_pool_handler(app)
    app.add_middleware(SecurityHeadersMiddleware, tile_url=settings.tile_url)
    _import_failed_handler(app)
    _docs(app)

    @app.get("/health", tags=["meta"], summary="Liveness", response_model=dict[str, str])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": VERSION}

    _routers(app)
    return app


def _start(app: FastAPI, engine: Engine, settings: Settings) -> None:
    """Start this process's job runner, live-update bus and scheduler election."""
    app.state.jobs = JobRunner(engine, settings)
    app.state.bus = EventBus(engine, settings.events_poll_seconds)
    app.state.jobs.start()
    app.state.bus.start()
    app.state.scheduler = None
    if settings.scheduler_enabled:
        from api.scheduler import SchedulerElection

        app.state.scheduler = SchedulerElection(engine, settings)
        app.state.scheduler.start()


def _stop(app: FastAPI) -> None:
    if app.state.scheduler is not None:
        app.state.scheduler.stop()
    app.state.bus.close_streams()
    app.state.bus.stop()
    app.state.jobs.stop()


def _import_failed_handler(app: FastAPI) -> None:
    from rosters.tables import ImportFailed

    @app.exception_handler(ImportFailed)
    async def _failed(request: Request, exc: ImportFailed) -> JSONResponse:
        errors = [
            FieldError(loc=[e.row, e.column] if e.column else [e.row], msg=e.reason)
            for e in exc.report.shown_errors
        ]
        return problem(request, 422, str(exc), errors)


def _docs(app: FastAPI) -> None:
    # the map assets first (maps/static/{vendor,pingan}, the base URL `maps.offline` links),
    # then the API's own (Swagger UI) under the rest of /static
    from maps.offline import STATIC_DIR

    for part in ("vendor", "pingan"):
        app.mount(f"/static/{part}", StaticFiles(directory=STATIC_DIR / part), name=f"map-{part}")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def openapi_spec(app: FastAPI) -> dict[str, Any]:
    return app.openapi()
