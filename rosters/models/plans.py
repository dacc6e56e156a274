"""Patrol plans kept in the database: a plan header with its solver figures, and its
assignments in the scenario's `Assignment` shape (person, date, shift, task, target)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from optimizer.scenario import TaskKind
from rosters.models.common import json_column, one_of


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Plan(SQLModel, table=True):
    __tablename__ = "plan"
    __table_args__ = (CheckConstraint("days >= 1", name="ck_plan_days"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    kind: str = Field(default="patrol", max_length=16)
    start: dt.date
    days: int
    status: str = Field(max_length=16, description="solver status of the plan")
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)
    created_by: str = Field(default="", max_length=64)
    published_at: dt.datetime | None = None
    published_by: str = Field(default="", max_length=64)


class PlanAssignment(SQLModel, table=True):
    __tablename__ = "plan_assignment"
    __table_args__ = (
        one_of("task", TaskKind, "ck_plan_assignment_task"),
        Index("ix_plan_assignment_plan_date", "plan_id", "date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)
    date: dt.date
    shift: str = Field(max_length=32)
    task: str = Field(max_length=16)
    target: str = Field(max_length=64, description="post or zone code, or county code for standby")
    superseded_by: int | None = Field(
        default=None,
        description="the plan published later that took over this assignment's county-day "
        "(`rosters.plans.publish_plan`); null while it stands",
    )


class PlanPin(SQLModel, table=True):
    """An assignment fixed by hand in a draft plan (`rosters.plan_edits`): ``keep`` — the
    person does this task then; not ``keep`` — the person stays off it. A re-plan keeps every
    pin; a pin that breaks a hard rule carries the override's reason and the rules it broke."""

    __tablename__ = "plan_pin"
    __table_args__ = (
        one_of("task", TaskKind, "ck_plan_pin_task"),
        Index("ix_plan_pin_plan", "plan_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id")
    date: dt.date
    shift: str = Field(max_length=32)
    task: str = Field(max_length=16)
    target: str = Field(max_length=64)
    keep: bool = True
    override_reason: str = Field(default="", max_length=500)
    broken: list[str] = Field(default_factory=list, sa_column=json_column(nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)
    created_by: str = Field(default="", max_length=64)
