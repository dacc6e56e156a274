"""Storing, publishing and reading back plans (assignments in the scenario's shape).

A county-day has at most one published plan: publishing a plan supersedes the county-days it
covers in every other published plan (their assignments there get `superseded_by`), and
`published_assignments` reads only assignments that stand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlmodel import Session

from optimizer.scenario import Assignment
from rosters.models import Jurisdiction, Person, Post, Zone
from rosters.models.plans import Plan, PlanAssignment

if TYPE_CHECKING:  # the patrol package loads the solver; only `publish_diff` needs it
    from optimizer.patrol.result import PlanDiff


class PlanError(ValueError):
    """A plan that cannot be stored or published."""


def save_plan(
    session: Session,
    *,
    name: str,
    start: dt.date,
    days: int,
    status: str,
    assignments: Sequence[Assignment],
    objective: float | None = None,
    bound: float | None = None,
    gap: float | None = None,
    summary: dict[str, Any] | None = None,
    created_by: str = "",
) -> int:
    """Store a plan with its assignments; returns the plan id. Unknown people are refused
    (nothing is stored)."""
    badges = {a.person_id for a in assignments}
    ids = dict(
        session.execute(select(Person.badge, Person.id).where(Person.badge.in_(badges))).all()
    )  # type: ignore[attr-defined]
    missing = sorted(badges - ids.keys())
    if missing:
        raise PlanError(
            f"assignments: unknown people {', '.join(missing[:5])}"
            + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else "")
        )
    plan = Plan(
        name=name,
        start=start,
        days=days,
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        summary=summary or {},
        created_by=created_by,
    )
    session.add(plan)
    session.flush()
    if assignments:
        session.execute(
            insert(PlanAssignment),
            [
                {
                    "plan_id": plan.id,
                    "person_id": ids[a.person_id],
                    "date": a.date,
                    "shift": a.shift_id,
                    "task": a.task.value,
                    "target": a.target_id,
                }
                for a in assignments
            ],
        )
    return plan.id  # type: ignore[return-value]


@dataclass
class Published:
    """A plan just published, and the county-days it took over from other published plans
    (plan id → sorted (county, date))."""

    plan: Plan
    superseded: dict[int, list[tuple[str, dt.date]]] = field(default_factory=dict)


def publish_plan(session: Session, plan_id: int, *, by: str = "") -> Plan:
    """Publish a plan (see `publish_superseding`)."""
    return publish_superseding(session, plan_id, by=by).plan


def publish_superseding(session: Session, plan_id: int, *, by: str = "") -> Published:
    """Publish a plan in the caller's transaction: it becomes the one published plan of every
    county-day it covers (a county where it has assignments on that day); the other published
    plans' assignments of those county-days are marked superseded by it. Publishing again a
    plan that was superseded takes its county-days back."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanError(f"plan {plan_id}: no such plan")
    plan.published_at = dt.datetime.now(dt.UTC)
    plan.published_by = by
    session.add(plan)
    county_of = target_counties(session)
    rows = session.execute(
        select(PlanAssignment.date, PlanAssignment.target).where(PlanAssignment.plan_id == plan_id)  # type: ignore[arg-type]
    ).all()
    days = {(county_of.get(target, target), date) for date, target in rows}
    session.execute(
        update(PlanAssignment)
        .where(PlanAssignment.plan_id == plan_id)  # type: ignore[arg-type]
        .values(superseded_by=None)
    )
    superseded: dict[int, set[tuple[str, dt.date]]] = {}
    if days:
        end = plan.start + dt.timedelta(days=plan.days)
        others = session.execute(
            select(
                PlanAssignment.id,
                PlanAssignment.plan_id,
                PlanAssignment.date,
                PlanAssignment.target,
            )
            .join(Plan, Plan.id == PlanAssignment.plan_id)  # type: ignore[arg-type]
            .where(
                Plan.published_at.is_not(None),  # type: ignore[union-attr]
                PlanAssignment.plan_id != plan_id,  # type: ignore[arg-type]
                PlanAssignment.superseded_by.is_(None),  # type: ignore[union-attr]
                PlanAssignment.date >= plan.start,  # type: ignore[arg-type]
                PlanAssignment.date < end,  # type: ignore[arg-type]
            )
        ).all()
        hit = []
        for row_id, other, date, target in others:
            day = (county_of.get(target, target), date)
            if day in days:
                hit.append(row_id)
                superseded.setdefault(other, set()).add(day)
        for chunk in range(0, len(hit), 500):
            session.execute(
                update(PlanAssignment)
                .where(PlanAssignment.id.in_(hit[chunk : chunk + 500]))  # type: ignore[union-attr]
                .values(superseded_by=plan_id)
            )
    session.flush()
    return Published(plan, {k: sorted(v) for k, v in sorted(superseded.items())})


def target_counties(session: Session) -> dict[str, str]:
    """Every post, zone and jurisdiction code → the code of its county (a jurisdiction above
    the county level maps to itself): where an assignment's target lies."""
    jurs = session.execute(
        select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.level, Jurisdiction.parent_id)
    ).all()
    by_id = {j.id: j for j in jurs}
    county: dict[int, str] = {}
    for j in jurs:
        seen = j
        while seen.level not in ("county", "city") and seen.parent_id in by_id:
            seen = by_id[seen.parent_id]
        county[j.id] = seen.code
    out = {j.code: county[j.id] for j in jurs}
    for table in (Post, Zone):
        for code, jid in session.execute(select(table.code, table.jurisdiction_id)).all():  # type: ignore[attr-defined]
            out[code] = county.get(jid, "")
    return out


def superseded_days(session: Session, plan_id: int) -> dict[int, int]:
    """Of a published plan: the plans that superseded some of its assignments → how many."""
    rows = session.execute(
        select(PlanAssignment.superseded_by).where(
            PlanAssignment.plan_id == plan_id,  # type: ignore[arg-type]
            PlanAssignment.superseded_by.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    out: dict[int, int] = {}
    for (by,) in rows:
        out[by] = out.get(by, 0) + 1
    return out


def publish_diff(session: Session, plan_id: int) -> PlanDiff:
    """What publishing the plan changes: its assignments against those published now in
    the county-days it covers (added: the plan's new ones; removed: published ones it
    drops)."""
    from optimizer.patrol.result import PlanDiff

    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanError(f"plan {plan_id}: no such plan")
    county_of = target_counties(session)
    mine = load_assignments(session, plan_id)
    days = {(county_of.get(a.target_id, a.target_id), a.date) for a in mine}
    live = [
        a
        for a in published_assignments(session, plan.start, plan.days, exclude=plan_id)
        if (county_of.get(a.target_id, a.target_id), a.date) in days
    ]

    def key(a: Assignment) -> tuple[str, dt.date, str, str, str]:
        return (a.person_id, a.date, a.shift_id, a.task.value, a.target_id)

    new, old = {key(a): a for a in mine}, {key(a): a for a in live}
    return PlanDiff(
        added=[new[k] for k in sorted(new.keys() - old.keys())],
        removed=[old[k] for k in sorted(old.keys() - new.keys())],
    )


def load_assignments(session: Session, plan_id: int) -> list[Assignment]:
    rows = session.execute(
        select(PlanAssignment, Person.badge)
        .join(Person, Person.id == PlanAssignment.person_id)  # type: ignore[arg-type]
        .where(PlanAssignment.plan_id == plan_id)
        .order_by(PlanAssignment.id)  # type: ignore[arg-type]
    ).all()
    return [
        Assignment(person_id=badge, date=a.date, shift_id=a.shift, task=a.task, target_id=a.target)
        for a, badge in rows
    ]


def published_assignments(
    session: Session, start: dt.date, days: int, *, exclude: int | None = None
) -> list[Assignment]:
    """The published assignments of [start, start+days) that stand (not superseded by a plan
    published later for their county-day); ``exclude``: leave out this plan's."""
    end = start + dt.timedelta(days=days)
    stmt = (
        select(PlanAssignment, Person.badge)
        .join(Person, Person.id == PlanAssignment.person_id)  # type: ignore[arg-type]
        .join(Plan, Plan.id == PlanAssignment.plan_id)  # type: ignore[arg-type]
        .where(
            Plan.published_at.is_not(None),  # type: ignore[union-attr]
            PlanAssignment.superseded_by.is_(None),  # type: ignore[union-attr]
            PlanAssignment.date >= start,  # type: ignore[arg-type]
            PlanAssignment.date < end,  # type: ignore[arg-type]
        )
        .order_by(PlanAssignment.date, PlanAssignment.id)  # type: ignore[arg-type]
    )
    if exclude is not None:
        stmt = stmt.where(PlanAssignment.plan_id != exclude)  # type: ignore[arg-type]
    return [
        Assignment(person_id=badge, date=a.date, shift_id=a.shift, task=a.task, target_id=a.target)
        for a, badge in session.execute(stmt).all()
    ]
