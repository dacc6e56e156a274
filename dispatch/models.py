"""Dispatch tables: incidents with their audit trail, each unit's live status, and the
dispatches (unit ↔ incident assignments).

The database itself refuses to double-book a unit: `dispatch` has a partial unique index on
`unit_id` over open rows (`released_at IS NULL`), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from optimizer.reinforcement.forces import UnitState
from rosters.models.common import json_column, lon_lat_checks, one_of


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    SUGGESTED = "suggested"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    CLOSED = "closed"


class Escalation(StrEnum):
    """The tier of forces an incident may draw on: township → county → city (联勤联动)."""

    TOWNSHIP = "township"
    COUNTY = "county"
    CITY = "city"


class IncidentBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True, description="user-facing id")
    kind: str = Field(max_length=32, description="mass_incident, violent, terror, fire, flood…")
    severity: int = Field(default=2, description="1 minor … 4 major")
    lon: float
    lat: float
    note: str = Field(default="", max_length=512)


class Incident(IncidentBase, table=True):
    __tablename__ = "incident"
    __table_args__ = (
        one_of("status", IncidentStatus, "ck_incident_status"),
        one_of("escalation", Escalation, "ck_incident_escalation"),
        CheckConstraint("severity BETWEEN 1 AND 4", name="ck_incident_severity"),
        *lon_lat_checks("", "incident"),
    )
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=IncidentStatus.REPORTED.value, max_length=16, index=True)
    escalation: str = Field(default=Escalation.TOWNSHIP.value, max_length=16)
    jurisdiction_id: int | None = Field(default=None, foreign_key="jurisdiction.id", index=True)
    needs: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    suggestion: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    reported_at: dt.datetime
    reported_by: str = Field(max_length=64)
    updated_at: dt.datetime
    closed_at: dt.datetime | None = None


class IncidentEvent(SQLModel, table=True):
    """One step of an incident's life: when, who, what, from which status to which."""

    __tablename__ = "incident_event"
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    at: dt.datetime
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))


class UnitStatus(SQLModel, table=True):
    """A unit's live status and last known position (one row per unit)."""

    __tablename__ = "unit_status"
    __table_args__ = (
        one_of("status", UnitState, "ck_unit_status_status"),
        *lon_lat_checks("", "unit_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", unique=True, index=True, ondelete="CASCADE")
    status: str = Field(default=UnitState.AVAILABLE.value, max_length=16, index=True)
    lon: float | None = None
    lat: float | None = None
    target: str | None = Field(default=None, max_length=64, description="post/zone/county code")
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    source: str = Field(default="plan", max_length=16, description="plan, dispatch or report")
    updated_at: dt.datetime


class Dispatch(SQLModel, table=True):
    """A unit sent to an incident; open until released (`released_at`)."""

    __tablename__ = "dispatch"
    __table_args__ = (
        Index(
            "uq_dispatch_open_unit",
            "unit_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    dispatched_at: dt.datetime
    dispatched_by: str = Field(max_length=64)
    eta_minutes: float | None = None
    previous_status: str = Field(max_length=16)
    arrived_at: dt.datetime | None = None
    released_at: dt.datetime | None = None
