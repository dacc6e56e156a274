"""Drill resources as the API shows them: the catalogue, duties, venues, instructors,
blackouts and calendar days (references by code), and the bodies of the drill schedule,
publish, record and holiday-notice operations. Times are ISO 8601 with an offset."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    model_validator,
)

from api.schemas.common import (
    MAX_CODES,
    CodeList,
    CodeRef,
    Lat,
    Lon,
    NoteText,
    RequestModel,
    SkillName,
    Weight,
    partial,
)
from api.schemas.roster import Code, Name, _pair
from optimizer.drill_format import DrillKind, DrillSettings, SessionStatus
from optimizer.format_base import READY_FORCES
from optimizer.scenario import Force

Period = Literal["week", "month", "quarter", "half_year", "year"]
Weekday = Field(ge=0, le=6)
ListOfCodes = Field(max_length=MAX_CODES, description="codes")


FIRST_YEAR, LAST_YEAR = 1949, 2200


def in_range(value: dt.datetime) -> dt.datetime:
    """Times between 1949 and 2200 (and representable in UTC)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR or not 1 < value.astimezone(dt.UTC).year < 9999:
        raise ValueError(f"a time between {FIRST_YEAR} and {LAST_YEAR}")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(in_range)]
LOCAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _naive(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("a local wall-clock time, without an offset")
    return value


#: a local wall-clock time "HH:MM[:SS]" (JSON Schema's `time` format would need an offset)
LocalTime = Annotated[
    dt.time,
    AfterValidator(_naive),
    WithJsonSchema(
        {"type": "string", "pattern": LOCAL_TIME, "description": "local time HH:MM[:SS]"}
    ),
]


_In = RequestModel


def _unique(values: list[Any], name: str) -> None:
    if len(set(values)) != len(values):
        raise ValueError(f"{name}: a value is listed twice")


class DrillTypeCreate(_In):
    code: str = Code
    name: str = Name
    kind: DrillKind
    hours: int = Field(ge=1, le=12, description="duration; fits in one working day")
    forces: list[Force] = Field(
        default_factory=lambda: list(READY_FORCES), min_length=1, max_length=10
    )
    headcount: int | None = Field(default=None, ge=1, le=10_000, description="None = whole unit")
    min_attendance: float = Field(default=0.8, gt=0, le=1)
    venue_kind: str | None = Field(default=None, min_length=1, max_length=64)
    instructor_skill: SkillName | None = None
    whole_squad: bool = True
    renews: SkillName | None = None
    renews_days: int = Field(default=365, ge=1, le=3650)

    @model_validator(mode="after")
    def _forces(self) -> DrillTypeCreate:
        _unique(self.forces, "forces")
        return self


class DrillTypePublic(DrillTypeCreate):
    id: int


class DrillRequirementCreate(_In):
    code: str = Code
    drill_type: CodeRef = Field(description="drill type code")
    units: list[CodeRef] = Field(min_length=1, max_length=50, description="unit codes; >1 = joint")
    count: int = Field(default=1, ge=1, le=31, description="drills per period")
    per: Period = "month"
    min_gap_days: int = Field(default=0, ge=0, le=366)
    preferred_weekdays: list[int] = Field(default_factory=list, max_length=7)
    hard: bool = False
    weight: Weight = Field(default=1.0, le=1000)

    @model_validator(mode="after")
    def _lists(self) -> DrillRequirementCreate:
        _unique(self.units, "units")
        _unique(self.preferred_weekdays, "preferred_weekdays")
        if any(not 0 <= w <= 6 for w in self.preferred_weekdays):
            raise ValueError("preferred_weekdays: 0 (Monday) … 6 (Sunday)")
        return self


class DrillRequirementPublic(DrillRequirementCreate):
    id: int


class VenueCreate(_In):
    code: str = Code
    name: str = Name
    kind: str = Field(min_length=1, max_length=64, description="training_ground, range …")
    jurisdiction: CodeRef = Field(description="county (or city) code")
    capacity: int = Field(ge=1, le=100_000, description="people training at once")
    lon: Lon | None = None
    lat: Lat | None = None
    open_from: LocalTime = dt.time(8, 0)
    open_until: LocalTime = dt.time(18, 0)
    weekdays: list[int] = Field(default_factory=lambda: list(range(7)), max_length=7)

    @model_validator(mode="after")
    def _checks(self) -> VenueCreate:
        if self.open_until <= self.open_from:
            raise ValueError("open_until must be after open_from")
        _unique(self.weekdays, "weekdays")
        if any(not 0 <= w <= 6 for w in self.weekdays):
            raise ValueError("weekdays: 0 (Monday) … 6 (Sunday)")
        return _pair(self, "lon", "lat")


class VenuePublic(VenueCreate):
    id: int


class Away(_In):
    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _order(self) -> Away:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class InstructorCreate(_In):
    code: str = Code
    name: str = Name
    person: CodeRef | None = Field(default=None, description="badge, if on the roster")
    jurisdiction: CodeRef | None = Field(default=None, description="None = everywhere")
    skills: list[SkillName] = Field(min_length=1, max_length=50)
    unavailable: list[Away] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _skills(self) -> InstructorCreate:
        if any(not s or len(s) > 64 for s in self.skills):
            raise ValueError("skills: names of 1–64 characters")
        _unique(self.skills, "skills")
        return self


class InstructorPublic(InstructorCreate):
    id: int


class BlackoutCreate(_In):
    code: str = Code
    name: str = Name
    start_at: Instant
    end_at: Instant
    kinds: list[DrillKind] = Field(default_factory=list, max_length=10, description="[] = all")
    jurisdictions: CodeList = Field(default_factory=list, description="[] = all")

    @model_validator(mode="after")
    def _checks(self) -> BlackoutCreate:
        if self.end_at <= self.start_at:
            raise ValueError("end_at must be after start_at")
        _unique(self.kinds, "kinds")
        _unique(self.jurisdictions, "jurisdictions")
        return self


class BlackoutPublic(BlackoutCreate):
    id: int


class CalendarDayCreate(_In):
    date: dt.date
    working: bool = Field(description="false = holiday, true = adjusted working day (调休)")
    name: str = Field(default="", max_length=64)


class CalendarDayPublic(CalendarDayCreate):
    id: int


DrillTypeUpdate = partial(DrillTypeCreate, "DrillTypeUpdate")
DrillRequirementUpdate = partial(DrillRequirementCreate, "DrillRequirementUpdate")
VenueUpdate = partial(VenueCreate, "VenueUpdate")
InstructorUpdate = partial(InstructorCreate, "InstructorUpdate")
BlackoutUpdate = partial(BlackoutCreate, "BlackoutUpdate")
CalendarDayUpdate = partial(CalendarDayCreate, "CalendarDayUpdate")


# --- operations -----------------------------------------------------------------------


class HolidayNotice(_In):
    """The State Council's holiday notice of one year: holidays and adjusted working days."""

    days: list[CalendarDayCreate] = Field(max_length=366)


class HolidayNoticePublic(BaseModel):
    year: int
    days: list[CalendarDayCreate]


class SessionPublic(BaseModel):
    id: str = Field(description="stable session id (the iCalendar UID derives from it)")
    occurrence: str = Field(description="the duty it fulfils, e.g. R1/2026-12/2")
    requirement: str
    drill_type: str
    units: list[str]
    start: dt.datetime
    end: dt.datetime
    venue: str | None
    instructor: str | None
    participants: int
    status: SessionStatus
    note: str
    schedule_id: int | None
    revision: int
    updated_at: dt.datetime
    updated_by: str


class RecordSession(_In):
    session: str = Field(min_length=1, max_length=128, description="session id")
    status: Literal["done", "missed", "cancelled"]
    note: NoteText | None = Field(default=None, max_length=256)


class DrillSchedulePublic(BaseModel):
    id: int
    name: str
    start: dt.date
    days: int
    county: str | None
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    revision: int | None
    created_at: dt.datetime
    created_by: str
    published_at: dt.datetime | None
    published_by: str


class DrillScheduleDetail(DrillSchedulePublic):
    summary: dict[str, Any] = Field(description="shortfalls, conflicts, warnings, terms")
    sessions: list[dict[str, Any]] = Field(description="the proposed sessions (local times)")


class PublishResult(BaseModel):
    schedule_id: int
    revision: int
    added: list[str]
    moved: list[str]
    unchanged: list[str]
    cancelled: list[str]


class ReminderPublic(BaseModel):
    id: int
    at: dt.datetime
    unit: str
    day: dt.date = Field(description="the morning the reminder was made (local)")
    days: int = Field(description="days ahead it covers")
    sessions: list[dict[str, Any]]


def _with_local_times(model: type[BaseModel], name: str) -> type[BaseModel]:
    """`model` with its times as `LocalTime` (and unknown fields refused): the same fields as
    the scenario format's, documented so that a generated client sends valid times."""
    fields: dict[str, Any] = {}
    for key, info in model.model_fields.items():
        kind: Any = info.annotation
        if kind is dt.time:
            kind = LocalTime
        elif kind == list[dt.time]:
            kind = list[LocalTime]
        fields[key] = (kind, info)
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid", allow_inf_nan=False),
        __doc__=model.__doc__,
        **fields,
    )


DrillSettingsBody = _with_local_times(DrillSettings, "DrillSettingsBody")
