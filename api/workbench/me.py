"""我的勤务 — the logged-in officer's own duties, laid out for a phone first: their shifts of
the next 7 days from the published plans with where each is on a small map (Leaflet,
vendored, drawn by a static script from the page's JSON data; posts as numbered points, a
patrol zone as its shape, over their jurisdiction's outline), their leave in those days,
their unit's drills and their unit.

A login is a roster person through `User.person_badge` (set by an admin on the person's
roster page); a login without one is told so and whom to ask."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlmodel import select

from api.deps import SessionDep
from api.models import User
from api.workbench.common import PageCtx, page, render
from api.workbench.leave import KIND_NAMES, TASK_NAMES
from maps.labels import label
from maps.pages import PageLink, register_page
from maps.tiles import tile_source
from rosters.absences import absences_between
from rosters.drills import list_sessions, sessions_public
from rosters.duties import Duty, person_and_unit, person_duties
from rosters.models.drills import DrillType, Venue

router = APIRouter(include_in_schema=False)
register_page(PageLink("me", "/pages/me", "page.me"))

DAYS = 7
#: how far ahead the unit's drills are listed
DRILL_DAYS = 30


def _badge(ctx: PageCtx, session: Any) -> str | None:
    if ctx.who.kind != "user":
        return None
    return session.exec(select(User.person_badge).where(User.username == ctx.who.name)).first()


def _map_data(duties: list[Duty], outline: dict[str, Any] | None, tiles: Any) -> dict[str, Any]:
    return {
        "duties": [
            {
                "n": i + 1,
                "point": list(d.point) if d.point else None,
                "geometry": d.geometry,
                "name": d.target_name,
            }
            for i, d in enumerate(duties)
        ],
        "outline": outline,
        "tiles": {"url": tiles.url, "subdomains": tiles.subdomains} if tiles else None,
    }


@router.get("/pages/me")
def my_duties(ctx: Annotated[PageCtx, Depends(page("me"))], session: SessionDep) -> Response:
    badge = _badge(ctx, session)
    found = person_and_unit(session, badge) if badge else None
    if found is None:
        return render(
            ctx,
            "me_page.html",
            title=ctx.t("我的勤务", "My duties"),
            found=None,
            badge=badge,
        )
    now = ctx.now()
    today = now.date()
    duties = person_duties(session, found.person.badge, today, DAYS)
    last = today + dt.timedelta(days=DAYS - 1)
    tz = str(ctx.request.app.state.settings.timezone)
    leave = absences_between(session, today, last, tz=tz, badge=found.person.badge)
    drills: list[dict[str, Any]] = []
    if found.unit is not None:
        rows, _ = list_sessions(
            session,
            unit=found.unit.code,
            since=now.astimezone(dt.UTC),
            until=(now + dt.timedelta(days=DRILL_DAYS)).astimezone(dt.UTC),
        )
        drills = sessions_public(session, rows)
    type_names = dict(session.exec(select(DrillType.code, DrillType.name)).all())
    venue_names = dict(session.exec(select(Venue.code, Venue.name)).all())
    settings = ctx.request.app.state.settings
    outline = found.jurisdiction.boundary if found.jurisdiction else None
    return render(
        ctx,
        "me_page.html",
        title=ctx.t("我的勤务", "My duties"),
        found=found,
        badge=badge,
        duties=duties,
        leave=leave,
        drills=drills,
        type_names=type_names,
        venue_names=venue_names,
        today=today,
        days=DAYS,
        drill_days=DRILL_DAYS,
        map_data=_map_data(duties, outline, tile_source(settings.tile_url)),
        weekday=lambda d: label(f"weekday.{d.weekday()}", ctx.lang),
        task_name=lambda k: ctx.t(*TASK_NAMES.get(k, (k, k))),
        kind_name=lambda k: ctx.t(*KIND_NAMES.get(k, (k, k))),
        force_name=lambda f: label(f"force.{f}", ctx.lang),
        local=lambda t: t.astimezone(ctx.timezone),
        drill_status=lambda s: label(f"drill_status.{s}", ctx.lang),
    )
