"""Independent checker of a drill schedule: reads only the scenario and the sessions (never
the solver's variables or the instance) and lists every violation of a hard rule —
working days and hours, blackouts, venue kind, opening hours and capacity, instructor skill,
availability and double booking, attendance, minimum gap, and each county's readiness floor
at every hour a drill runs. `missing_drills` lists the duties of whole periods in the horizon
that the schedule leaves short. Tests run both on every schedule they produce."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable

from optimizer.drill_format import DrillSession, SessionStatus
from optimizer.drills.occurrences import periods_between
from optimizer.scenario import Scenario, TaskKind
from optimizer.workdays import work_calendar


def _naive(t: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return t.astimezone(tz).replace(tzinfo=None) if t.tzinfo else t


def _hours(a: dt.datetime, b: dt.datetime) -> list[dt.datetime]:
    out, t = [], a.replace(minute=0, second=0, microsecond=0)
    while t < b:
        out.append(t)
        t += dt.timedelta(hours=1)
    return out


class _Roster:
    """Who belongs to which unit, and who is busy (absent or on patrol duty) when."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        tz = zoneinfo.ZoneInfo(s.timezone)
        self.busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for a in s.absences:
            self.busy[a.person_id].append((_naive(a.start, tz), _naive(a.end, tz)))
        shifts = s.by_id("shifts")
        for a in s.published_plan:
            if a.task != TaskKind.STANDBY and a.shift_id in shifts:
                self.busy[a.person_id].append(shifts[a.shift_id].interval(a.date))
        self.units = s.by_id("units")
        self.people = s.by_id("people")
        self.members: dict[str, list[str]] = defaultdict(list)
        for p in s.people:
            u = p.unit_id
            while u is not None:  # a squad's members are members of its parent unit too
                self.members[u].append(p.id)
                u = self.units[u].parent_id
        self.county = {u.id: s.county_of(u.jurisdiction_id) or u.jurisdiction_id for u in s.units}

    def is_busy(self, pid: str, a: dt.datetime, b: dt.datetime) -> bool:
        return any(x < b and a < y for x, y in self.busy.get(pid, ()))

    def taking_part(self, unit_id: str, drill_type_id: str) -> list[str]:
        dtype = {t.id: t for t in self.s.drills.types}[drill_type_id]
        return [p for p in self.members[unit_id] if self.people[p].force in dtype.forces]


def check_schedule(s: Scenario, sessions: Iterable[DrillSession]) -> list[str]:
    sessions = [x for x in sessions if x.status != SessionStatus.CANCELLED]
    d = s.drills
    roster = _Roster(s)
    types = {t.id: t for t in d.types}
    reqs = {r.id: r for r in d.requirements}
    venues = {v.id: v for v in d.venues}
    instructors = {i.id: i for i in d.instructors}
    tz = zoneinfo.ZoneInfo(s.timezone)
    starts = [x.start.date() for x in sessions]
    cal = (
        work_calendar(min(starts), max(starts) + dt.timedelta(days=1), d.calendar)
        if starts
        else None
    )
    out: list[str] = []
    venue_load: dict[tuple[str, dt.datetime], int] = Counter()
    teaching: dict[tuple[str, dt.datetime], list[str]] = defaultdict(list)
    ready_taken: dict[tuple[str, dt.datetime], int] = Counter()
    ready_pool = _ready_pools(s, roster)
    for x in sessions:
        name = f"drill {x.id} ({x.start:%Y-%m-%d %H:%M})"
        t = types[x.drill_type_id]
        if x.end - x.start != dt.timedelta(hours=t.hours):
            out.append(f"{name}: lasts {x.end - x.start}, the drill takes {t.hours} h")
        if d.settings.working_days_only and cal is not None and not cal.is_working(x.start.date()):
            out.append(f"{name}: on a non-working day")
        if x.start.time() < d.settings.working_from or (
            x.end.date() > x.start.date() or x.end.time() > d.settings.working_until
        ):
            out.append(f"{name}: outside working hours")
        counties = {roster.county[u] for u in x.unit_ids}
        for b in d.blackouts:
            b0, b1 = _naive(b.start, tz), _naive(b.end, tz)
            if not (x.start < b1 and b0 < x.end) or (b.kinds and t.kind not in b.kinds):
                continue
            if not b.jurisdiction_ids or counties & {
                s.county_of(j) or j for j in b.jurisdiction_ids
            }:
                out.append(f"{name}: during blackout {b.name}")
        hours = _hours(x.start, x.end)
        headcount = 0
        for u in x.unit_ids:
            ps = roster.taking_part(u, x.drill_type_id)
            take = min(t.headcount or len(ps), len(ps))
            headcount += take
            free = sum(1 for p in ps if not roster.is_busy(p, x.start, x.end))
            if free < math.ceil(t.min_attendance * take):
                out.append(f"{name}: only {free} of {u}'s {take} participants are free")
            c = roster.county[u]
            n_ready = sum(1 for p in ps if p in ready_pool.get(c, ()))
            if n_ready:
                for h in hours:
                    ready_taken[c, h] += math.ceil(take * n_ready / len(ps))
        if t.venue_kind is not None:
            v = venues.get(x.venue_id or "")
            if v is None:
                out.append(f"{name}: needs a {t.venue_kind} venue, has none")
            else:
                if v.kind != t.venue_kind:
                    out.append(f"{name}: venue {v.name} is a {v.kind}, not a {t.venue_kind}")
                if (
                    x.start.weekday() not in v.weekdays
                    or x.start.time() < v.open_from
                    or x.end.time() > v.open_until
                ):
                    out.append(f"{name}: venue {v.name} is closed then")
                for h in hours:
                    venue_load[v.id, h] += headcount
        if t.instructor_skill is not None:
            ins = instructors.get(x.instructor_id or "")
            if ins is None:
                out.append(f"{name}: needs an instructor with {t.instructor_skill}, has none")
            else:
                if t.instructor_skill not in ins.skills:
                    out.append(f"{name}: instructor {ins.name} lacks {t.instructor_skill}")
                if any(
                    _naive(a, tz) < x.end and x.start < _naive(b, tz) for a, b in ins.unavailable
                ) or (ins.person_id and roster.is_busy(ins.person_id, x.start, x.end)):
                    out.append(f"{name}: instructor {ins.name} is unavailable")
                for h in hours:
                    teaching[ins.id, h].append(x.id)
    for (vid, h), load in sorted(venue_load.items()):
        if load > venues[vid].capacity:
            out.append(
                f"venue {venues[vid].name} at {h:%Y-%m-%d %H:00}: {load} people, "
                f"holds {venues[vid].capacity}"
            )
    for (iid, h), ids in sorted(teaching.items()):
        if len(ids) > 1:
            out.append(
                f"instructor {instructors[iid].name} at {h:%Y-%m-%d %H:00}: "
                f"teaches {', '.join(ids)}"
            )
    out += _readiness(s, roster, ready_pool, ready_taken)
    out += _gaps(s, sessions, reqs)
    return out


def _ready_pools(s: Scenario, roster: _Roster) -> dict[str, set[str]]:
    pools: dict[str, set[str]] = {}
    for f in s.standby:
        c = s.county_of(f.jurisdiction_id) or f.jurisdiction_id
        pools[c] = {
            p.id
            for p in s.people
            if p.force in f.forces and p.unit_id and roster.county.get(p.unit_id) == c
        }
    return pools


def _readiness(
    s: Scenario,
    roster: _Roster,
    pools: dict[str, set[str]],
    taken: dict[tuple[str, dt.datetime], int],
) -> list[str]:
    out = []
    floors = {
        s.county_of(f.jurisdiction_id) or f.jurisdiction_id: max(
            f.min_count,
            math.ceil(
                f.min_share * len(pools[s.county_of(f.jurisdiction_id) or f.jurisdiction_id])
            ),
        )
        for f in s.standby
    }
    for (c, h), n in sorted(taken.items()):
        if c not in floors:
            continue
        free = sum(1 for p in pools[c] if not roster.is_busy(p, h, h + dt.timedelta(hours=1)))
        if free - n < floors[c]:
            out.append(
                f"readiness {c} at {h:%Y-%m-%d %H:00}: {free} ready people free, drills take {n}, "
                f"floor {floors[c]}"
            )
    return out


def _gaps(s: Scenario, sessions: list[DrillSession], reqs: dict) -> list[str]:
    out = []
    history = [x for x in s.drills.sessions if x.status == SessionStatus.DONE]
    by_req: dict[str, list[DrillSession]] = defaultdict(list)
    ids = {x.id for x in sessions}
    for x in [*sessions, *(h for h in history if h.id not in ids)]:
        by_req[x.requirement_id].append(x)
    for rid, xs in by_req.items():
        gap = dt.timedelta(days=reqs[rid].min_gap_days) if rid in reqs else dt.timedelta()
        xs.sort(key=lambda x: x.start)
        for a, b in itertools.pairwise(xs):
            if b.start < a.end or (gap and b.start - a.start < gap):
                out.append(f"duty {rid}: drills {a.id} and {b.id} closer than {gap.days} d")
    return out


def missing_drills(s: Scenario, sessions: Iterable[DrillSession]) -> dict[tuple[str, str], int]:
    """(requirement, period) → drills missing, for the periods that lie wholly in the horizon."""
    start = s.horizon.start
    end = start + dt.timedelta(days=s.horizon.days)
    done = Counter()
    for x in [*s.drills.sessions, *sessions]:
        if x.status in (SessionStatus.DONE, SessionStatus.SCHEDULED):
            done[x.occurrence] += 1
    seen: set[str] = set()
    out = {}
    for r in s.drills.requirements:
        for p in periods_between(start, end, r.per):
            if p.start < start or p.end > end:
                continue
            have = 0
            for n in range(1, r.count + 1):
                key = f"{r.id}/{p.key}/{n}"
                if done[key] and key not in seen:
                    have += 1
                    seen.add(key)
            if have < r.count:
                out[r.id, p.key] = r.count - have
    return out
