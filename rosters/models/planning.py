"""Planning settings kept with the roster: shift templates, standby floors, labour rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from rosters.models.common import json_column


class ShiftTemplate(SQLModel, table=True):
    __tablename__ = "shift_template"
    __table_args__ = (CheckConstraint("hours BETWEEN 1 AND 24", name="ck_shift_hours"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=64)
    start: str = Field(max_length=5, description="HH:MM local")
    hours: int
    night: bool | None = None


class StandbyFloor(SQLModel, table=True):
    """备勤 floor of one county: share and/or count of its ready forces on standby."""

    __tablename__ = "standby_floor"
    __table_args__ = (
        CheckConstraint("min_share >= 0 AND min_share <= 1", name="ck_standby_share"),
        CheckConstraint("min_count >= 0", name="ck_standby_count"),
    )
    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True, unique=True)
    forces: list[str] = Field(sa_column=json_column(nullable=False))
    min_share: float = 0.0
    min_count: int = 0


class LabourRule(SQLModel, table=True):
    """A labour rule as in the scenario format (`optimizer.scenario.LabourRule`), kept as JSON."""

    __tablename__ = "labour_rule"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    kind: str = Field(max_length=32)
    body: dict[str, Any] = Field(sa_column=json_column(nullable=False))
