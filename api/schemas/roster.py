"""Roster resources as the API shows them. References are the user-facing codes
(`jurisdiction: "K1"`, `unit: "U1"`), never row ids."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from api.schemas.common import (
    CODE_PATTERN,
    MAX_CODE,
    MAX_NAME,
    CodeList,
    CodeRef,
    Geometry,
    Lat,
    Lon,
    PersonName,
    PhoneText,
    RequestModel,
    ShortText,
    SkillCounts,
    SkillName,
    partial,
)
from optimizer.scenario import Force, Level, PostKind

#: field defaults for `code: str = Code`, `name: str = Name` (the bounds of common.py)
Code = Field(min_length=1, max_length=MAX_CODE, pattern=CODE_PATTERN)
Name = Field(min_length=1, max_length=MAX_NAME)
Forces = Field(default=None, max_length=len(Force))


def _pair(obj: Any, lon: str, lat: str) -> Any:
    if (getattr(obj, lon) is None) != (getattr(obj, lat) is None):
        raise ValueError(f"{lon} and {lat} go together: give both or neither")
    return obj


_In = RequestModel


class JurisdictionCreate(_In):
    code: str = Code
    name: str = Name
    level: Level
    parent: CodeRef | None = Field(default=None, description="parent's code")
    population: int = Field(default=0, ge=0, le=2_000_000_000)
    migrants: int = Field(default=0, ge=0, le=2_000_000_000)
    urban: bool = False
    centroid_lon: Lon | None = None
    centroid_lat: Lat | None = None
    boundary: Geometry | None = Field(default=None, description="GeoJSON geometry")

    @model_validator(mode="after")
    def _ll(self) -> JurisdictionCreate:
        return _pair(self, "centroid_lon", "centroid_lat")


class JurisdictionPublic(JurisdictionCreate):
    id: int


class UnitCreate(_In):
    code: str = Code
    name: str = Name
    force: Force
    jurisdiction: CodeRef = Field(description="jurisdiction code")
    parent: CodeRef | None = Field(default=None, description="parent unit's code")
    squad: bool = False
    base_lon: Lon | None = None
    base_lat: Lat | None = None
    phone: PhoneText = ""

    @model_validator(mode="after")
    def _ll(self) -> UnitCreate:
        return _pair(self, "base_lon", "base_lat")


class UnitPublic(UnitCreate):
    id: int


class CertificationIn(_In):
    skill: SkillName
    expires: dt.date | None = None


class PersonCreate(_In):
    badge: str = Code
    name: PersonName
    force: Force
    jurisdiction: CodeRef = Field(description="jurisdiction code")
    unit: CodeRef | None = Field(default=None, description="unit code")
    role: ShortText = "member"
    rank: ShortText = ""
    armed: bool = False
    home_lon: Lon | None = None
    home_lat: Lat | None = None
    phone: PhoneText = ""
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=100)
    active: bool = Field(default=True, description="false: deactivated, never planned")

    @model_validator(mode="after")
    def _ll(self) -> PersonCreate:
        skills = [c.skill for c in self.certifications]
        if len(set(skills)) != len(skills):
            raise ValueError("certifications: a skill is listed twice")
        return _pair(self, "home_lon", "home_lat")


class PersonPublic(PersonCreate):
    id: int


Risk = list[list[float]]
#: 7 days of 24 finite, non-negative hourly values
RiskBody = Annotated[
    list[
        Annotated[list[Annotated[float, Field(ge=0, le=1e9)]], Field(min_length=24, max_length=24)]
    ],
    Field(min_length=7, max_length=7),
]


class ZoneCreate(_In):
    code: str = Code
    name: str = Name
    jurisdiction: CodeRef
    min_presence: int = Field(default=0, ge=0, le=10_000)
    centroid_lon: Lon | None = None
    centroid_lat: Lat | None = None
    geometry: Geometry | None = Field(default=None, description="GeoJSON geometry")
    risk: RiskBody = Field(description="7×24 relative risk (Monday first, hour 0 first)")
    forces: list[Force] | None = Forces

    @field_validator("risk")
    @classmethod
    def _risk(cls, value: Risk) -> Risk:
        if len(value) != 7 or any(len(row) != 24 for row in value):
            raise ValueError("risk: 7 rows (days) of 24 numbers (hours)")
        if any(v < 0 for row in value for v in row):
            raise ValueError("risk: no negative values")
        return value

    @model_validator(mode="after")
    def _ll(self) -> ZoneCreate:
        return _pair(self, "centroid_lon", "centroid_lat")


class ZonePublic(ZoneCreate):
    id: int


class PostCreate(_In):
    code: str = Code
    name: str = Name
    kind: PostKind
    jurisdiction: CodeRef
    lon: Lon
    lat: Lat
    min_staff: int = Field(default=1, ge=1, le=1000)
    min_armed: int = Field(default=0, ge=0, le=1000)
    hours: list[Annotated[list[int], Field(max_length=2)]] = Field(
        default_factory=lambda: [[0, 24]],
        max_length=24,
        description="manned hours [[from, to], …], 0–24",
    )
    skills: SkillCounts = Field(default_factory=dict)
    required_skills: CodeList | None = Field(
        default=None, description="skills everyone on the post must hold (null: none)"
    )
    forces: list[Force] | None = Forces

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: list[list[int]]) -> list[list[int]]:
        for span in value:
            if len(span) != 2 or not 0 <= span[0] < span[1] <= 24:
                raise ValueError("hours: each span is [from, to] with 0 ≤ from < to ≤ 24")
        return value

    @model_validator(mode="after")
    def _armed(self) -> PostCreate:
        if self.min_armed > self.min_staff:
            raise ValueError("min_armed cannot exceed min_staff")
        return self


class PostPublic(PostCreate):
    id: int


class ShiftTemplateCreate(_In):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[^\s/?#%\\]+$")
    name: str = Field(min_length=1, max_length=64)
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local")
    hours: int = Field(ge=1, le=24)
    night: bool | None = None


class ShiftTemplatePublic(ShiftTemplateCreate):
    id: int


class StandbyFloorCreate(_In):
    jurisdiction: CodeRef = Field(description="county code (one floor per county)")
    forces: list[Force] = Field(min_length=1, max_length=len(Force))
    min_share: float = Field(default=0.0, ge=0, le=1)
    min_count: int = Field(default=0, ge=0, le=100_000)


class StandbyFloorPublic(StandbyFloorCreate):
    id: int


class LabourRuleCreate(_In):
    code: str = Code
    kind: str = Field(min_length=1, max_length=32, description="e.g. min_rest, hours")
    body: dict[str, Any] = Field(
        max_length=16, description="the rule as in the scenario format's `rules`"
    )

    @model_validator(mode="after")
    def _valid_rule(self) -> LabourRuleCreate:
        from pydantic import TypeAdapter, ValidationError

        from optimizer.scenario import LabourRule

        try:
            rule = TypeAdapter(LabourRule).validate_python(
                {**self.body, "kind": self.kind, "id": self.code}
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(
                f"body: not a valid {self.kind} rule: {where}: {first['msg']}"
            ) from exc
        self.body = rule.model_dump(mode="json")
        return self


class LabourRulePublic(LabourRuleCreate):
    id: int


JurisdictionUpdate = partial(JurisdictionCreate, "JurisdictionUpdate")
UnitUpdate = partial(UnitCreate, "UnitUpdate")
PersonUpdate = partial(PersonCreate, "PersonUpdate")
ZoneUpdate = partial(ZoneCreate, "ZoneUpdate")
PostUpdate = partial(PostCreate, "PostUpdate")
ShiftTemplateUpdate = partial(ShiftTemplateCreate, "ShiftTemplateUpdate")
StandbyFloorUpdate = partial(StandbyFloorCreate, "StandbyFloorUpdate")
LabourRuleUpdate = partial(LabourRuleCreate, "LabourRuleUpdate")
