"""One documented error shape for every failure: RFC 9457 problem details
(`application/problem+json`) with `type`, `title`, `status`, `detail`, `instance`, and for
invalid input `errors: [{loc, msg}]`, one per field (loc as in FastAPI: ["body", "code"],
["query", "limit"], or [row, column] for an import file).

Domain errors of the services are mapped here to HTTP statuses, so routers never catch them."""

from __future__ import annotations

import http
import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("pingan.api")
PROBLEM = "application/problem+json"


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="where: ['body', 'code'], ['query', 'limit']…")
    msg: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[FieldError] = Field(default_factory=list)


class ApiError(Exception):
    """Raise from a router for a failure that is not a domain error of a service."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers


def problem(
    request: Request,
    status: int,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        title=http.HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or [],
    )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, media_type=PROBLEM, headers=headers
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting the problem shape for these statuses."""
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        s: {
            "model": Problem,
            "description": http.HTTPStatus(s).phrase,
            "content": {PROBLEM: {"schema": ref}},
        }
        for s in statuses
    }


def _integrity(exc: IntegrityError) -> tuple[int, str]:
    text = str(exc.orig)
    code = getattr(exc.orig, "sqlstate", "") or ""
    if code == "23514" or "CHECK constraint" in text:
        return 422, f"a value breaks a rule of the database: {text.splitlines()[0]}"
    if code == "23503" or "FOREIGN KEY" in text:
        return 409, "the record is referenced by, or refers to, records that do not allow this"
    return 409, f"conflicts with an existing record: {text.splitlines()[0]}"


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        loc = [p if isinstance(p, int | str) else str(p) for p in err.get("loc", ())]
        out.append(FieldError(loc=loc, msg=str(err.get("msg", "invalid"))))
    return out


DomainMap = dict[type[BaseException], int]


_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _documented_paths(app: FastAPI) -> list[tuple[re.Pattern[str], int, set[str]]]:
    """(path pattern, number of parameters, methods) of every documented path, cached."""
    cached = getattr(app.state, "allow_patterns", None)
    if cached is None:
        cached = []
        for template, operations in app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            methods = {m.upper() for m in operations if m.upper() in _HTTP_METHODS}
            cached.append((re.compile(f"^{pattern}$"), template.count("{"), methods))
        app.state.allow_patterns = cached
    return cached


def allowed_methods(app: FastAPI, scope: Any) -> str:
    """The `Allow` header of a 405: the documented methods of the documented path that fits
    best (a literal segment beats a parameter: `/plans/patrol` is not `/plans/{id}`); for a
    path outside the API's documentation (a page), every method a route of it answers.
    FastAPI has one route per method, and Starlette's own header names only the first's."""
    from starlette.routing import Match

    path = scope.get("path", "")
    fits = [(params, methods) for rx, params, methods in _documented_paths(app) if rx.match(path)]
    methods: set[str] = set()
    if fits:
        fewest = min(params for params, _ in fits)
        methods = set().union(*(m for params, m in fits if params == fewest))
    else:
        for method in _HTTP_METHODS:
            probe = {**scope, "method": method}
            if any(route.matches(probe)[0] == Match.FULL for route in app.router.routes):
                methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI, domain: DomainMap) -> None:
    """Every error becomes a problem+json response. `domain` maps service exception types to
    statuses (most specific first); their message is the detail."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(app, request.scope)}
        return problem(request, exc.status_code, str(exc.detail or ""), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(request, 422, "the request is not valid", _validation_errors(exc))

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return problem(request, exc.status, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        status, detail = _integrity(exc)
        return problem(request, status, detail)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        return problem(request, 422, f"a value does not fit: {str(exc.orig).splitlines()[0]}")

    def _domain_handler(status: int) -> Callable[[Request, Exception], Any]:
        async def handler(request: Request, exc: Exception) -> JSONResponse:
            errors = getattr(exc, "field_errors", None)
            return problem(request, status, str(exc), errors() if callable(errors) else None)

        return handler

    for exc_type, status in domain.items():
        app.add_exception_handler(exc_type, _domain_handler(status))
