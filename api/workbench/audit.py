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
