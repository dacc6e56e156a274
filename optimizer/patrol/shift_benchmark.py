"""The employee shift scheduling benchmark (Curtois & Qu, Instance1 … Instance24) read into a
typed instance, turned into a pingan scenario, and scored by the benchmark's own rules.

    read_instance(path) -> ShiftBenchmark          (BenchmarkFormatError names line and section)
    to_scenario(bench) -> Scenario                 (one post "ward", hard labour rules)
    roster_of(bench, assignments) -> Roster        ((employee, day) → shift id)
    benchmark_penalty(bench, roster) -> Penalty    (requests + cover, as the benchmark scores)
    benchmark_violations(bench, roster) -> [str]   (the benchmark's hard rules, read directly)

How the benchmark maps onto the scenario:
- the horizon starts on Monday `START` (the benchmark's day 0 is a Monday), so weekend w is
  days 7w+5 and 7w+6 — the same Saturday and Sunday of one ISO week the WeekendRule groups;
- a shift type is a ShiftTemplate of `minutes / 60` hours; the k-th starts at 00:k (times
  play no part in the benchmark, which has no rest rule; distinct starts keep the plan's
  shortfalls apart); lengths must be whole hours (every instance's are); total minutes
  become a HoursRule `ceil(min / 60)` … `floor(max / 60)`, exact because every total is
  then a whole number of hours;
- the ward is one post staffed by everyone, its cover one Cover per (day, shift) with the
  benchmark's requirement and under/over weights (add_over_cover pays the over weight);
  every (day, shift) must have its cover row and a positive over weight (every instance
  does), as the ward would otherwise fall back to the post's own minimum and cap;
- requests are ShiftRequests with the benchmark weight (weights.preferences = 1); days off a
  DaysOffRule per employee (not absences, so a request on a day off still counts);
- per-type maxima, total minutes, consecutive shifts, days off and weekends are hard rules,
  grouped over the employees who share the same values; min-consecutive runs touching either
  end of the horizon are exempt, as in ConsecutiveWorkRule and ConsecutiveOffRule;
- every other objective weight is 0, so the solver's objective is the benchmark penalty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.scenario import (
    Assignment,
    ConsecutiveOffRule,
    ConsecutiveWorkRule,
    Cover,
    DaysOffRule,
    ForbiddenSuccessionRule,
    Force,
    Horizon,
    HoursRule,
    Jurisdiction,
    LabourRule,
    Level,
    Person,
    Post,
    PostKind,
    Scenario,
    Selector,
    ShiftCountRule,
    ShiftRequest,
    ShiftTemplate,
    WeekendRule,
    Weights,
    check_references,
)

START = dt.date(2024, 1, 1)  # a Monday: the benchmark's day 0
WARD = "ward"
COUNTY = "hospital"
SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class BenchmarkFormatError(ValueError):
    """A malformed instance file: the message names the file, line and section."""


@dataclass(frozen=True)
class BenchShift:
    id: str
    minutes: int
    not_followed_by: tuple[str, ...]  # shift ids that may not be worked the next day


@dataclass(frozen=True)
class BenchStaff:
    id: str
    max_shifts: dict[str, int]  # shift id → most shifts of that type (0 = never)
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class BenchRequest:
    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class BenchCover:
    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass
class ShiftBenchmark:
    name: str
    days: int
    shifts: list[BenchShift]
    staff: list[BenchStaff]
    days_off: dict[str, list[int]] = field(default_factory=dict)
    on_requests: list[BenchRequest] = field(default_factory=list)
    off_requests: list[BenchRequest] = field(default_factory=list)
    cover: list[BenchCover] = field(default_factory=list)

    @property
    def shift_by_id(self) -> dict[str, BenchShift]:
        return {s.id: s for s in self.shifts}

    def date(self, day: int) -> dt.date:
        return START + dt.timedelta(days=day)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    section: str
    fields: list[str]


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, line: _Line, problem: str) -> BenchmarkFormatError:
        return BenchmarkFormatError(f"{self.name} line {line.number} ({line.section}): {problem}")

    def count(self, line: _Line, n: int, what: str) -> None:
        if len(line.fields) != n:
            raise self.fail(line, f"expected {n} fields ({what}), got {len(line.fields)}")

    def integer(self, line: _Line, text: str, what: str, low: int = 0) -> int:
        try:
            value = int(text)
        except ValueError:
            raise self.fail(line, f"{what}: {text!r} is not a whole number") from None
        if value < low:
            raise self.fail(line, f"{what}: {value} is below {low}")
        return value

    def day(self, line: _Line, text: str, days: int) -> int:
        value = self.integer(line, text, "day")
        if value >= days:
            raise self.fail(line, f"day: {value} is outside the horizon 0…{days - 1}")
        return value

    def known(self, line: _Line, value: str, known: Iterable[str], what: str) -> str:
        if value not in known:
            raise self.fail(line, f"unknown {what} {value!r}")
        return value


def _sections(text: str, reader: _Reader) -> dict[str, list[_Line]]:
    out: dict[str, list[_Line]] = {}
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise BenchmarkFormatError(f"{reader.name} line {number}: unknown section {line}")
            if line in out:
                raise BenchmarkFormatError(f"{reader.name} line {number}: {line} given twice")
            section = line
            out[section] = []
            continue
        if not section:
            raise BenchmarkFormatError(f"{reader.name} line {number}: data before any section")
        out[section].append(_Line(number, section, [f.strip() for f in line.split(",")]))
    missing = [s for s in SECTIONS if s not in out]
    if missing:
        raise BenchmarkFormatError(f"{reader.name}: missing section {', '.join(missing)}")
    return out


def parse_instance(text: str, name: str = "instance") -> ShiftBenchmark:
    """Parse the text of an instance file (CRLF or LF line endings)."""
    r = _Reader(name)
    sec = _sections(text, r)
    horizon = sec["SECTION_HORIZON"]
    if len(horizon) != 1:
        raise BenchmarkFormatError(
            f"{name} (SECTION_HORIZON): expected one line, got {len(horizon)}"
        )
    r.count(horizon[0], 1, "horizon length")
    days = r.integer(horizon[0], horizon[0].fields[0], "horizon length", low=1)

    shifts: list[BenchShift] = []
    for line in sec["SECTION_SHIFTS"]:
        if len(line.fields) == 2:  # no trailing comma when nothing is forbidden
            line = _Line(line.number, line.section, [*line.fields, ""])
        r.count(line, 3, "ShiftID, minutes, shifts that may not follow")
        sid, minutes, after = line.fields
        if not sid or sid in {s.id for s in shifts}:
            raise r.fail(line, f"shift id {sid!r} is empty or given twice")
        follow = tuple(x for x in after.split("|") if x)
        shifts.append(BenchShift(sid, r.integer(line, minutes, "length in minutes", 1), follow))
    if not shifts:
        raise BenchmarkFormatError(f"{name} (SECTION_SHIFTS): no shift types")
    ids = [s.id for s in shifts]
    for line, s in zip(sec["SECTION_SHIFTS"], shifts, strict=True):
        for x in s.not_followed_by:
            r.known(line, x, ids, "shift in the forbidden successions")

    staff: list[BenchStaff] = []
    for line in sec["SECTION_STAFF"]:
        r.count(line, 8, "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutive…")
        eid = line.fields[0]
        if not eid or eid in {e.id for e in staff}:
            raise r.fail(line, f"employee id {eid!r} is empty or given twice")
        limits: dict[str, int] = {}
        for part in filter(None, line.fields[1].split("|")):
            sid, eq, value = part.partition("=")
            if not eq:
                raise r.fail(line, f"MaxShifts: {part!r} is not ShiftID=max")
            limits[r.known(line, sid, ids, "shift in MaxShifts")] = r.integer(
                line, value, f"MaxShifts of {sid}"
            )
        nums = [
            r.integer(line, v, what) for v, what in zip(line.fields[2:], _STAFF_FIELDS, strict=True)
        ]
        max_min, min_min, max_run, min_run, min_off, max_wk = nums
        if min_min > max_min:
            raise r.fail(line, f"MinTotalMinutes {min_min} exceeds MaxTotalMinutes {max_min}")
        staff.append(BenchStaff(eid, limits, max_min, min_min, max_run, min_run, min_off, max_wk))
    if not staff:
        raise BenchmarkFormatError(f"{name} (SECTION_STAFF): no employees")
    people = [e.id for e in staff]

    days_off: dict[str, list[int]] = {}
    for line in sec["SECTION_DAYS_OFF"]:
        eid = r.known(line, line.fields[0], people, "employee")
        days_off.setdefault(eid, []).extend(r.day(line, d, days) for d in line.fields[1:] if d)

    def requests(section: str) -> list[BenchRequest]:
        out = []
        for line in sec[section]:
            r.count(line, 4, "EmployeeID, Day, ShiftID, Weight")
            eid, day, sid, weight = line.fields
            out.append(
                BenchRequest(
                    r.known(line, eid, people, "employee"),
                    r.day(line, day, days),
                    r.known(line, sid, ids, "shift"),
                    r.integer(line, weight, "weight"),
                )
            )
        return out

    cover: list[BenchCover] = []
    seen: set[tuple[int, str]] = set()
    for line in sec["SECTION_COVER"]:
        r.count(line, 5, "Day, ShiftID, Requirement, Weight for under, Weight for over")
        day = r.day(line, line.fields[0], days)
        sid = r.known(line, line.fields[1], ids, "shift")
        if (day, sid) in seen:
            raise r.fail(line, f"cover of day {day} shift {sid} given twice")
        seen.add((day, sid))
        req, under, over = (
            r.integer(line, v, w)
            for v, w in zip(
                line.fields[2:], ("requirement", "under weight", "over weight"), strict=True
            )
        )
        cover.append(BenchCover(day, sid, req, under, over))
    return ShiftBenchmark(
        name,
        days,
        shifts,
        staff,
        days_off,
        requests("SECTION_SHIFT_ON_REQUESTS"),
        requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover,
    )


_STAFF_FIELDS = (
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)


def read_instance(path: str | Path) -> ShiftBenchmark:
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise BenchmarkFormatError(f"{path.name}: cannot read: {exc}") from exc
    return parse_instance(text, path.stem)


# --- the scenario -------------------------------------------------------------------------


class BenchmarkConversionError(ValueError):
    """An instance the scenario format cannot express faithfully."""


def _groups(
    staff: Iterable[BenchStaff], key: Callable[[BenchStaff], Hashable]
) -> dict[Hashable, list[str]]:
    """Employee ids grouped by a rule's values, so one rule covers all who share them."""
    out: dict[Hashable, list[str]] = defaultdict(list)
    for e in staff:
        out[key(e)].append(e.id)
    return out


def to_scenario(bench: ShiftBenchmark) -> Scenario:
    """The benchmark as a pingan scenario: every rule hard, the objective the benchmark's."""
    if len(bench.shifts) > 60:
        raise BenchmarkConversionError(f"{len(bench.shifts)} shift types: at most 60 are supported")
    for s in bench.shifts:
        if s.minutes % 60 or s.minutes > 24 * 60:
            raise BenchmarkConversionError(
                f"shift {s.id}: {s.minutes} min is not a whole number of hours up to 24"
            )
    missing = sorted(
        {(d, s.id) for d in range(bench.days) for s in bench.shifts}
        - {(c.day, c.shift) for c in bench.cover}
    )
    if missing:
        day, sid = missing[0]
        raise BenchmarkConversionError(
            f"cover: no row for day {day} shift {sid} ({len(missing)} missing); "
            "the ward would fall back to its minimum staff there"
        )
    for c in bench.cover:
        if c.over_weight == 0:
            raise BenchmarkConversionError(
                f"cover day {c.day} shift {c.shift}: free over-staffing (over weight 0) "
                "has no scenario equivalent (a cover without over_weight caps the post)"
            )
    rules: list[LabourRule] = []

    def who(ids: list[str]) -> Selector:
        return Selector(people=ids)

    for s in bench.shifts:
        for then in s.not_followed_by:
            rules.append(ForbiddenSuccessionRule(id=f"succ-{s.id}-{then}", first=s.id, then=then))
    for s in bench.shifts:
        limits = _groups(
            (e for e in bench.staff if s.id in e.max_shifts),
            lambda e, sid=s.id: e.max_shifts[sid],
        )
        for n, (cap, ids) in enumerate(sorted(limits.items())):
            rules.append(
                ShiftCountRule(id=f"max-{s.id}-{n}", shift_ids=[s.id], max=cap, applies_to=who(ids))
            )
    hours = _groups(bench.staff, lambda e: (math.ceil(e.min_minutes / 60), e.max_minutes // 60))
    for n, ((lo, hi), ids) in enumerate(sorted(hours.items())):
        if lo <= hi:
            rules.append(HoursRule(id=f"minutes-{n}", min=lo or None, max=hi, applies_to=who(ids)))
        else:  # no whole number of hours fits: two rules, so the conflict can be named
            rules.append(HoursRule(id=f"minutes-{n}-min", min=lo, applies_to=who(ids)))
            rules.append(HoursRule(id=f"minutes-{n}-max", max=hi, applies_to=who(ids)))
    # the longest and the shortest run are separate rules: an instance may ask for a minimum
    # above the maximum (then only runs touching the horizon's ends are possible)
    longest = _groups(bench.staff, lambda e: e.max_consecutive)
    for n, (hi, ids) in enumerate(sorted(longest.items())):
        if hi > 0:
            rules.append(ConsecutiveWorkRule(id=f"run-max-{n}", max=hi, applies_to=who(ids)))
        else:  # may never work
            rules.append(ShiftCountRule(id=f"run-max-{n}", max=0, applies_to=who(ids)))
    shortest = _groups(
        (e for e in bench.staff if e.min_consecutive > 1), lambda e: e.min_consecutive
    )
    for n, (lo, ids) in enumerate(sorted(shortest.items())):
        rules.append(ConsecutiveWorkRule(id=f"run-min-{n}", min=lo, applies_to=who(ids)))
    offs = _groups((e for e in bench.staff if e.min_days_off > 1), lambda e: e.min_days_off)
    for n, (lo, ids) in enumerate(sorted(offs.items())):
        rules.append(ConsecutiveOffRule(id=f"off-{n}", min=lo, applies_to=who(ids)))
    weekends = _groups(bench.staff, lambda e: e.max_weekends)
    for n, (cap, ids) in enumerate(sorted(weekends.items())):
        rules.append(WeekendRule(id=f"weekends-{n}", max=cap, applies_to=who(ids)))
    for eid, days in sorted(bench.days_off.items()):
        if days:
            rules.append(
                DaysOffRule(
                    id=f"days-off-{eid}",
                    dates=[bench.date(d) for d in sorted(set(days))],
                    applies_to=who([eid]),
                )
            )
    requests = [
        ShiftRequest(
            person_id=q.employee, date=bench.date(q.day), shift_id=q.shift, on=on, weight=q.weight
        )
        for on, reqs in ((True, bench.on_requests), (False, bench.off_requests))
        for q in reqs
    ]
    covers = [
        Cover(
            target_id=WARD,
            date=bench.date(c.day),
            shift_id=c.shift,
            required=c.requirement,
            under_weight=c.under_weight,
            over_weight=c.over_weight,
        )
        for c in bench.cover
    ]
    scenario = Scenario(
        name=bench.name,
        horizon=Horizon(start=START, days=bench.days),
        jurisdictions=[Jurisdiction(id=COUNTY, name="hospital", level=Level.COUNTY)],
        people=[
            Person(
                id=e.id,
                name=f"employee {e.id}",
                force=Force.COUNTY_RESPONSE,
                jurisdiction_id=COUNTY,
            )
            for e in bench.staff
        ],
        shifts=[
            ShiftTemplate(
                id=s.id, name=s.id, start=dt.time(0, k), hours=s.minutes // 60, night=False
            )
            for k, s in enumerate(bench.shifts)
        ],
        posts=[
            Post(
                id=WARD,
                name="ward",
                kind=PostKind.CHECKPOINT,
                jurisdiction_id=COUNTY,
                location=(0.0, 0.0),
            )
        ],
        rules=rules,
        requests=requests,
        covers=covers,
        weights=Weights(
            fairness_nights=0,
            fairness_weekends=0,
            fairness_hours=0,
            travel=0,
            preferences=1,
            continuity=0,
        ),
    )
    problems = check_references(scenario)
    if problems:
        raise BenchmarkConversionError("; ".join(problems))
    return scenario


# --- scoring ------------------------------------------------------------------------------

Roster = dict[tuple[str, int], str]  # (employee, day) → shift id


class RosterError(ValueError):
    """A plan that is not a roster of the benchmark (unknown ids, dates outside the horizon)."""


def roster_of(bench: ShiftBenchmark, plan: Iterable[Assignment]) -> Roster:
    """The roster of a plan; two shifts for one employee on one day is an error."""
    people, shifts = {e.id for e in bench.staff}, bench.shift_by_id
    out: Roster = {}
    for a in plan:
        day = (a.date - START).days
        if a.person_id not in people or a.shift_id not in shifts or not 0 <= day < bench.days:
            raise RosterError(f"not in the benchmark: {a.person_id} {a.date} {a.shift_id}")
        if (a.person_id, day) in out:
            raise RosterError(f"{a.person_id} has two shifts on day {day}")
        out[a.person_id, day] = a.shift_id
    return out


@dataclass(frozen=True)
class Penalty:
    on_requests: int
    off_requests: int
    under_cover: int
    over_cover: int

    @property
    def total(self) -> int:
        return self.on_requests + self.off_requests + self.under_cover + self.over_cover


def benchmark_penalty(bench: ShiftBenchmark, roster: Roster) -> Penalty:
    """The benchmark objective: an on-request costs its weight when that shift is not
    worked that day, an off-request when it is; each (day, shift) costs under weight ×
    shortfall + over weight × excess against its requirement."""
    on = sum(q.weight for q in bench.on_requests if roster.get((q.employee, q.day)) != q.shift)
    off = sum(q.weight for q in bench.off_requests if roster.get((q.employee, q.day)) == q.shift)
    staffed: dict[tuple[int, str], int] = defaultdict(int)
    for (_, day), sid in roster.items():
        staffed[day, sid] += 1
    under = over = 0
    for c in bench.cover:
        n = staffed[c.day, c.shift]
        under += c.under_weight * max(0, c.requirement - n)
        over += c.over_weight * max(0, n - c.requirement)
    return Penalty(on, off, under, over)


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each maximal run of True."""
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - start))
            start = None
    return out


def benchmark_violations(bench: ShiftBenchmark, roster: Roster) -> list[str]:
    """Every hard rule of the benchmark the roster breaks, read from the instance alone."""
    out: list[str] = []
    for e in bench.staff:
        mine = {d: roster[e.id, d] for d in range(bench.days) if (e.id, d) in roster}
        out += employee_violations(bench, e, mine)
    return out


def employee_violations(bench: ShiftBenchmark, e: BenchStaff, mine: dict[int, str]) -> list[str]:
    """The benchmark's hard rules for one employee's shifts (day → shift id)."""
    out: list[str] = []
    shifts, h = bench.shift_by_id, bench.days
    for sid, cap in e.max_shifts.items():
        n = sum(1 for x in mine.values() if x == sid)
        if n > cap:
            out.append(f"{e.id}: {n} shifts {sid}, at most {cap}")
    minutes = sum(shifts[x].minutes for x in mine.values())
    if not e.min_minutes <= minutes <= e.max_minutes:
        out.append(f"{e.id}: {minutes} min, not in [{e.min_minutes}, {e.max_minutes}]")
    off = bench.days_off.get(e.id, [])
    for d, sid in mine.items():
        nxt = mine.get(d + 1)
        if nxt is not None and nxt in shifts[sid].not_followed_by:
            out.append(f"{e.id}: {sid} on day {d} then {nxt}")
        if d in off:
            out.append(f"{e.id}: works on day off {d}")
    worked = [d in mine for d in range(h)]
    for start, length in _runs(worked):
        if length > e.max_consecutive:  # the days around the horizon count as off
            out.append(f"{e.id}: {length} shifts in a row from day {start}")
        inside = start > 0 and start + length < h  # blocks at either end are exempt
        if inside and length < e.min_consecutive:
            out.append(f"{e.id}: only {length} shifts in a row from day {start}")
    for start, length in _runs([not w for w in worked]):
        if start > 0 and start + length < h and length < e.min_days_off:
            out.append(f"{e.id}: only {length} days off in a row from day {start}")
    weekends = sum(1 for w in range(math.ceil(h / 7)) if any(worked[7 * w + 5 : 7 * w + 7]))
    if weekends > e.max_weekends:
        out.append(f"{e.id}: {weekends} weekends worked, at most {e.max_weekends}")
    return out
