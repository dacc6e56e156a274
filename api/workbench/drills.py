"""Drill scheduling pages (training officer): `/pages/drills/new` (period and county) starts
the drill schedule solve job — the same job POST /drills/schedules/solve starts —, its page
follows the job's progress and can cancel it, the review page lists the drills left
unscheduled with their reasons and what publishing would add, move and cancel, and publishes
through the same service as POST /drills/schedules/{id}/publish. Recording a session done,
missed or cancelled from the calendar (`/pages/drills`, rendered by `maps.drill_calendar`)
goes through POST /drills/sessions/record's service.

Every action here calls the JSON endpoint's function itself (audit and live events
included): the pages are views of one business path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from api.deps import DRILL_WRITE, SessionDep, SettingsDep
from api.errors import ApiError
from api.models import FINISHED, Job, JobStatus
from api.routers import drills as drills_api
from api.routers import plans as plans_api
from api.schemas.drills import RecordSession
from api.solves import DrillScheduleRequest, tomorrow
from api.workbench.common import PageCtx, is_htmx, job_of_kind, page, page_write, render
from maps.pages import PageLink, register_page, render_template
from optimizer.drill_format import DrillSession as DraftSession
from optimizer.drills.texts import note_zh
from optimizer.messages import reason_text, rule_text
from rosters import drills as svc
from rosters.drill_db import aware
from rosters.models import Jurisdiction, Unit
from rosters.models.drills import DrillRequirementUnit, DrillSession
from rosters.settings import Settings

router = APIRouter(include_in_schema=False)
KEY = "drill_schedule"
register_page(
    PageLink(
        KEY,
        "/pages/drills/new",
        "page.drill_schedule",
        frozenset(r.value for r in DRILL_WRITE),
    )
)
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DrillPage = Annotated[PageCtx, Depends(page(KEY))]
DrillWrite = Annotated[PageCtx, Depends(page_write(KEY, DRILL_WRITE))]
CalendarWrite = Annotated[PageCtx, Depends(page_write("drills", DRILL_WRITE))]


# --- counties and their drilling units ------------------------------------------------


@dataclass(frozen=True)
class County:
    code: str
    name: str
    units: frozenset[str]  # codes of the units with drill duties in the county


def drill_counties(session: Session) -> list[County]:
    """Every county (by code) with the units that have drill duties in its subtree."""
    jurs = session.exec(select(Jurisdiction)).all()
    parent = {j.id: j.parent_id for j in jurs}
    counties = {j.id: j for j in jurs if j.level == "county"}

    def county_of(jid: int | None) -> int | None:
        while jid is not None and jid not in counties:
            jid = parent.get(jid)
        return jid

    drilling = select(DrillRequirementUnit.unit_id)
    units: dict[int, set[str]] = {cid: set() for cid in counties}
    for code, jid in session.exec(
        select(Unit.code, Unit.jurisdiction_id).where(Unit.id.in_(drilling))  # type: ignore[union-attr]
    ).all():
        cid = county_of(jid)
        if cid is not None:
            units[cid].add(code)
    return sorted(
        (County(j.code, j.name, frozenset(units[cid])) for cid, j in counties.items()),
        key=lambda c: c.code,
    )


# --- a new schedule -------------------------------------------------------------------


def _new_form(
    ctx: PageCtx,
    session: Session,
    settings: Settings,
    values: dict[str, Any],
    errors: list[str],
    status_code: int = 200,
) -> HTMLResponse:
    if errors and is_htmx(ctx.request):
        status_code = 200  # htmx swaps only successful answers: the form with its errors
    return render(
        ctx,
        "drills_new.html",
        status_code=status_code,
        title=ctx.t("安排演练", "Schedule drills"),
        counties=drill_counties(session),
        values=values,
        errors=errors,
        recent=svc.list_schedules(session, limit=10)[0],
    )


@router.get("/pages/drills/new", response_class=HTMLResponse)
def new_schedule(ctx: DrillPage, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    ctx.require(DRILL_WRITE)
    values = {"start": tomorrow(settings.timezone).isoformat(), "days": 31, "seconds": 30}
    return _new_form(ctx, session, settings, values, [])


def _field_errors(ctx: PageCtx, exc: ValidationError) -> list[str]:
    names = {
        "start": ctx.t("开始日期", "start"),
        "days": ctx.t("天数", "days"),
        "county": ctx.t("县（区）", "county"),
        "seconds": ctx.t("求解时限", "time limit"),
    }
    out = []
    for e in exc.errors():
        where = str(e["loc"][0]) if e["loc"] else ""
        out.append(f"{names.get(where, where)}: {e['msg']}")
    return out


@router.post("/pages/drills/new", response_class=HTMLResponse)
def start_schedule(
    ctx: DrillWrite,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    start: Annotated[str, Form(max_length=10)] = "",
    days: Annotated[str, Form(max_length=4)] = "31",
    county: Annotated[str, Form(max_length=64)] = "",
    seconds: Annotated[str, Form(max_length=8)] = "30",
) -> Response:
    """Start the drill schedule job (the job POST /drills/schedules/solve starts)."""
    ctx.require(DRILL_WRITE)
    values = {"start": start, "days": days, "county": county, "seconds": seconds}
    known = {c.code for c in drill_counties(session)}
    if county and county not in known:
        message = ctx.t(f"县（区）：没有编号为 {county} 的县（区）", f"county: no county {county}")
        return _new_form(ctx, session, settings, values, [message], 422)
    try:
        body = DrillScheduleRequest.model_validate(
            {
                "start": start or None,
                "days": days,
                "county": county or None,
                "name": f"演练日程 {start or tomorrow(settings.timezone).isoformat()} {county}"
                if ctx.lang == "zh"
                else f"drills {start or tomorrow(settings.timezone).isoformat()} {county}",
                "seconds": seconds,
                "workers": 1,
            }
        )
    except ValidationError as exc:
        return _new_form(ctx, session, settings, values, _field_errors(ctx, exc), 422)
    job = drills_api.solve_schedule(request, Response(), session, ctx.who, body)
    return _go(request, f"/pages/drills/jobs/{job.id}")


def _go(request: Request, url: str) -> Response:
    """To another page: htmx follows HX-Redirect, a plain form a 303."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# --- the job --------------------------------------------------------------------------


def _drill_job(session: Session, job_id: int) -> Job:
    return job_of_kind(session, job_id, ("drill_schedule",), "演练排程任务", "drill schedule job")


def _job_view(ctx: PageCtx, job: Job) -> dict[str, Any]:
    status = JobStatus(job.status)
    result = job.result or {}
    return {
        "id": job.id,
        "status": status.value,
        "status_label": ctx.job_status(status.value),
        "finished": status in FINISHED,
        "progress": {
            k: (job.progress or {}).get(k) for k in ("seconds", "objective", "bound", "gap")
        },
        "params": job.params,
        "error": job.error,
        "schedule_id": result.get("schedule_id"),
        "cancel_requested": job.cancel_requested,
        "succeeded": status == JobStatus.SUCCEEDED and bool(result.get("schedule_id")),
    }


@router.get("/pages/drills/jobs/{job_id}", response_class=HTMLResponse)
def job_page(ctx: DrillPage, session: SessionDep, job_id: RowId) -> HTMLResponse:
    """The job's progress, polled until it ends and then to the schedule's review; a job
    that has already succeeded when its page loads (a quick solve) asks once, on load."""
    view = _job_view(ctx, _drill_job(session, job_id))
    return render(ctx, "drills_job.html", title=ctx.t("演练排程", "Drill schedule job"), job=view)


@router.get("/pages/drills/jobs/{job_id}/progress", response_class=HTMLResponse)
def job_progress(ctx: DrillPage, session: SessionDep, job_id: RowId) -> Response:
    """The progress fragment (polled); once the job succeeded, htmx goes to the review."""
    view = _job_view(ctx, _drill_job(session, job_id))
    review = _review_url(view)
    headers = {"HX-Redirect": review} if review else {}
    return render(ctx, "drills_job_progress.html", headers=headers, job=view)


def _review_url(view: dict[str, Any]) -> str | None:
    """The review of the schedule a succeeded job made; None while there is none."""
    return f"/pages/drills/schedules/{view['schedule_id']}" if view["succeeded"] else None


@router.post("/pages/drills/jobs/{job_id}/cancel", response_class=HTMLResponse)
def cancel_job(ctx: DrillWrite, request: Request, session: SessionDep, job_id: RowId) -> Response:
    ctx.require(DRILL_WRITE)
    _drill_job(session, job_id)
    plans_api.cancel_job_post(request, session, ctx.who, job_id)
    if not is_htmx(request):
        return RedirectResponse(f"/pages/drills/jobs/{job_id}", status_code=303)
    view = _job_view(ctx, _drill_job(session, job_id))
    return render(ctx, "drills_job_progress.html", job=view)


# --- review and publish ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What publishing a draft does to one session."""

    id: str
    kind: str  # added, moved, unchanged, cancelled
    before: str
    after: str


def _when(start: dt.datetime, end: dt.datetime) -> str:
    return f"{start:%m-%d %H:%M}–{end:%H:%M}"


def preview_publish(session: Session, schedule_id: int, tz: str) -> list[Change]:
    """What `rosters.drills.publish_schedule` would do, read without writing: the draft's
    sessions that are new, moved (time or venue) or unchanged, and the published future
    sessions of its duties in its horizon that it would cancel."""
    sched = svc.get_schedule(session, schedule_id)
    zone = ZoneInfo(tz)
    drafts = [DraftSession.model_validate(x) for x in sched.sessions]
    codes = {d.id for d in drafts}
    rows = session.exec(
        select(DrillSession).where(DrillSession.code.in_(codes))  # type: ignore[attr-defined]
    ).all()
    published = {p["id"]: p for p in svc.sessions_public(session, rows)}
    out: list[Change] = []
    for d in sorted(drafts, key=lambda d: (d.start, d.id)):
        after = _when(d.start, d.end) + (f" · {d.venue_id}" if d.venue_id else "")
        old = published.get(d.id)
        if old is None:
            out.append(Change(d.id, "added", "", after))
            continue
        start = old["start"].astimezone(zone).replace(tzinfo=None)
        end = old["end"].astimezone(zone).replace(tzinfo=None)
        before = _when(start, end) + (f" · {old['venue']}" if old["venue"] else "")
        same = (start, end, old["venue"]) == (d.start, d.end, d.venue_id)
        out.append(Change(d.id, "unchanged" if same else "moved", before, after))
    first = aware(dt.datetime.combine(sched.start, dt.time()), zone)
    last = first + dt.timedelta(days=sched.days)
    duties = set(sched.summary.get("requirements", [])) | {d.requirement_id for d in drafts}
    future, _ = svc.list_sessions(
        session, since=first, until=last, status=[svc.S.SCHEDULED], limit=None
    )
    for p in svc.sessions_public(session, future):
        if p["id"] in codes or p["requirement"] not in duties or p["start"] < first:
            continue
        start = p["start"].astimezone(zone).replace(tzinfo=None)
        end = p["end"].astimezone(zone).replace(tzinfo=None)
        out.append(Change(p["id"], "cancelled", _when(start, end), ""))
    return out


def _review(ctx: PageCtx, session: Session, settings: Settings, schedule_id: int) -> dict[str, Any]:
    sched = svc.get_schedule(session, schedule_id)
    names = svc.calendar_names(session, settings.timezone)
    drafts = sorted(
        (DraftSession.model_validate(x) for x in sched.sessions), key=lambda d: (d.start, d.id)
    )
    rows = [
        {
            "id": d.id,
            "when": _when(d.start, d.end),
            "date": d.start.date().isoformat(),
            "type": names.types.get(d.drill_type_id, (d.drill_type_id, ""))[0],
            "units": "、".join(names.units.get(u, u) for u in d.unit_ids),
            "venue": names.venues.get(d.venue_id or "", (d.venue_id or "", None))[0],
            "instructor": names.instructors.get(d.instructor_id or "", d.instructor_id or ""),
        }
        for d in drafts
    ]
    changes = preview_publish(session, schedule_id, settings.timezone)
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("added", "moved", "cancelled")}
    summary = sched.summary or {}
    return {
        "sched": sched,
        "sessions": rows,
        "shortfalls": [
            {**x, "reason_text": reason_text(x, ctx.lang)} for x in summary.get("shortfalls", [])
        ],
        "conflicts": [
            {**x, "rule_text": rule_text(x, ctx.lang)} for x in summary.get("conflicts", [])
        ],
        "warnings": [note_zh(w) if ctx.lang == "zh" else w for w in summary.get("warnings", [])],
        "drills_due": summary.get("drills_due", 0),
        "changes": [c for c in changes if c.kind != "unchanged"],
        "counts": counts,
        "publishable": sched.published_at is None and sched.status in ("optimal", "feasible"),
    }


@router.get("/pages/drills/schedules/{schedule_id}", response_class=HTMLResponse)
def review_schedule(
    ctx: DrillPage, session: SessionDep, settings: SettingsDep, schedule_id: RowId
) -> HTMLResponse:
    view = _review(ctx, session, settings, schedule_id)
    return render(
        ctx,
        "drills_review.html",
        title=ctx.t("演练排程审核", "Review drill schedule"),
        drill_roles=DRILL_WRITE,
        **view,
    )


@router.post("/pages/drills/schedules/{schedule_id}/publish", response_class=HTMLResponse)
def publish_schedule(
    ctx: DrillWrite,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    schedule_id: RowId,
) -> Response:
    """Publish through POST /drills/schedules/{id}/publish's function (audited, announced)."""
    ctx.require(DRILL_WRITE)
    try:
        report = drills_api.publish_schedule(session, settings, ctx.who, schedule_id)
    except svc.DrillConflict as exc:
        session.rollback()
        raise ApiError(409, exc.text(ctx.lang)) from exc
    except svc.StaleDraft as exc:
        session.rollback()
        codes = "、".join(exc.codes)
        raise ApiError(
            409,
            ctx.t(
                f"无法发布：场次 {codes} 已记录（完成、缺席或取消），请重新排程",
                f"cannot publish: session {', '.join(exc.codes)} already recorded "
                "(done, missed or cancelled): make a new schedule",
            ),
        ) from exc
    if not is_htmx(request):
        return RedirectResponse(f"/pages/drills/schedules/{schedule_id}", status_code=303)
    sched = svc.get_schedule(session, schedule_id)
    first = sched.start.strftime("%Y-%m")
    return render(ctx, "drills_published.html", report=report, sched=sched, calendar_month=first)


# --- recording a session from the calendar --------------------------------------------


@router.post("/pages/drills/sessions/record", response_class=HTMLResponse)
def record_session(
    ctx: CalendarWrite,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: Annotated[str, Form(alias="session", max_length=128)],
    status: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=256)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/pages/drills",
) -> Response:
    """Record a session done, missed or cancelled (POST /drills/sessions/record's function);
    htmx gets the session's calendar entry back."""
    ctx.require(DRILL_WRITE)
    try:
        body = RecordSession(session=code, status=status, note=note or None)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ApiError(
            422, ctx.t(f"无法记录：{status} 不是可记录的状态", f"cannot record {status}")
        ) from exc
    try:
        drills_api.record_session(session, ctx.who, body)
    except svc.DrillConflict as exc:
        session.rollback()
        raise ApiError(409, exc.text(ctx.lang)) from exc
    if not is_htmx(request):
        from api.pages import safe_next

        return RedirectResponse(safe_next(back), status_code=303)
    from maps.drill_calendar import session_item, session_texts

    row = svc.get_session_row(session, code)
    public = svc.sessions_public(session, [row])[0]
    names = svc.calendar_names(session, settings.timezone)
    item = session_item(
        svc.as_format(public, settings.timezone), names, ctx.lang, now=_local_now(settings)
    )
    html = render_template(
        "drill_session.html",
        s=item,
        texts=session_texts(ctx.lang),
        can_record=True,
        csrf=ctx.csrf,
        back=back,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def _local_now(settings: Settings) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None)


__all__ = ["County", "drill_counties", "preview_publish", "router"]
