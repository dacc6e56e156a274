"""The command-centre pages (server-rendered HTML): login, the wall (指挥大屏) and the plan
page, with the wall's live-update data and the plan's Excel download. Every page needs a
logged-in user (any role); the login is a cookie (see `api.pages`). Pages are listed in
`maps.pages.PAGES` (the navigation bar); a new page adds its route here."""

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from api import csrf, pages
from api.auth import Principal
from api.deps import SessionDep, SettingsDep
from api.errors import ApiError
from api.login_throttle import LoginLocked, client_address, log_in
from maps.drill_calendar import month_start
from maps.labels import Lang
from maps.pages import login_html, page_allows
from rosters.plans import PlanError

router = APIRouter(tags=["pages"], include_in_schema=False)
LangQuery = Annotated[Literal["zh", "en"], Query(description="page language")]
Codes = Annotated[list[str], Query(max_length=200)]


class _LoginRequired(Exception):
    pass


def _who(request: Request, page: str) -> Principal:
    """The logged-in user, if their role may open the page."""
    who = pages.page_principal(request)
    if who is None:
        raise _LoginRequired()
    if not page_allows(page, who.role.value):
        raise ApiError(403, f"role {who.role.value} may not open the {page} page")
    return who


def _to_login(request: Request, lang: str = "zh") -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import urlencode

    query = urlencode({"next": pages.safe_next(target), "lang": lang})
    return RedirectResponse(f"/pages/login?{query}", status_code=303)


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/pages/wall", status_code=303)


@router.get("/pages/login", response_class=HTMLResponse)
def login_form(request: Request, lang: LangQuery = "zh", next: str | None = None) -> HTMLResponse:
    return HTMLResponse(login_html(lang, pages.safe_next(next), csrf.csrf_token(request)))


@router.post("/pages/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=2000)] = "/pages/wall",
    lang: Annotated[Literal["zh", "en"], Form()] = "zh",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not csrf.verify(request, csrf_token):
        # a form from another site, or one older than this browser's CSRF cookie
        form = login_html(lang, pages.safe_next(next), csrf.csrf_token(request), "page.stale_form")
        return HTMLResponse(form, status_code=403)
    address = client_address(request.client.host if request.client else None)
    try:
        user = log_in(request.app.state.engine, settings, username, password, address)
    except LoginLocked as exc:
        form = login_html(lang, pages.safe_next(next), csrf.csrf_token(request), "page.locked")
        return HTMLResponse(form, 429, headers={"Retry-After": str(exc.retry_after)})
    except PermissionError:
        form = login_html(lang, pages.safe_next(next), csrf.csrf_token(request), "page.bad_login")
        return HTMLResponse(form, status_code=401)
    response = RedirectResponse(pages.safe_next(next), status_code=303)
    pages.set_login_cookie(request, response, user, settings)
    return response


@router.post("/pages/logout")
def logout(request: Request) -> Response:
    if not csrf.same_origin(request):
        raise ApiError(403, "log out from pingan's own pages")
    pages.revoke_login(request)
    response = RedirectResponse("/pages/login", status_code=303)
    pages.clear_login_cookie(response)
    return response


@router.post("/pages/session")
def renew(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    x_pingan_page: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Renew the login cookie of an open page (refused without the page header)."""
    if x_pingan_page != "1":
        raise ApiError(403, f"{pages.PAGE_HEADER}: pages only")
    who = pages.page_principal(request)
    user = pages.user_row(session, who.name) if who else None
    if user is None:
        raise ApiError(401, "log in again", headers={"WWW-Authenticate": "Bearer"})
    response = JSONResponse({"name": user.username, "role": user.role})
    response.headers["Cache-Control"] = "no-store"
    seconds = pages.set_login_cookie(request, response, user, settings)
    response.headers["X-Expires-In"] = str(seconds)
    return response


def _html(body: str) -> HTMLResponse:
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/pages/wall", response_class=HTMLResponse)
async def wall(
    request: Request,
    settings: SettingsDep,
    lang: LangQuery = "zh",
    coverage: Annotated[
        Literal["auto", "rings", "heat", "none"], Query(description="response coverage layer")
    ] = "auto",
) -> Response:
    try:
        who = await run_in_threadpool(_who, request, "wall")
    except _LoginRequired:
        return _to_login(request, lang)

    def build() -> str:
        with Session(request.app.state.engine) as session:
            return pages.wall_html(session, settings, who, lang, coverage)  # type: ignore[arg-type]

    return _html(await run_in_threadpool(build))


@router.get("/pages/wall/data")
def wall_data(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang: LangQuery = "zh",
    incident: Codes = [],  # noqa: B006 (FastAPI copies defaults)
    unit: Codes = [],  # noqa: B006
) -> JSONResponse:
    try:
        _who(request, "wall")
    except _LoginRequired as exc:
        raise ApiError(401, "log in first", headers={"WWW-Authenticate": "Bearer"}) from exc
    data = pages.wall_data(session, settings, lang, incident, unit)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


def _plan_page(
    request: Request,
    session: Session,
    settings: object,
    plan_id: int | None,
    lang: Lang,
    county: str | None,
    shift: str | None,
) -> Response:
    try:
        who = _who(request, "plan")
    except _LoginRequired:
        return _to_login(request, lang)
    try:
        plan = pages.find_plan(session, plan_id)
    except PlanError as exc:
        raise ApiError(404, str(exc)) from exc
    return _html(pages.plan_html(session, settings, who, plan, lang, county, shift))  # type: ignore[arg-type]


Filter = Annotated[str | None, Query(max_length=64)]


@router.get("/pages/plan", response_class=HTMLResponse)
def latest_plan(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang: LangQuery = "zh",
    county: Filter = None,
    shift: Filter = None,
) -> Response:
    """The latest published plan."""
    return _plan_page(request, session, settings, None, lang, county or None, shift or None)


@router.get("/pages/plan/{plan_id}", response_class=HTMLResponse)
def plan_by_id(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    plan_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    lang: LangQuery = "zh",
    county: Filter = None,
    shift: Filter = None,
) -> Response:
    return _plan_page(request, session, settings, plan_id, lang, county or None, shift or None)


@router.get("/pages/plan/{plan_id}/xlsx")
def plan_xlsx(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    plan_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    try:
        _who(request, "plan")
    except _LoginRequired:
        return _to_login(request)
    try:
        plan = pages.find_plan(session, plan_id)
    except PlanError as exc:
        raise ApiError(404, str(exc)) from exc
    body = pages.plan_xlsx(session, settings, plan)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="patrol-plan-{plan_id}.xlsx"'},
    )


@router.get("/pages/drills", response_class=HTMLResponse)
def drill_calendar(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang: LangQuery = "zh",
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    unit: Filter = None,
    venue: Filter = None,
    county: Filter = None,
) -> Response:
    """The drill calendar of a month (default this month), of a county (default the first
    with drill duties; "all": the city), a unit or a venue."""
    try:
        who = _who(request, "drills")
    except _LoginRequired:
        return _to_login(request, lang)
    try:
        first = month_start(month, dt.datetime.now(ZoneInfo(settings.timezone)).date())
    except ValueError as exc:
        raise ApiError(422, f"month: not a month (YYYY-MM): {month!r}") from exc
    token = csrf.csrf_token(request)
    return _html(
        pages.drills_html(
            session, settings, who, lang, first, unit or "", venue or "", county or "", token
        )
    )
