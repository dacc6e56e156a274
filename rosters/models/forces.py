"""Forces: units and squads, personnel with certifications, vehicles, equipment, absences."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, UniqueConstraint, true
from sqlmodel import Field, SQLModel

from optimizer.scenario import AbsenceKind, Force
from rosters.models.common import lon_lat_checks, one_of


class UnitBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=128)
    force: str = Field(max_length=32)
    squad: bool = False
    base_lon: float | None = None
    base_lat: float | None = None
    phone: str = Field(default="", max_length=32)


class Unit(UnitBase, table=True):
    __tablename__ = "unit"
    __table_args__ = (one_of("force", Force, "ck_unit_force"), *lon_lat_checks("base_", "unit"))
    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)


class PersonBase(SQLModel):
    badge: str = Field(max_length=64, unique=True, index=True, description="badge or ID number")
    name: str = Field(max_length=64)
    force: str = Field(max_length=32)
    role: str = Field(default="member", max_length=32)
    rank: str = Field(default="", max_length=32)
    armed: bool = False
    home_lon: float | None = None
    home_lat: float | None = None
    phone: str = Field(default="", max_length=32)
    #: False: deactivated (left, retired): kept for the plans that name them, never planned
    active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})


class Person(PersonBase, table=True):
    __tablename__ = "person"
    __table_args__ = (one_of("force", Force, "ck_person_force"), *lon_lat_checks("home_", "person"))
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)


class Certification(SQLModel, table=True):
    """A skill or certification a person holds, with its expiry (None = does not expire)."""

    __tablename__ = "certification"
    __table_args__ = (UniqueConstraint("person_id", "skill", name="uq_certification_person_skill"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    skill: str = Field(max_length=64)
    expires: dt.date | None = None


class Vehicle(SQLModel, table=True):
    __tablename__ = "vehicle"
    __table_args__ = (CheckConstraint("seats >= 1", name="ck_vehicle_seats"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    kind: str = Field(default="patrol_car", max_length=32)
    plate: str = Field(default="", max_length=32)
    seats: int = Field(default=4)
    unit_id: int = Field(foreign_key="unit.id", index=True)


class Equipment(SQLModel, table=True):
    __tablename__ = "equipment"
    __table_args__ = (CheckConstraint("quantity >= 0", name="ck_equipment_quantity"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64, description="e.g. shield, boat, defibrillator")
    quantity: int = Field(default=1)
    unit_id: int = Field(foreign_key="unit.id", index=True)


class Absence(SQLModel, table=True):
    """A period a person is unavailable: leave, sick, training, secondment, drill."""

    __tablename__ = "absence"
    __table_args__ = (
        one_of("kind", AbsenceKind, "ck_absence_kind"),
        CheckConstraint("end_at > start_at", name="ck_absence_interval"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    start_at: dt.datetime
    end_at: dt.datetime
    kind: str = Field(default="leave", max_length=16)
    note: str = Field(default="", max_length=256)
