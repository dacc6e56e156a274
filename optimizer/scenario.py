"""The planning-problem format every part of pingan reads: one complete scenario (people,
units, posts, zones, shifts, labour rules, horizon, locations or a travel-time matrix,
incidents), versioned and described by a JSON Schema kept in `optimizer/schema/`.

Ids are the strings users know (badge numbers, post codes), never database row ids.
Coordinates are `[lon, lat]` in WGS84 (RFC 7946 order); geometries are GeoJSON geometry
objects. Local times are in the scenario's `timezone` (Asia/Shanghai by default).

Loading validates in two steps: the JSON Schema (shape and types, via `jsonschema`), then the
cross-references (unknown or duplicate ids). Either failure raises `ScenarioError` naming the
field, e.g. ``people[3].unit_id: unknown unit 'XT-09'``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from optimizer.drill_format import DrillSetup, check_drill_references
from optimizer.finite_json import NonFiniteNumber, all_finite, loads_finite
from optimizer.format_base import (
    MAX_NEEDED_SKILLS,
    READY_FORCES,
    SWORN_FORCES,
    Force,
    Item,
    LonLat,
    SkillCounts,
    SkillName,
)

_Item = Item

SCENARIO_FORMAT = "pingan-scenario"
SCENARIO_VERSION = "1.2"
#: 1.1 added the `drills` section; a 1.0 file is a valid 1.1 file without it.
#: 1.2 added per day/shift armed and skilled counts on covers (`Cover.armed`, `Cover.skills`),
#: covers on standby floors (`target_id` a county with a floor), a cover that sets only some
#: counts (`Cover.required` optional) and skills required of everyone on a post
#: (`Post.required_skills`); a 1.0 or 1.1 file is a valid 1.2 file without them.
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
SCHEMA_PATH = Path(__file__).parent / "schema" / f"scenario-{SCENARIO_VERSION}.schema.json"


class ScenarioError(ValueError):
    """A scenario that cannot be used: every problem is listed with its field path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"invalid scenario: {shown}{more}")


class Level(StrEnum):
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


LEVEL_ORDER: dict[Level, int] = {lvl: i for i, lvl in enumerate(Level)}


class PostKind(StrEnum):
    CHECKPOINT = "checkpoint"
    ARMED_CHECKPOINT = "armed_checkpoint"
    KIOSK = "kiosk"
    STANDBY_POINT = "standby_point"


class AbsenceKind(StrEnum):
    LEAVE = "leave"
    SICK = "sick"
    TRAINING = "training"
    SECONDMENT = "secondment"
    DRILL = "drill"
    OTHER = "other"


class TaskKind(StrEnum):
    POST = "post"
    ZONE = "zone"
    STANDBY = "standby"


class Horizon(_Item):
    start: dt.date = Field(description="first day of the plan (local date)")
    days: int = Field(ge=1, le=366, description="number of days planned")

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]


class Jurisdiction(_Item):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    level: Level
    parent_id: str | None = None
    population: int = Field(default=0, ge=0)
    migrants: int = Field(default=0, ge=0, description="registered migrant population")
    urban: bool = False
    centroid: LonLat | None = None
    boundary: dict[str, Any] | None = Field(default=None, description="GeoJSON geometry")


class Unit(_Item):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    force: Force
    jurisdiction_id: str
    parent_id: str | None = Field(default=None, description="the unit a squad belongs to")
    squad: bool = Field(default=False, description="works as a squad that may be assigned whole")
    base: LonLat | None = None
    phone: str = ""


class Certification(_Item):
    skill: str = Field(min_length=1, description="e.g. riot_control, water_rescue, first_aid")
    expires: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.expires is None or self.expires >= day


class Person(_Item):
    id: str = Field(min_length=1, description="badge or ID number")
    name: str = Field(min_length=1)
    force: Force
    unit_id: str | None = None
    jurisdiction_id: str = Field(description="home jurisdiction")
    role: str = "member"
    rank: str = ""
    armed: bool = Field(default=False, description="armed qualification (持枪资格)")
    skills: list[Certification] = Field(default_factory=list)
    home: LonLat | None = None
    phone: str = ""

    def has_skill(self, skill: str, day: dt.date) -> bool:
        return any(c.skill == skill and c.valid_on(day) for c in self.skills)


class Vehicle(_Item):
    id: str = Field(min_length=1)
    kind: str = "patrol_car"
    unit_id: str
    seats: int = Field(default=4, ge=1)


class Absence(_Item):
    person_id: str
    start: dt.datetime
    end: dt.datetime
    kind: AbsenceKind = AbsenceKind.LEAVE
    note: str = ""


class ShiftTemplate(_Item):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    start: dt.time = Field(description="local start time, HH:MM")
    hours: int = Field(ge=1, le=24)
    night: bool | None = Field(
        default=None, description="counts as a night shift; default: covers any of 00:00–06:00"
    )

    def is_night(self) -> bool:
        if self.night is not None:
            return self.night
        start = self.start.hour + self.start.minute / 60
        end = start + self.hours
        return start < 6 or end > 24

    def interval(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        begin = dt.datetime.combine(day, self.start)
        return begin, begin + dt.timedelta(hours=self.hours)


class Post(_Item):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: PostKind
    jurisdiction_id: str
    location: LonLat
    hours: list[tuple[int, int]] = Field(
        default_factory=lambda: [(0, 24)],
        description="daily manned windows [start_hour, end_hour) local; [[0, 24]] = 24 hours",
    )
    min_staff: int = Field(default=1, ge=1)
    min_armed: int = Field(default=0, ge=0)
    skills: dict[str, int] = Field(default_factory=dict, description="skill → people needed")
    required_skills: list[SkillName] = Field(
        default_factory=list,
        max_length=MAX_NEEDED_SKILLS,
        description="skills everyone on the post must hold, with a certificate valid that day "
        "(e.g. a dog handler's post); counted skills (`skills`) only ask for some (1.2)",
    )
    forces: list[Force] = Field(default_factory=lambda: list(SWORN_FORCES))

    @field_validator("hours")
    @classmethod
    def _hours_in_day(cls, value: list[tuple[int, int]]) -> list[tuple[int, int]]:
        for start, end in value:
            if not 0 <= start < end <= 24:
                raise ValueError(f"window [{start}, {end}) is not within 0–24 h")
        return value

    def manned_at(self, hour: int) -> bool:
        return any(start <= hour % 24 < end for start, end in self.hours)


class Zone(_Item):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    jurisdiction_id: str
    geometry: dict[str, Any] | None = Field(default=None, description="GeoJSON geometry")
    centroid: LonLat | None = None
    risk: list[list[float]] = Field(
        description="7×24 risk profile: risk[weekday][hour], weekday 0 = Monday, values ≥ 0"
    )
    min_presence: int = Field(default=0, ge=0, description="people on patrol at every hour")
    forces: list[Force] = Field(default_factory=lambda: list(Force))

    @field_validator("risk")
    @classmethod
    def _risk_shape(cls, value: list[list[float]]) -> list[list[float]]:
        if len(value) != 7 or any(len(row) != 24 for row in value):
            raise ValueError("risk must be 7 rows (Monday…Sunday) of 24 hourly values")
        if any(v < 0 for row in value for v in row):
            raise ValueError("risk values must be ≥ 0")
        return value


class StandbyFloor(_Item):
    """备勤: at every hour at least max(min_count, ceil(min_share × strength)) of these forces
    of this county are on standby, not on posts or patrol."""

    jurisdiction_id: str
    forces: list[Force] = Field(default_factory=lambda: list(READY_FORCES))
    min_share: float = Field(default=0.0, ge=0, le=1)
    min_count: int = Field(default=0, ge=0)


class Selector(_Item):
    """Whom a rule applies to: the union of the lists; all empty = everyone."""

    people: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    forces: list[Force] = Field(default_factory=list)
    jurisdictions: list[str] = Field(default_factory=list)

    def is_everyone(self) -> bool:
        return not (self.people or self.units or self.forces or self.jurisdictions)


class _Rule(_Item):
    id: str = Field(min_length=1)
    name: str = ""
    applies_to: Selector = Field(default_factory=Selector)
    hard: bool = True
    weight: float = Field(default=1.0, ge=0, description="penalty per unit of violation if soft")


class ShiftCountRule(_Rule):
    kind: Literal["shift_count"] = "shift_count"
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    shift_ids: list[str] = Field(default_factory=list, description="count only these; [] = all")


class HoursRule(_Rule):
    kind: Literal["hours"] = "hours"
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class ConsecutiveWorkRule(_Rule):
    kind: Literal["consecutive_work_days"] = "consecutive_work_days"
    min: int | None = Field(default=None, ge=1)
    max: int | None = Field(default=None, ge=1)


class ConsecutiveOffRule(_Rule):
    kind: Literal["consecutive_days_off"] = "consecutive_days_off"
    min: int = Field(ge=1)


class WeekendRule(_Rule):
    kind: Literal["weekends"] = "weekends"
    max: int = Field(ge=0)


class MinRestRule(_Rule):
    kind: Literal["min_rest"] = "min_rest"
    hours: int = Field(ge=0, le=48)


class ForbiddenSuccessionRule(_Rule):
    kind: Literal["forbidden_succession"] = "forbidden_succession"
    first: str = Field(description="shift id worked on day d")
    then: str = Field(description="shift id that may not follow on day d+1")


class DaysOffRule(_Rule):
    kind: Literal["days_off"] = "days_off"
    dates: list[dt.date] = Field(default_factory=list)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list)


LabourRule = Annotated[
    ShiftCountRule
    | HoursRule
    | ConsecutiveWorkRule
    | ConsecutiveOffRule
    | WeekendRule
    | MinRestRule
    | ForbiddenSuccessionRule
    | DaysOffRule,
    Field(discriminator="kind"),
]


class ShiftRequest(_Item):
    """A wish to work (on=True) or not (on=False) a shift (or any shift when shift_id is None)."""

    person_id: str
    date: dt.date
    shift_id: str | None = None
    on: bool = False
    weight: float = Field(default=1.0, ge=0)


class Cover(_Item):
    """An explicit cover requirement overriding a post's, zone's or standby floor's default
    for some days and shifts. Each count it gives replaces the default for the days and
    shifts it matches (the last matching cover that gives a count wins); counts it leaves out
    keep the default. A cover on a standby floor (`target_id` the county id) sets the
    floor's count for those shifts: nights and holidays can ask for more."""

    target_id: str = Field(description="post id, zone id, or the county id of a standby floor")
    date: dt.date | None = Field(default=None, description="None = every day")
    shift_id: str | None = Field(default=None, description="None = every shift")
    required: int | None = Field(
        default=None, ge=0, description="people needed; None = the default (1.2: optional)"
    )
    armed: int | None = Field(
        default=None, ge=0, le=10_000, description="armed officers among them (1.2)"
    )
    skills: SkillCounts | None = Field(
        default=None, description="skill → people needed among them, replacing the default (1.2)"
    )
    under_weight: float | None = Field(default=None, ge=0)
    over_weight: float = Field(default=0.0, ge=0)


class Weights(_Item):
    """Objective weights (per person-shift unless noted). Larger = more important."""

    unmet_post_cover: float = Field(default=10_000, ge=0, description="per missing person-shift")
    unmet_armed: float = Field(default=10_000, ge=0, description="per missing armed person-shift")
    unmet_skill: float = Field(default=5_000, ge=0, description="per missing skilled person-shift")
    unmet_zone_presence: float = Field(default=5_000, ge=0, description="per missing person-shift")
    unmet_standby: float = Field(
        default=8_000, ge=0, description="per missing standby person-shift"
    )
    risk_uncovered: float = Field(
        default=100, ge=0, description="per unit of risk left unpatrolled"
    )
    fairness_nights: float = Field(default=20, ge=0, description="per night above the fair share")
    fairness_weekends: float = Field(default=20, ge=0, description="per weekend shift above share")
    fairness_hours: float = Field(default=2, ge=0, description="per hour above the fair share")
    travel: float = Field(default=0.5, ge=0, description="per minute from home base")
    preferences: float = Field(default=10, ge=0, description="× the request's own weight")
    continuity: float = Field(default=1, ge=0, description="per change of zone for a person")
    change: float = Field(default=50, ge=0, description="re-planning: per changed assignment")


class PlanningOptions(_Item):
    patrol_within_jurisdiction: bool = Field(
        default=True, description="people patrol and man posts only inside their own county"
    )
    volunteers_stay_in_village: bool = True
    squads_whole: list[Force] = Field(
        default_factory=list, description="forces whose squads are assigned as a whole"
    )
    max_patrol_per_zone: int | None = Field(default=None, ge=1)


class TravelMatrix(_Item):
    ids: list[str] = Field(description="row/column ids: person, unit, post or zone ids")
    minutes: list[list[float]]


class TravelSpec(_Item):
    model: Literal["great_circle", "matrix", "osrm"] = "great_circle"
    matrix: TravelMatrix | None = None


class IncidentNeeds(_Item):
    headcount: int = Field(default=1, ge=0, le=10_000)
    armed: int = Field(default=0, ge=0, le=10_000)
    skills: SkillCounts = Field(default_factory=dict)
    vehicles: int = Field(default=0, ge=0, le=1_000)


class Incident(_Item):
    id: str = Field(min_length=1)
    reported_at: dt.datetime
    location: LonLat
    kind: str = Field(description="e.g. mass_incident, violent, terror, fire, flood, traffic")
    severity: int = Field(default=2, ge=1, le=4, description="1 minor … 4 major")
    jurisdiction_id: str | None = None
    needs: IncidentNeeds = Field(default_factory=IncidentNeeds)


class Assignment(_Item):
    """One person on one shift of one day doing one task (a post, a zone, or standby)."""

    person_id: str
    date: dt.date
    shift_id: str
    task: TaskKind
    target_id: str = Field(description="post id, zone id, or the county id for standby")


class Scenario(_Item):
    format: Literal["pingan-scenario"] = SCENARIO_FORMAT
    version: str = SCENARIO_VERSION
    name: str = "scenario"
    timezone: str = "Asia/Shanghai"
    horizon: Horizon
    jurisdictions: list[Jurisdiction] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    vehicles: list[Vehicle] = Field(default_factory=list)
    absences: list[Absence] = Field(default_factory=list)
    shifts: list[ShiftTemplate] = Field(default_factory=list)
    posts: list[Post] = Field(default_factory=list)
    zones: list[Zone] = Field(default_factory=list)
    standby: list[StandbyFloor] = Field(default_factory=list)
    rules: list[LabourRule] = Field(default_factory=list)
    requests: list[ShiftRequest] = Field(default_factory=list)
    covers: list[Cover] = Field(default_factory=list)
    options: PlanningOptions = Field(default_factory=PlanningOptions)
    weights: Weights = Field(default_factory=Weights)
    travel: TravelSpec = Field(default_factory=TravelSpec)
    incidents: list[Incident] = Field(default_factory=list)
    published_plan: list[Assignment] = Field(
        default_factory=list, description="the plan already published, for re-planning"
    )
    drills: DrillSetup = Field(
        default_factory=DrillSetup, description="drill catalogue, duties, venues (1.1)"
    )

    # --- lookups -------------------------------------------------------------------------
    def by_id(self, kind: str) -> dict[str, Any]:
        return {item.id: item for item in getattr(self, kind)}

    def county_of(self, jurisdiction_id: str) -> str | None:
        """The county/district that contains a jurisdiction (itself if it is one)."""
        return self.ancestor_at(jurisdiction_id, Level.COUNTY)

    def ancestor_at(self, jurisdiction_id: str, level: Level) -> str | None:
        index = self.by_id("jurisdictions")
        node = index.get(jurisdiction_id)
        while node is not None:
            if node.level == level:
                return node.id
            if LEVEL_ORDER[node.level] < LEVEL_ORDER[level]:
                return None
            node = index.get(node.parent_id) if node.parent_id else None
        return None


# --- cross-reference checks -------------------------------------------------------------


def _duplicates(kind: str, ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for i, item_id in enumerate(ids):
        if item_id in seen:
            problems.append(f"{kind}[{i}].id: duplicate id '{item_id}'")
        seen.add(item_id)
    return problems


def check_references(scenario: Scenario) -> list[str]:
    """Every unknown or duplicate id in the scenario, with its field path."""
    s = scenario
    problems: list[str] = []
    for kind in (
        "jurisdictions",
        "units",
        "people",
        "vehicles",
        "shifts",
        "posts",
        "zones",
        "rules",
        "incidents",
    ):
        problems += _duplicates(kind, (item.id for item in getattr(s, kind)))
    jur = {j.id for j in s.jurisdictions}
    units = {u.id for u in s.units}
    people = {p.id for p in s.people}
    shifts = {t.id for t in s.shifts}
    targets = {p.id for p in s.posts} | {z.id for z in s.zones}
    floors = {f.jurisdiction_id for f in s.standby}

    def need(known: set[str], value: str | None, path: str, what: str) -> None:
        if value is not None and value not in known:
            problems.append(f"{path}: unknown {what} '{value}'")

    for i, j in enumerate(s.jurisdictions):
        need(jur, j.parent_id, f"jurisdictions[{i}].parent_id", "jurisdiction")
    for i, u in enumerate(s.units):
        need(jur, u.jurisdiction_id, f"units[{i}].jurisdiction_id", "jurisdiction")
        need(units, u.parent_id, f"units[{i}].parent_id", "unit")
    for i, p in enumerate(s.people):
        need(units, p.unit_id, f"people[{i}].unit_id", "unit")
        need(jur, p.jurisdiction_id, f"people[{i}].jurisdiction_id", "jurisdiction")
    for i, v in enumerate(s.vehicles):
        need(units, v.unit_id, f"vehicles[{i}].unit_id", "unit")
    for i, a in enumerate(s.absences):
        need(people, a.person_id, f"absences[{i}].person_id", "person")
        if a.end <= a.start:
            problems.append(f"absences[{i}].end: must be after start")
    for kind in ("posts", "zones"):
        for i, item in enumerate(getattr(s, kind)):
            need(jur, item.jurisdiction_id, f"{kind}[{i}].jurisdiction_id", "jurisdiction")
    for i, post in enumerate(s.posts):
        if post.min_armed > post.min_staff:
            problems.append(f"posts[{i}].min_armed: {post.min_armed} exceeds min_staff")
    for i, f in enumerate(s.standby):
        need(jur, f.jurisdiction_id, f"standby[{i}].jurisdiction_id", "jurisdiction")
    for i, rule in enumerate(s.rules):
        sel = rule.applies_to
        for p in sel.people:
            need(people, p, f"rules[{i}].applies_to.people", "person")
        for u in sel.units:
            need(units, u, f"rules[{i}].applies_to.units", "unit")
        for j in sel.jurisdictions:
            need(jur, j, f"rules[{i}].applies_to.jurisdictions", "jurisdiction")
        if isinstance(rule, ShiftCountRule):
            for t in rule.shift_ids:
                need(shifts, t, f"rules[{i}].shift_ids", "shift")
        if isinstance(rule, ForbiddenSuccessionRule):
            need(shifts, rule.first, f"rules[{i}].first", "shift")
            need(shifts, rule.then, f"rules[{i}].then", "shift")
        lo, hi = getattr(rule, "min", None), getattr(rule, "max", None)
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"rules[{i}].min: {lo} exceeds max {hi}")
    for i, r in enumerate(s.requests):
        need(people, r.person_id, f"requests[{i}].person_id", "person")
        need(shifts, r.shift_id, f"requests[{i}].shift_id", "shift")
    problems += _cover_problems(s, targets, floors, shifts)
    for i, inc in enumerate(s.incidents):
        need(jur, inc.jurisdiction_id, f"incidents[{i}].jurisdiction_id", "jurisdiction")
    for i, a in enumerate(s.published_plan):
        need(people, a.person_id, f"published_plan[{i}].person_id", "person")
        need(shifts, a.shift_id, f"published_plan[{i}].shift_id", "shift")
    problems += check_drill_references(s.drills, units, people, jur)
    if s.travel.model == "matrix":
        m = s.travel.matrix
        if m is None:
            problems.append("travel.matrix: required when travel.model is 'matrix'")
        elif len(m.minutes) != len(m.ids) or any(len(r) != len(m.ids) for r in m.minutes):
            problems.append(f"travel.matrix.minutes: must be {len(m.ids)}×{len(m.ids)}")
    return problems


def _cover_problems(
    s: Scenario, targets: set[str], floors: set[str], shifts: set[str]
) -> list[str]:
    """Unknown targets and shifts of covers, and counts that cannot hold together."""
    problems: list[str] = []
    posts = s.by_id("posts")
    for i, c in enumerate(s.covers):
        path = f"covers[{i}]"
        if c.target_id in targets and c.target_id in floors:
            problems.append(
                f"{path}.target_id: '{c.target_id}' is both a post or zone and a standby county"
            )
        elif c.target_id not in targets | floors:
            problems.append(
                f"{path}.target_id: unknown post, zone or standby county '{c.target_id}'"
            )
        if c.shift_id is not None and c.shift_id not in shifts:
            problems.append(f"{path}.shift_id: unknown shift '{c.shift_id}'")
        if c.required is None and c.armed is None and c.skills is None:
            problems.append(f"{path}: a cover gives at least one of required, armed, skills")
        post = posts.get(c.target_id)
        staff = c.required
        if staff is None and post is not None:
            staff = post.min_staff
        # (a zone's patrol target follows its risk, a floor's its strength: no default to
        # check against)
        if staff is not None and c.armed is not None and c.armed > staff:
            problems.append(f"{path}.armed: {c.armed} exceeds the {staff} people required")
        for skill, n in (c.skills or {}).items():
            if staff is not None and n > staff:
                problems.append(f"{path}.skills.{skill}: {n} exceeds the {staff} people required")
    return problems


# --- schema, load, dump -----------------------------------------------------------------


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of the current version, generated from the models."""
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://pingan.local/schema/scenario-{SCENARIO_VERSION}.schema.json"
    schema["title"] = f"pingan scenario {SCENARIO_VERSION}"
    return schema


def _committed_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_problems(data: Any) -> list[str]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(_committed_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = []
    for error in errors:
        problems += [f"{_path(e.absolute_path)}: {e.message}" for e in _union_errors(error)]
    return problems


def _union_errors(error: Any) -> list[Any]:
    """For a tagged union (the labour rules), report the errors of the branch whose `kind`
    matches; when no branch matches, say the kind is unknown."""
    if not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    kind_miss = {
        b
        for b, errs in branches.items()
        if any(e.validator == "const" and list(e.path)[-1:] == ["kind"] for e in errs)
    }
    matching = [errs for b, errs in branches.items() if b not in kind_miss]
    if matching:
        return min(matching, key=len)
    if kind_miss and isinstance(error.instance, dict):
        kinds = sorted(
            {
                e.validator_value
                for errs in branches.values()
                for e in errs
                if e.validator == "const"
            }
        )
        error.message = f"unknown kind {error.instance.get('kind')!r} (expected one of {kinds})"
        error.path.append("kind")
        return [error]
    return [max(error.context, key=lambda e: len(e.absolute_path))]


def parse_scenario(data: Any) -> Scenario:
    """Validate a decoded JSON document and return the scenario, or raise ScenarioError."""
    if not isinstance(data, dict):
        raise ScenarioError(["(top level): a scenario is a JSON object"])
    if data.get("format") != SCENARIO_FORMAT:
        raise ScenarioError([f"format: expected '{SCENARIO_FORMAT}', got {data.get('format')!r}"])
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise ScenarioError(
            [
                f"version: unsupported scenario version {version!r} "
                f"(this pingan reads {', '.join(SUPPORTED_VERSIONS)})"
            ]
        )
    problems = _schema_problems(data)
    if problems:
        raise ScenarioError(problems)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([f"{_path(e['loc'])}: {e['msg']}" for e in exc.errors()]) from exc
    problems = _geometry_problems(scenario) + check_references(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _geometry_problems(scenario: Scenario) -> list[str]:
    """GeoJSON geometries are free-form objects: their numbers must be finite too."""
    shapes = [(f"zones[{i}].geometry", z.geometry) for i, z in enumerate(scenario.zones)]
    shapes += [
        (f"jurisdictions[{i}].boundary", j.boundary) for i, j in enumerate(scenario.jurisdictions)
    ]
    return [
        f"{where}: coordinates must be finite numbers (no NaN or Infinity)"
        for where, shape in shapes
        if shape is not None and not all_finite(shape)
    ]


def load_scenario(source: str | Path) -> Scenario:
    """Read a scenario file (UTF-8 JSON)."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ScenarioError([f"(file) {path}: {exc.strerror or exc}"]) from exc
    try:
        data = loads_finite(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError([f"(file) {path}: not JSON: {exc.msg} at line {exc.lineno}"]) from exc
    except NonFiniteNumber as exc:
        raise ScenarioError([f"(file) {path}: {exc}"]) from exc
    return parse_scenario(data)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", exclude_none=False)


def dump_scenario(scenario: Scenario, target: str | Path) -> Path:
    """Write a scenario as pretty UTF-8 JSON (Chinese kept readable)."""
    path = Path(target)
    path.write_text(
        json.dumps(scenario_to_dict(scenario), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path
