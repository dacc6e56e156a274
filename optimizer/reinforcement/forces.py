"""Dispatchable units and their current state, derived from a scenario.

A dispatch unit is a scenario `Unit` (squad, team, station) with the people of that unit who
are on duty now: their headcount, armed count, skills (valid certifications) and the unit's
vehicles. Its state — status, last known position, the post/zone/county it is tied to — comes
from the published plan (`unit_states_from_plan`) and, in the database layer, from dispatch
events and position reports.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from optimizer.scenario import Assignment, Force, Level, Scenario, TaskKind, Zone


class UnitState(StrEnum):
    AVAILABLE = "available"
    ON_POST = "on_post"
    ON_PATROL = "on_patrol"
    STANDBY = "standby"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    OFF_DUTY = "off_duty"


#: States from which a unit may be sent to an incident.
DISPATCHABLE: frozenset[UnitState] = frozenset(
    {
        UnitState.AVAILABLE,
        UnitState.ON_POST,
        UnitState.ON_PATROL,
        UnitState.STANDBY,
        UnitState.RETURNING,
    }
)
#: States that count as covering the area (can respond within the rings) for coverage.
COVERING: frozenset[UnitState] = frozenset(
    {UnitState.AVAILABLE, UnitState.ON_PATROL, UnitState.STANDBY}
)
#: States a backfill move may relocate.
MOVABLE: frozenset[UnitState] = frozenset(
    {UnitState.AVAILABLE, UnitState.ON_PATROL, UnitState.STANDBY}
)

#: Escalation tiers: township → county → city.
TIERS: tuple[Level, ...] = (Level.TOWNSHIP, Level.COUNTY, Level.CITY)


@dataclass(frozen=True)
class UnitSnapshot:
    """Where a unit is and what it is doing now."""

    unit_id: str
    status: UnitState
    position: tuple[float, float] | None = None
    target_id: str | None = None  # post id, zone id or county id of its task
    members: tuple[str, ...] | None = None  # people with the unit now; None = all present


@dataclass(frozen=True)
class DispatchUnit:
    """A unit's resources as the dispatcher sees them."""

    id: str
    name: str
    force: Force
    jurisdiction_id: str
    township_id: str | None
    county_id: str | None
    headcount: int
    armed: int
    skills: Mapping[str, int] = field(default_factory=dict)
    vehicles: int = 0
    base: tuple[float, float] | None = None


def zone_point(zone: Zone) -> tuple[float, float] | None:
    """A zone's representative point: its centroid, else its geometry's centroid."""
    if zone.centroid is not None:
        return (float(zone.centroid[0]), float(zone.centroid[1]))
    if zone.geometry:
        from shapely.geometry import shape

        c = shape(zone.geometry).centroid
        return (float(c.x), float(c.y))
    return None


def ancestor_map(scenario: Scenario, level: Level) -> dict[str, str | None]:
    """Jurisdiction id → its ancestor at `level` (itself if at that level), for every one."""
    parents = {j.id: j for j in scenario.jurisdictions}
    out: dict[str, str | None] = {}
    for jid in parents:
        node = parents.get(jid)
        found = None
        while node is not None:
            if node.level == level:
                found = node.id
                break
            node = parents.get(node.parent_id) if node.parent_id else None
        out[jid] = found
    return out


def _absent(scenario: Scenario, at: dt.datetime) -> set[str]:
    return {a.person_id for a in scenario.absences if a.start <= at < a.end}


def dispatch_units_from_scenario(
    scenario: Scenario,
    at: dt.datetime,
    states: Mapping[str, UnitSnapshot] | None = None,
) -> list[DispatchUnit]:
    """Every unit with at least one person present at `at`, with its resources. When a state
    names the unit's members on duty, only those count."""
    absent = _absent(scenario, at)
    people_by_unit: dict[str, list] = defaultdict(list)
    for person in scenario.people:
        if person.unit_id is not None and person.id not in absent:
            people_by_unit[person.unit_id].append(person)
    vehicles = Counter(v.unit_id for v in scenario.vehicles)
    day = at.date()
    township = ancestor_map(scenario, Level.TOWNSHIP)
    county = ancestor_map(scenario, Level.COUNTY)
    out: list[DispatchUnit] = []
    for unit in scenario.units:
        people = people_by_unit.get(unit.id, [])
        snap = states.get(unit.id) if states else None
        if snap is not None and snap.members is not None:
            keep = set(snap.members)
            people = [p for p in people if p.id in keep]
        if not people:
            continue
        j = unit.jurisdiction_id
        skills: Counter[str] = Counter()
        for p in people:
            skills.update({c.skill for c in p.skills if c.valid_on(day)})
        out.append(
            DispatchUnit(
                id=unit.id,
                name=unit.name,
                force=unit.force,
                jurisdiction_id=j,
                township_id=township.get(j),
                county_id=county.get(j),
                headcount=len(people),
                armed=sum(1 for p in people if p.armed),
                skills=dict(skills),
                vehicles=vehicles.get(unit.id, 0),
                base=tuple(unit.base) if unit.base else None,  # type: ignore[arg-type]
            )
        )
    return out


def _active(assignment: Assignment, shifts: Mapping, at: dt.datetime) -> bool:
    shift = shifts.get(assignment.shift_id)
    if shift is None:
        return False
    start, end = shift.interval(assignment.date)
    return start <= at < end


def unit_states_from_plan(
    scenario: Scenario,
    at: dt.datetime,
    plan: Iterable[Assignment] | None = None,
) -> dict[str, UnitSnapshot]:
    """Each unit's state at `at` from the published plan (default: the scenario's).

    A unit whose people work at `at` takes the task most of them do: a post (on_post, at
    the post), a zone (on_patrol, at the zone centroid) or standby (at its base); its members
    are the people working. A unit with nobody working is off duty when a plan exists, and
    available at its base when there is no plan at all."""
    assignments = list(scenario.published_plan if plan is None else plan)
    shifts = scenario.by_id("shifts")
    posts = scenario.by_id("posts")
    zones = scenario.by_id("zones")
    unit_of = {p.id: p.unit_id for p in scenario.people}
    absent = _absent(scenario, at)
    tasks: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        uid = unit_of.get(a.person_id)
        if uid is not None and a.person_id not in absent and _active(a, shifts, at):
            tasks[uid].append(a)
    states: dict[str, UnitSnapshot] = {}
    for unit in scenario.units:
        base = tuple(unit.base) if unit.base else None
        working = tasks.get(unit.id)
        if not working:
            status = UnitState.OFF_DUTY if assignments else UnitState.AVAILABLE
            states[unit.id] = UnitSnapshot(unit.id, status, base)  # type: ignore[arg-type]
            continue
        (task, target), _ = Counter((a.task, a.target_id) for a in working).most_common(1)[0]
        position = base
        if task == TaskKind.POST:
            status = UnitState.ON_POST
            post = posts.get(target)
            position = tuple(post.location) if post else base
        elif task == TaskKind.ZONE:
            status = UnitState.ON_PATROL
            zone = zones.get(target)
            position = (zone_point(zone) or base) if zone is not None else base
        else:
            status = UnitState.STANDBY
        members = tuple(sorted({a.person_id for a in working}))
        states[unit.id] = UnitSnapshot(unit.id, status, position, target, members)  # type: ignore[arg-type]
    return states
