"""The patrol plan workbench (duty commander): generate a plan as a job with live progress,
review the result (shortfalls first, then the post × shift and person × shift grids, paged
and filtered on the server), edit it by hand (each edit checked at once against the hard
rules, with its effect on the objective terms; a breaking edit only as an override with a
reason), re-plan the rest around the pinned edits, and publish with the diff.

Pages: /pages/plan/list, /pages/plan/new, /pages/plan/jobs/{job_id},
/pages/plan/{plan_id}/work. Every
action calls the service the JSON API calls (the job runner of POST /plans/patrol,
`rosters.plans.publish_superseding` of POST /plans/{id}/publish, `rosters.plan_edits`),
is refused (403) to roles without PLAN_WRITE and is audited."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from api import audit
from api.deps import PLAN_WRITE
from api.errors import ApiError
from api.models import FINISHED, Job, JobStatus
from api.plan_replan import KIND as REPLAN_KIND
from api.plan_replan import ReplanRequest
from api.routers import plans as plans_api
from api.solves import PatrolPlanRequest, plan_title
from api.workbench.common import (
    JOB_STATUS,
    PageCtx,
    PageNo,
    is_htmx,
    job_of_kind,
    page,
    page_write,
    render,
)
from maps.pages import PageLink, register_page
from rosters.db import session_scope
from rosters.models import Jurisdiction
from rosters.models.planning import ShiftTemplate
from rosters.models.plans import Plan
from rosters.plan_edits import (
    EDIT_KINDS,
    Edit,
    EditRefused,
    Verdict,
    apply_edit,
    check_edit,
    eligible_people,
    load_pins,
    plan_workspace,
    warm_workspace,
)
from rosters.plan_grid import GridQuery, filtered_assignments, plan_grid
from rosters.plan_texts import note_zh, reason_zh
from rosters.plans import (
    load_assignments,
    publish_diff,
    superseded_days,
)

router = APIRouter(include_in_schema=False)
register_page(PageLink("plan_list", "/pages/plan/list", "page.plan_list"))

Viewer = Annotated[PageCtx, Depends(page("plan_list"))]
Writer = Annotated[PageCtx, Depends(page_write("plan_list", PLAN_WRITE))]
PlanId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
JobId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Text = Annotated[str, Query(max_length=64)]

#: objective terms by name → (Chinese, English)
TERMS: dict[str, tuple[str, str]] = {
    "unmet_post_cover": ("卡点缺员", "posts short"),
    "unmet_armed": ("缺持枪人员", "armed short"),
    "unmet_skill": ("缺专业技能", "skills short"),
    "unmet_standby": ("备勤不足", "standby short"),
    "unmet_zone_presence": ("巡区缺巡", "zones short"),
    "risk_uncovered": ("未覆盖风险", "risk uncovered"),
    "over_cover": ("超编", "over cover"),
    "labour rules": ("劳动规则", "labour rules"),
    "fairness_nights": ("夜班均衡", "fair nights"),
    "fairness_weekends": ("周末均衡", "fair weekends"),
    "fairness_hours": ("工时均衡", "fair hours"),
    "travel": ("路程", "travel"),
    "preferences": ("个人意愿", "preferences"),
    "continuity": ("巡区连续", "zones per person"),
    "change": ("变动", "changes"),
}
STATUS: dict[str, tuple[str, str]] = JOB_STATUS | {
    "optimal": ("最优", "optimal"),
    "feasible": ("可行", "feasible"),
    "infeasible": ("无可行解", "infeasible"),
    "unknown": ("未知", "unknown"),
}
REQUIREMENTS: dict[str, tuple[str, str]] = {
    "post_cover": ("卡点人数", "post cover"),
    "armed": ("持枪人数", "armed people"),
    "skill": ("专业技能", "skill"),
    "standby": ("备勤底线", "standby floor"),
    "zone_presence": ("巡区在岗", "zone presence"),
}


def _term(ctx: PageCtx, name: str) -> str:
    zh, en = TERMS.get(name, (name, name))
    return ctx.t(zh, en)


def _status(ctx: PageCtx, name: str) -> str:
    zh, en = STATUS.get(name, (name, name))
    return ctx.t(zh, en)


def _engine(ctx: PageCtx) -> Any:
    return ctx.request.app.state.engine


def _tz(ctx: PageCtx) -> str:
    return str(ctx.request.app.state.settings.timezone)


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise ApiError(404, f"没有编号为 {plan_id} 的计划 (plan {plan_id}: no such plan)")
    return plan


def _go(request: Request, url: str) -> Response:
    """To another page: htmx follows HX-Redirect, a plain form a 303."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _form_error(ctx: PageCtx, exc: ValidationError) -> ApiError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return ApiError(422, ctx.t(f"{where}：{first['msg']}", f"{where}: {first['msg']}"))


# --- plans ---------------------------------------------------------------------------------

LIST_ROWS = 30


@router.get("/pages/plan/list")
def plan_list(
    ctx: Viewer,
    page_no: PageNo = 1,
) -> Response:
    """The stored plans, newest first: drafts, published and superseded, each to its page."""
    from rosters.db import newest_first

    with Session(_engine(ctx)) as session:
        rows, total = newest_first(session, Plan, [], LIST_ROWS, (page_no - 1) * LIST_ROWS)
        plans = [
            {
                "plan": p,
                "status": _status(ctx, p.status),
                "superseded": bool(superseded_days(session, p.id)) if p.published_at else False,  # type: ignore[arg-type]
            }
            for p in rows
        ]
    pages = max(1, -(-total // LIST_ROWS))
    return render(
        ctx, "plan_list.html", title=ctx.t("计划工作台", "Plan workbench"), plans=plans,
        plan_title=lambda p: plan_title(p.name, p.start, ctx.lang),
        page_no=page_no, pages=pages, total=total, can_write=ctx.can(PLAN_WRITE),
    )  # fmt: skip


# --- generate ------------------------------------------------------------------------------


def _counties(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name)
        .where(Jurisdiction.level == "county")  # type: ignore[arg-type]
        .order_by(Jurisdiction.code)
    ).all()
    return [(c, n) for c, n in rows]


@router.get("/pages/plan/new")
def new_plan_form(ctx: Viewer) -> Response:
    ctx.require(PLAN_WRITE)
    with Session(_engine(ctx)) as session:
        counties = _counties(session)
    tomorrow = ctx.now().date() + dt.timedelta(days=1)
    return render(
        ctx, "plan_new.html", title=ctx.t("生成勤务计划", "New patrol plan"),
        counties=counties, start=tomorrow.isoformat(),
    )  # fmt: skip


@router.post("/pages/plan/new")
def start_plan(
    ctx: Writer,
    county: Annotated[str, Form(max_length=64)] = "",
    start: Annotated[str, Form(max_length=10)] = "",
    days: Annotated[str, Form(max_length=3)] = "1",
    seconds: Annotated[str, Form(max_length=6)] = "60",
    name: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Start the patrol solve job (the job POST /plans/patrol starts) and go to its page."""
    ctx.require(PLAN_WRITE)
    try:
        body = PatrolPlanRequest.model_validate(
            {
                "county": county or None,
                "start": start or None,
                "days": days,
                "seconds": seconds,
                "name": name,
            }
        )
    except ValidationError as exc:
        raise _form_error(ctx, exc) from exc
    with session_scope(_engine(ctx)) as session:
        if county and county not in dict(_counties(session)):
            raise ApiError(
                422, ctx.t(f"county：未知区县 {county}", f"county: unknown county {county}")
            )
        job = ctx.request.app.state.jobs.submit(
            session, "patrol_plan", body.model_dump(mode="json"), ctx.who.name
        )
        audit.record(
            session, ctx.who, "solve", "job", job.id, after={"kind": job.kind, **job.params}
        )
        job_id = job.id
    return _go(ctx.request, f"/pages/plan/jobs/{job_id}?lang={ctx.lang}")


def _job(session: Session, job_id: int) -> Job:
    return job_of_kind(session, job_id, ("patrol_plan", REPLAN_KIND), "排班任务", "plan job")


@router.get("/pages/plan/jobs/{job_id}")
def job_page(ctx: Viewer, job_id: JobId) -> Response:
    with Session(_engine(ctx)) as session:
        job = _job(session, job_id)
        params = dict(job.params)
    title = ctx.t("计划求解进度", "Plan solve progress")
    return render(
        ctx, "plan_job.html", title=title, job_id=job_id, kind=job.kind, params=params,
        can_cancel=ctx.can(PLAN_WRITE),
    )  # fmt: skip


@router.get("/pages/plan/jobs/{job_id}/progress")
def job_progress(ctx: Viewer, job_id: JobId) -> JSONResponse:
    """The job's status and its best objective, bound and gap so far (polled by the page)."""
    with Session(_engine(ctx)) as session:
        job = _job(session, job_id)
        result = job.result or {}
        progress = dict(job.progress or {})
        status = str(job.status)
        finished = JobStatus(job.status) in FINISHED
        error = job.error
        replanned = job.kind == REPLAN_KIND
        plan_id = job.params.get("plan_id") if replanned else result.get("plan_id")
    message = result.get("message", "")
    message = ctx.t(note_zh(message), message)
    if replanned and finished and not result.get("stored"):
        message = ctx.t("未能重排，计划未改变：", "Not re-planned, the plan is unchanged: ") + (
            message or error
        )
    elif finished and not plan_id and status != "cancelled":
        message = ctx.t("没有得到计划：", "No plan: ") + (message or error)
    return JSONResponse(
        {
            "status": status,
            "status_text": _status(ctx, status),
            "finished": finished,
            "seconds": progress.get("seconds"),
            "objective": progress.get("objective"),
            "bound": progress.get("bound"),
            "gap": progress.get("gap"),
            "plan_url": f"/pages/plan/{plan_id}/work?lang={ctx.lang}" if plan_id else "",
            "error": error,
            "message": message,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/pages/plan/jobs/{job_id}/cancel")
def cancel_job(ctx: Writer, job_id: JobId) -> Response:
    ctx.require(PLAN_WRITE)
    with session_scope(_engine(ctx)) as session:
        _job(session, job_id)
        plans_api.cancel_job_post(ctx.request, session, ctx.who, job_id)  # audited, 409 if done
    return Response(status_code=204)


# --- the result page -----------------------------------------------------------------------


def _query(view: str, county: str, day: str, shift: str, search: str, page_no: int) -> GridQuery:
    try:
        when = dt.date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise ApiError(422, f"日期无效：{day!r} (day: not a date)") from exc
    return GridQuery(
        view="person" if view == "person" else "post",
        county=county,
        day=when,
        shift=shift,
        search=search,
        page=page_no,
    )


def _filters(
    view: Text = "post",
    county: Text = "",
    day: Text = "",
    shift: Text = "",
    search: Text = "",
    page_no: PageNo = 1,
) -> GridQuery:
    """The grid's filters from the query string (the result page and its grid fragment)."""
    return _query(view, county, day, shift, search, page_no)


Filters = Annotated[GridQuery, Depends(_filters)]


def _shortfalls(ctx: PageCtx, plan: Plan) -> list[dict[str, Any]]:
    out = []
    for s in (plan.summary or {}).get("shortfalls", []):
        zh, en = REQUIREMENTS.get(s.get("requirement", ""), (s.get("requirement", ""),) * 2)
        reason = str(s.get("reason", ""))
        out.append(
            {**s, "requirement_text": ctx.t(zh, en), "reason": ctx.t(reason_zh(reason), reason)}
        )
    return out


def _plan_state(session: Session, plan: Plan) -> dict[str, Any]:
    by = superseded_days(session, plan.id) if plan.published_at else {}  # type: ignore[arg-type]
    return {"published": plan.published_at is not None, "superseded_by": sorted(by)}


@router.get("/pages/plan/{plan_id}/work")
def result_page(ctx: Viewer, plan_id: PlanId, q: Filters) -> Response:
    with Session(_engine(ctx)) as session:
        plan = _plan(session, plan_id)
        grid = plan_grid(session, plan, q)
        state = _plan_state(session, plan)
        pins = len(load_pins(session, plan_id))
        terms = (plan.summary or {}).get("objective_terms", {})
    editable = ctx.can(PLAN_WRITE) and plan.published_at is None
    if editable:  # the first edit check needs the plan's workspace: build it now
        warm_workspace(_engine(ctx), plan_id, _tz(ctx))
    return render(
        ctx, "plan_work.html", title=plan_title(plan.name, plan.start, ctx.lang), plan=plan,
        grid=grid, state=state,
        shortfalls=_shortfalls(ctx, plan), pins=pins, status_text=_status(ctx, plan.status),
        terms=[(_term(ctx, k), v) for k, v in sorted(terms.items()) if v],
        editable=editable, publishable=ctx.can(PLAN_WRITE), term=_term,
    )  # fmt: skip


@router.get("/pages/plan/{plan_id}/grid")
def grid_fragment(ctx: Viewer, plan_id: PlanId, q: Filters) -> Response:
    with Session(_engine(ctx)) as session:
        plan = _plan(session, plan_id)
        grid = plan_grid(session, plan, q)
    return render(
        ctx, "plan_grid.html", plan=plan, grid=grid,
        editable=ctx.can(PLAN_WRITE) and plan.published_at is None,
    )  # fmt: skip


@router.get("/pages/plan/{plan_id}/state")
def plan_state(ctx: Viewer, plan_id: PlanId) -> JSONResponse:
    """Whether the plan is published and which plans superseded some of its county-days."""
    with Session(_engine(ctx)) as session:
        state = _plan_state(session, _plan(session, plan_id))
    return JSONResponse(state, headers={"Cache-Control": "no-store"})


@router.get("/pages/plan/{plan_id}/export.xlsx")
def export_xlsx(
    ctx: Viewer,
    plan_id: PlanId,
    county: Text = "",
    day: Text = "",
    shift: Text = "",
    search: Text = "",
) -> Response:
    """The plan's workbook with only what the page's filters show."""
    from optimizer.patrol.result import PatrolResult
    from optimizer.result import SolveStatus
    from rosters.plan_workbook import write_plan_xlsx_zh

    q = _query("post", county, day, shift, search, 1)
    with Session(_engine(ctx)) as session:
        plan = _plan(session, plan_id)
        shown = filtered_assignments(session, plan, q)
        scenario = plan_workspace(session, plan, _tz(ctx)).scenario
    known = {s.value for s in SolveStatus}
    result = PatrolResult(
        status=SolveStatus(plan.status if plan.status in known else "unknown"),
        objective=plan.objective,
        bound=plan.bound,
        gap=plan.gap,
        assignments=shown,
    )
    with tempfile.TemporaryDirectory() as tmp:
        body = write_plan_xlsx_zh(scenario, result, Path(tmp) / "plan.xlsx").read_bytes()
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="patrol-plan-{plan_id}.xlsx"'},
    )


# --- edits ---------------------------------------------------------------------------------


def _editable(ctx: PageCtx, session: Session, plan_id: int) -> Plan:
    ctx.require(PLAN_WRITE)
    plan = _plan(session, plan_id)
    if plan.published_at is not None:
        raise ApiError(
            409, ctx.t("已发布的计划不能修改", f"plan {plan_id} is published: it cannot be edited")
        )
    return plan


@router.get("/pages/plan/{plan_id}/edit")
def edit_dialog(
    ctx: Viewer,
    plan_id: PlanId,
    row: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    date: Text = "",
    shift: Text = "",
    target: Text = "",
    search: Text = "",
) -> Response:
    """The edit dialog of an assignment (``row``) or of an empty slot (date, shift, target):
    the eligible people nearest first, the places it can move to."""
    with Session(_engine(ctx)) as session:
        plan = _editable(ctx, session, plan_id)
        current = load_assignments(session, plan_id)
        ws = plan_workspace(session, plan, _tz(ctx))
        chosen = None
        if row is not None:
            from rosters.plan_edits import _row

            try:
                _, chosen = _row(session, plan_id, row)
            except EditRefused as exc:
                raise ApiError(404, str(exc)) from exc
            day, slot_shift, where = chosen.date, chosen.shift_id, chosen.target_id
        else:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise ApiError(422, f"日期无效：{date!r} (date: not a date)") from exc
            slot_shift, where = shift, target
        try:
            people = eligible_people(ws, day, slot_shift, where, current, search=search)
        except EditRefused as exc:
            raise ApiError(422, str(exc)) from exc
    s = ws.scenario
    places = {**{p.id: p.name for p in s.posts}, **{z.id: z.name for z in s.zones}}
    for f in s.standby:
        places[f.jurisdiction_id] = ctx.t("备勤", "standby") + " " + f.jurisdiction_id
    inst = ws.inst
    slot = inst.slot_of(day, slot_shift)
    person = s.by_id("people").get(chosen.person_id) if chosen else None
    moves = []
    if chosen is not None and slot is not None and person is not None:
        pi = next(i for i, p in enumerate(inst.people) if p.id == person.id)
        moves = [
            (inst.tasks[ti].target, places.get(inst.tasks[ti].target, inst.tasks[ti].target))
            for ti in inst.options.get((pi, slot.index), [])
            if inst.tasks[ti].target != chosen.target_id
        ]
    shifts = s.by_id("shifts")
    shift_name = shifts[slot_shift].name if slot_shift in shifts else slot_shift
    return render(
        ctx, "plan_edit.html", plan=plan, chosen=chosen, person=person, people=people,
        day=day, shift=slot_shift, shift_name=shift_name,
        target=where, target_name=places.get(where, where), moves=moves, row=row, search=search,
    )  # fmt: skip


def _edit(kind: str, row: int | None, person: str, date: str, shift: str, target: str) -> Edit:
    if kind not in EDIT_KINDS:
        raise ApiError(422, f"修改类型须为 {', '.join(EDIT_KINDS)} 之一 (kind: one of them)")
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError as exc:
        raise ApiError(422, f"日期无效：{date!r} (date: not a date)") from exc
    return Edit(kind=kind, row=row, person=person, date=day, shift=shift, target=target)  # type: ignore[arg-type]


EditForm = dict[str, Any]


def _edit_form(
    kind: Annotated[str, Form(max_length=16)],
    row: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    person: Annotated[str, Form(max_length=64)] = "",
    date: Annotated[str, Form(max_length=10)] = "",
    shift: Annotated[str, Form(max_length=32)] = "",
    target: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> EditForm:
    return {
        "edit": _edit(kind, row, person, date, shift, target),
        "reason": reason,
        "fields": {
            "kind": kind, "row": row or "", "person": person, "date": date, "shift": shift,
            "target": target,
        },
    }  # fmt: skip


def _verdict_view(ctx: PageCtx, v: Verdict) -> dict[str, Any]:
    return {
        "legal": v.legal,
        "broken": [(ctx.t(b.zh, b.en), ctx.t(b.detail_zh, b.detail)) for b in v.broken],
        "deltas": [(_term(ctx, n), b, a, d) for n, b, a, d in v.deltas],
        "objective_change": v.objective_change,
        "added": v.added,
        "removed": v.removed,
    }


@router.post("/pages/plan/{plan_id}/check")
def check(ctx: Writer, plan_id: PlanId, form: Annotated[EditForm, Depends(_edit_form)]) -> Response:
    """An edit checked against the hard rules, with its objective terms (nothing stored)."""
    with Session(_engine(ctx)) as session:
        plan = _editable(ctx, session, plan_id)
        ws = plan_workspace(session, plan, _tz(ctx))
        try:
            verdict = check_edit(session, ws, plan, form["edit"])
        except EditRefused as exc:
            raise ApiError(422, str(exc)) from exc
    return render(
        ctx, "plan_verdict.html", plan=plan, v=_verdict_view(ctx, verdict), fields=form["fields"]
    )


@router.post("/pages/plan/{plan_id}/edit")
def save_edit(
    ctx: Writer, plan_id: PlanId, form: Annotated[EditForm, Depends(_edit_form)]
) -> Response:
    """Store an edit and its pins (a breaking edit only with a reason: an override);
    audited."""
    with session_scope(_engine(ctx)) as session:
        plan = _editable(ctx, session, plan_id)
        ws = plan_workspace(session, plan, _tz(ctx))
        try:
            verdict = apply_edit(
                session, ws, plan, form["edit"], by=ctx.who.name, reason=form["reason"]
            )
        except EditRefused as exc:
            raise ApiError(422, str(exc)) from exc
        override = not verdict.legal
        audit.record(
            session,
            ctx.who,
            "override" if override else "edit",
            "plan",
            plan_id,
            before={"removed": [a.model_dump(mode="json") for a in verdict.removed]},
            after={
                "kind": form["edit"].kind,
                "added": [a.model_dump(mode="json") for a in verdict.added],
                "broken": [b.detail for b in verdict.broken],
                "reason": form["reason"],
                "objective_change": verdict.objective_change,
            },
        )
        from api.events import publish

        publish(session, "plan", {"id": plan_id, "action": "edited"})
    return render(
        ctx, "plan_verdict.html", plan=plan, v=_verdict_view(ctx, verdict), fields=form["fields"],
        saved=True, override=override,
        headers={"HX-Trigger": "plan-changed"},
    )  # fmt: skip


@router.post("/pages/plan/{plan_id}/replan")
def replan(
    ctx: Writer,
    plan_id: PlanId,
    seconds: Annotated[str, Form(max_length=6)] = "30",
) -> Response:
    """Re-plan the rest around the pins: a job ("patrol_replan_pins"); to its progress page."""
    with session_scope(_engine(ctx)) as session:
        _editable(ctx, session, plan_id)
        try:
            body = ReplanRequest.model_validate({"plan_id": plan_id, "seconds": seconds})
        except ValidationError as exc:
            raise _form_error(ctx, exc) from exc
        job = ctx.request.app.state.jobs.submit(
            session, REPLAN_KIND, body.model_dump(mode="json"), ctx.who.name
        )
        audit.record(
            session, ctx.who, "solve", "job", job.id, after={"kind": job.kind, **job.params}
        )
        job_id = job.id
    return _go(ctx.request, f"/pages/plan/jobs/{job_id}?lang={ctx.lang}")


# --- publish -------------------------------------------------------------------------------


def _people_changes(diff: Any, names: dict[str, str]) -> list[dict[str, Any]]:
    """Who gains or loses a shift, one row a person."""
    rows: dict[str, dict[str, Any]] = {}
    for side, items in (("gains", diff.added), ("losses", diff.removed)):
        for a in items:
            row = rows.setdefault(
                a.person_id,
                {
                    "badge": a.person_id,
                    "name": names.get(a.person_id, ""),
                    "gains": [],
                    "losses": [],
                },
            )
            row[side].append(a)
    return sorted(rows.values(), key=lambda r: r["badge"])


@router.get("/pages/plan/{plan_id}/publish")
def publish_dialog(ctx: Viewer, plan_id: PlanId) -> Response:
    """What publishing changes (who gains or loses a shift), and the confirmation."""
    ctx.require(PLAN_WRITE)
    from rosters.models import Person

    with Session(_engine(ctx)) as session:
        plan = _plan(session, plan_id)
        diff = publish_diff(session, plan_id)
        badges = {a.person_id for a in [*diff.added, *diff.removed]}
        names = dict(
            session.execute(select(Person.badge, Person.name).where(Person.badge.in_(badges))).all()  # type: ignore[attr-defined]
        )
        shift_names = dict(session.execute(select(ShiftTemplate.code, ShiftTemplate.name)).all())  # type: ignore[call-overload]
    changes = _people_changes(diff, names)
    return render(
        ctx, "plan_publish.html", plan=plan, changes=changes[:200], more=max(0, len(changes) - 200),
        added=len(diff.added), removed=len(diff.removed), people=len(changes),
        shift_names=shift_names,
    )  # fmt: skip


@router.post("/pages/plan/{plan_id}/publish")
def publish(
    ctx: Writer,
    plan_id: PlanId,
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Publish (the service of POST /plans/{id}/publish): the plan supersedes the county-days
    it covers in older published plans; audited; open pages hear a `plan` event."""
    ctx.require(PLAN_WRITE)
    if confirm != "yes":
        raise ApiError(
            422, ctx.t("confirm：请先确认发布", "confirm: confirm the publication first")
        )
    with session_scope(_engine(ctx)) as session:
        _plan(session, plan_id)
        plans_api.publish_stored_plan(session, ctx.who, plan_id)  # audited, announced
    return _go(ctx.request, f"/pages/plan/{plan_id}/work?lang={ctx.lang}")
