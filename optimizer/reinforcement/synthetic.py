"""A synthetic city for benchmarks and simulations of dispatch, until the demo city
(`rosters.demo`) is available: counties, townships, zones with 7×24 risk, 24-hour
checkpoints, units of every force with people, skills and vehicles, a published plan.

Deterministic for a given seed. Sizes follow `domain.md` loosely (a medium city has 6
counties, ~60 townships and 2,000+ units)."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from optimizer.reinforcement.forces import UnitSnapshot, UnitState
from optimizer.scenario import (
    Assignment,
    Certification,
    Force,
    Horizon,
    Jurisdiction,
    Level,
    Person,
    Post,
    PostKind,
    Scenario,
    ShiftTemplate,
    StandbyFloor,
    TaskKind,
    Unit,
    Vehicle,
    Zone,
)

CENTRE = (100.45, 38.93)


def _risk(rng: random.Random, urban: bool) -> list[list[float]]:
    base = rng.uniform(0.5, 2.0) * (2.0 if urban else 1.0)
    rows = []
    for wd in range(7):
        weekend = 1.2 if wd >= 5 else 1.0
        rows.append(
            [
                round(base * weekend * (1.0 + 0.8 * math.sin(math.pi * (h - 6) / 18) ** 2), 3)
                for h in range(24)
            ]
        )
    return rows


def synthetic_city(
    counties: int = 6,
    townships_per_county: int = 10,
    units_per_township: int = 33,
    start: dt.date = dt.date(2026, 3, 2),
    days: int = 1,
    seed: int = 0,
) -> Scenario:
    """A city of `counties × townships_per_county` townships; 6×10×33 + county and city units
    gives about 2,000 units and 11,000 people (the `medium` size)."""
    rng = random.Random(seed)
    jur = [Jurisdiction(id="C", name="示范市", level=Level.CITY, centroid=CENTRE)]
    units: list[Unit] = []
    people: list[Person] = []
    vehicles: list[Vehicle] = []
    posts: list[Post] = []
    zones: list[Zone] = []
    standby: list[StandbyFloor] = []
    counter = [0]

    def add_unit(uid: str, force: Force, jid: str, base: tuple[float, float], size: int) -> None:
        units.append(
            Unit(id=uid, name=uid, force=force, jurisdiction_id=jid, squad=True, base=base)
        )
        sworn = force in (Force.PATROL_SWAT, Force.COUNTY_RESPONSE, Force.POLICE_STATION)
        for k in range(size):
            counter[0] += 1
            skills = []
            if force in (Force.PATROL_SWAT, Force.COUNTY_RESPONSE) and rng.random() < 0.6:
                skills.append(Certification(skill="riot_control"))
            if rng.random() < 0.08:
                skills.append(Certification(skill="water_rescue"))
            if rng.random() < 0.2:
                skills.append(Certification(skill="first_aid"))
            people.append(
                Person(
                    id=f"P{counter[0]:06d}",
                    name=f"{uid}-{k}",
                    force=force,
                    unit_id=uid,
                    jurisdiction_id=jid,
                    armed=sworn and rng.random() < 0.7,
                    skills=skills,
                )
            )
        if force != Force.VOLUNTEER:
            vehicles.append(Vehicle(id=f"V-{uid}", unit_id=uid, kind="patrol_car"))

    def jitter(p: tuple[float, float], r: float) -> tuple[float, float]:
        return (round(p[0] + rng.uniform(-r, r), 5), round(p[1] + rng.uniform(-r, r), 5))

    for c in range(counties):
        cid = f"C{c + 1}"
        angle = 2 * math.pi * c / counties
        cc = (CENTRE[0] + 0.25 * math.cos(angle), CENTRE[1] + 0.2 * math.sin(angle))
        jur.append(
            Jurisdiction(
                id=cid, name=f"第{c + 1}区", level=Level.COUNTY, parent_id="C", centroid=cc
            )
        )
        for k in range(4):
            add_unit(f"{cid}-XT{k + 1}", Force.PATROL_SWAT, cid, jitter(cc, 0.02), 8)
        for k in range(6):
            add_unit(f"{cid}-YJ{k + 1}", Force.COUNTY_RESPONSE, cid, jitter(cc, 0.03), 10)
        standby.append(StandbyFloor(jurisdiction_id=cid, min_share=0.2))
        for t in range(townships_per_county):
            tid = f"{cid}-T{t + 1:02d}"
            tc = jitter(cc, 0.12)
            urban = t < 3
            jur.append(
                Jurisdiction(
                    id=tid,
                    name=f"{cid}第{t + 1}镇",
                    level=Level.TOWNSHIP,
                    parent_id=cid,
                    centroid=tc,
                    urban=urban,
                )
            )
            for z in range(4):
                zones.append(
                    Zone(
                        id=f"{tid}-Z{z + 1}",
                        name=f"{tid}-Z{z + 1}",
                        jurisdiction_id=tid,
                        centroid=jitter(tc, 0.03),
                        risk=_risk(rng, urban),
                        min_presence=2 if z == 0 else 0,
                    )
                )
            for q in range(2):
                posts.append(
                    Post(
                        id=f"{tid}-CP{q + 1}",
                        name=f"{tid}-CP{q + 1}",
                        kind=PostKind.ARMED_CHECKPOINT if q == 0 else PostKind.CHECKPOINT,
                        jurisdiction_id=tid,
                        location=jitter(tc, 0.04),
                        min_staff=2,
                        min_armed=1 if q == 0 else 0,
                    )
                )
            mix = [Force.TOWNSHIP_FORCE] * 8 + [Force.FULL_TIME_PATROL] * 10
            mix += [Force.POLICE_STATION] * 4 + [Force.VOLUNTEER] * 8
            for k in range(units_per_township):
                force = mix[k % len(mix)]
                size = {Force.VOLUNTEER: 5, Force.POLICE_STATION: 4}.get(force, 6)
                add_unit(f"{tid}-U{k + 1:02d}", force, tid, jitter(tc, 0.03), size)
    for k in range(6):
        add_unit(f"C-XT{k + 1}", Force.PATROL_SWAT, "C", jitter(CENTRE, 0.02), 10)

    shifts = [
        ShiftTemplate(id="D", name="白班", start=dt.time(8), hours=12),
        ShiftTemplate(id="N", name="夜班", start=dt.time(20), hours=12),
    ]
    scenario = Scenario(
        name=f"synthetic-{seed}",
        horizon=Horizon(start=start, days=days),
        jurisdictions=jur,
        units=units,
        people=people,
        vehicles=vehicles,
        shifts=shifts,
        posts=posts,
        zones=zones,
        standby=standby,
    )
    scenario.published_plan = synthetic_plan(scenario, seed)
    return scenario


def synthetic_plan(scenario: Scenario, seed: int = 0) -> list[Assignment]:
    """A plausible published plan: every unit works the day shift, about half also the night
    (volunteers never); township forces and stations man their township's checkpoints (two
    units each), SWAT and response squads split between standby and patrol in their county,
    the others patrol their township's zones."""
    rng = random.Random(seed + 1)
    by_unit: dict[str, list[str]] = {}
    for p in scenario.people:
        by_unit.setdefault(p.unit_id or "", []).append(p.id)
    posts_of: dict[str, list[str]] = {}
    zones_of: dict[str, list[str]] = {}
    county_zones: dict[str, list[str]] = {}
    for post in scenario.posts:
        posts_of.setdefault(post.jurisdiction_id, []).append(post.id)
    for zone in scenario.zones:
        zones_of.setdefault(zone.jurisdiction_id, []).append(zone.id)
        county = scenario.county_of(zone.jurisdiction_id) or ""
        county_zones.setdefault(county, []).append(zone.id)
    all_zones = [z.id for z in scenario.zones]
    nights = {u.id: u.force != Force.VOLUNTEER and rng.random() < 0.5 for u in scenario.units}
    out: list[Assignment] = []
    for day in scenario.horizon.dates:
        for shift in scenario.shifts:
            filled: dict[str, int] = {}
            for unit in scenario.units:
                if shift.id != scenario.shifts[0].id and not nights[unit.id]:
                    continue
                j = unit.jurisdiction_id
                free_posts = [p for p in posts_of.get(j, []) if filled.get(p, 0) < 2]
                task, target = TaskKind.STANDBY, j
                if unit.force in (Force.TOWNSHIP_FORCE, Force.POLICE_STATION) and free_posts:
                    task, target = TaskKind.POST, free_posts[0]
                    filled[target] = filled.get(target, 0) + 1
                elif unit.force in (Force.PATROL_SWAT, Force.COUNTY_RESPONSE):
                    if rng.random() < 0.4:
                        task = TaskKind.ZONE
                        target = rng.choice(county_zones.get(j) or all_zones)
                elif zones_of.get(j):
                    task, target = TaskKind.ZONE, rng.choice(zones_of[j])
                for pid in by_unit.get(unit.id, []):
                    out.append(
                        Assignment(
                            person_id=pid, date=day, shift_id=shift.id, task=task, target_id=target
                        )
                    )
    return out


# --- crafted cities for tests and examples ----------------------------------------------

ORIGIN = (100.0, 30.0)
KM_PER_DEGREE = 6371.0088 * math.pi / 180.0  # along a meridian, exactly


def north(km: float) -> tuple[float, float]:
    """The point `km` north of ORIGIN (great-circle distances along it are exact)."""
    return (ORIGIN[0], ORIGIN[1] + km / KM_PER_DEGREE)


@dataclass(frozen=True)
class UnitSpec:
    """One unit of a crafted city, placed `km` north of the origin."""

    id: str
    jurisdiction: str
    km: float
    people: int = 4
    armed: int = 0
    skills: dict[str, int] = field(default_factory=dict)
    vehicles: int = 1
    status: UnitState = UnitState.STANDBY
    target: str | None = None
    force: Force = Force.TOWNSHIP_FORCE


CRAFTED_JURISDICTIONS = (
    ("C", Level.CITY, None),
    ("K1", Level.COUNTY, "C"),
    ("T1", Level.TOWNSHIP, "K1"),
    ("T2", Level.TOWNSHIP, "K1"),
    ("K2", Level.COUNTY, "C"),
    ("T3", Level.TOWNSHIP, "K2"),
)


def crafted_city(
    specs: list[UnitSpec],
    *,
    posts: list[Post] | None = None,
    zones: list[Zone] | None = None,
    standby: list[StandbyFloor] | None = None,
    day: dt.date = dt.date(2026, 3, 2),
) -> tuple[Scenario, dict[str, UnitSnapshot]]:
    """A scenario of units on a north–south line (city C; county K1 with townships T1, T2;
    county K2 with township T3) and their states."""
    jur = [
        Jurisdiction(id=j, name=j, level=lvl, parent_id=parent)
        for j, lvl, parent in CRAFTED_JURISDICTIONS
    ]
    units, people, vehicles = [], [], []
    states: dict[str, UnitSnapshot] = {}
    for spec in specs:
        units.append(
            Unit(
                id=spec.id,
                name=spec.id,
                force=spec.force,
                jurisdiction_id=spec.jurisdiction,
                base=north(spec.km),
            )
        )
        for k in range(spec.people):
            skills = [Certification(skill=s) for s, n in sorted(spec.skills.items()) if k < n]
            people.append(
                Person(
                    id=f"{spec.id}-{k}",
                    name=f"{spec.id}-{k}",
                    force=spec.force,
                    unit_id=spec.id,
                    jurisdiction_id=spec.jurisdiction,
                    armed=k < spec.armed,
                    skills=skills,
                )
            )
        vehicles += [Vehicle(id=f"{spec.id}-V{k}", unit_id=spec.id) for k in range(spec.vehicles)]
        states[spec.id] = UnitSnapshot(spec.id, spec.status, north(spec.km), spec.target)
    scenario = Scenario(
        name="crafted",
        horizon=Horizon(start=day, days=1),
        jurisdictions=jur,
        units=units,
        people=people,
        vehicles=vehicles,
        posts=posts or [],
        zones=zones or [],
        standby=standby or [],
    )
    return scenario, states
