"""What every workbench page shares: who is looking and in which language (`PageCtx`, from the
login cookie), the Jinja2 templates beside this module (autoescaped: every user string reaches
HTML through the template engine), the page layout (`base.html`: navigation bar, htmx, the
CSRF header every htmx request sends, the toast area) and the role checks of page actions.

A workflow module (plan, roster, leave, imports, drills, incidents, me, audit) defines
``router`` with its page routes and templates named after it; a route takes
``ctx: Annotated[PageCtx, Depends(page("plan"))]``, calls the same service function as the
JSON endpoint, and answers ``render(ctx, "plan_new.html", …)`` — a whole page, or a fragment
when the template does not extend ``base.html``. Routes that change something also depend on
take ``ctx: Annotated[PageCtx, Depends(page_write("plan", PLAN_WRITE))]`` (login, then the
CSRF token, then the role; role sets in `api.deps`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api import csrf
from api.auth import Principal
from api.errors import ApiError
from api.models import Job, Role
from maps.labels import Lang
from maps.pages import lang_switch_href, nav_html, page_allows
from optimizer.messages import label_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANG_COOKIE = "pingan_lang"
STATIC = "/static"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


#: a job's status as the pages name it (plan, leave re-plan and drill scheduling jobs)
JOB_STATUS: dict[str, tuple[str, str]] = {
    "queued": ("排队中", "queued"),
    "running": ("计算中", "running"),
    "succeeded": ("已完成", "finished"),
    "failed": ("失败", "failed"),
    "cancelled": ("已取消", "cancelled"),
}


#: the ``?page=`` of a paged list (1-based)
PageNo = Annotated[int, Query(alias="page", ge=1, le=100_000)]


def pager(
    path: str, filters: Mapping[str, str], page_no: int, total: int, size: int
) -> dict[str, Any]:
    """What pager.html shows for page ``page_no`` of ``total`` rows, ``size`` a page: the page
    count and the links to the previous and next pages (the filters kept, empty ones left
    out)."""
    pages = max(1, -(-total // size))

    def href(n: int) -> str:
        return f"{path}?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": n})

    return {
        "page_no": page_no,
        "pages": pages,
        "prev_href": href(page_no - 1) if page_no > 1 else None,
        "next_href": href(page_no + 1) if page_no < pages else None,
    }


def job_of_kind(session: Any, job_id: int, kinds: Collection[str], zh: str, en: str) -> Job:
    """Job ``job_id`` if it is of one of ``kinds`` (a page shows only its own jobs), else 404
    naming what was looked for (``zh``/``en``: e.g. 排班任务 / plan job)."""
    job = session.get(Job, job_id)
    if job is None or job.kind not in kinds:
        raise ApiError(404, f"没有编号为 {job_id} 的{zh} (job {job_id}: no such {en})")
    return job


class LoginRequired(Exception):
    """The request has no valid login cookie (handled: back to the login form)."""


def page_lang(request: Request) -> Lang:
    """``?lang=`` when given, else the browser's last choice (cookie), else Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return "en" if asked == "en" else "zh"


@dataclass
class PageCtx:
    """The request of a workbench page: who, in which language, on which page."""

    request: Request
    who: Principal
    lang: Lang
    page: str

    def t(self, zh: str, en: str) -> str:
        """The Chinese or the English text, by the page's language."""
        return zh if self.lang == "zh" else en

    def can(self, roles: frozenset[Role]) -> bool:
        """Whether the user's role may do an action allowed to ``roles`` (admins may all)."""
        return self.who.role == Role.ADMIN or self.who.role in roles

    def require(self, roles: frozenset[Role]) -> None:
        """Refuse (403) an action the user's role may not do."""
        if not self.can(roles):
            raise ApiError(
                403,
                self.t(
                    f"角色 {self.who.role.value} 无权执行此操作",
                    f"role {self.who.role.value} may not do this",
                ),
            )

    @property
    def csrf(self) -> str:
        return csrf.csrf_token(self.request)

    @property
    def nonce(self) -> str:
        """The response's CSP nonce, for the rare inline script (set by the security
        middleware; empty when there is none)."""
        return str(getattr(self.request.state, "csp_nonce", ""))

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.request.app.state.settings.timezone)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.timezone)

    def job_status(self, status: str) -> str:
        """A job's status in the page's language (`JOB_STATUS`)."""
        zh, en = JOB_STATUS.get(status, (status, status))
        return self.t(zh, en)


def page(key: str) -> Callable[[Request], PageCtx]:
    """The dependency of a page route: the logged-in user, if their role may open page
    ``key`` (else back to the login form, or 403)."""

    def dependency(request: Request) -> PageCtx:
        from api.pages import page_principal

        who = page_principal(request)
        if who is None:
            raise LoginRequired()
        if not page_allows(key, who.role.value):
            role = who.role.value
            raise ApiError(
                403, f"角色 {role} 无权打开此页面 (role {role} may not open the {key} page)"
            )
        return PageCtx(request=request, who=who, lang=page_lang(request), page=key)

    return dependency


def page_write(
    key: str, roles: frozenset[Role] | None = None
) -> Callable[[Request], Awaitable[PageCtx]]:
    """The dependency of a page route that changes something: the logged-in user as `page`
    does, then the request's CSRF token (403 without it), then the role (403 unless it is
    in ``roles``; admins may all). Refused before the form is validated or anything looked
    up, so a user who may not act learns nothing from the answer. Without ``roles`` check
    the role in the route with ``ctx.require(…)``."""
    find = page(key)

    async def dependency(request: Request) -> PageCtx:
        ctx = await run_in_threadpool(find, request)
        await csrf.check_csrf(request)
        if roles is not None:
            ctx.require(roles)
        return ctx

    return dependency


def _nav(ctx: PageCtx) -> Markup:
    query = {k: v for k, v in ctx.request.query_params.items() if k != "lang"}
    # nav_html renders an autoescaped template
    return Markup(
        nav_html(
            page=ctx.page,
            lang=ctx.lang,
            user=ctx.who.name,
            role=ctx.who.role.value,
            switch_href=lang_switch_href(ctx.request.url.path, query, ctx.lang),
        )
    )


def render(
    ctx: PageCtx,
    template: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """Render ``template`` for the page: a whole page when it extends ``base.html``, else a
    fragment for htmx to swap. Pages are never cached."""
    html = env.get_template(template).render(
        t=ctx.t,
        lang=ctx.lang,
        html_lang="zh-CN" if ctx.lang == "zh" else "en",
        csrf=ctx.csrf,
        nonce=ctx.nonce,
        who=ctx.who,
        can=ctx.can,
        page=ctx.page,
        nav=_nav(ctx) if template_extends_base(template) else "",
        static=STATIC,
        code_label=lambda family, code: label_of(family, code, ctx.lang),
        **values,
    )
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Cache-Control"] = "no-store"
    if "lang" in ctx.request.query_params:
        response.set_cookie(LANG_COOKIE, ctx.lang, samesite="strict", path="/")
    return response


def template_extends_base(name: str) -> bool:
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    return '{% extends "base.html" %}' in source


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def login_redirect(request: Request) -> Response:
    """Back to the login form (htmx: the whole window goes there)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from api.pages import safe_next

    query = urlencode({"next": safe_next(target), "lang": page_lang(request)})
    url = f"/pages/login?{query}"
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
