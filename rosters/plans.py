"""Storing, publishing and reading back plans (assignments in the scenario's shape)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from optimizer.scenario import Assignment
from rosters.models import Person
from rosters.models.plans import Plan, PlanAssignment


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


def publish_plan(session: Session, plan_id: int, *, by: str = "") -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanError(f"plan {plan_id}: no such plan")
    plan.published_at = dt.datetime.now(dt.UTC)
    plan.published_by = by
    session.add(plan)
    session.flush()
    return plan


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


def published_assignments(session: Session, start: dt.date, days: int) -> list[Assignment]:
    """For each day of [start, start+days), the assignments of the most recently published
    plan covering that day."""
    plans = (
        session.exec(  # type: ignore[call-overload]
            select(Plan).where(Plan.published_at.is_not(None)).order_by(Plan.published_at.desc())  # type: ignore[union-attr]
        )
        .scalars()
        .all()
    )
    loaded: dict[int, list[Assignment]] = {}
    out: list[Assignment] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        plan = next(
            (p for p in plans if p.start <= day < p.start + dt.timedelta(days=p.days)), None
        )
        if plan is not None:
            if plan.id not in loaded:
                loaded[plan.id] = load_assignments(session, plan.id)  # type: ignore[index,arg-type]
            out += [a for a in loaded[plan.id] if a.date == day]  # type: ignore[index]
    return out
