"""操作日志 — the audit log as a page (admins, and the roles GET /audit allows: AUDIT_READ):
filtered by user, action, what was changed and period, newest first, paged on the server,
through the same query as GET /audit (`api.audit.query_audit`). Each entry shows what
changed (the fields whose value differs before and after)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import select

from api.audit import query_audit
from api.deps import AUDIT_READ, SessionDep
from api.models import AuditEntry
from api.workbench.common import PageCtx, PageNo, is_htmx, page, pager, render
from maps.pages import PageLink, register_page

router = APIRouter(include_in_schema=False)
register_page(
    PageLink("audit", "/pages/audit", "page.audit", frozenset(r.value for r in AUDIT_READ))
)

PAGE_SIZE = 50
#: fields an entry shows at most (the rest are counted)
SHOWN_FIELDS = 8
ACTION_NAMES: dict[str, tuple[str, str]] = {
    "create": ("新增", "create"),
    "update": ("修改", "update"),
    "delete": ("删除", "delete"),
    "import": ("导入", "import"),
    "publish": ("发布", "publish"),
    "solve": ("计算", "solve"),
    "cancel": ("取消", "cancel"),
    "login_locked": ("登录锁定", "login locked"),
}
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "admin": ("管理员", "admin"),
    "commander": ("指挥员", "commander"),
    "training_officer": ("训练官", "training officer"),
    "dispatcher": ("调度员", "dispatcher"),
    "viewer": ("查看者", "viewer"),
}
ENTITY_NAMES: dict[str, tuple[str, str]] = {
    "person": ("人员", "person"),
    "absence": ("请假", "absence"),
    "plan": ("勤务计划", "plan"),
    "job": ("计算任务", "job"),
    "user": ("用户", "user"),
    "unit": ("单位", "unit"),
    "people": ("人员表", "people table"),
    "units": ("单位表", "units table"),
    "posts": ("卡点表", "posts table"),
    "zones": ("巡区表", "zones table"),
    "jurisdictions": ("辖区表", "jurisdictions table"),
}

#: the fields of audited records (columns of the tables) → (Chinese, English)
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "added": ("新增", "added"),
    "moved": ("改期", "moved"),
    "unchanged": ("未变", "unchanged"),
    "cancelled": ("取消", "cancelled"),
    "superseded": ("被取代", "superseded"),
    "assignments": ("排班条数", "assignments"),
    "counties": ("县（区）", "counties"),
    "seconds": ("求解时限（秒）", "time limit (s)"),
    "workers": ("求解线程数", "workers"),
    "seed": ("随机种子", "seed"),
    "id": ("编号", "id"),
    "jurisdiction": ("辖区", "jurisdiction"),
    "unavailable": ("不可用时段", "unavailable"),
    "open_from": ("开放起", "open from"),
    "open_until": ("开放止", "open until"),
    "min_attendance": ("最低出勤", "min attendance"),
    "unit_ids": ("单位", "units"),
    "skill_id": ("技能", "skill"),
    "end": ("结束", "end"),
    "whole_squad": ("整建制参训", "whole squad"),
    "renews_days": ("续证周期（天）", "renews (days)"),
    "min_share": ("最低比例", "min share"),
    "min_staff": ("最少人数", "min staff"),
    "min_armed": ("最少持枪人数", "min armed"),
    "min_count": ("最少人数", "min count"),
    "min_presence": ("最低在岗", "min presence"),
    "blackout_id": ("禁训期", "blackout"),
    "session_id": ("演练场次", "session"),
    "occurrence": ("应训批次", "occurrence"),
    "risk": ("风险", "risk"),
    "population": ("人口", "population"),
    "plate": ("车牌", "plate"),
    "seats": ("座位数", "seats"),
    "quantity": ("数量", "quantity"),
    "parent_id": ("上级", "parent"),
    "urban": ("城区", "urban"),
    "night": ("夜班", "night"),
    "working": ("工作日", "working"),
    "target": ("对象", "target"),
    "sessions": ("演练场次", "sessions"),
    "params": ("参数", "parameters"),
    "active": ("在职", "active"),
    "address": ("地址", "address"),
    "armed": ("持枪", "armed"),
    "arrived_at": ("到达时间", "arrived at"),
    "badge": ("警号", "badge"),
    "capacity": ("容量", "capacity"),
    "closed_at": ("结束时间", "closed at"),
    "code": ("编码", "code"),
    "count": ("次数", "count"),
    "county": ("县（区）", "county"),
    "created_at": ("创建时间", "created at"),
    "created_by": ("创建人", "created by"),
    "date": ("日期", "date"),
    "day": ("日期", "day"),
    "days": ("天数", "days"),
    "detail": ("详情", "detail"),
    "dispatched_at": ("调派时间", "dispatched at"),
    "dispatched_by": ("调派人", "dispatched by"),
    "drill_type_id": ("演练科目", "drill type"),
    "end_at": ("结束", "end"),
    "escalation": ("升级", "escalation"),
    "eta_minutes": ("预计到达（分钟）", "ETA (min)"),
    "expires": ("到期", "expires"),
    "force": ("警种", "force"),
    "forces": ("警种", "forces"),
    "from_status": ("原状态", "from status"),
    "full_name": ("姓名", "full name"),
    "hard": ("硬性要求", "hard"),
    "headcount": ("人数", "headcount"),
    "hours": ("时长（小时）", "hours"),
    "instructor_id": ("教官", "instructor"),
    "instructor_skill": ("教官资质", "instructor skill"),
    "jurisdiction_id": ("辖区", "jurisdiction"),
    "kind": ("类型", "kind"),
    "kinds": ("类型", "kinds"),
    "lat": ("纬度", "latitude"),
    "level": ("级别", "level"),
    "lon": ("经度", "longitude"),
    "min_gap_days": ("最小间隔（天）", "min gap (days)"),
    "name": ("名称", "name"),
    "needs": ("需求", "needs"),
    "note": ("备注", "note"),
    "objective": ("目标值", "objective"),
    "override_reason": ("越规理由", "override reason"),
    "participants": ("参训人数", "participants"),
    "per": ("周期", "per"),
    "person_badge": ("警号", "badge"),
    "person_id": ("人员", "person"),
    "phone": ("电话", "phone"),
    "plan_id": ("方案", "plan"),
    "position": ("职务", "position"),
    "preferred_weekdays": ("优先星期", "preferred weekdays"),
    "previous_status": ("原状态", "previous status"),
    "published_at": ("发布时间", "published at"),
    "published_by": ("发布人", "published by"),
    "rank": ("警衔", "rank"),
    "released_at": ("解除时间", "released at"),
    "renews": ("续证", "renews"),
    "reported_at": ("报警时间", "reported at"),
    "reported_by": ("接报人", "reported by"),
    "requirement_id": ("演练任务", "requirement"),
    "revision": ("版本", "revision"),
    "role": ("角色", "role"),
    "schedule_id": ("排程", "schedule"),
    "severity": ("等级", "severity"),
    "shift": ("班次", "shift"),
    "skill": ("技能", "skill"),
    "skills": ("技能", "skills"),
    "squad": ("中队", "squad"),
    "start": ("开始", "start"),
    "start_at": ("开始", "start"),
    "status": ("状态", "status"),
    "superseded_by": ("被取代于", "superseded by"),
    "task": ("任务", "task"),
    "to_status": ("新状态", "to status"),
    "unit_id": ("单位", "unit"),
    "updated_at": ("更新时间", "updated at"),
    "updated_by": ("更新人", "updated by"),
    "username": ("登录名", "username"),
    "venue_id": ("场地", "venue"),
    "venue_kind": ("场地类型", "venue kind"),
    "weekdays": ("星期", "weekdays"),
    "weight": ("权重", "weight"),
}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


def changes(entry: AuditEntry) -> tuple[list[tuple[str, str, str]], int]:
    """(field, before, after) of the fields that differ, the first SHOWN_FIELDS, and how
    many more there are."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    shown = [
        (k, _short(before[k]) if k in before else "", _short(after[k]) if k in after else "")
        for k in keys[:SHOWN_FIELDS]
    ]
    return shown, max(0, len(keys) - SHOWN_FIELDS)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/pages/audit")
def audit_page(
    ctx: Annotated[PageCtx, Depends(page("audit"))],
    session: SessionDep,
    actor: Annotated[str, Query(max_length=64)] = "",
    action: Annotated[str, Query(max_length=32)] = "",
    entity: Annotated[str, Query(max_length=32)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page_no: PageNo = 1,
) -> Response:
    ctx.require(AUDIT_READ)
    first, last = _day(since), _day(until)
    zone = ctx.timezone
    rows, total = query_audit(
        session,
        actor=actor or None,
        action=action or None,
        entity=entity or None,
        since=dt.datetime.combine(first, dt.time(0), zone) if first else None,
        until=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone) if last else None,
        limit=PAGE_SIZE,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    filters = {"actor": actor, "action": action, "entity": entity, "since": since, "until": until}

    def local(at: dt.datetime) -> str:
        aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

    values = {
        "rows": rows,
        "total": total,
        **pager("/pages/audit", filters, page_no, total, PAGE_SIZE),
        "filters": filters,
        "changes": changes,
        "local": local,
        "action_name": lambda a: ctx.t(*ACTION_NAMES.get(a, (a, a))),
        "entity_name": lambda e: ctx.t(*ENTITY_NAMES.get(e, (e, e))),
        "role_name": lambda r: ctx.t(*ROLE_NAMES.get(r, (r, r))),
        "field_name": lambda k: ctx.t(*FIELD_NAMES.get(k, (k, k))),
        "field_names": FIELD_NAMES,
        "bad_period": bool((since and first is None) or (until and last is None)),
    }
    if is_htmx(ctx.request) and ctx.request.headers.get("HX-Target") == "audit-results":
        return render(ctx, "audit_rows.html", **values)
    return render(
        ctx,
        "audit_page.html",
        title=ctx.t("操作日志", "Audit log"),
        actors=list(
            session.execute(
                select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)
            ).scalars()
        ),
        actions=list(
            session.execute(
                select(AuditEntry.action).distinct().order_by(AuditEntry.action)
            ).scalars()
        ),
        entities=list(
            session.execute(
                select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)
            ).scalars()
        ),
        **values,
    )
