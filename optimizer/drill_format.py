"""The drill section of a scenario (`scenario.drills`): the drill catalogue, how often each
unit must drill, venues, instructors, blackout periods, the official holiday notice, and the
drills already scheduled, done, missed or cancelled.

Times are local wall-clock times in the scenario's time zone (naive `datetime`s are read in
it). A session's `occurrence` names the duty it fulfils ("R-LF-1/2026-12/2": the second
live-fire drill of December for requirement R-LF-1); a done session fulfils it, a missed or
cancelled one leaves it due again.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from optimizer.format_base import READY_FORCES, Force, Item, LonLat


class DrillKind(StrEnum):
    COUNTER_TERROR = "counter_terror"  # 反恐处突
    MASS_INCIDENT = "mass_incident"  # 群体性事件处置
    FLOOD_RESCUE = "flood_rescue"  # 防汛抢险
    FIRE = "fire"  # 消防
    LIVE_FIRE = "live_fire"  # 实弹射击
    FIRST_AID = "first_aid"  # 急救
    JOINT = "joint"  # 联合演练
    OTHER = "other"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


Period = Literal["week", "month", "quarter", "half_year", "year"]


class DrillType(Item):
    """One entry of the drill catalogue."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: DrillKind
    hours: int = Field(ge=1, le=12, description="duration; a drill fits in one working day")
    forces: list[Force] = Field(
        default_factory=lambda: list(READY_FORCES), description="forces that take part"
    )
    headcount: int | None = Field(
        default=None, ge=1, description="people per session; None = every member of the unit"
    )
    min_attendance: float = Field(
        default=0.8, gt=0, le=1, description="share of the participants that must be free"
    )
    venue_kind: str | None = Field(
        default=None, description="e.g. training_ground, range, river_site; None = no venue"
    )
    instructor_skill: str | None = Field(
        default=None, description="skill an instructor needs; None = no instructor"
    )
    whole_squad: bool = Field(default=True, description="the unit attends as a whole")
    renews: str | None = Field(
        default=None, description="certification skill a completed drill renews"
    )
    renews_days: int = Field(default=365, ge=1, description="validity of the renewed skill")


class DrillRequirement(Item):
    """How often a unit (or several units together: a joint drill) must run a drill."""

    id: str = Field(min_length=1)
    drill_type_id: str
    unit_ids: list[str] = Field(min_length=1, description="more than one = a joint drill")
    count: int = Field(default=1, ge=1, le=31, description="drills per period")
    per: Period = "month"
    min_gap_days: int = Field(default=0, ge=0, description="between two drills of this duty")
    preferred_weekdays: list[int] = Field(
        default_factory=list, description="0 = Monday … 6 = Sunday; [] = no preference"
    )
    hard: bool = Field(default=False, description="must be met: an unmet one is a conflict")
    weight: float = Field(default=1.0, ge=0, description="importance of meeting it")


class Venue(Item):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    jurisdiction_id: str = Field(description="the county (or city) whose units use it")
    location: LonLat | None = None
    capacity: int = Field(ge=1, description="people training at once")
    open_from: dt.time = dt.time(8, 0)
    open_until: dt.time = dt.time(18, 0)
    weekdays: list[int] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4, 5, 6], description="days it opens, 0 = Monday"
    )


class Instructor(Item):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    person_id: str | None = Field(default=None, description="the roster person, if one")
    skills: list[str] = Field(min_length=1)
    jurisdiction_id: str | None = Field(
        default=None, description="county (or city) they teach in; None = everywhere"
    )
    unavailable: list[tuple[dt.datetime, dt.datetime]] = Field(default_factory=list)


class Blackout(Item):
    """A period without drills (major-event security 重大活动安保, flood season …)."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    start: dt.datetime
    end: dt.datetime
    kinds: list[DrillKind] = Field(default_factory=list, description="[] = every kind")
    jurisdiction_ids: list[str] = Field(default_factory=list, description="[] = everywhere")


class CalendarDay(Item):
    """One day of the State Council's holiday notice: a holiday, or an adjusted working day
    (调休) that falls on a weekend."""

    date: dt.date
    working: bool
    name: str = ""


class DrillSession(Item):
    id: str = Field(min_length=1, description="stable: the iCalendar UID is derived from it")
    occurrence: str = Field(min_length=1, description="the duty it fulfils")
    requirement_id: str
    drill_type_id: str
    unit_ids: list[str] = Field(min_length=1)
    start: dt.datetime
    end: dt.datetime
    venue_id: str | None = None
    instructor_id: str | None = None
    participants: int = Field(default=0, ge=0)
    status: SessionStatus = SessionStatus.SCHEDULED
    note: str = ""


class DrillWeights(Item):
    """Objective weights of the drill schedule (per drill unless noted)."""

    unmet: float = Field(default=1_000, ge=0, description="per drill not scheduled × its weight")
    spread: float = Field(
        default=2, ge=0, description="per day away from the evenly spread date, past tolerance"
    )
    preference: float = Field(default=20, ge=0, description="per drill on a non-preferred day")
    change: float = Field(default=50, ge=0, description="re-scheduling: per moved drill")
    lapse: float = Field(
        default=5,
        ge=0,
        description="per participant and day a certificate the drill renews has lapsed",
    )


class DrillSettings(Item):
    working_from: dt.time = dt.time(8, 0)
    working_until: dt.time = dt.time(18, 0)
    start_times: list[dt.time] = Field(
        default_factory=lambda: [dt.time(8, 0), dt.time(14, 0)],
        max_length=48,
        description="times a drill may start (a half-day grid by default)",
    )
    working_days_only: bool = Field(
        default=True, description="no drills on weekends and public holidays"
    )
    spread_tolerance: float = Field(
        default=0.25, ge=0, le=1, description="share of the even spacing that costs nothing"
    )
    weights: DrillWeights = Field(default_factory=DrillWeights)


class DrillSetup(Item):
    types: list[DrillType] = Field(default_factory=list)
    requirements: list[DrillRequirement] = Field(default_factory=list)
    venues: list[Venue] = Field(default_factory=list)
    instructors: list[Instructor] = Field(default_factory=list)
    blackouts: list[Blackout] = Field(default_factory=list)
    calendar: list[CalendarDay] = Field(
        default_factory=list, description="the official holiday notice, loaded by an admin"
    )
    sessions: list[DrillSession] = Field(
        default_factory=list, description="scheduled (published) and past drills"
    )
    settings: DrillSettings = Field(default_factory=DrillSettings)

    @model_validator(mode="after")
    def _times(self) -> DrillSetup:
        s = self.settings
        if s.working_until <= s.working_from:
            raise ValueError("settings.working_until must be after working_from")
        return self


def check_drill_references(
    d: DrillSetup, units: set[str], people: set[str], jurisdictions: set[str]
) -> list[str]:
    """Unknown or duplicate ids and impossible values in the drill section, by field path."""
    problems: list[str] = []
    for kind in ("types", "requirements", "venues", "instructors", "blackouts", "sessions"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(d, kind)):
            if item.id in seen:
                problems.append(f"drills.{kind}[{i}].id: duplicate id '{item.id}'")
            seen.add(item.id)
    types = {t.id: t for t in d.types}
    reqs = {r.id for r in d.requirements}
    venues = {v.id for v in d.venues}
    instructors = {i.id for i in d.instructors}
    venue_kinds = {v.kind for v in d.venues}
    skills = {s for i in d.instructors for s in i.skills}
    working_hours = _hours(d.settings.working_from, d.settings.working_until)

    def need(known: set[str] | dict[str, object], value: str | None, path: str, what: str) -> None:
        if value is not None and value not in known:
            problems.append(f"{path}: unknown {what} '{value}'")

    for i, t in enumerate(d.types):
        p = f"drills.types[{i}]"
        if t.hours > working_hours:
            problems.append(f"{p}.hours: {t.hours} h does not fit the {working_hours} h day")
        if t.venue_kind is not None and t.venue_kind not in venue_kinds:
            problems.append(f"{p}.venue_kind: no venue of kind '{t.venue_kind}'")
        if t.instructor_skill is not None and t.instructor_skill not in skills:
            problems.append(f"{p}.instructor_skill: no instructor has '{t.instructor_skill}'")
        if not t.forces:
            problems.append(f"{p}.forces: at least one force takes part")
    for i, r in enumerate(d.requirements):
        p = f"drills.requirements[{i}]"
        need(types, r.drill_type_id, f"{p}.drill_type_id", "drill type")
        for u in r.unit_ids:
            need(units, u, f"{p}.unit_ids", "unit")
        if len(set(r.unit_ids)) != len(r.unit_ids):
            problems.append(f"{p}.unit_ids: a unit is listed twice")
        if any(not 0 <= w <= 6 for w in r.preferred_weekdays):
            problems.append(f"{p}.preferred_weekdays: weekdays are 0 (Monday) … 6 (Sunday)")
    for i, v in enumerate(d.venues):
        p = f"drills.venues[{i}]"
        need(jurisdictions, v.jurisdiction_id, f"{p}.jurisdiction_id", "jurisdiction")
        if v.open_until <= v.open_from:
            problems.append(f"{p}.open_until: must be after open_from")
        if any(not 0 <= w <= 6 for w in v.weekdays):
            problems.append(f"{p}.weekdays: weekdays are 0 (Monday) … 6 (Sunday)")
    for i, ins in enumerate(d.instructors):
        p = f"drills.instructors[{i}]"
        need(people, ins.person_id, f"{p}.person_id", "person")
        need(jurisdictions, ins.jurisdiction_id, f"{p}.jurisdiction_id", "jurisdiction")
        for k, (a, b) in enumerate(ins.unavailable):
            if b <= a:
                problems.append(f"{p}.unavailable[{k}]: end must be after start")
    for i, b in enumerate(d.blackouts):
        p = f"drills.blackouts[{i}]"
        if b.end <= b.start:
            problems.append(f"{p}.end: must be after start")
        for j in b.jurisdiction_ids:
            need(jurisdictions, j, f"{p}.jurisdiction_ids", "jurisdiction")
    days: set[dt.date] = set()
    for i, c in enumerate(d.calendar):
        if c.date in days:
            problems.append(f"drills.calendar[{i}].date: {c.date} listed twice")
        days.add(c.date)
    for i, s in enumerate(d.sessions):
        p = f"drills.sessions[{i}]"
        need(reqs, s.requirement_id, f"{p}.requirement_id", "requirement")
        need(types, s.drill_type_id, f"{p}.drill_type_id", "drill type")
        need(venues, s.venue_id, f"{p}.venue_id", "venue")
        need(instructors, s.instructor_id, f"{p}.instructor_id", "instructor")
        for u in s.unit_ids:
            need(units, u, f"{p}.unit_ids", "unit")
        if s.end <= s.start:
            problems.append(f"{p}.end: must be after start")
    return problems


def _hours(a: dt.time, b: dt.time) -> int:
    return (b.hour * 60 + b.minute - a.hour * 60 - a.minute) // 60
