"""The dispatch instance: every unit's resources, state and protection rules, precomputed once
per state change so that a suggestion only computes ETAs and solves.

Protection rules become *cap groups*: a set of units with a weight each and a cap on the
total weight that may be taken —
- last cover of a 24-hour post: at most (units on the post − 1) units may leave it;
- zone presence: at most (people patrolling the zone − its min_presence) people may leave;
- standby floor: at most (people on standby − the county's floor) people may leave standby.
A unit whose weight alone exceeds a cap can never be taken and is excluded up front.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from optimizer.reinforcement.eta import TravelModel, distance_km, travel_minutes
from optimizer.reinforcement.forces import (
    DISPATCHABLE,
    TIERS,
    DispatchUnit,
    UnitSnapshot,
    UnitState,
    ancestor_map,
    dispatch_units_from_scenario,
    unit_states_from_plan,
)
from optimizer.scenario import Incident, IncidentNeeds, Level, Scenario

DEFAULT_TURNOUT: dict[UnitState, float] = {
    UnitState.AVAILABLE: 1.0,
    UnitState.STANDBY: 1.0,
    UnitState.ON_POST: 1.0,
    UnitState.ON_PATROL: 0.5,
    UnitState.RETURNING: 0.5,
}
DEFAULT_SEVERITY_LEVELS: dict[int, Level] = {
    1: Level.TOWNSHIP,
    2: Level.TOWNSHIP,
    3: Level.COUNTY,
    4: Level.CITY,
}


@dataclass(frozen=True)
class ReinforcementOptions:
    travel: TravelModel = field(default_factory=TravelModel)
    turnout_minutes: Mapping[UnitState, float] = field(default_factory=lambda: DEFAULT_TURNOUT)
    severity_levels: Mapping[int, Level] = field(default_factory=lambda: DEFAULT_SEVERITY_LEVELS)
    max_level: Level = Level.CITY
    alternatives: int = 2
    target_minutes: float = 5.0
    coverage_factor: int = 2
    min_candidates: int = 8
    protect_posts: bool = True
    protect_floors: bool = True
    time_limit_seconds: float = 5.0
    presolve: bool = False  # the models are tiny: presolve costs more than it saves
    num_workers: int = 1
    random_seed: int = 0


@dataclass(frozen=True)
class CapGroup:
    """At most `cap` weight may be taken from `members` (indices into the instance)."""

    name: str
    kind: str  # post_last_cover, zone_presence, standby_floor
    target_id: str
    members: tuple[int, ...]
    weights: tuple[int, ...]
    cap: int


def need_vector(needs: IncidentNeeds) -> dict[str, int]:
    """The incident's needs as named dimensions, only those asked for."""
    out = {"headcount": needs.headcount, "armed": needs.armed, "vehicles": needs.vehicles}
    out.update({f"skill:{k}": v for k, v in sorted(needs.skills.items())})
    return {k: v for k, v in out.items() if v > 0}


@dataclass
class DispatchInstance:
    scenario: Scenario
    at: dt.datetime
    options: ReinforcementOptions
    units: list[DispatchUnit]
    states: list[UnitSnapshot]
    positions: np.ndarray  # [n, 2] lon/lat
    has_vehicle: np.ndarray
    turnout: np.ndarray
    eligible: np.ndarray  # may be dispatched at all
    excluded: dict[str, str]  # unit id → why it may not be dispatched
    groups: list[CapGroup]
    unit_groups: list[list[int]]  # unit index → cap groups it belongs to
    resources: dict[str, np.ndarray] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)
    _townships: tuple[list[str], np.ndarray] | None = None

    def resource(self, dim: str) -> np.ndarray:
        """Per-unit amount of a need dimension (people, armed, vehicles, skilled people)."""
        if dim not in self.resources:
            if dim.startswith("skill:"):
                skill = dim.removeprefix("skill:")
                values = [u.skills.get(skill, 0) for u in self.units]
            else:
                values = [getattr(u, dim) for u in self.units]
            self.resources[dim] = np.asarray(values, dtype=np.int64)
        return self.resources[dim]

    def eta_minutes(self, location: tuple[float, float]) -> np.ndarray:
        """Minutes for every unit to reach `location` (turnout + travel)."""
        return self.turnout + travel_minutes(
            self.positions, location, self.has_vehicle, self.options.travel
        )

    def incident_area(self, incident: Incident) -> tuple[str | None, str | None]:
        """The incident's township and county (the nearest township when unknown)."""
        s = self.scenario
        if incident.jurisdiction_id:
            return (
                s.ancestor_at(incident.jurisdiction_id, Level.TOWNSHIP),
                s.ancestor_at(incident.jurisdiction_id, Level.COUNTY),
            )
        if self._townships is None:
            towns = [j for j in s.jurisdictions if j.level == Level.TOWNSHIP and j.centroid]
            pts = np.asarray([j.centroid for j in towns], dtype=float).reshape(-1, 2)
            self._townships = ([j.id for j in towns], pts)
        ids, pts = self._townships
        if not ids:
            return None, None
        d = distance_km(pts, np.asarray([incident.location], dtype=float))[:, 0]
        town = ids[int(np.argmin(d))]
        return town, s.ancestor_at(town, Level.COUNTY)

    def tiers(self, incident: Incident) -> np.ndarray:
        """0 = the incident's township, 1 = its county, 2 = the rest of the city."""
        town, county = self.incident_area(incident)
        out = np.full(len(self.units), 2, dtype=np.int64)
        if county is not None:
            out[[i for i, u in enumerate(self.units) if u.county_id == county]] = 1
        if town is not None:
            out[[i for i, u in enumerate(self.units) if u.township_id == town]] = 0
        return out

    def start_tier(self, incident: Incident, escalation: Level | None) -> int:
        level = escalation or self.options.severity_levels.get(incident.severity, Level.TOWNSHIP)
        return TIERS.index(level) if level in TIERS else 0


def _post_groups(s: Scenario, states: list[UnitSnapshot], at: dt.datetime) -> list[CapGroup]:
    posts = s.by_id("posts")
    on_post: dict[str, list[int]] = {}
    for i, st in enumerate(states):
        if st.status == UnitState.ON_POST and st.target_id in posts:
            on_post.setdefault(st.target_id, []).append(i)
    out = []
    for pid, members in sorted(on_post.items()):
        post = posts[pid]
        if all(post.manned_at(h) for h in range(24)):
            out.append(
                CapGroup(
                    f"last cover of 24-hour post {post.name} ({pid})",
                    "post_last_cover",
                    pid,
                    tuple(members),
                    (1,) * len(members),
                    len(members) - 1,
                )
            )
    return out


def _zone_groups(
    s: Scenario, units: list[DispatchUnit], states: list[UnitSnapshot]
) -> list[CapGroup]:
    zones = s.by_id("zones")
    on_zone: dict[str, list[int]] = {}
    for i, st in enumerate(states):
        if st.status == UnitState.ON_PATROL and st.target_id in zones:
            on_zone.setdefault(st.target_id, []).append(i)
    out = []
    for zid, members in sorted(on_zone.items()):
        zone = zones[zid]
        if zone.min_presence <= 0:
            continue
        weights = tuple(units[i].headcount for i in members)
        out.append(
            CapGroup(
                f"min presence {zone.min_presence} in zone {zone.name} ({zid})",
                "zone_presence",
                zid,
                tuple(members),
                weights,
                max(0, sum(weights) - zone.min_presence),
            )
        )
    return out


def _standby_groups(
    s: Scenario, units: list[DispatchUnit], states: list[UnitSnapshot], at: dt.datetime
) -> list[CapGroup]:
    absent = {a.person_id for a in s.absences if a.start <= at < a.end}
    county_of = ancestor_map(s, Level.COUNTY)
    jurisdictions = s.by_id("jurisdictions")
    out = []
    for floor in s.standby:
        county = floor.jurisdiction_id
        forces = set(floor.forces)
        strength = sum(
            1
            for p in s.people
            if p.force in forces
            and p.id not in absent
            and county_of.get(p.jurisdiction_id) == county
        )
        need = max(floor.min_count, math.ceil(floor.min_share * strength - 1e-9))
        members = [
            i
            for i, (u, st) in enumerate(zip(units, states, strict=True))
            if st.status == UnitState.STANDBY and u.county_id == county and u.force in forces
        ]
        weights = tuple(units[i].headcount for i in members)
        name = jurisdictions[county].name if county in jurisdictions else ""
        out.append(
            CapGroup(
                f"standby floor {need} in county {name} ({county})",
                "standby_floor",
                county,
                tuple(members),
                weights,
                max(0, sum(weights) - need),
            )
        )
    return out


def build_instance(
    scenario: Scenario,
    at: dt.datetime,
    states: Mapping[str, UnitSnapshot] | None = None,
    options: ReinforcementOptions | None = None,
) -> DispatchInstance:
    """Precompute everything a suggestion needs that does not depend on the incident.

    `states` defaults to the states derived from the scenario's published plan at `at`."""
    opts = options or ReinforcementOptions()
    states = dict(states) if states is not None else unit_states_from_plan(scenario, at)
    units = dispatch_units_from_scenario(scenario, at, states)
    snaps: list[UnitSnapshot] = []
    positions = np.zeros((len(units), 2))
    excluded: dict[str, str] = {}
    for i, u in enumerate(units):
        snap = states.get(u.id) or UnitSnapshot(u.id, UnitState.AVAILABLE, u.base)
        snaps.append(snap)
        pos = snap.position or u.base
        if pos is not None:
            positions[i] = pos
        if snap.status not in DISPATCHABLE:
            excluded[u.id] = f"status {snap.status.value}"
        elif pos is None:
            excluded[u.id] = "no known position"
    groups: list[CapGroup] = []
    if opts.protect_posts:
        groups += _post_groups(scenario, snaps, at)
    if opts.protect_floors:
        groups += _zone_groups(scenario, units, snaps)
        groups += _standby_groups(scenario, units, snaps, at)
    unit_groups: list[list[int]] = [[] for _ in units]
    for g, group in enumerate(groups):
        for i, w in zip(group.members, group.weights, strict=True):
            unit_groups[i].append(g)
            if w > group.cap and units[i].id not in excluded:
                excluded[units[i].id] = group.name
    eligible = np.asarray([u.id not in excluded for u in units], dtype=bool)
    turnout = np.asarray([opts.turnout_minutes.get(st.status, 1.0) for st in snaps], dtype=float)
    return DispatchInstance(
        scenario=scenario,
        at=at,
        options=opts,
        units=units,
        states=snaps,
        positions=positions,
        has_vehicle=np.asarray([u.vehicles > 0 for u in units], dtype=bool),
        turnout=turnout,
        eligible=eligible,
        excluded=excluded,
        groups=groups,
        unit_groups=unit_groups,
        index={u.id: i for i, u in enumerate(units)},
    )
