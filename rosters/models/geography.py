"""Jurisdictions (city → county → township → village → grid), patrol zones and posts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from optimizer.scenario import Level, PostKind
from rosters.models.common import json_column, lon_lat_checks, one_of


class JurisdictionBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True, description="user-facing id")
    name: str = Field(max_length=128)
    level: str = Field(max_length=16, description="city, county, township, village or grid")
    population: int = Field(default=0, ge=0)
    migrants: int = Field(default=0, ge=0)
    urban: bool = False
    centroid_lon: float | None = None
    centroid_lat: float | None = None


class Jurisdiction(JurisdictionBase, table=True):
    __tablename__ = "jurisdiction"
    __table_args__ = (
        one_of("level", Level, "ck_jurisdiction_level"),
        CheckConstraint("population >= 0", name="ck_jurisdiction_population"),
        CheckConstraint("migrants >= 0", name="ck_jurisdiction_migrants"),
        *lon_lat_checks("centroid_", "jurisdiction"),
    )
    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="jurisdiction.id", index=True)
    boundary: dict[str, Any] | None = Field(default=None, sa_column=json_column())


class ZoneBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=128)
    min_presence: int = Field(default=0, ge=0)
    centroid_lon: float | None = None
    centroid_lat: float | None = None


class Zone(ZoneBase, table=True):
    __tablename__ = "zone"
    __table_args__ = (
        CheckConstraint("min_presence >= 0", name="ck_zone_min_presence"),
        *lon_lat_checks("centroid_", "zone"),
    )
    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)
    geometry: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    risk: list[list[float]] = Field(sa_column=json_column(nullable=False))
    forces: list[str] | None = Field(default=None, sa_column=json_column())


class PostBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=128)
    kind: str = Field(max_length=32)
    lon: float
    lat: float
    min_staff: int = Field(default=1, ge=1)
    min_armed: int = Field(default=0, ge=0)


class Post(PostBase, table=True):
    __tablename__ = "post"
    __table_args__ = (
        one_of("kind", PostKind, "ck_post_kind"),
        CheckConstraint("min_staff >= 1", name="ck_post_min_staff"),
        CheckConstraint("min_armed >= 0 AND min_armed <= min_staff", name="ck_post_min_armed"),
        *lon_lat_checks("", "post"),
    )
    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)
    hours: list[list[int]] = Field(sa_column=json_column(nullable=False))
    skills: dict[str, int] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    forces: list[str] | None = Field(default=None, sa_column=json_column())
    #: skills everyone on the post must hold (scenario 1.2 `Post.required_skills`); None = []
    required_skills: list[str] | None = Field(default=None, sa_column=json_column())
