"""Incidents on the wall (dispatcher): the wall's side panel loads `/pages/incidents/panel`
(an htmx fragment: the report form and the selected incident). A dispatcher reports an
incident where they clicked the map (or typed coordinates) with its needs; the panel shows
the suggestion — units, ETAs, the alternatives, the coverage each leaves behind and the
explanation —, dispatches one of them in one click (a unit taken meanwhile by another
commander is refused with the dispatch service's 409, said in words), marks arrival, closes,
and accepts a backfill move.

Every action calls the JSON endpoint's function of api/routers/incidents.py (audit and live
events included). Roles: DISPATCH (commander, dispatcher) and admins act; everyone who may
open the wall sees the incidents, without buttons."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import DISPATCH, SessionDep, SettingsDep
from api.errors import ApiError
from api.routers import incidents as incidents_api
from api.workbench.common import PageCtx, page, page_write, render
from dispatch.dispatching import DispatchConflict
from dispatch.lifecycle import get_incident
from dispatch.models import IncidentStatus
from dispatch.situation import open_dispatches
from dispatch.status import ENGAGED
from dispatch.suggesting import coverage_left
from maps.labels import LABELS
from optimizer.messages import code_of, label_of
from optimizer.reinforcement import ReinforcementResult
from optimizer.reinforcement.forces import UnitState
from optimizer.reinforcement.results import BackfillResult

router = APIRouter(include_in_schema=False)
Code = Annotated[str, Path(min_length=1, max_length=64)]
WallPage = Annotated[PageCtx, Depends(page("wall"))]
WallWrite = Annotated[PageCtx, Depends(page_write("wall", DISPATCH))]
KINDS = ("mass_incident", "violent", "terror", "fire", "flood", "traffic")
SKILLS = re.compile(r"^\s*([\w\-]{1,40})\s*[:=×x*]\s*(\d{1,4})\s*$")


def _kind_label(ctx: PageCtx, kind: str) -> str:
    zh_en = LABELS.get(f"incident_kind.{kind}")
    return ctx.t(*zh_en) if zh_en else kind


def _status_label(ctx: PageCtx, status: str) -> str:
    zh_en = LABELS.get(f"incident.{status}")
    return ctx.t(*zh_en) if zh_en else status


# --- what the panel shows ---------------------------------------------------------------


def _backfill(session: Session, ctx: PageCtx, code: str) -> BackfillResult | None:
    try:
        return incidents_api.backfill(session, ctx.who, code)
    except ValueError:  # nothing to move (no covering units, no sites)
        return None


def panel_values(session: Session, ctx: PageCtx, code: str) -> dict[str, Any]:
    """Everything the incident's panel shows."""
    incident = get_incident(session, code)
    status = IncidentStatus(incident.status)
    result = (
        ReinforcementResult.model_validate(incident.suggestion) if incident.suggestion else None
    )
    sent = open_dispatches(session, [code])
    suggesting = status in (IncidentStatus.REPORTED, IncidentStatus.SUGGESTED)
    engaged = status in (IncidentStatus.DISPATCHED, IncidentStatus.ON_SCENE)
    return {
        "incident": incident,
        "kind_label": _kind_label(ctx, incident.kind),
        "status_label": _status_label(ctx, incident.status),
        "needs": incident.needs,
        "result": result if suggesting else None,
        "sent": sent,
        "engaged": engaged and bool(sent),
        "can_act": ctx.can(DISPATCH),
        "can_suggest": suggesting,
        "can_arrive": status == IncidentStatus.DISPATCHED,
        "can_close": status != IncidentStatus.CLOSED,
    }


def _panel(ctx: PageCtx, session: Session, code: str, status_code: int = 200) -> HTMLResponse:
    return render(
        ctx,
        "incident_panel.html",
        status_code=status_code,
        **panel_values(session, ctx, code),
        pct=lambda x: f"{100 * x:.0f} %",
        tier_label=lambda tier: _tier(ctx, tier),
        state_label=lambda state: _unit_state(ctx, state),
        need_label=lambda need: _need(ctx, need),
    )


@router.get("/pages/incidents/panel", response_class=HTMLResponse)
def incident_bench(ctx: WallPage, settings: SettingsDep) -> HTMLResponse:
    """The wall's panel: the report form (for those who dispatch) and the incident area."""
    now = ctx.now()
    return render(
        ctx,
        "incident_bench.html",
        kinds=[(k, _kind_label(ctx, k)) for k in KINDS],
        default_code=f"JQ{now:%Y%m%d%H%M%S}",
        can_act=ctx.can(DISPATCH),
    )


@router.get("/pages/incidents/{code}/panel", response_class=HTMLResponse)
def incident_panel(ctx: WallPage, session: SessionDep, code: Code) -> HTMLResponse:
    return _panel(ctx, session, code)


@router.get("/pages/incidents/{code}/backfill", response_class=HTMLResponse)
def incident_backfill(ctx: WallPage, session: SessionDep, code: Code) -> HTMLResponse:
    """Backfill moves for the hole the incident's units left (GET /incidents/{code}/backfill),
    loaded after the panel."""
    incident = get_incident(session, code)
    return render(
        ctx,
        "incident_backfill.html",
        incident=incident,
        backfill=_backfill(session, ctx, code),
        can_act=ctx.can(DISPATCH),
        pct=lambda x: f"{100 * x:.0f} %",
    )


@router.get("/pages/incidents/{code}/coverage", response_class=HTMLResponse)
def incident_coverage(ctx: WallPage, session: SessionDep, code: Code) -> HTMLResponse:
    """The coverage each suggestion would leave (`dispatch.suggesting.coverage_left`; loaded
    after the panel: it reads the roster again, and the suggestion should not wait for it)."""
    coverage = coverage_left(session, code)
    return render(
        ctx,
        "incident_coverage.html",
        coverage=coverage,
        suggestions=coverage.suggestions if coverage else [],
        pct=lambda x: f"{100 * x:.0f} %",
    )


# --- actions ----------------------------------------------------------------------------


def parse_skills(ctx: PageCtx, text: str) -> dict[str, int]:
    """`firearms=2, first_aid=1` (also ：, ×, x) → {skill: people}; 422 naming a bad part."""
    out: dict[str, int] = {}
    for part in re.split(r"[,，;；\n]", text):
        if not part.strip():
            continue
        m = SKILLS.match(part.replace("：", ":"))
        if m is None:
            raise ApiError(
                422,
                ctx.t(
                    f"技能需求：无法识别“{part.strip()}”，请写成 技能=人数",
                    f"skills: cannot read '{part.strip()}', write skill=people",
                ),
            )
        out[code_of("skill", m.group(1))] = int(m.group(2))
    return out


@router.post("/pages/incidents", response_class=HTMLResponse)
def report_incident(
    ctx: WallWrite,
    session: SessionDep,
    code: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form(max_length=32)],
    lon: Annotated[str, Form(max_length=32)],
    lat: Annotated[str, Form(max_length=32)],
    severity: Annotated[str, Form(max_length=2)] = "2",
    headcount: Annotated[str, Form(max_length=6)] = "1",
    armed: Annotated[str, Form(max_length=6)] = "0",
    vehicles: Annotated[str, Form(max_length=6)] = "0",
    skills: Annotated[str, Form(max_length=500)] = "",
    note: Annotated[str, Form(max_length=512)] = "",
) -> HTMLResponse:
    """Report (POST /incidents) and suggest (POST /incidents/{code}/suggest) at once: the
    panel of the new incident with its suggestion."""
    ctx.require(DISPATCH)
    if not lon.strip() or not lat.strip():
        raise ApiError(
            422,
            ctx.t("位置：请在地图上点选或输入经纬度", "location: click the map or type lon/lat"),
        )
    try:
        body = incidents_api.IncidentReport.model_validate(
            {
                "code": code.strip(),
                "kind": kind,
                "lon": lon,
                "lat": lat,
                "severity": severity,
                "needs": {
                    "headcount": headcount or 0,
                    "armed": armed or 0,
                    "vehicles": vehicles or 0,
                    "skills": parse_skills(ctx, skills),
                },
                "note": note,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = ctx.t(f"输入有误：{where}：{first['msg']}", f"{where}: {first['msg']}")
        raise ApiError(422, message) from exc
    incidents_api.report(session, ctx.who, body)
    incidents_api.suggest(session, ctx.who, body.code, None)
    return _panel(ctx, session, body.code)


@router.post("/pages/incidents/{code}/suggest", response_class=HTMLResponse)
def suggest(ctx: WallWrite, session: SessionDep, code: Code) -> HTMLResponse:
    ctx.require(DISPATCH)
    incidents_api.suggest(session, ctx.who, code, None)
    return _panel(ctx, session, code)


def conflict_message(ctx: PageCtx, code: str, exc: DispatchConflict) -> str:
    """The dispatch service's refusal in words: which units, and why."""
    why = {
        "taken by another dispatch": ctx.t("已被其他指挥员调派", "taken by another commander"),
        "already has an open dispatch": ctx.t("已有未结束的调派", "already dispatched"),
    }
    parts = []
    for unit, reason in sorted(exc.reasons.items()):
        state = reason.removeprefix("status ")
        if reason.startswith("status ") and state in ENGAGED:
            shown = ctx.t(
                f"已被其他指挥员调派（当前状态“{_unit_state(ctx, state)}”）",
                f"already dispatched by another commander (it is {state})",
            )
        elif reason.startswith("status "):
            shown = ctx.t(f"当前状态“{_unit_state(ctx, state)}”，不能调派", f"it is {state}")
        else:
            shown = why.get(reason, reason)
        parts.append(f"{unit}：{shown}" if ctx.lang == "zh" else f"{unit}: {shown}")
    return ctx.t(
        f"调派未成功，警情 {code} 未派出任何单位：" + "；".join(parts) + "。请重新研判。",
        f"Not dispatched — nothing was sent to {code}: " + "; ".join(parts) + ". Suggest again.",
    )


def _unit_state(ctx: PageCtx, state: str) -> str:
    zh_en = LABELS.get(f"status.{state}")
    return ctx.t(*zh_en) if zh_en else state


TIERS = {"township": ("乡镇", "township"), "county": ("县级", "county"), "city": ("市级", "city")}
NEEDS = {
    "headcount": ("人数", "people"),
    "armed": ("持枪", "armed"),
    "vehicles": ("车辆", "vehicles"),
}


def _tier(ctx: PageCtx, tier: str) -> str:
    return ctx.t(*TIERS[tier]) if tier in TIERS else tier


def _need(ctx: PageCtx, need: str) -> str:
    if need in NEEDS:
        return ctx.t(*NEEDS[need])
    return ctx.t("技能 ", "skill ") + label_of("skill", need.removeprefix("skill:"), ctx.lang)


@router.post("/pages/incidents/{code}/dispatch", response_class=HTMLResponse)
def dispatch(
    ctx: WallWrite,
    session: SessionDep,
    code: Code,
    units: Annotated[str, Form(max_length=2000)],
    etas: Annotated[str, Form(max_length=4000)] = "",
) -> HTMLResponse:
    """Dispatch a suggestion's units (POST /incidents/{code}/dispatch): all or none."""
    ctx.require(DISPATCH)
    codes = [u for u in units.split(",") if u]
    minutes: dict[str, float] = {}
    for pair in etas.split(","):
        unit, _, value = pair.partition("=")
        try:
            minutes[unit] = float(value)
        except ValueError:
            continue
    body = incidents_api.DispatchRequest(units=codes, etas=minutes)
    try:
        incidents_api.dispatch(session, ctx.who, code, body)
    except DispatchConflict as exc:
        session.rollback()
        raise ApiError(409, conflict_message(ctx, code, exc)) from exc
    return _panel(ctx, session, code)


@router.post("/pages/incidents/{code}/arrive", response_class=HTMLResponse)
def arrive(ctx: WallWrite, session: SessionDep, code: Code) -> HTMLResponse:
    ctx.require(DISPATCH)
    incidents_api.arrive(session, ctx.who, code, None)
    return _panel(ctx, session, code)


@router.post("/pages/incidents/{code}/close", response_class=HTMLResponse)
def close(
    ctx: WallWrite,
    session: SessionDep,
    code: Code,
    note: Annotated[str, Form(max_length=512)] = "",
) -> HTMLResponse:
    ctx.require(DISPATCH)
    incidents_api.close(session, ctx.who, code, incidents_api.CloseRequest(note=note))
    return _panel(ctx, session, code)


@router.post("/pages/incidents/{code}/move", response_class=HTMLResponse)
def accept_move(
    ctx: WallWrite,
    session: SessionDep,
    code: Code,
    unit: Annotated[str, Form(max_length=64)],
    lon: Annotated[float, Form(ge=-180, le=180)],
    lat: Annotated[float, Form(ge=-90, le=90)],
) -> HTMLResponse:
    """Accept a backfill move: the unit reports at its new site on standby (the position
    report of POST /units/{code}/position)."""
    ctx.require(DISPATCH)
    body = incidents_api.PositionReport(lon=lon, lat=lat, status=UnitState.STANDBY)
    incidents_api.position(session, ctx.who, unit, body)
    return _panel(ctx, session, code)


__all__ = ["conflict_message", "parse_skills", "router"]
