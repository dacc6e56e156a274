"""Drills kept with the roster: the drill catalogue, each unit's drill duties, venues,
instructors and when they are away, blackout periods, the loaded holiday notice, the drill
schedules (drafts and published revisions) and the drill sessions themselves.

Lists of units and jurisdictions are link tables (foreign keys hold); lists of plain values
(forces, skills, weekdays, kinds) are JSON. Times are timezone-aware (UTC in the database)
like the other tables; opening hours are local wall-clock times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from optimizer.drill_format import DrillKind, SessionStatus
from rosters.models.common import json_column, lon_lat_checks, one_of

PERIODS = ("week", "month", "quarter", "half_year", "year")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DrillTypeBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=128)
    kind: str = Field(max_length=32)
    hours: int = Field(description="duration; a drill fits in one working day")
    headcount: int | None = Field(default=None, description="None = every member of the unit")
    min_attendance: float = 0.8
    venue_kind: str | None = Field(default=None, max_length=64)
    instructor_skill: str | None = Field(default=None, max_length=64)
    whole_squad: bool = True
    renews: str | None = Field(default=None, max_length=64)
    renews_days: int = 365


class DrillType(DrillTypeBase, table=True):
    __tablename__ = "drill_type"
    __table_args__ = (
        one_of("kind", DrillKind, "ck_drill_type_kind"),
        CheckConstraint("hours BETWEEN 1 AND 12", name="ck_drill_type_hours"),
        CheckConstraint("headcount IS NULL OR headcount >= 1", name="ck_drill_type_headcount"),
        CheckConstraint(
            "min_attendance > 0 AND min_attendance <= 1", name="ck_drill_type_attendance"
        ),
        CheckConstraint("renews_days >= 1", name="ck_drill_type_renews_days"),
    )
    id: int | None = Field(default=None, primary_key=True)
    forces: list[str] = Field(sa_column=json_column(nullable=False))


class DrillRequirementBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    count: int = 1
    per: str = Field(default="month", max_length=16)
    min_gap_days: int = 0
    hard: bool = False
    weight: float = 1.0


class DrillRequirement(DrillRequirementBase, table=True):
    __tablename__ = "drill_requirement"
    __table_args__ = (
        CheckConstraint(
            f"per IN ({', '.join(repr(p) for p in PERIODS)})", name="ck_drill_requirement_per"
        ),
        CheckConstraint("count BETWEEN 1 AND 31", name="ck_drill_requirement_count"),
        CheckConstraint("min_gap_days >= 0", name="ck_drill_requirement_gap"),
        CheckConstraint("weight >= 0", name="ck_drill_requirement_weight"),
    )
    id: int | None = Field(default=None, primary_key=True)
    drill_type_id: int = Field(foreign_key="drill_type.id", index=True)
    preferred_weekdays: list[int] = Field(
        default_factory=list, sa_column=json_column(nullable=False)
    )


class DrillRequirementUnit(SQLModel, table=True):
    """A unit bound by a drill duty (several units = a joint drill); `position` keeps the
    order the duty lists them in."""

    __tablename__ = "drill_requirement_unit"
    requirement_id: int = Field(
        foreign_key="drill_requirement.id", primary_key=True, ondelete="CASCADE"
    )
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
    position: int = 0


class VenueBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=128)
    kind: str = Field(max_length=64, description="training_ground, range, river_site …")
    capacity: int = Field(description="people training at once")
    lon: float | None = None
    lat: float | None = None
    open_from: dt.time = dt.time(8, 0)
    open_until: dt.time = dt.time(18, 0)


class Venue(VenueBase, table=True):
    __tablename__ = "drill_venue"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="ck_drill_venue_capacity"),
        CheckConstraint("open_until > open_from", name="ck_drill_venue_hours"),
        *lon_lat_checks("", "drill_venue"),
    )
    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)
    weekdays: list[int] = Field(sa_column=json_column(nullable=False))


class InstructorBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=128)


class Instructor(InstructorBase, table=True):
    __tablename__ = "drill_instructor"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    jurisdiction_id: int | None = Field(default=None, foreign_key="jurisdiction.id", index=True)
    skills: list[str] = Field(sa_column=json_column(nullable=False))


class InstructorAway(SQLModel, table=True):
    """A period an instructor cannot teach."""

    __tablename__ = "drill_instructor_away"
    __table_args__ = (CheckConstraint("end_at > start_at", name="ck_drill_instructor_away"),)
    id: int | None = Field(default=None, primary_key=True)
    instructor_id: int = Field(foreign_key="drill_instructor.id", index=True, ondelete="CASCADE")
    start_at: dt.datetime
    end_at: dt.datetime


class BlackoutBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=128)
    start_at: dt.datetime
    end_at: dt.datetime


class Blackout(BlackoutBase, table=True):
    """A period without drills (major-event security, flood season …)."""

    __tablename__ = "drill_blackout"
    __table_args__ = (CheckConstraint("end_at > start_at", name="ck_drill_blackout_interval"),)
    id: int | None = Field(default=None, primary_key=True)
    kinds: list[str] = Field(default_factory=list, sa_column=json_column(nullable=False))


class BlackoutJurisdiction(SQLModel, table=True):
    """A jurisdiction a blackout applies to (none = everywhere)."""

    __tablename__ = "drill_blackout_jurisdiction"
    blackout_id: int = Field(foreign_key="drill_blackout.id", primary_key=True, ondelete="CASCADE")
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", primary_key=True, index=True)
    position: int = 0


class CalendarDayBase(SQLModel):
    date: dt.date = Field(unique=True, index=True)
    working: bool
    name: str = Field(default="", max_length=64)


class CalendarDay(CalendarDayBase, table=True):
    """One day of the State Council's holiday notice: a holiday, or an adjusted working day."""

    __tablename__ = "drill_calendar_day"
    id: int | None = Field(default=None, primary_key=True)


class DrillSettingsRow(SQLModel, table=True):
    """The drill settings of the scenario format (`DrillSettings`), one row, kept as JSON."""

    __tablename__ = "drill_settings"
    id: int | None = Field(default=None, primary_key=True)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))


class DrillSchedule(SQLModel, table=True):
    """A drill schedule made by the optimiser: a draft until published. Its proposed sessions
    are kept as the scenario format's `DrillSession` JSON; publishing writes them to
    `drill_session` (by session id) and gives the schedule the next revision number."""

    __tablename__ = "drill_schedule"
    __table_args__ = (
        CheckConstraint("days >= 1", name="ck_drill_schedule_days"),
        UniqueConstraint("revision", name="uq_drill_schedule_revision"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    start: dt.date
    days: int
    county: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=16, description="solver status")
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    sessions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=json_column(nullable=False)
    )
    revision: int | None = Field(default=None, description="set when published: 1, 2, …")
    created_at: dt.datetime = Field(default_factory=_now)
    created_by: str = Field(default="", max_length=64)
    published_at: dt.datetime | None = None
    published_by: str = Field(default="", max_length=64)


class DrillSessionBase(SQLModel):
    code: str = Field(max_length=128, unique=True, index=True, description="stable session id")
    occurrence: str = Field(max_length=128, index=True, description="the duty it fulfils")
    start_at: dt.datetime
    end_at: dt.datetime
    participants: int = 0
    status: str = Field(default=SessionStatus.SCHEDULED.value, max_length=16)
    note: str = Field(default="", max_length=256)


class DrillSession(DrillSessionBase, table=True):
    __tablename__ = "drill_session"
    __table_args__ = (
        one_of("status", SessionStatus, "ck_drill_session_status"),
        CheckConstraint("end_at > start_at", name="ck_drill_session_interval"),
        CheckConstraint("participants >= 0", name="ck_drill_session_participants"),
        Index("ix_drill_session_start", "start_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    requirement_id: int = Field(foreign_key="drill_requirement.id", index=True)
    drill_type_id: int = Field(foreign_key="drill_type.id", index=True)
    venue_id: int | None = Field(default=None, foreign_key="drill_venue.id", index=True)
    instructor_id: int | None = Field(default=None, foreign_key="drill_instructor.id", index=True)
    schedule_id: int | None = Field(default=None, foreign_key="drill_schedule.id", index=True)
    revision: int = Field(default=0, description="changes since first published (iCal SEQUENCE)")
    updated_at: dt.datetime = Field(default_factory=_now)
    updated_by: str = Field(default="", max_length=64)


class DrillSessionUnit(SQLModel, table=True):
    __tablename__ = "drill_session_unit"
    session_id: int = Field(foreign_key="drill_session.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
    position: int = 0


class DrillReminder(SQLModel, table=True):
    """The morning reminder of one unit: its drills of the next days (one per unit and day)."""

    __tablename__ = "drill_reminder"
    __table_args__ = (UniqueConstraint("unit_id", "day", name="uq_drill_reminder_unit_day"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True, ondelete="CASCADE")
    day: dt.date = Field(index=True, description="the local day the reminder was made")
    days: int = Field(default=1, description="how many days ahead it covers")
    at: dt.datetime = Field(default_factory=_now)
    sessions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=json_column(nullable=False)
    )
