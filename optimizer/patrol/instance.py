"""Scenario → patrol instance: the shift slots of the horizon, who may do which task in
which slot (eligibility and availability precomputed), and the demand of every post, zone
and standby floor per slot. Everything the model needs that is fixed is computed here."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.scenario import (
    LEVEL_ORDER,
    Cover,
    Force,
    Level,
    Person,
    Post,
    PostKind,
    Scenario,
    ShiftTemplate,
    TaskKind,
    Zone,
)
from optimizer.travel import GreatCircleTravel, TravelMode

MAX_DAYS = 28


class PatrolInputError(ValueError):
    """The scenario cannot be planned (checked before any solving)."""


@dataclass(frozen=True)
class Slot:
    index: int
    day: int
    date: dt.date
    shift: ShiftTemplate
    start: dt.datetime
    end: dt.datetime

    @property
    def hours(self) -> list[tuple[int, int]]:
        """(weekday, hour) of every hour the slot covers."""
        out, t = [], self.start
        while t < self.end:
            out.append((t.weekday(), t.hour))
            t += dt.timedelta(hours=1)
        return out

    @property
    def label(self) -> str:
        return f"{self.date.isoformat()} {self.shift.name} {self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class Task:
    """A post, a zone or a county's standby, in one slot."""

    kind: TaskKind
    target: str  # post id, zone id or county id
    county: str
    location: tuple[float, float] | None


@dataclass
class Demand:
    staff: int = 0  # people wanted (posts: min staff; zones: risk target; standby: floor)
    minimum: int = 0  # hard-ish floor (zones: min presence)
    cap: int = 0  # at most this many
    armed: int = 0
    skills: dict[str, int] = field(default_factory=dict)
    risk: float = 0.0  # zone risk summed over the slot's hours
    under_weight: float | None = None
    over_weight: float = 0.0


@dataclass
class PatrolInstance:
    scenario: Scenario
    slots: list[Slot]
    people: list[Person]
    tasks: list[Task]
    county_of: dict[str, str | None]
    # (person index, slot index) → task indices the person may do then
    options: dict[tuple[int, int], list[int]]
    demand: dict[tuple[int, int], Demand]  # (task index, slot index) → demand
    travel_minutes: dict[tuple[int, int], float]  # (person, task) → minutes from home
    skills_valid: dict[tuple[int, str, int], bool]  # (person, skill, day) → valid
    eligible: list[list[int]]  # person → tasks they may do at all (absences aside)
    # people of an aggregated instance (`aggregate.py`) stand for this many identical people
    count: list[int] = field(default_factory=list)
    # a group re-rostered by the local search (`reroster.py`): (fairness term, force, county)
    # → the largest load of that fairness group's people outside this instance
    outside_loads: dict[tuple[str, str, str | None], int] = field(default_factory=dict)

    def size(self, pi: int) -> int:
        """How many people `people[pi]` stands for (1 unless aggregated)."""
        return self.count[pi] if self.count else 1

    def slot_of(self, date: dt.date, shift_id: str) -> Slot | None:
        for s in self.slots:
            if s.date == date and s.shift.id == shift_id:
                return s
        return None

    def of_people(self, people: list[int], **changes: Any) -> PatrolInstance:
        """This instance for `people` alone, re-indexed in that order (their options, travel,
        certificates, eligible tasks), with `changes` to its other fields."""
        index = {pi: k for k, pi in enumerate(people)}
        return replace(
            self,
            people=[self.people[pi] for pi in people],
            options={(index[pi], si): t for (pi, si), t in self.options.items() if pi in index},
            travel_minutes={
                (index[pi], ti): m for (pi, ti), m in self.travel_minutes.items() if pi in index
            },
            skills_valid={
                (index[pi], k, d): ok for (pi, k, d), ok in self.skills_valid.items() if pi in index
            },
            eligible=[self.eligible[pi] for pi in people],
            **changes,
        )

    def who_can_do(self) -> dict[tuple[int, int], list[int]]:
        """(task, slot) → the people who may do that task in that slot."""
        out: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (pi, si), tasks in self.options.items():
            for ti in tasks:
                out[ti, si].append(pi)
        return out


def _overlaps(a0: dt.datetime, a1: dt.datetime, b0: dt.datetime, b1: dt.datetime) -> bool:
    return a0 < b1 and b0 < a1


def validate_for_patrol(scenario: Scenario) -> None:
    if scenario.horizon.days > MAX_DAYS:
        raise PatrolInputError(
            f"horizon.days: a patrol plan covers 1 to {MAX_DAYS} days, got {scenario.horizon.days}"
        )
    if not scenario.shifts:
        raise PatrolInputError("shifts: the scenario has no shift templates")
    if not scenario.people:
        raise PatrolInputError("people: the roster is empty")
    if not (scenario.posts or scenario.zones or scenario.standby):
        raise PatrolInputError("posts/zones/standby: nothing to plan")


def build_instance(scenario: Scenario, travel: GreatCircleTravel | None = None) -> PatrolInstance:
    s = scenario
    travel = travel or GreatCircleTravel()
    slots = []
    for day, date in enumerate(s.horizon.dates):
        for shift in sorted(s.shifts, key=lambda t: t.start):
            begin, end = shift.interval(date)
            slots.append(Slot(len(slots), day, date, shift, begin, end))
    county = _ancestors(s, Level.COUNTY)
    town = _ancestors(s, Level.TOWNSHIP)
    jur = s.by_id("jurisdictions")
    people = [p for p in s.people if p.force not in (Force.GRID_WORKER,)]
    tasks: list[Task] = []
    for post in s.posts:
        if post.hours:
            tasks.append(
                Task(TaskKind.POST, post.id, county[post.jurisdiction_id] or "", post.location)
            )
    for zone in s.zones:
        tasks.append(
            Task(TaskKind.ZONE, zone.id, county[zone.jurisdiction_id] or "", zone.centroid)
        )
    floors = {f.jurisdiction_id: f for f in s.standby}
    for cid in floors:
        tasks.append(Task(TaskKind.STANDBY, cid, county.get(cid) or cid, jur[cid].centroid))
    posts, zones = s.by_id("posts"), s.by_id("zones")

    absences = defaultdict(list)
    for a in s.absences:
        absences[a.person_id].append((a.start, a.end))
    options: dict[tuple[int, int], list[int]] = {}
    units = s.by_id("units")
    travel = _Memo(travel)  # people of a unit share a base: each trip is computed once
    eligible_tasks = [
        _nearest_zones(
            p,
            _eligible(p, tasks, posts, zones, floors, county, town, jur, s),
            tasks,
            zones,
            units,
            town,
            travel,
        )
        for p in people
    ]
    closed = {  # (post task, slot) when the post is not manned in that slot
        (ti, slot.index)
        for ti, t in enumerate(tasks)
        if t.kind == TaskKind.POST
        for slot in slots
        if not _post_needed(posts[t.target], slot)
    }
    for pi, p in enumerate(people):
        for slot in slots:
            if any(_overlaps(slot.start, slot.end, a0, a1) for a0, a1 in absences[p.id]):
                continue
            manned = [
                ti
                for ti in eligible_tasks[pi]
                if (ti, slot.index) not in closed and _qualified(p, tasks[ti], posts, slot.date)
            ]
            if manned:
                options[pi, slot.index] = manned
    demand = _demand(s, slots, tasks, posts, zones, floors, people, options, county)
    travel_minutes = {}
    for pi, p in enumerate(people):
        base = home_base(p, units)
        if base is None:
            continue
        for ti in eligible_tasks[pi]:
            loc = tasks[ti].location
            if loc is not None and tasks[ti].kind != TaskKind.STANDBY:
                travel_minutes[pi, ti] = travel.minutes(base, loc, TravelMode.VEHICLE)
    skills_valid = {}
    for pi, p in enumerate(people):
        for c in p.skills:
            for slot in slots:
                skills_valid[pi, c.skill, slot.day] = c.valid_on(slot.date)
    return PatrolInstance(
        s,
        slots,
        people,
        tasks,
        county,
        options,
        demand,
        travel_minutes,
        skills_valid,
        eligible_tasks,
    )


def _eligible(
    p: Person,
    tasks: list[Task],
    posts: dict[str, Post],
    zones: dict[str, Zone],
    floors: dict,
    county: dict[str, str | None],
    town: dict[str, str | None],
    jur: dict,
    s: Scenario,
) -> list[int]:
    home_county = county.get(p.jurisdiction_id)
    home_town = town.get(p.jurisdiction_id)
    within = s.options.patrol_within_jurisdiction
    out = []
    for ti, t in enumerate(tasks):
        if t.kind == TaskKind.POST:
            post = posts[t.target]
            if p.force not in post.forces or (
                p.force == Force.VOLUNTEER and post.kind in (PostKind.ARMED_CHECKPOINT,)
            ):
                continue
            if within and home_county is not None and t.county != home_county:
                continue
            if home_county is None and jur[p.jurisdiction_id].level != Level.CITY:
                continue
            if any(all(c.skill != k for c in p.skills) for k in post.required_skills):
                continue  # never certified for a skill the post requires of everyone
        elif t.kind == TaskKind.ZONE:
            zone = zones[t.target]
            if p.force not in zone.forces:
                continue
            if within and home_county is not None and t.county != home_county:
                continue
            if (
                p.force == Force.VOLUNTEER
                and s.options.volunteers_stay_in_village
                and (home_town is None or home_town != town.get(zone.jurisdiction_id))
            ):
                continue
        else:
            floor = floors[t.target]
            if p.force not in floor.forces or home_county != t.county:
                continue
        out.append(ti)
    return out


def home_base(p: Person, units: dict) -> tuple[float, float] | None:
    """Where a person's shift starts: their unit's base (驻地, where the unit musters and
    keeps its vehicles) when they belong to a unit that has one, their home otherwise."""
    if p.unit_id and units[p.unit_id].base:
        return units[p.unit_id].base
    return p.home


#: a person may patrol this many zones nearest their base
NEAREST_ZONES = 4


def _ancestors(s: Scenario, level: Level) -> dict[str, str | None]:
    """Every jurisdiction's ancestor at `level` (itself at that level), in one pass."""
    index = s.by_id("jurisdictions")
    out: dict[str, str | None] = {}

    def up(jid: str) -> str | None:
        if jid not in out:
            node = index[jid]
            if node.level == level:
                out[jid] = node.id
            elif LEVEL_ORDER[node.level] < LEVEL_ORDER[level] or not node.parent_id:
                out[jid] = None
            else:
                out[jid] = up(node.parent_id) if node.parent_id in index else None
        return out[jid]

    for j in s.jurisdictions:
        up(j.id)
    return out


def _nearest_zones(
    p: Person,
    eligible: list[int],
    tasks: list[Task],
    zones: dict[str, Zone],
    units: dict,
    towns: dict[str, str | None],
    travel: GreatCircleTravel | _Memo,
) -> list[int]:
    """Each person patrols one of the NEAREST_ZONES zones nearest their unit's base (their
    home without a unit), among the zones of their own township when they belong to one.
    This keeps the model small (nobody is sent across the county to patrol; a squad shares
    its options) and follows the brief: forces act inside their own area."""
    town = towns.get(p.jurisdiction_id)
    zone_ids = [ti for ti in eligible if tasks[ti].kind == TaskKind.ZONE]
    others = [ti for ti in eligible if tasks[ti].kind != TaskKind.ZONE]
    if town is not None:
        own = [ti for ti in zone_ids if towns.get(zones[tasks[ti].target].jurisdiction_id) == town]
        zone_ids = own or zone_ids
    base = home_base(p, units)
    if base is None or len(zone_ids) <= NEAREST_ZONES:
        return others + zone_ids
    ranked = sorted(zone_ids, key=lambda ti: travel.minutes(base, tasks[ti].location or base))
    return others + sorted(ranked[:NEAREST_ZONES])


class _Memo:
    """A travel model that remembers every trip it was asked for."""

    def __init__(self, travel: GreatCircleTravel | _Memo) -> None:
        self.travel = travel
        self.seen: dict[tuple[object, object, TravelMode], float] = {}

    def minutes(self, a: object, b: object, mode: TravelMode = TravelMode.VEHICLE) -> float:
        key = (tuple(a) if isinstance(a, list) else a, tuple(b) if isinstance(b, list) else b, mode)
        if key not in self.seen:
            self.seen[key] = self.travel.minutes(a, b, mode)  # type: ignore[arg-type]
        return self.seen[key]


def _qualified(p: Person, task: Task, posts: dict[str, Post], day: dt.date) -> bool:
    """A person may stand on a post only with every skill it requires of everyone on it,
    certified on that day."""
    if task.kind != TaskKind.POST:
        return True
    return all(p.has_skill(skill, day) for skill in posts[task.target].required_skills)


def _post_needed(post: Post, slot: Slot) -> bool:
    return any(post.manned_at(h) for _, h in slot.hours)


def _demand(
    s: Scenario,
    slots: list[Slot],
    tasks: list[Task],
    posts: dict[str, Post],
    zones: dict[str, Zone],
    floors: dict,
    people: list[Person],
    options: dict[tuple[int, int], list[int]],
    county: dict[str, str | None],
) -> dict[tuple[int, int], Demand]:
    demand: dict[tuple[int, int], Demand] = {}
    covers = [(c, c.target_id) for c in s.covers]
    # zone targets: patrol capacity left after posts and standby, spread by risk
    zone_risk: dict[tuple[int, int], float] = {}
    for ti, t in enumerate(tasks):
        for slot in slots:
            if t.kind == TaskKind.POST:
                post = posts[t.target]
                if _post_needed(post, slot):
                    demand[ti, slot.index] = Demand(
                        staff=post.min_staff,
                        cap=post.min_staff,
                        armed=post.min_armed,
                        skills=dict(post.skills),
                    )
            elif t.kind == TaskKind.ZONE:
                zone = zones[t.target]
                zone_risk[ti, slot.index] = sum(zone.risk[wd][h] for wd, h in slot.hours)
            else:
                floor = floors[t.target]
                strength = sum(
                    1
                    for pi, p in enumerate(people)
                    if p.force in floor.forces
                    and county.get(p.jurisdiction_id) == t.county
                    and (pi, slot.index) in options
                )
                need = max(floor.min_count, math.ceil(floor.min_share * strength - 1e-9))
                demand[ti, slot.index] = Demand(staff=need, cap=need)
    per_slot_people = defaultdict(int)
    for _, si in options:
        per_slot_people[si] += 1
    # people available in a slot work about 5 shifts in 7 days of (shifts per day × 7): the
    # share of them at work in any one slot
    at_work = 5 / (7 * max(1, len(s.shifts)))
    for slot in slots:
        zone_keys = [(ti, si) for (ti, si) in zone_risk if si == slot.index]
        total_risk = sum(zone_risk[k] for k in zone_keys)
        fixed = sum(d.staff for (ti, si), d in demand.items() if si == slot.index)
        capacity = per_slot_people[slot.index] * at_work - fixed
        capacity = max(0.0, capacity) * 0.8  # keep slack for labour rules
        for key in zone_keys:
            zone = zones[tasks[key[0]].target]
            share = capacity * zone_risk[key] / total_risk if total_risk > 0 else 0.0
            target = max(zone.min_presence, int(share))
            cap = s.options.max_patrol_per_zone or max(target + 1, zone.min_presence)
            demand[key] = Demand(
                staff=target, minimum=zone.min_presence, cap=cap, risk=zone_risk[key]
            )
    for cover, target in covers:
        for ti, t in enumerate(tasks):
            if t.target != target:
                continue
            for slot in slots:
                if (cover.date is None or cover.date == slot.date) and (
                    cover.shift_id is None or cover.shift_id == slot.shift.id
                ):
                    d = demand.setdefault((ti, slot.index), Demand())
                    _apply_cover(d, cover, t.kind, len(people))
    return demand


def _apply_cover(d: Demand, cover: Cover, kind: TaskKind, everyone: int) -> None:
    """A cover's counts replace the default demand of one task in one slot; the counts it
    leaves out (None) keep the default. On a standby floor the count is exact (standby
    beyond the floor is never wanted) and the floor's own weight prices a shortfall."""
    if cover.required is not None and kind == TaskKind.STANDBY:
        d.staff = d.cap = cover.required
    elif cover.required is not None:
        d.staff = cover.required
        # over-staffing allowed (and paid for) only when it has a weight
        d.cap = everyone if cover.over_weight else cover.required
        d.under_weight, d.over_weight = cover.under_weight, cover.over_weight
    if cover.armed is not None:
        d.armed = cover.armed
    if cover.skills is not None:
        d.skills = {skill: n for skill, n in cover.skills.items() if n > 0}
