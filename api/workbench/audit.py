"""操作日志 — the audit log as a page (admins, and the roles GET /audit allows: AUDIT_READ):
filtered by user, action, what was changed and period, newest first, paged on the server,
through the same query as GET /audit (`api.audit.query_audit`). Each entry shows what
changed (the fields whose value differs before and after)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import select

from api.audit import query_audit
from api.deps import AUDIT_READ, SessionDep
from api.models import AuditEntry
from api.workbench.common import JOB_STATUS, PageCtx, PageNo, is_htmx, page, pager, render
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
    "lockout": ("登录锁定", "login locked"),
    "report": ("接报", "report"),
    "suggest": ("研判", "suggest"),
    "dispatch": ("调派", "dispatch"),
    "arrive": ("到场", "arrive"),
    "close": ("结案", "close"),
    "position": ("位置上报", "position"),
    "edit": ("调整排班", "edit"),
    "override": ("越规调整", "override"),
    "load": ("载入", "load"),
    "revoke": ("吊销", "revoke"),
    "done": ("记录完成", "record done"),
    "missed": ("记录未完成", "record missed"),
    "cancelled": ("取消", "cancel"),
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
    "incident": ("警情", "incident"),
    "unit_status": ("单位状态", "unit status"),
    "jurisdiction": ("辖区", "jurisdiction"),
    "zone": ("巡区", "zone"),
    "post": ("卡点", "post"),
    "shift_template": ("班次模板", "shift template"),
    "standby_floor": ("备勤底线", "standby floor"),
    "labour_rule": ("劳动规则", "labour rule"),
    "drill_schedule": ("演练排程", "drill schedule"),
    "drill_session": ("演练场次", "drill session"),
    "drill_settings": ("演练设置", "drill settings"),
    "drill_type": ("演练科目", "drill type"),
    "drill_requirement": ("演练任务", "drill requirement"),
    "venue": ("训练场地", "venue"),
    "instructor": ("教官", "instructor"),
    "blackout": ("禁训期", "blackout"),
    "calendar_day": ("节假日调整", "calendar day"),
    "holiday_notice": ("放假通知", "holiday notice"),
    "api_key": ("接口密钥", "API key"),
    "login_username": ("登录（用户名）", "login (username)"),
    "login_address": ("登录（地址）", "login (address)"),
}
#: kinds of job (`api.job_kinds`), as a job's audit entry names them
JOB_KINDS: dict[str, tuple[str, str]] = {
    "patrol_plan": ("巡逻勤务计划", "patrol plan"),
    "drill_schedule": ("演练排程", "drill schedule"),
    "patrol_replan_pins": ("重新排班（保留钉住的调整）", "re-plan around pins"),
    "siting": ("选址", "siting"),
}
#: the label families (`maps.labels`, `optimizer.messages`) a field's code values are named
#: in, first match wins
VALUE_FAMILIES: dict[str, tuple[str, ...]] = {
    "status": ("incident", "status", "drill_status"),
    "kind": ("incident_kind", "post", "venue_kind"),
    "force": ("force",),
    "forces": ("force",),
    "level": ("level",),
    "escalation": ("level",),
    "skill": ("skill",),
    "skills": ("skill",),
    "instructor_skill": ("skill",),
    "venue_kind": ("venue_kind",),
    "role": ("role",),
}
for _same in ("from_status", "to_status", "previous_status"):
    VALUE_FAMILIES[_same] = VALUE_FAMILIES["status"]

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
    "suggestion": ("研判结果", "suggestion"),
    "location": ("位置", "location"),
}


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def _code_label(key: str, code: str, lang: str) -> str:
    """A code value of field `key` by its label (`VALUE_FAMILIES`), else as it is."""
    from maps.labels import code_pair

    pair: tuple[str, str] | None = None
    if key == "kind":
        pair = JOB_KINDS.get(code)
    if key == "role":
        pair = ROLE_NAMES.get(code)
    if key in VALUE_FAMILIES and key.endswith("status"):
        pair = pair or JOB_STATUS.get(code)
    for family in VALUE_FAMILIES.get(key, ()):
        if pair:
            break
        pair = code_pair(family, code)
    return (pair[0] if lang == "zh" else pair[1]) if pair else code


def value_text(key: str, value: Any, lang: str = "zh") -> str:
    """A field's value as the log shows it: nothing as （空）, yes/no in words, codes by their
    labels, a list item by item, a record as the count of its fields (its keys are not words
    a reader knows)."""
    zh = lang == "zh"
    if value is None or value == "" or value == [] or value == {}:
        return "（空）" if zh else "(empty)"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, str):
        return _short(_code_label(key, value, lang))
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return _short(("、" if zh else ", ").join(value_text(key, v, lang) for v in value))
    if isinstance(value, list):
        return f"（{len(value)} 条）" if zh else f"({len(value)} items)"
    if isinstance(value, dict):
        return f"（{len(value)} 项）" if zh else f"({len(value)} fields)"
    return _short(str(value))


def changes(entry: AuditEntry, lang: str = "zh") -> tuple[list[tuple[str, str, str]], int]:
    """(field, before, after) of the fields that differ, the first SHOWN_FIELDS, and how
    many more there are; an absent side is ""."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    shown = [
        (
            k,
            value_text(k, before[k], lang) if k in before else "",
            value_text(k, after[k], lang) if k in after else "",
        )
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
        "changes": lambda entry: changes(entry, ctx.lang),
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
