"""Independent checks of a reinforcement suggestion and of a backfill. They read the scenario,
the unit states and the answer — never the solver's variables or the instance's cap groups —
and list every violation. `best_key_by_enumeration` gives the exact lexicographic optimum of
a small case by trying every subset of units.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.reinforcement.eta import TravelModel, travel_minutes
from optimizer.reinforcement.forces import DISPATCHABLE, MOVABLE, TIERS, UnitSnapshot, UnitState
from optimizer.reinforcement.results import BackfillResult, Suggestion
from optimizer.scenario import Incident, Level, Scenario

DIMS = ("headcount", "armed", "vehicles")


@dataclass(frozen=True)
class _Unit:
    id: str
    status: UnitState
    target: str | None
    position: tuple[float, float] | None
    force: str
    township: str | None
    county: str | None
    amounts: dict[str, int]


def _units(
    scenario: Scenario, states: Mapping[str, UnitSnapshot], at: dt.datetime
) -> dict[str, _Unit]:
    absent = {a.person_id for a in scenario.absences if a.start <= at < a.end}
    out = {}
    for unit in scenario.units:
        st = states.get(unit.id) or UnitSnapshot(unit.id, UnitState.AVAILABLE, unit.base)  # type: ignore[arg-type]
        people = [p for p in scenario.people if p.unit_id == unit.id and p.id not in absent]
        if st.members is not None:
            people = [p for p in people if p.id in st.members]
        amounts = {
            "headcount": len(people),
            "armed": sum(p.armed for p in people),
            "vehicles": sum(1 for v in scenario.vehicles if v.unit_id == unit.id),
        }
        for p in people:
            for skill in {c.skill for c in p.skills if c.valid_on(at.date())}:
                amounts[f"skill:{skill}"] = amounts.get(f"skill:{skill}", 0) + 1
        out[unit.id] = _Unit(
            unit.id,
            st.status,
            st.target_id,
            st.position or (tuple(unit.base) if unit.base else None),  # type: ignore[arg-type]
            unit.force.value,
            scenario.ancestor_at(unit.jurisdiction_id, Level.TOWNSHIP),
            scenario.ancestor_at(unit.jurisdiction_id, Level.COUNTY),
            amounts,
        )
    return out


def _needs(incident: Incident) -> dict[str, int]:
    n = incident.needs
    out = {"headcount": n.headcount, "armed": n.armed, "vehicles": n.vehicles}
    out.update({f"skill:{k}": v for k, v in n.skills.items()})
    return {k: v for k, v in out.items() if v > 0}


def _tier(u: _Unit, town: str | None, county: str | None) -> int:
    if town is not None and u.township == town:
        return 0
    if county is not None and u.county == county:
        return 1
    return 2


def eta_of(
    u: _Unit,
    location: Sequence[float],
    travel: TravelModel,
    turnout: Mapping[UnitState, float],
) -> float:
    assert u.position is not None
    km = travel_minutes(
        np.asarray([u.position], dtype=float),
        location,
        np.asarray([u.amounts["vehicles"] > 0]),
        travel,
    )
    return float(km[0]) + turnout.get(u.status, 1.0)


def protection_violations(
    scenario: Scenario,
    units: Mapping[str, _Unit],
    taken: set[str],
    at: dt.datetime,
) -> list[str]:
    """Last cover of 24-hour posts, zone min presence and standby floors after `taken` leave."""
    problems = []
    for post in scenario.posts:
        if not all(post.manned_at(h) for h in range(24)):
            continue
        on = [u for u in units.values() if u.status == UnitState.ON_POST and u.target == post.id]
        if on and all(u.id in taken for u in on):
            problems.append(f"post {post.id}: its last cover was taken")
    for zone in scenario.zones:
        on = [u for u in units.values() if u.status == UnitState.ON_PATROL and u.target == zone.id]
        left = sum(u.amounts["headcount"] for u in on if u.id not in taken)
        took = any(u.id in taken for u in on)
        if took and left < zone.min_presence:
            problems.append(f"zone {zone.id}: {left} people left, min presence {zone.min_presence}")
    absent = {a.person_id for a in scenario.absences if a.start <= at < a.end}
    for floor in scenario.standby:
        forces = {f.value for f in floor.forces}
        strength = sum(
            1
            for p in scenario.people
            if p.force.value in forces
            and p.id not in absent
            and scenario.county_of(p.jurisdiction_id) == floor.jurisdiction_id
        )
        need = max(floor.min_count, math.ceil(floor.min_share * strength - 1e-9))
        on = [
            u
            for u in units.values()
            if u.status == UnitState.STANDBY
            and u.county == floor.jurisdiction_id
            and u.force in forces
        ]
        left = sum(u.amounts["headcount"] for u in on if u.id not in taken)
        if any(u.id in taken for u in on) and left < need:
            problems.append(f"county {floor.jurisdiction_id}: standby {left} below floor {need}")
    return problems


def check_suggestion(
    scenario: Scenario,
    states: Mapping[str, UnitSnapshot],
    incident: Incident,
    suggestion: Suggestion,
    level: Level,
    travel: TravelModel,
    turnout: Mapping[UnitState, float],
) -> list[str]:
    """Every violation of the dispatch rules by `suggestion`, and every figure it reports
    that does not match a recomputation."""
    at = incident.reported_at
    units = _units(scenario, states, at)
    town, county = _area(scenario, incident)
    max_tier = TIERS.index(level)
    taken = {c.unit_id for c in suggestion.units}
    problems = []
    if len(taken) != len(suggestion.units):
        problems.append("a unit is suggested twice")
    for c in suggestion.units:
        u = units.get(c.unit_id)
        if u is None:
            problems.append(f"{c.unit_id}: unknown unit")
            continue
        if u.status not in DISPATCHABLE:
            problems.append(f"{u.id}: status {u.status.value} is not dispatchable")
        if _tier(u, town, county) > max_tier:
            problems.append(f"{u.id}: beyond the {level.value} escalation tier")
        eta = eta_of(u, incident.location, travel, turnout)
        if abs(eta - c.eta_minutes) > 0.011:
            problems.append(f"{u.id}: reported ETA {c.eta_minutes}, recomputed {eta:.2f}")
    short = 0
    for dim, amount in _needs(incident).items():
        got = sum(units[t].amounts.get(dim, 0) for t in taken if t in units)
        short += max(0, amount - got)
    if short != suggestion.shortfall:
        problems.append(f"shortfall reported {suggestion.shortfall}, recomputed {short}")
    problems += protection_violations(scenario, units, taken, at)
    return problems


def _area(scenario: Scenario, incident: Incident) -> tuple[str | None, str | None]:
    if incident.jurisdiction_id is None:
        return None, None
    return (
        scenario.ancestor_at(incident.jurisdiction_id, Level.TOWNSHIP),
        scenario.ancestor_at(incident.jurisdiction_id, Level.COUNTY),
    )


def best_key_by_enumeration(
    scenario: Scenario,
    states: Mapping[str, UnitSnapshot],
    incident: Incident,
    level: Level,
    travel: TravelModel,
    turnout: Mapping[UnitState, float],
    exclude: Iterable[str] = (),
) -> tuple[list[float], set[str]]:
    """The lexicographic optimum (shortfall, arrival s, units, tier sum, travel s) over every
    subset of the units allowed at `level`, and one optimal subset. Small cases only."""
    at = incident.reported_at
    units = _units(scenario, states, at)
    town, county = _area(scenario, incident)
    needs = _needs(incident)
    skip = set(exclude)
    pool = [
        u
        for u in units.values()
        if u.status in DISPATCHABLE
        and u.amounts["headcount"] > 0
        and u.position is not None
        and u.id not in skip
        and _tier(u, town, county) <= TIERS.index(level)
    ]
    eta = {u.id: round(eta_of(u, incident.location, travel, turnout) * 60.0) for u in pool}
    best: tuple[list[float], set[str]] = ([math.inf], set())
    for r in range(len(pool) + 1):
        for combo in itertools.combinations(pool, r):
            ids = {u.id for u in combo}
            if protection_violations(scenario, units, ids, at):
                continue
            short = sum(
                max(0, a - sum(u.amounts.get(d, 0) for u in combo)) for d, a in needs.items()
            )
            key = [
                float(short),
                float(max((eta[u.id] for u in combo), default=0)),
                float(len(combo)),
                float(sum(_tier(u, town, county) for u in combo)),
                float(sum(eta[u.id] for u in combo)),
            ]
            if key < best[0]:
                best = (key, ids)
    return best


def coverage_shares(
    scenario: Scenario,
    units: Mapping[str, _Unit],
    positions: Mapping[str, tuple[float, float]],
    at: dt.datetime,
    travel: TravelModel,
    turnout: Mapping[UnitState, float],
    rings: Sequence[float],
    moved: Mapping[str, tuple[float, float]],
) -> dict[str, float]:
    """Share of the hour's zone risk within each ring of the covering units, one by one."""
    covering = {UnitState.AVAILABLE, UnitState.STANDBY, UnitState.ON_PATROL}
    risk = {z.id: z.risk[at.weekday()][at.hour] for z in scenario.zones if z.centroid}
    if sum(risk.values()) <= 0:
        risk = dict.fromkeys(risk, 1.0)
    total = sum(risk.values())
    best = dict.fromkeys(risk, math.inf)
    for uid, pos in positions.items():
        u = units[uid]
        if u.status not in covering:
            continue
        start = moved.get(uid, pos)
        wait = turnout.get(UnitState.STANDBY, 1.0) if uid in moved else turnout.get(u.status, 1.0)
        for z in scenario.zones:
            if z.id in risk:
                eta = wait + eta_of(
                    _Unit(u.id, u.status, u.target, start, u.force, None, None, u.amounts),
                    z.centroid,  # type: ignore[arg-type]
                    travel,
                    {u.status: 0.0},
                )
                best[z.id] = min(best[z.id], eta)
    return {
        f"{r:g}": sum(v for z, v in risk.items() if best[z] <= r) / total if total else 0.0
        for r in rings
    }


def check_backfill(
    scenario: Scenario,
    states: Mapping[str, UnitSnapshot],
    at: dt.datetime,
    dispatched: Sequence[str],
    result: BackfillResult,
    max_moves: int,
    travel: TravelModel,
    turnout: Mapping[UnitState, float],
    same_county: bool = True,
) -> list[str]:
    """Moves respect the rules (few enough, distinct idle units that stay in their county and
    leave every zone its min presence) and the coverage figures match a recomputation."""
    problems = []
    if len(result.moves) > max_moves:
        problems.append(f"{len(result.moves)} moves, at most {max_moves} allowed")
    movers = [m.unit_id for m in result.moves]
    if len(set(movers)) != len(movers):
        problems.append("a unit moves twice")
    zones = scenario.by_id("zones")
    posts = scenario.by_id("posts")
    home_of = {u.id: u.jurisdiction_id for u in scenario.units}
    for m in result.moves:
        st = states.get(m.unit_id)
        if m.unit_id in dispatched:
            problems.append(f"{m.unit_id}: dispatched, cannot also backfill")
        if st is None or st.status not in MOVABLE:
            problems.append(f"{m.unit_id}: not an idle unit")
        site = zones.get(m.to_site) or posts.get(m.to_site)
        if site is None:
            problems.append(f"{m.unit_id}: unknown site {m.to_site}")
            continue
        home = scenario.county_of(home_of[m.unit_id])
        if same_county and home is not None and home != scenario.county_of(site.jurisdiction_id):
            problems.append(f"{m.unit_id}: moves out of its county {home}")
    units = _units(scenario, states, at)
    problems += [
        p for p in protection_violations(scenario, units, set(movers), at) if p.startswith("zone")
    ]
    rings = [float(r) for r in result.before.shares]
    here = {
        uid: u.position for uid, u in units.items() if u.position and u.amounts["headcount"] > 0
    }
    stay = {uid: pos for uid, pos in here.items() if uid not in set(dispatched)}
    moved = {m.unit_id: m.to_position for m in result.moves}
    for label, got, pos, mv in (
        ("before", result.before, here, {}),
        ("after dispatch", result.after_dispatch, stay, {}),
        ("after moves", result.after_moves, stay, moved),
    ):
        want = coverage_shares(scenario, units, pos, at, travel, turnout, rings, mv)
        for ring, share in want.items():
            if abs(got.shares.get(ring, -1.0) - share) > 1e-6:
                problems.append(f"{label} ring {ring}: reported {got.shares.get(ring)}, is {share}")
    return problems
