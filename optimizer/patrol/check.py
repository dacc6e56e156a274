"""Independent checker of a patrol plan: reads only the scenario and the assignments (never
the solver's variables) and lists every violation of a hard rule, and every requirement the
plan leaves unmet (shortfalls). Tests run it on every plan they produce."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from optimizer.result import Shortfall
from optimizer.scenario import (
    Absence,
    Assignment,
    ConsecutiveOffRule,
    ConsecutiveWorkRule,
    Cover,
    DaysOffRule,
    ForbiddenSuccessionRule,
    Force,
    HoursRule,
    Level,
    MinRestRule,
    PostKind,
    Scenario,
    Selector,
    ShiftCountRule,
    TaskKind,
    WeekendRule,
)


def _interval(s: Scenario, a: Assignment) -> tuple[dt.datetime, dt.datetime]:
    return s.by_id("shifts")[a.shift_id].interval(a.date)


class _Places:
    """Jurisdiction lookups of one scenario, each computed once."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.people = s.by_id("people")
        self.jurisdictions = s.by_id("jurisdictions")
        self._up: dict[tuple[str, Level], str | None] = {}

    def ancestor_at(self, jid: str, level: Level) -> str | None:
        if (jid, level) not in self._up:
            self._up[jid, level] = self.s.ancestor_at(jid, level)
        return self._up[jid, level]

    def county_of(self, jid: str) -> str | None:
        return self.ancestor_at(jid, Level.COUNTY)


def _applies(places: _Places, sel: Selector, person_id: str) -> bool:
    if sel.is_everyone():
        return True
    p = places.people[person_id]
    if p.id in sel.people or p.unit_id in sel.units or p.force in sel.forces:
        return True
    node: str | None = p.jurisdiction_id
    jur = places.jurisdictions
    while node is not None:
        if node in sel.jurisdictions:
            return True
        node = jur[node].parent_id
    return False


def absences_by_person(s: Scenario) -> dict[str, list[Absence]]:
    away: dict[str, list[Absence]] = defaultdict(list)
    for a in s.absences:
        away[a.person_id].append(a)
    return away


def _absent(
    away: dict[str, list[Absence]], person_id: str, start: dt.datetime, end: dt.datetime
) -> bool:
    return any(a.start < end and start < a.end for a in away.get(person_id, ()))


def check_plan(s: Scenario, plan: Iterable[Assignment]) -> list[str]:
    """Every violation of a hard rule, as readable sentences (empty = the plan is valid)."""
    plan = list(plan)
    away = absences_by_person(s)
    places = _Places(s)
    people, posts, zones, shifts = (s.by_id(k) for k in ("people", "posts", "zones", "shifts"))
    floors = {f.jurisdiction_id: f for f in s.standby}
    dates = set(s.horizon.dates)
    out: list[str] = []
    per_slot = Counter((a.person_id, a.date, a.shift_id) for a in plan)
    out += [f"{p} has {n} tasks on {d} {t}" for (p, d, t), n in per_slot.items() if n > 1]
    per_day = Counter(
        (a.person_id, a.date) for a in {(a.person_id, a.date, a.shift_id): a for a in plan}.values()
    )
    out += [f"{p} works {n} shifts on {d}" for (p, d), n in per_day.items() if n > 1]
    for a in plan:
        p = people.get(a.person_id)
        if p is None or a.shift_id not in shifts or a.date not in dates:
            out.append(f"unknown person, shift or date in {a}")
            continue
        start, end = _interval(s, a)
        if _absent(away, p.id, start, end):
            out.append(f"{p.id} is absent during {a.date} {a.shift_id}")
        home_county = places.county_of(p.jurisdiction_id)
        if a.task == TaskKind.POST:
            post = posts.get(a.target_id)
            if post is None:
                out.append(f"unknown post {a.target_id}")
                continue
            if p.force not in post.forces:
                out.append(f"{p.id} ({p.force.value}) may not man {post.id}")
            if p.force == Force.VOLUNTEER and post.kind == PostKind.ARMED_CHECKPOINT:
                out.append(f"volunteer {p.id} on armed checkpoint {post.id}")
            for skill in post.required_skills:
                if not p.has_skill(skill, a.date):
                    out.append(f"{p.id} on {post.id} on {a.date} without the required {skill}")
            if (
                s.options.patrol_within_jurisdiction
                and home_county
                and places.county_of(post.jurisdiction_id) != home_county
            ):
                out.append(f"{p.id} of {home_county} on post {post.id} in another county")
        elif a.task == TaskKind.ZONE:
            zone = zones.get(a.target_id)
            if zone is None:
                out.append(f"unknown zone {a.target_id}")
                continue
            if p.force not in zone.forces:
                out.append(f"{p.id} ({p.force.value}) may not patrol {zone.id}")
            if (
                s.options.patrol_within_jurisdiction
                and home_county
                and places.county_of(zone.jurisdiction_id) != home_county
            ):
                out.append(f"{p.id} of {home_county} patrols {zone.id} in another county")
            if (
                p.force == Force.VOLUNTEER
                and s.options.volunteers_stay_in_village
                and places.ancestor_at(p.jurisdiction_id, Level.TOWNSHIP)
                != places.ancestor_at(zone.jurisdiction_id, Level.TOWNSHIP)
            ):
                out.append(f"volunteer {p.id} patrols {zone.id} away from home")
        else:
            floor = floors.get(a.target_id)
            if floor is None or p.force not in floor.forces or home_county != a.target_id:
                out.append(f"{p.id} may not be on standby for {a.target_id}")
    out += _labour_violations(s, plan, places)
    out += _squad_violations(s, plan, away)
    return out


def _labour_violations(s: Scenario, plan: list[Assignment], places: _Places) -> list[str]:
    shifts = s.by_id("shifts")
    mine: dict[str, list[Assignment]] = defaultdict(list)
    for a in plan:
        mine[a.person_id].append(a)
    out: list[str] = []
    days = s.horizon.dates
    for rule in (r for r in s.rules if r.hard):
        for p in s.people:
            if not _applies(places, rule.applies_to, p.id):
                continue
            work = mine.get(p.id, [])
            worked = [any(a.date == d for a in work) for d in days]
            name = rule.name or rule.id
            if isinstance(rule, ShiftCountRule):
                n = sum(1 for a in work if not rule.shift_ids or a.shift_id in rule.shift_ids)
                if (rule.max is not None and n > rule.max) or (
                    rule.min is not None and n < rule.min
                ):
                    out.append(f"{name}: {p.id} works {n} shifts")
            elif isinstance(rule, HoursRule):
                h = sum(shifts[a.shift_id].hours for a in work)
                if (rule.max is not None and h > rule.max) or (
                    rule.min is not None and h < rule.min
                ):
                    out.append(f"{name}: {p.id} works {h} h")
            elif isinstance(rule, ConsecutiveWorkRule | ConsecutiveOffRule):
                want = isinstance(rule, ConsecutiveWorkRule)
                for start, length, touches_end in _runs(worked, want):
                    if want and rule.max is not None and length > rule.max:
                        out.append(
                            f"{name}: {p.id} works {length} days in a row from {days[start]}"
                        )
                    lo = rule.min
                    if lo is not None and length < lo and start > 0 and not touches_end:
                        out.append(f"{name}: {p.id} has a run of {length} from {days[start]}")
            elif isinstance(rule, WeekendRule):
                weeks = {
                    d.isocalendar()[1]
                    for d, w in zip(days, worked, strict=True)
                    if w and d.weekday() >= 5
                }
                if len(weeks) > rule.max:
                    out.append(f"{name}: {p.id} works {len(weeks)} weekends")
            elif isinstance(rule, MinRestRule):
                spans = sorted(_interval(s, a) for a in work)
                for (_, e1), (b2, _) in itertools.pairwise(spans):
                    if b2 - e1 < dt.timedelta(hours=rule.hours):
                        rested = (b2 - e1).total_seconds() / 3600
                        out.append(f"{name}: {p.id} rests {rested:g} h before {b2}")
            elif isinstance(rule, ForbiddenSuccessionRule):
                firsts = {a.date for a in work if a.shift_id == rule.first}
                for a in work:
                    if a.shift_id == rule.then and a.date - dt.timedelta(days=1) in firsts:
                        out.append(
                            f"{name}: {p.id} works {rule.first} then {rule.then} on {a.date}"
                        )
            elif isinstance(rule, DaysOffRule):
                for a in work:
                    if a.date in rule.dates or a.date.weekday() in rule.weekdays:
                        out.append(f"{name}: {p.id} works on a day off {a.date}")
    return out


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int, bool]]:
    """(start, length, touches the end) of each maximal run of `value`."""
    out, start = [], None
    for i, f in enumerate([*flags, not value]):
        if f == value and start is None:
            start = i
        elif f != value and start is not None:
            out.append((start, i - start, i == len(flags)))
            start = None
    return out


def _squad_violations(
    s: Scenario, plan: list[Assignment], away: dict[str, list[Absence]]
) -> list[str]:
    forces = set(s.options.squads_whole)
    if not forces:
        return []
    units = s.by_id("units")
    task_of = {(a.person_id, a.date, a.shift_id): (a.task, a.target_id) for a in plan}
    out = []
    squads: dict[str, list[str]] = defaultdict(list)
    for p in s.people:
        if p.unit_id and p.force in forces and units[p.unit_id].squad:
            squads[p.unit_id].append(p.id)
    for unit, members in squads.items():
        for date in s.horizon.dates:
            for shift in s.shifts:
                begin, end = shift.interval(date)
                present = [m for m in members if not _absent(away, m, begin, end)]
                seen = {task_of.get((m, date, shift.id)) for m in present}
                if len(seen) > 1:
                    out.append(f"squad {unit} split on {date} {shift.id}")
    return out


def _ready(
    s: Scenario,
    places: _Places,
    away: dict[str, list[Absence]],
    county: str,
    forces: list[Force],
    start: dt.datetime,
    end: dt.datetime,
) -> int:
    return sum(
        1
        for p in s.people
        if p.force in forces
        and places.county_of(p.jurisdiction_id) == county
        and not _absent(away, p.id, start, end)
    )


class _Need:
    """What one post, zone or standby floor asks for in one shift: its own counts, each
    replaced by the last scenario cover matching the date and shift that gives it."""

    def __init__(
        self,
        staff: int | None,
        armed: int,
        skills: dict[str, int],
        covers: list[Cover],
        date: dt.date,
        shift_id: str,
    ) -> None:
        self.staff, self.armed, self.skills = staff, armed, dict(skills)
        for c in covers:
            if c.date not in (None, date) or c.shift_id not in (None, shift_id):
                continue
            if c.required is not None:
                self.staff = c.required
            if c.armed is not None:
                self.armed = c.armed
            if c.skills is not None:
                self.skills = dict(c.skills)


def _missing(
    out: list[Shortfall],
    target: str,
    when: dict[str, str],
    need: _Need,
    staff: list[str],
    date: dt.date,
    people: dict,
    staff_requirement: str | None,
) -> None:
    """The shortfalls of one target in one shift: staff (under `staff_requirement`, if it
    has one), armed officers and skills among the people on it."""
    if staff_requirement is not None and need.staff is not None and len(staff) < need.staff:
        out.append(
            Shortfall(
                requirement=staff_requirement,
                target_id=target,
                **when,
                missing=need.staff - len(staff),
            )
        )
    armed = sum(people[x].armed for x in staff)
    if armed < need.armed:
        out.append(
            Shortfall(requirement="armed", target_id=target, **when, missing=need.armed - armed)
        )
    for skill, n in need.skills.items():
        have = sum(people[x].has_skill(skill, date) for x in staff)
        if have < n:
            out.append(
                Shortfall(requirement=f"skill:{skill}", target_id=target, **when, missing=n - have)
            )


def plan_shortfalls(s: Scenario, plan: Iterable[Assignment]) -> list[Shortfall]:
    """Every requirement the plan does not meet: post staff, armed, skills, zone minimum
    presence, standby floors, and the counts scenario covers give posts, zones and floors —
    per shift, with how many are missing."""
    people = s.by_id("people")
    away = absences_by_person(s)
    places = _Places(s)
    on: dict[tuple[str, str, dt.date, str], list[str]] = defaultdict(list)
    for a in plan:
        on[a.task.value, a.target_id, a.date, a.shift_id].append(a.person_id)
    covers: dict[str, list[Cover]] = defaultdict(list)
    for c in s.covers:
        covers[c.target_id].append(c)
    out: list[Shortfall] = []
    for date in s.horizon.dates:
        for shift in s.shifts:
            begin, end = shift.interval(date)
            hours = [(begin + dt.timedelta(hours=h)).hour for h in range(shift.hours)]
            when = {"start": begin.isoformat(), "end": end.isoformat()}
            for post in s.posts:
                if not any(post.manned_at(h) for h in hours):
                    continue
                staff = on["post", post.id, date, shift.id]
                need = _Need(
                    post.min_staff,
                    post.min_armed,
                    post.skills,
                    covers.get(post.id, []),
                    date,
                    shift.id,
                )
                _missing(out, post.id, when, need, staff, date, people, "post_cover")
            for zone in s.zones:
                staff = on["zone", zone.id, date, shift.id]
                need = _Need(None, 0, {}, covers.get(zone.id, []), date, shift.id)
                _missing(out, zone.id, when, need, staff, date, people, None)
                n = len(staff)
                if n < zone.min_presence:
                    out.append(
                        Shortfall(
                            requirement="zone_presence",
                            target_id=zone.id,
                            **when,
                            missing=zone.min_presence - n,
                        )
                    )
            for floor in s.standby:
                strength = _ready(s, places, away, floor.jurisdiction_id, floor.forces, begin, end)
                need = _Need(
                    max(floor.min_count, math.ceil(floor.min_share * strength - 1e-9)),
                    0,
                    {},
                    covers.get(floor.jurisdiction_id, []),
                    date,
                    shift.id,
                )
                staff = on["standby", floor.jurisdiction_id, date, shift.id]
                _missing(out, floor.jurisdiction_id, when, need, staff, date, people, "standby")
    return out
