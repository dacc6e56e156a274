"""人员名册 — the roster pages: people searched by badge, name, unit, force and skill (paged on
the server, the list swapped by htmx as the search changes), one person with skills and
certificate expiry, armed, unit and phone; add, edit, deactivate and reactivate a person
(commanders: ROSTER_WRITE) through the people resource of the JSON API (`api.crud`, which
validates and audits), and, for admins, which login account is this person (their page
"my duties")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import select

from api import crud
from api.deps import ADMIN_ONLY, ROSTER_WRITE, SessionDep
from api.errors import ApiError
from api.models import User
from api.resources import RESOURCES
from api.schemas.roster import PersonCreate, PersonUpdate
from api.user_person import LinkError, link_person, unlink_person
from api.workbench.common import PageCtx, PageNo, is_htmx, page, page_write, pager, render
from api.workbench.leave import KIND_NAMES, TASK_NAMES
from api.workbench.roster_form import NEW_CERT_ROWS, PersonForm, api_errors, validation_errors
from maps.labels import label
from maps.pages import PageLink, register_page
from optimizer.messages import label_of
from optimizer.scenario import Force
from rosters.absences import absences_between
from rosters.duties import person_duties
from rosters.models import Person
from rosters.people import jurisdiction_choices, search_people, skill_choices, unit_choices

router = APIRouter(include_in_schema=False)
register_page(PageLink("roster", "/pages/roster", "page.roster"))

PEOPLE = next(r for r in RESOURCES if r.name == "people")
PAGE_SIZE = 25
#: a person's page lists their shifts and leave of this many days ahead
AHEAD_DAYS = 7
#: certificates expiring within this many days are flagged
EXPIRY_WARNING_DAYS = 30
PersonId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def skill_name(ctx: PageCtx, skill: str) -> str:
    return label_of("skill", skill, ctx.lang)


def force_name(ctx: PageCtx, force: str) -> str:
    return label(f"force.{force}", ctx.lang) if force in {f.value for f in Force} else force


def expiry(ctx: PageCtx, expires: dt.date | None) -> tuple[str, str]:
    """(badge class, words) of a certificate's expiry."""
    if expires is None:
        return "wb-ok", ctx.t("长期有效", "does not expire")
    today = ctx.now().date()
    if expires < today:
        return "wb-bad", ctx.t(f"已过期 {expires.isoformat()}", f"expired {expires.isoformat()}")
    if expires <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return "wb-warn", ctx.t(
            f"{expires.isoformat()} 到期（{EXPIRY_WARNING_DAYS}天内）",
            f"expires {expires.isoformat()} (within {EXPIRY_WARNING_DAYS} days)",
        )
    return "wb-ok", ctx.t(f"有效至 {expires.isoformat()}", f"valid until {expires.isoformat()}")


def _helpers(ctx: PageCtx) -> dict[str, Any]:
    return {
        "skill_name": lambda s: skill_name(ctx, s),
        "role_name": lambda r: label_of("role", r, ctx.lang),
        "force_name": lambda f: force_name(ctx, f),
        "expiry": lambda d: expiry(ctx, d),
        "forces": [(f.value, force_name(ctx, f.value)) for f in Force],
        "may_write": ctx.can(ROSTER_WRITE),
        "is_admin": ctx.can(ADMIN_ONLY),
    }


@router.get("/pages/roster")
def roster_list(
    ctx: Annotated[PageCtx, Depends(page("roster"))],
    session: SessionDep,
    q: Annotated[str, Query(max_length=64)] = "",
    unit: Annotated[str, Query(max_length=64)] = "",
    force: Annotated[str, Query(max_length=32)] = "",
    skill: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[str, Query(pattern="^(active|inactive|all)$")] = "active",
    page_no: PageNo = 1,
) -> Response:
    active = {"active": True, "inactive": False}.get(status)
    rows, total = search_people(
        session,
        q=q,
        unit=unit,
        force=force,
        skill=skill,
        active=active,
        limit=PAGE_SIZE,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    filters = {"q": q, "unit": unit, "force": force, "skill": skill, "status": status}
    values = {
        "rows": rows,
        "total": total,
        **pager("/pages/roster", filters, page_no, total, PAGE_SIZE),
        "filters": filters,
        **_helpers(ctx),
    }
    if is_htmx(ctx.request) and ctx.request.headers.get("HX-Target") == "roster-results":
        return render(ctx, "roster_rows.html", **values)
    return render(
        ctx,
        "roster_list.html",
        title=ctx.t("人员名册", "Roster"),
        skills=skill_choices(session),
        **values,
    )


def _person(session: Any, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise ApiError(404, f"没有编号为 {person_id} 的人员 (person {person_id}: no such person)")
    return person


def _form_page(
    ctx: PageCtx,
    session: Any,
    *,
    person: dict[str, Any] | None,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    certs = list(form.get("certifications") or [])
    certs += [{"skill": "", "expires": None}] * NEW_CERT_ROWS
    return render(
        ctx,
        "roster_edit.html",
        status_code=status_code,
        title=ctx.t("编辑人员", "Edit person") if person else ctx.t("新增人员", "Add a person"),
        person=person,
        form=form,
        certs=certs,
        errors=errors,
        units=unit_choices(session),
        jurisdictions=jurisdiction_choices(session),
        **_helpers(ctx),
    )


@router.get("/pages/roster/new")
def new_person(ctx: Annotated[PageCtx, Depends(page("roster"))], session: SessionDep) -> Response:
    ctx.require(ROSTER_WRITE)
    blank = {"force": Force.PATROL_SWAT.value, "role": "member", "certifications": []}
    return _form_page(ctx, session, person=None, form=blank, errors={})


@router.post("/pages/roster")
def create_person(
    ctx: Annotated[PageCtx, Depends(page_write("roster", ROSTER_WRITE))],
    session: SessionDep,
    data: Annotated[PersonForm, Form()],
) -> Response:
    ctx.require(ROSTER_WRITE)
    form = data.body()
    errors: dict[str, str] = {}
    if (
        form["badge"]
        and session.exec(select(Person.id).where(Person.badge == form["badge"])).first()
    ):
        errors["badge"] = ctx.t("该警号已存在", "this badge is taken")
    try:
        body = PersonCreate.model_validate(form)
    except ValidationError as exc:
        errors = validation_errors(exc, ctx.lang) | errors
    if errors:
        return _form_page(ctx, session, person=None, form=form, errors=errors, status_code=422)
    try:
        crud.create_row(session, PEOPLE, body, ctx.who)
    except ApiError as exc:
        session.rollback()
        return _form_page(
            ctx, session, person=None, form=form, errors=api_errors(exc, ctx.lang), status_code=422
        )
    new_id = session.exec(select(Person.id).where(Person.badge == body.badge)).one()
    return RedirectResponse(f"/pages/roster/{new_id}?saved=1", status_code=303)


@router.get("/pages/roster/{person_id}")
def person_page(
    ctx: Annotated[PageCtx, Depends(page("roster"))],
    session: SessionDep,
    person_id: PersonId,
    edit: bool = False,
    saved: bool = False,
) -> Response:
    person = _person(session, person_id)
    public = crud.to_public(session, PEOPLE, [person])[0]
    if edit:
        ctx.require(ROSTER_WRITE)
        return _form_page(ctx, session, person=public, form=public, errors={})
    account = None
    if ctx.can(ADMIN_ONLY):
        account = session.exec(
            select(User.username).where(User.person_badge == person.badge)
        ).first()
    users = (
        list(session.exec(select(User.username).order_by(User.username)).all())
        if ctx.can(ADMIN_ONLY)
        else []
    )
    unit_names = dict(unit_choices(session))
    today = ctx.now().date()
    tz = str(ctx.request.app.state.settings.timezone)
    return render(
        ctx,
        "roster_person.html",
        title=f"{person.name} · {person.badge}",
        person=public,
        person_id=person_id,
        unit_name=unit_names.get(public["unit"] or "", ""),
        jurisdiction_name=dict(jurisdiction_choices(session)).get(public["jurisdiction"], ""),
        duties=person_duties(session, person.badge, today, AHEAD_DAYS),
        leave=absences_between(
            session, today, today + dt.timedelta(days=AHEAD_DAYS - 1), tz=tz, badge=person.badge
        ),
        ahead_days=AHEAD_DAYS,
        task_name=lambda k: ctx.t(*TASK_NAMES.get(k, (k, k))),
        kind_name=lambda k: ctx.t(*KIND_NAMES.get(k, (k, k))),
        account=account,
        users=users,
        saved=saved,
        **_helpers(ctx),
    )


@router.post("/pages/roster/{person_id}")
def update_person(
    ctx: Annotated[PageCtx, Depends(page_write("roster", ROSTER_WRITE))],
    session: SessionDep,
    person_id: PersonId,
    data: Annotated[PersonForm, Form()],
) -> Response:
    ctx.require(ROSTER_WRITE)
    person = _person(session, person_id)
    public = crud.to_public(session, PEOPLE, [person])[0]
    form = data.body(with_badge=False)
    try:
        patch = PersonUpdate.model_validate(form)
        # the whole record as it would be: its cross-field rules, reasons at the fields
        PersonCreate.model_validate({k: v for k, v in {**public, **form}.items() if k != "id"})
    except ValidationError as exc:
        errors = validation_errors(exc, ctx.lang)
        return _form_page(
            ctx, session, person=public, form={**public, **form}, errors=errors, status_code=422
        )
    try:
        crud.update_row(session, PEOPLE, person.badge, patch, ctx.who)
    except ApiError as exc:
        session.rollback()
        return _form_page(
            ctx,
            session,
            person=public,
            form={**public, **form},
            errors=api_errors(exc, ctx.lang),
            status_code=422,
        )
    return RedirectResponse(f"/pages/roster/{person_id}?saved=1", status_code=303)


@router.post("/pages/roster/{person_id}/active")
def set_active(
    ctx: Annotated[PageCtx, Depends(page_write("roster", ROSTER_WRITE))],
    session: SessionDep,
    person_id: PersonId,
    active: Annotated[bool, Form()],
) -> Response:
    """Deactivate (kept for the plans that name them, never planned again) or reactivate."""
    ctx.require(ROSTER_WRITE)
    person = _person(session, person_id)
    crud.update_row(session, PEOPLE, person.badge, PersonUpdate(active=active), ctx.who)
    return _back(ctx, f"/pages/roster/{person_id}?saved=1")


@router.post("/pages/roster/{person_id}/account")
def link_account(
    ctx: Annotated[PageCtx, Depends(page_write("roster", ADMIN_ONLY))],
    session: SessionDep,
    person_id: PersonId,
    username: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Admins: which login account is this person (empty: none)."""
    ctx.require(ADMIN_ONLY)
    person = _person(session, person_id)
    try:
        if username:
            link_person(session, ctx.who, username, person.badge)
        else:
            unlink_person(session, ctx.who, person.badge)
    except LinkError as exc:
        raise ApiError(422, ctx.t(f"没有用户 {username}", str(exc))) from exc
    session.commit()
    return _back(ctx, f"/pages/roster/{person_id}?saved=1")


def _back(ctx: PageCtx, url: str) -> Response:
    """To ``url`` after a write: htmx follows HX-Redirect, a plain form the 303."""
    if is_htmx(ctx.request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
