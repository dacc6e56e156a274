"""The workbench: a page for every job of the command centre (plan, roster, leave, import,
drills, incidents, my duties, audit), server-rendered with htmx (vendored, api/static/htmx).

Each workflow is a module of this package with a ``router``; `install` adds those that exist,
the CSRF cookie middleware and the login redirect. See `api.workbench.common`."""

from __future__ import annotations

import importlib
import importlib.util

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.csrf import CsrfMiddleware
from api.workbench.common import LoginRequired, login_redirect

WORKFLOWS = ("plan", "roster", "leave", "imports", "drills", "incidents", "me", "audit")


def install(app: FastAPI) -> None:
    app.add_middleware(CsrfMiddleware)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return login_redirect(request)

    for name in WORKFLOWS:
        module_name = f"{__name__}.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        app.include_router(module.router)
