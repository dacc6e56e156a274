"""请假日历 — absences on a month calendar (filter by unit); adding leave for a person
(commanders: ROSTER_WRITE) lists the published shifts it breaks and offers a re-plan of
those days only: the `patrol_replan` job (api/solves.py: `replan_patrol` with the change
penalty, on the person's county) whose progress the page polls, then the draft's changes
(who loses, who gains a shift) and publishing it (PLAN_WRITE), as the plan endpoints do."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from api import audit
from api.deps import PLAN_WRITE, ROSTER_WRITE, SessionDep
from api.errors import ApiError
from api.models import FINISHED, JobStatus
from api.routers import plans as plans_api
from api.workbench.common import PageCtx, job_of_kind, page, page_write, render
from maps.labels import label
from maps.pages import PageLink, register_page
from optimizer.scenario import AbsenceKind
from rosters.absences import (
    AbsenceError,
    AbsenceRow,
    absences_between,
    add_absence,
    broken_shifts,
    delete_absence,
    shift_times,
    target_names,
    to_local,
)
from rosters.models import Absence, Person
from rosters.models.plans import Plan
from rosters.replan import county_of

router = APIRouter(include_in_schema=False)
register_page(PageLink("leave", "/pages/leave", "page.leave"))

KIND_NAMES: dict[str, tuple[str, str]] = {
    "leave": ("休假", "leave"),
    "sick": ("病假", "sick"),
    "training": ("培训", "training"),
    "secondment": ("借调", "secondment"),
    "drill": ("演练", "drill"),
    "other": ("其他", "other"),
}
#: kinds a person's leave is entered as (drill absences come from the drill schedule)
FORM_KINDS = [k.value for k in AbsenceKind if k != AbsenceKind.DRILL]
#: a day of the calendar lists this many absences, then "+N" that expands
DAY_SHOWN = 3
#: time limits a re-plan may be given (seconds)
REPLAN_SECONDS = (5, 15, 30, 60)
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TASK_NAMES = {
    "post": ("卡点/岗亭", "post"),
    "zone": ("巡逻", "patrol"),
    "standby": ("备勤", "standby"),
}


def _tz(ctx: PageCtx) -> str:
    return str(ctx.request.app.state.settings.timezone)


def _month(text: str, today: dt.date) -> dt.date:
    try:
        year, month = (int(p) for p in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _helpers(ctx: PageCtx) -> dict[str, Any]:
    return {
        "kind_name": lambda k: ctx.t(*KIND_NAMES.get(k, (k, k))),
        "task_name": lambda k: ctx.t(*TASK_NAMES.get(k, (k, k))),
        "may_write": ctx.can(ROSTER_WRITE),
        "may_plan": ctx.can(PLAN_WRITE),
        "fmt": lambda t: t.strftime("%Y-%m-%d %H:%M"),
    }


def _calendar(month: dt.date, rows: list[AbsenceRow]) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of day cells: date, in the month, absences touching it."""
    by_day: dict[dt.date, list[AbsenceRow]] = {}
    for row in rows:
        for day in row.days():
            by_day.setdefault(day, []).append(row)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [
        [{"date": d, "in_month": d.month == month.month, "absent": by_day.get(d, [])} for d in w]
        for w in weeks
    ]


def _form_defaults(ctx: PageCtx) -> dict[str, Any]:
    tomorrow = ctx.now().date() + dt.timedelta(days=1)
    return {
        "badge": "",
        "kind": "leave",
        "start": f"{tomorrow.isoformat()}T00:00",
        "end": f"{(tomorrow + dt.timedelta(days=1)).isoformat()}T00:00",
        "note": "",
    }


def _leave_page(
    ctx: PageCtx,
    session: Any,
    month_text: str,
    unit: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    today = ctx.now().date()
    month = _month(month_text, today)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    rows = absences_between(session, month, last, tz=_tz(ctx), unit=unit or None)
    prev_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(
        ctx,
        "leave_month.html",
        status_code=status_code,
        title=ctx.t("请假日历", "Leave"),
        month=month,
        weeks=_calendar(month, rows),
        count=len(rows),
        unit=unit,
        today=today,
        prev_month=prev_month.strftime("%Y-%m"),
        next_month=next_month.strftime("%Y-%m"),
        weekdays=[label(f"weekday.{i}", ctx.lang) for i in range(7)],
        day_shown=DAY_SHOWN,
        kinds=FORM_KINDS,
        form=form or _form_defaults(ctx),
        errors=errors or {},
        **_helpers(ctx),
    )


@router.get("/pages/leave")
def leave_month(
    ctx: Annotated[PageCtx, Depends(page("leave"))],
    session: SessionDep,
    month: Annotated[str, Query(max_length=7)] = "",
    unit: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return _leave_page(ctx, session, month, unit)


def _parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


@router.post("/pages/leave")
def create_leave(
    ctx: Annotated[PageCtx, Depends(page_write("leave", ROSTER_WRITE))],
    session: SessionDep,
    badge: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[str, Form(max_length=16)] = "leave",
    start: Annotated[str, Form(max_length=32)] = "",
    end: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    ctx.require(ROSTER_WRITE)
    form = {"badge": badge, "kind": kind, "start": start, "end": end, "note": note}
    errors: dict[str, str] = {}
    begin, finish = _parse_time(start), _parse_time(end)
    if not badge.strip():
        errors["badge"] = ctx.t("请填写警号", "enter a badge")
    if begin is None:
        errors["start"] = ctx.t("请填写开始时间", "enter the start")
    if finish is None:
        errors["end"] = ctx.t("请填写结束时间", "enter the end")
    if not errors and begin is not None and finish is not None:
        try:
            row = add_absence(
                session,
                badge=badge.strip(),
                start=begin,
                end=finish,
                kind=kind,
                note=note.strip(),
                tz=_tz(ctx),
            )
        except AbsenceError as exc:
            errors[exc.field] = ctx.t(exc.zh, exc.en)
        else:
            after = {
                "badge": row.badge,
                "kind": row.kind,
                "start": row.start.isoformat(),
                "end": row.end.isoformat(),
                "note": row.note,
            }
            audit.record(session, ctx.who, "create", "absence", row.id, after=after)
            session.commit()
            return RedirectResponse(f"/pages/leave/{row.id}", status_code=303)
    month = (begin or ctx.now()).strftime("%Y-%m")
    return _leave_page(ctx, session, month, "", form=form, errors=errors, status_code=422)


def _absence(session: Any, absence_id: int) -> tuple[Absence, Person]:
    row = session.get(Absence, absence_id)
    if row is None:
        raise ApiError(
            404, f"没有编号为 {absence_id} 的请假记录 (absence {absence_id}: no such absence)"
        )
    return row, session.get(Person, row.person_id)


@router.get("/pages/leave/{absence_id}")
def leave_detail(
    ctx: Annotated[PageCtx, Depends(page("leave"))], session: SessionDep, absence_id: RowId
) -> Response:
    row, person = _absence(session, absence_id)
    start, end = to_local(row.start_at, ctx.timezone), to_local(row.end_at, ctx.timezone)
    broken = broken_shifts(session, person.badge, start, end)
    now = ctx.now().replace(tzinfo=None)
    ahead = [b for b in broken if b.start >= now]
    days = sorted({b.date for b in ahead})
    span = (days[-1] - days[0]).days + 1 if days else 0
    return render(
        ctx,
        "leave_detail.html",
        title=ctx.t("请假登记", "Leave"),
        absence=row,
        person=person,
        start=start,
        end=end,
        broken=broken,
        ahead=ahead,
        replan_start=days[0].isoformat() if days else "",
        replan_days=min(span, 28),
        county=county_of(session, person.badge) or "",
        seconds=REPLAN_SECONDS,
        now=now,
        **_helpers(ctx),
    )


@router.post("/pages/leave/{absence_id}/delete")
def withdraw_leave(
    ctx: Annotated[PageCtx, Depends(page_write("leave", ROSTER_WRITE))],
    session: SessionDep,
    absence_id: RowId,
) -> Response:
    """Withdraw a leave entry (a mistake, leave cancelled); published plans are not changed."""
    ctx.require(ROSTER_WRITE)
    try:
        gone = delete_absence(session, absence_id, _tz(ctx))
    except LookupError as exc:
        raise ApiError(404, str(exc)) from exc
    before = {
        "badge": gone.badge,
        "kind": gone.kind,
        "start": gone.start.isoformat(),
        "end": gone.end.isoformat(),
        "note": gone.note,
    }
    audit.record(session, ctx.who, "delete", "absence", absence_id, before=before)
    session.commit()
    url = f"/pages/leave?month={gone.start.strftime('%Y-%m')}"
    if ctx.request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.post("/pages/leave/{absence_id}/replan")
def start_replan(
    ctx: Annotated[PageCtx, Depends(page_write("leave", PLAN_WRITE))],
    session: SessionDep,
    absence_id: RowId,
    seconds: Annotated[int, Form(ge=1, le=600)] = 15,
) -> Response:
    """Re-plan the days of the published shifts this absence breaks (not yet begun)."""
    ctx.require(PLAN_WRITE)
    row, person = _absence(session, absence_id)
    start, end = to_local(row.start_at, ctx.timezone), to_local(row.end_at, ctx.timezone)
    now = ctx.now().replace(tzinfo=None)
    days = sorted(
        {b.date for b in broken_shifts(session, person.badge, start, end) if b.start >= now}
    )
    if not days:
        raise ApiError(
            409,
            ctx.t("没有需要重排的已发布班次", "no published shift to re-plan"),
        )
    params = {
        "start": days[0].isoformat(),
        "days": min((days[-1] - days[0]).days + 1, 28),
        "county": county_of(session, person.badge),
        "name": f"re-plan after absence {absence_id}",
        "seconds": float(seconds),
    }
    job = ctx.request.app.state.jobs.submit(session, "patrol_replan", params, ctx.who.name)
    audit.record(session, ctx.who, "solve", "job", job.id, after={"kind": job.kind, **params})
    session.commit()
    return _job_fragment(ctx, session, job.id)


def _job_fragment(ctx: PageCtx, session: Any, job_id: int) -> Response:
    job = job_of_kind(session, job_id, ("patrol_replan",), "重排任务", "re-plan job")
    finished = JobStatus(job.status) in FINISHED
    plan = None
    names: dict[str, str] = {}
    result = job.result or {}
    if finished and result.get("plan_id"):
        plan = session.get(Plan, result["plan_id"])
        diff = result.get("diff") or {}
        badges = {a["person_id"] for part in diff.values() for a in part}
        names = dict(
            session.exec(select(Person.badge, Person.name).where(Person.badge.in_(badges))).all()
        )  # type: ignore[attr-defined]
    shifts = {code: name for code, (name, _, _) in shift_times(session).items()}
    places = target_names(session)
    return render(
        ctx,
        "leave_job.html",
        shift_name=lambda code: shifts.get(code, code),
        place=lambda code: places.get(code, code),
        job=job,
        finished=finished,
        result=result,
        plan=plan,
        names=names,
        status_name=ctx.job_status(job.status),
        **_helpers(ctx),
    )


@router.get("/pages/leave/job/{job_id}")
def replan_progress(
    ctx: Annotated[PageCtx, Depends(page("leave"))], session: SessionDep, job_id: RowId
) -> Response:
    return _job_fragment(ctx, session, job_id)


@router.post("/pages/leave/job/{job_id}/cancel")
def cancel_replan(
    ctx: Annotated[PageCtx, Depends(page_write("leave", PLAN_WRITE))],
    session: SessionDep,
    job_id: RowId,
) -> Response:
    plans_api.cancel_job_post(ctx.request, session, ctx.who, job_id)  # audited, 409 if done
    return _job_fragment(ctx, session, job_id)


@router.post("/pages/leave/plan/{plan_id}/publish")
def publish_replan(
    ctx: Annotated[PageCtx, Depends(page_write("leave", PLAN_WRITE))],
    session: SessionDep,
    plan_id: RowId,
) -> Response:
    """Publish the re-planned days (POST /plans/{id}/publish: audited, announced)."""
    plan = plans_api.publish_stored_plan(session, ctx.who, plan_id)
    return render(ctx, "leave_published.html", plan=plan, **_helpers(ctx))
