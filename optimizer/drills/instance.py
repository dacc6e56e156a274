"""The drill instance: everything fixed before solving, on an hourly time axis counted from
the horizon's first midnight (local time).

For each drill due: who takes part, the start times each named filter allows (working days,
blackouts, attendance — enough participants free of leave and patrol duty), which venues and
instructors may host it and when; for each county: how many ready people are free at each
hour above its readiness floor. Filters are kept apart by name so an impossible drill can say
which of them closed its window, and a conflict search can switch them off one by one.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.drill_format import DrillSetup, Instructor, Venue
from optimizer.drills.occurrences import Occurrence, due_occurrences, last_done_start
from optimizer.format_base import Force
from optimizer.messages import code_msg, msg
from optimizer.scenario import Scenario, TaskKind
from optimizer.workdays import WorkCalendar, work_calendar

MAX_DAYS = 366


class DrillInputError(ValueError):
    """The scenario cannot be scheduled (checked before any solving)."""


# Names of the filters on start times (see `Drill.filters`).
CALENDAR = "working days (weekends and public holidays)"
WORKING_HOURS = "working hours"
ATTENDANCE = "attendance (participants on leave or patrol duty)"


@dataclass
class Drill:
    """One drill due: an occurrence with everything the model needs."""

    index: int
    occ: Occurrence
    county: str  # the component key of its readiness: the county of its first unit
    participants: dict[str, list[str]]  # unit id → person ids taking part
    headcount: int
    ready_demand: dict[str, int]  # county → ready-force people it takes
    candidates: list[int]  # start hours on the grid inside the window
    filters: dict[str, set[int]]  # filter name → start hours it forbids
    venues: dict[str, list[int]]  # venue id → allowed start hours
    instructors: dict[str, list[int]]  # instructor id → allowed start hours
    gap_after: dt.datetime | None = None  # must start after this (min gap after the last drill)
    lapse_hour: int | None = None  # when the first certificate this drill renews lapses
    lapsing: int = 0  # participants whose certificate lapses before the window ends
    _allowed: dict[frozenset[str], list[int]] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        return self.occ.key

    @property
    def hours(self) -> int:
        return self.occ.dtype.hours

    def allowed(self, disabled: frozenset[str] = frozenset()) -> list[int]:
        """The start hours no filter forbids (but those in `disabled`); a fresh list."""
        if disabled not in self._allowed:
            banned: set[int] = set()
            for name, hours in self.filters.items():
                if name not in disabled:
                    banned |= hours
            self._allowed[disabled] = [t for t in self.candidates if t not in banned]
        return list(self._allowed[disabled])


@dataclass
class DrillInstance:
    scenario: Scenario
    start: dt.datetime  # hour 0
    hours: int
    calendar: WorkCalendar
    drills: list[Drill]
    capacity: dict[str, np.ndarray]  # county → ready people free above the floor, per hour
    floor: dict[str, int]
    unit_county: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    unschedulable: list[tuple[Occurrence, dict[str, Any]]] = field(default_factory=list)

    def at(self, t: int) -> dt.datetime:
        return self.start + dt.timedelta(hours=t)

    def hour_of(self, when: dt.datetime) -> int:
        return int((when - self.start).total_seconds() // 3600)


def _naive(t: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return t.astimezone(tz).replace(tzinfo=None) if t.tzinfo else t


def validate_for_drills(s: Scenario) -> None:
    if s.horizon.days > MAX_DAYS:
        raise DrillInputError(
            f"horizon.days: a drill schedule covers 1 to {MAX_DAYS} days, got {s.horizon.days}"
        )
    if not s.drills.requirements:
        raise DrillInputError("drills.requirements: no drill duties to schedule")
    if not s.people:
        raise DrillInputError("people: the roster is empty")


class _Busy:
    """Per person, the hours they cannot drill: absences and patrol duty (posts and zones;
    standby people may be called to a drill, the readiness floor keeps enough of them)."""

    def __init__(self, s: Scenario, start: dt.datetime, hours: int) -> None:
        tz = zoneinfo.ZoneInfo(s.timezone)
        self.start, self.hours = start, hours
        self.spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for a in s.absences:
            self._add(a.person_id, _naive(a.start, tz), _naive(a.end, tz))
        shifts = s.by_id("shifts")
        for a in s.published_plan:
            if a.task == TaskKind.STANDBY or a.shift_id not in shifts:
                continue
            begin, end = shifts[a.shift_id].interval(a.date)
            self._add(a.person_id, begin, end)

    def _add(self, pid: str, a: dt.datetime, b: dt.datetime) -> None:
        t0 = math.floor((a - self.start).total_seconds() / 3600)
        t1 = math.ceil((b - self.start).total_seconds() / 3600)
        t0, t1 = max(t0, 0), min(t1, self.hours)
        if t0 < t1:
            self.spans[pid].append((t0, t1))

    def count(self, people: list[str]) -> np.ndarray:
        """How many of these people are busy at each hour."""
        diff = np.zeros(self.hours + 1, dtype=np.int32)
        for pid in people:
            end = -1
            for t0, t1 in sorted(self.spans.get(pid, ())):
                t0 = max(t0, end)  # a person busy twice at once counts once
                if t0 < t1:
                    diff[t0] += 1
                    diff[t1] -= 1
                end = max(end, t1)
        return np.cumsum(diff)[:-1]


def _window_max(values: np.ndarray, size: int) -> np.ndarray:
    """max(values[t : t + size]) for every t (values padded with its last element)."""
    padded = np.concatenate([values, np.full(size, values[-1] if len(values) else 0)])
    return np.max(np.lib.stride_tricks.sliding_window_view(padded, size)[: len(values)], axis=1)


def build_instance(s: Scenario) -> DrillInstance:
    validate_for_drills(s)
    d: DrillSetup = s.drills
    start = dt.datetime.combine(s.horizon.start, dt.time())
    end_day = s.horizon.start + dt.timedelta(days=s.horizon.days)
    hours = s.horizon.days * 24
    cal = work_calendar(s.horizon.start, end_day, d.calendar)
    occurrences, warnings = due_occurrences(d, s.horizon.start, end_day)
    warnings = cal.warnings + warnings

    units = s.by_id("units")
    unit_county = {u.id: s.county_of(u.jurisdiction_id) or u.jurisdiction_id for u in s.units}
    members: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for u in s.units:
        if u.parent_id:
            children[u.parent_id].append(u.id)
    person_unit: dict[str, str] = {}
    for p in s.people:
        if p.unit_id:
            members[p.unit_id].append(p.id)
            person_unit[p.id] = p.unit_id
    people = s.by_id("people")

    def all_members(uid: str) -> list[str]:
        out = list(members.get(uid, []))
        for c in children.get(uid, []):
            out += all_members(c)
        return out

    busy = _Busy(s, start, hours)
    # readiness: ready-force people per county, free at each hour, above the floor
    floors: dict[str, int] = {}
    capacity: dict[str, np.ndarray] = {}
    ready: dict[str, list[str]] = defaultdict(list)
    for f in s.standby:
        forces = set(f.forces)
        pool = [
            p.id
            for p in s.people
            if p.force in forces
            and p.unit_id
            and unit_county.get(p.unit_id) == (s.county_of(f.jurisdiction_id) or f.jurisdiction_id)
        ]
        cid = s.county_of(f.jurisdiction_id) or f.jurisdiction_id
        ready[cid] = pool
        floors[cid] = max(f.min_count, math.ceil(f.min_share * len(pool)))
        capacity[cid] = len(pool) - busy.count(pool) - floors[cid]
    ready_sets = {c: set(v) for c, v in ready.items()}

    # the start grid: working days (or every day) × start times that fit the working day
    day_from = d.settings.working_from.hour + d.settings.working_from.minute / 60
    day_until = d.settings.working_until.hour + d.settings.working_until.minute / 60
    starts = sorted({t.hour for t in d.settings.start_times})
    venues_by_kind: dict[str, list[Venue]] = defaultdict(list)
    for v in d.venues:
        venues_by_kind[v.kind].append(v)
    jur_county = {j.id: s.county_of(j.id) for j in s.jurisdictions}
    blackouts = [
        (
            b,
            max(
                0,
                math.floor(
                    (_naive(b.start, zoneinfo.ZoneInfo(s.timezone)) - start).total_seconds() / 3600
                ),
            ),
            math.ceil(
                (_naive(b.end, zoneinfo.ZoneInfo(s.timezone)) - start).total_seconds() / 3600
            ),
        )
        for b in d.blackouts
    ]

    busiest: dict[tuple[str, int, tuple[Force, ...]], np.ndarray] = {}
    drills: list[Drill] = []
    unschedulable: list[tuple[Occurrence, dict[str, Any]]] = []
    for occ in occurrences:
        dtype, req = occ.dtype, occ.requirement
        forces = set(dtype.forces)
        parts: dict[str, list[str]] = {}
        for uid in req.unit_ids:
            parts[uid] = [pid for pid in all_members(uid) if people[pid].force in forces]
        empty = [units[u].name for u, ps in parts.items() if not ps]
        if empty:
            unschedulable.append(
                (occ, msg("drill.no_members", units="、".join(empty), type=dtype.name))
            )
            continue
        take = {u: min(dtype.headcount or len(ps), len(ps)) for u, ps in parts.items()}
        headcount = sum(take.values())
        ready_demand: dict[str, int] = defaultdict(int)
        for u, ps in parts.items():
            c = unit_county.get(u, "")
            n_ready = sum(1 for pid in ps if pid in ready_sets.get(c, ()))
            if n_ready:
                ready_demand[c] += math.ceil(take[u] * n_ready / len(ps))
        counties = {unit_county.get(u, "") for u in req.unit_ids}
        w0, w1 = (
            max(0, (occ.window[0] - start) // dt.timedelta(hours=1)),
            min(hours, (occ.window[1] - start) // dt.timedelta(hours=1)),
        )
        gap_after = None
        last = last_done_start(d, req.id, start)
        if req.min_gap_days and last is not None:
            gap_after = last + dt.timedelta(days=req.min_gap_days)
        candidates, off_days, late = [], set(), set()
        for day in range(w0 // 24, (w1 + 23) // 24):
            date = s.horizon.start + dt.timedelta(days=day)
            for h in starts:
                t = day * 24 + h
                if t < w0 or t + dtype.hours > w1 or t + dtype.hours > hours:
                    continue
                candidates.append(t)
                if d.settings.working_days_only and not cal.is_working(date):
                    off_days.add(t)
                if h < day_from or h + dtype.hours > day_until:
                    late.add(t)
        filters: dict[str, set[int]] = {CALENDAR: off_days, WORKING_HOURS: late}
        for b, b0, b1 in blackouts:
            if b.kinds and dtype.kind not in b.kinds:
                continue
            if b.jurisdiction_ids and not counties & {
                jur_county.get(j) or j for j in b.jurisdiction_ids
            }:
                continue
            hit = {t for t in candidates if t < b1 and b0 < t + dtype.hours}
            if hit:
                filters[f"blackout {b.name}"] = hit
        if gap_after is not None:
            g = (gap_after - start) // dt.timedelta(hours=1)
            filters[f"min gap {req.min_gap_days} d after the last {dtype.name}"] = {
                t for t in candidates if t < g
            }
        absent: set[int] = set()
        for u, ps in parts.items():
            need = math.ceil(dtype.min_attendance * take[u])
            key = (u, dtype.hours, tuple(sorted(forces)))
            if key not in busiest:
                busiest[key] = _window_max(busy.count(ps), dtype.hours)
            worst = busiest[key]
            absent |= {t for t in candidates if len(ps) - worst[t] < need}
        if absent:
            filters[ATTENDANCE] = absent
        county0 = unit_county.get(req.unit_ids[0], "")
        venue_opts: dict[str, list[int]] = {}
        if dtype.venue_kind is not None:
            for v in venues_by_kind.get(dtype.venue_kind, []):
                if (jur_county.get(v.jurisdiction_id) or v.jurisdiction_id) not in counties:
                    continue  # a county's venue serves that county's units, the city's the city's
                if v.capacity < headcount:
                    continue
                venue_opts[v.id] = [t for t in candidates if _venue_open(v, s, t, dtype.hours)]
            if not venue_opts:
                unschedulable.append(
                    (
                        occ,
                        msg(
                            "drill.no_venue",
                            kind=code_msg("venue_kind", dtype.venue_kind),
                            n=headcount,
                        ),
                    )
                )
                continue
        instr_opts: dict[str, list[int]] = {}
        if dtype.instructor_skill is not None:
            for ins in d.instructors:
                if dtype.instructor_skill not in ins.skills:
                    continue
                home = ins.jurisdiction_id
                if home and (jur_county.get(home) or home) not in counties:
                    continue
                instr_opts[ins.id] = _instructor_free(ins, busy, s, start, candidates, dtype.hours)
            if not instr_opts:
                unschedulable.append(
                    (
                        occ,
                        msg("drill.no_instructor", skill=code_msg("skill", dtype.instructor_skill)),
                    )
                )
                continue
        lapse_hour, lapsing = _lapses(dtype.renews, parts, people, occ.window[1], start)
        if lapse_hour is not None:  # aim a week before the first certificate lapses
            aim = start + dt.timedelta(hours=lapse_hour) - dt.timedelta(days=7)
            occ.ideal = max(occ.window[0], min(occ.ideal, aim))
        drills.append(
            Drill(
                len(drills),
                occ,
                county0,
                parts,
                headcount,
                dict(ready_demand),
                candidates,
                filters,
                venue_opts,
                instr_opts,
                gap_after,
                lapse_hour,
                lapsing,
            )
        )
    return DrillInstance(
        s, start, hours, cal, drills, capacity, floors, unit_county, warnings, unschedulable
    )


def _lapses(
    skill: str | None,
    parts: dict[str, list[str]],
    people: dict,
    until: dt.datetime,
    start: dt.datetime,
) -> tuple[int | None, int]:
    """The hour the first participant's certificate of `skill` lapses (before `until`), and
    how many participants' certificates lapse by then. A drill held later leaves them
    uncertified for the days in between."""
    if skill is None:
        return None, 0
    expiries = [
        c.expires
        for ps in parts.values()
        for pid in ps
        for c in people[pid].skills
        if c.skill == skill and c.expires is not None and c.expires < until.date()
    ]
    if not expiries:
        return None, 0
    first = dt.datetime.combine(min(expiries) + dt.timedelta(days=1), dt.time())
    return max(0, int((first - start) / dt.timedelta(hours=1))), len(expiries)


def _venue_open(v: Venue, s: Scenario, t: int, hours: int) -> bool:
    day, hour = divmod(t, 24)
    date = s.horizon.start + dt.timedelta(days=day)
    open_h = v.open_from.hour + v.open_from.minute / 60
    close_h = v.open_until.hour + v.open_until.minute / 60
    return date.weekday() in v.weekdays and open_h <= hour and hour + hours <= close_h


def _instructor_free(
    ins: Instructor, busy: _Busy, s: Scenario, start: dt.datetime, cands: list[int], hours: int
) -> list[int]:
    tz = zoneinfo.ZoneInfo(s.timezone)
    spans = [
        (
            (_naive(a, tz) - start) / dt.timedelta(hours=1),
            (_naive(b, tz) - start) / dt.timedelta(hours=1),
        )
        for a, b in ins.unavailable
    ]
    if ins.person_id:
        spans += [(float(a), float(b)) for a, b in busy.spans.get(ins.person_id, ())]
    return [t for t in cands if not any(a < t + hours and t < b for a, b in spans)]
