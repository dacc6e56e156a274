"""The command-centre pages as services: who is looking (the login cookie), and the data of
each page gathered from the database and handed to the builders in `maps`.

Pages authenticate with a cookie because a browser navigating to a page, and EventSource,
cannot send an Authorization header. The cookie holds the same short-lived token POST
/auth/token issues (lifetime `PINGAN_TOKEN_MINUTES`); it is HttpOnly (scripts never see it),
SameSite=Strict (another site cannot make the browser send it) and Secure behind https.
Open pages renew it (POST /pages/session, which also demands the `X-Pingan-Page` header that
a cross-site form cannot set). Only page routes and GET /events read the cookie: the JSON API
still wants a bearer token or an API key, so the cookie can never write anything.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from sqlmodel import Session, select

from api.auth import Principal, create_token, principal_from_token, revoke_tokens
from api.events import last_event_id
from api.models import User
from dispatch.readiness import standby_readiness
from dispatch.situation import (
    IncidentRecord,
    incident_records,
    live_situation,
    local_now,
    open_dispatches,
    unit_updates,
)
from maps.labels import Lang
from maps.pages import lang_switch_href, nav_html
from maps.plan_page import PlanMeta, plan_page
from maps.scenario_layers import DispatchLine, Segment, dispatch_segment
from maps.tiles import tile_source
from maps.wall import ReadinessRow, WallCoverage, unit_item, wall_page, wall_update
from rosters.db import session_scope
from rosters.models.plans import Plan
from rosters.plans import PlanError, load_assignments
from rosters.scenario_db import export_scenario
from rosters.settings import Settings

COOKIE = "pingan_token"
PAGE_HEADER = "X-Pingan-Page"


# --- the login cookie ----------------------------------------------------------------------


def page_principal(request: Request) -> Principal | None:
    """The user whose valid login cookie came with the request."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with Session(request.app.state.engine) as session:
        return principal_from_token(session, request.app.state.settings.secret_key, token)


def set_login_cookie(request: Request, response: Response, user: User, settings: Settings) -> int:
    """Put a fresh token for ``user`` in the cookie; returns its lifetime in seconds."""
    token, seconds = create_token(settings.secret_key, user, settings.token_minutes)
    response.set_cookie(
        COOKIE,
        token,
        max_age=seconds,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return seconds


def revoke_login(request: Request) -> None:
    """Log out: outdate every token of the cookie's user (other pages and streams too)."""
    who = page_principal(request)
    if who is None:
        return
    with session_scope(request.app.state.engine) as session:
        user = user_row(session, who.name)
        if user is not None:
            revoke_tokens(user)
            session.add(user)


def clear_login_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def user_row(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.username == name)).first()


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a page of this server, never another site."""
    if path and path.startswith("/pages/") and not path.startswith("/pages//") and "\\" not in path:
        return path
    return "/pages/wall"


def refresh_seconds(settings: Settings) -> int:
    """How often an open page renews its cookie: well before it expires."""
    return max(30, settings.token_minutes * 60 // 3)


# --- wall ----------------------------------------------------------------------------------


def readiness_rows(session: Session) -> list[ReadinessRow]:
    return [
        ReadinessRow(r.county, r.name, r.required, r.on_standby) for r in standby_readiness(session)
    ]


def plan_in_force(session: Session, settings: Settings, at: dt.datetime | None = None) -> bool:
    """Whether a published plan assigns anyone in a shift running at ``at`` (default now,
    local time): without one, nobody is on standby by plan and readiness means nothing."""
    from rosters.models import ShiftTemplate
    from rosters.plans import published_assignments

    now = at or local_now(settings.timezone)
    shifts = {s.code: s for s in session.exec(select(ShiftTemplate)).all()}
    for a in published_assignments(session, now.date() - dt.timedelta(days=1), 2):
        shift = shifts.get(a.shift_id)
        if shift is None:
            continue
        hour, minute = (int(x) for x in shift.start.split(":"))
        begin = dt.datetime.combine(a.date, dt.time(hour, minute))
        if begin <= now < begin + dt.timedelta(hours=shift.hours):
            return True
    return False


def wall_html(
    session: Session,
    settings: Settings,
    who: Principal,
    lang: Lang,
    coverage: WallCoverage,
    at: dt.datetime | None = None,
) -> str:
    last = last_event_id(session.get_bind())  # type: ignore[arg-type]
    sit = live_situation(session, settings.timezone, at)
    incidents = {i.id for i in sit.scenario.incidents}
    units = {u.id for u in sit.scenario.units}
    lines = [
        DispatchLine(d.incident, d.unit, "dispatched", d.eta_minutes)
        for d in sit.dispatches
        if d.incident in incidents and d.unit in units
    ]
    return wall_page(
        scenario=sit.scenario,
        at=sit.at,
        unit_status=sit.unit_status,
        unit_positions=sit.unit_positions,
        dispatches=lines,
        incidents=sit.incidents,
        readiness=readiness_rows(session),
        user=who.name,
        role=who.role.value,
        last_event=last,
        lang=lang,
        coverage=coverage,
        tiles=tile_source(settings.tile_url),
        refresh_seconds=refresh_seconds(settings),
        plan_in_force=plan_in_force(session, settings, at),
    )


def wall_data(
    session: Session, settings: Settings, lang: Lang, incidents: list[str], units: list[str]
) -> dict[str, Any]:
    """The named incidents (with their dispatch lines) and units as the page draws them,
    and readiness now."""
    records = incident_records(session, settings.timezone, codes=incidents) if incidents else []
    pins = [
        unit_item(u.unit, u.status, u.position, u.headcount, lang)
        for u in (unit_updates(session, units) if units else [])
    ]
    return wall_update(
        incidents=records,
        units=pins,
        readiness=readiness_rows(session),
        lines=_incident_lines(session, records, lang),
        lang=lang,
        plan_in_force=plan_in_force(session, settings),
    )


def _incident_lines(
    session: Session, records: list[IncidentRecord], lang: Lang
) -> dict[str, list[Segment]]:
    """The open dispatches of these incidents as lines from where each unit is."""
    lines: dict[str, list[Segment]] = {r.code: [] for r in records}
    where = {r.code: (r.lon, r.lat) for r in records if r.status != "closed"}
    if not where:
        return lines
    sent = open_dispatches(session, list(where))
    units = {u.unit.id: u for u in unit_updates(session, {d.unit for d in sent})} if sent else {}
    for d in sent:
        unit = units.get(d.unit)
        if unit is None or unit.position is None:
            continue
        lines[d.incident].append(
            dispatch_segment(
                unit.unit.name,
                unit.position,
                d.incident,
                where[d.incident],
                "dispatched",
                d.eta_minutes,
                lang,
            )
        )
    return lines


# --- plan ----------------------------------------------------------------------------------


def latest_published_plan(session: Session) -> Plan | None:
    return session.exec(
        select(Plan)
        .where(Plan.published_at.is_not(None))  # type: ignore[union-attr]
        .order_by(Plan.published_at.desc(), Plan.id.desc())  # type: ignore[union-attr]
    ).first()


def find_plan(session: Session, plan_id: int | None) -> Plan:
    """The plan with this id, or the latest published one."""
    plan = latest_published_plan(session) if plan_id is None else session.get(Plan, plan_id)
    if plan is None:
        raise PlanError(
            "no published plan yet" if plan_id is None else f"plan {plan_id}: no such plan"
        )
    return plan


def plan_html(
    session: Session,
    settings: Settings,
    who: Principal,
    plan: Plan,
    lang: Lang,
    county: str | None,
    shift: str | None,
) -> str:
    scenario = export_scenario(
        session, start=plan.start, days=plan.days, name=plan.name, tz=settings.timezone
    )
    meta = PlanMeta(
        id=plan.id,
        name=plan.name,
        start=plan.start,
        days=plan.days,
        status=plan.status,
        published=plan.published_at is not None,
    )
    return plan_page(
        scenario=scenario,
        plan=load_assignments(session, plan.id),  # type: ignore[arg-type]
        meta=meta,
        user=who.name,
        role=who.role.value,
        lang=lang,
        county=county,
        shift=shift,
        tiles=tile_source(settings.tile_url),
    )


def plan_xlsx(session: Session, settings: Settings, plan: Plan) -> bytes:
    """The plan as the Excel workbook `pingan plan patrol` writes."""
    from optimizer.patrol.result import PatrolResult
    from rosters.plan_workbook import write_plan_xlsx_zh

    scenario = export_scenario(
        session, start=plan.start, days=plan.days, name=plan.name, tz=settings.timezone
    )
    assignments = load_assignments(session, plan.id)  # type: ignore[arg-type]
    summary = {k: v for k, v in (plan.summary or {}).items() if k != "assignments"}
    try:
        result = PatrolResult.model_validate({**summary, "assignments": assignments})
    except ValueError:  # a plan stored without the solver's summary
        from optimizer.result import SolveStatus

        known = {s.value for s in SolveStatus}
        result = PatrolResult(
            status=SolveStatus(plan.status if plan.status in known else "unknown"),
            objective=plan.objective,
            bound=plan.bound,
            gap=plan.gap,
            assignments=assignments,
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = write_plan_xlsx_zh(scenario, result, Path(tmp) / "plan.xlsx")
        return path.read_bytes()


def drills_html(
    session: Session,
    settings: Settings,
    who: Principal,
    lang: Lang,
    month: dt.date,
    unit: str,
    venue: str,
    county: str = "",
    csrf: str = "",
) -> str:
    """The drill calendar of a month (with the days of the weeks around it), of one county
    by default (the first with drill duties; ``county="all"``: the whole city)."""
    from api.deps import DRILL_WRITE
    from api.models import Role
    from api.workbench.drills import drill_counties
    from maps.drill_calendar import drill_calendar_html
    from rosters.drills import TRANSITIONS, calendar_names, find_sessions

    zone = ZoneInfo(settings.timezone)
    start = dt.datetime.combine(month, dt.time(), zone)
    counties = drill_counties(session)
    if not (county or unit or venue):
        county = next((c.code for c in counties if c.units), "all")
    chosen = next((c for c in counties if c.code == county), None)
    sessions = find_sessions(
        session,
        settings.timezone,
        unit=unit or None,
        venue=venue or None,
        since=start - dt.timedelta(days=7),
        until=start + dt.timedelta(days=45),
    )
    names = calendar_names(session, settings.timezone)
    query = (("month", month.strftime("%Y-%m")), ("county", county), ("unit", unit))
    nav = nav_html(
        page="drills",
        lang=lang,
        user=who.name,
        role=who.role.value,
        switch_href=lang_switch_href(
            "/pages/drills", {k: v for k, v in (*query, ("venue", venue)) if v}, lang
        ),
    )
    return drill_calendar_html(
        sessions,
        names,
        month=month,
        lang=lang,
        nav=nav,
        unit=unit,
        venue=venue,
        county=county,
        counties=[(c.code, c.name) for c in counties],
        county_units=chosen.units if chosen else None,
        refresh_seconds=refresh_seconds(settings),
        can_record=who.role == Role.ADMIN or who.role in DRILL_WRITE,
        csrf=csrf,
        now=dt.datetime.now(zone).replace(tzinfo=None),
        allowed={k.value: {v.value for v in vs} for k, vs in TRANSITIONS.items()},
    )
