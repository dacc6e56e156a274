"""The demo city's drills: a catalogue of the usual drill kinds, the duties of every SWAT,
response-team and township-force squad, a range, a training ground and a river site per
county (and the city's own), instructors drawn from the roster, and the blackout periods of
a usual year (两会 and National Day security, the main flood season for large drills)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from optimizer.drill_format import (
    Blackout,
    DrillKind,
    DrillRequirement,
    DrillSession,
    DrillSetup,
    DrillType,
    Instructor,
    SessionStatus,
    Venue,
)
from optimizer.drills.occurrences import occurrence_key, period_of
from optimizer.scenario import Force, Level, Scenario

SWAT, RESPONSE, TOWNSHIP = Force.PATROL_SWAT, Force.COUNTY_RESPONSE, Force.TOWNSHIP_FORCE

TYPES = [
    DrillType(
        id="LF",
        name="实弹射击",
        kind=DrillKind.LIVE_FIRE,
        hours=4,
        forces=[SWAT, RESPONSE],
        venue_kind="range",
        instructor_skill="firearms_instructor",
    ),
    DrillType(
        id="CT",
        name="反恐处突演练",
        kind=DrillKind.COUNTER_TERROR,
        hours=4,
        forces=[SWAT],
        venue_kind="training_ground",
        instructor_skill="tactics_instructor",
    ),
    DrillType(
        id="MI",
        name="群体性事件处置演练",
        kind=DrillKind.MASS_INCIDENT,
        hours=4,
        forces=[RESPONSE],
        venue_kind="training_ground",
    ),
    DrillType(
        id="JT",
        name="联合反恐演练",
        kind=DrillKind.JOINT,
        hours=8,
        forces=[SWAT, RESPONSE],
        venue_kind="training_ground",
        instructor_skill="tactics_instructor",
    ),
    DrillType(
        id="FR",
        name="防汛抢险演练",
        kind=DrillKind.FLOOD_RESCUE,
        hours=8,
        forces=[TOWNSHIP],
        venue_kind="river_site",
        min_attendance=0.7,
    ),
    DrillType(
        id="FA",
        name="急救技能训练",
        kind=DrillKind.FIRST_AID,
        hours=4,
        forces=[TOWNSHIP],
        venue_kind="training_ground",
        instructor_skill="first_aid_instructor",
        renews="first_aid",
    ),
]


def _blackouts(start: dt.date, days: int) -> list[Blackout]:
    out = []
    end = start + dt.timedelta(days=days)
    for year in range(start.year, end.year + 1):
        out += [
            Blackout(
                id=f"NPC-{year}",
                name=f"{year}年全国两会安保",
                start=dt.datetime(year, 3, 3),
                end=dt.datetime(year, 3, 16),
            ),
            Blackout(
                id=f"ND-{year}",
                name=f"{year}年国庆安保",
                start=dt.datetime(year, 9, 29),
                end=dt.datetime(year, 10, 9),
            ),
            Blackout(
                id=f"FLOOD-{year}",
                name=f"{year}年主汛期",
                start=dt.datetime(year, 7, 15),
                end=dt.datetime(year, 8, 21),
                kinds=[DrillKind.JOINT, DrillKind.MASS_INCIDENT, DrillKind.FLOOD_RESCUE],
            ),
        ]
    return out


def demo_drills(s: Scenario, seed: int = 2026) -> DrillSetup:
    counties = [j for j in s.jurisdictions if j.level == Level.COUNTY]
    cities = [j for j in s.jurisdictions if j.level == Level.CITY]
    squads: dict[tuple[str, Force], list[str]] = defaultdict(list)
    county_of = {u.id: s.county_of(u.jurisdiction_id) or u.jurisdiction_id for u in s.units}
    for u in s.units:
        if u.squad:
            squads[county_of[u.id], u.force].append(u.id)
    venues: list[Venue] = []
    for j in [*cities, *counties]:
        at = j.centroid
        venues += [
            Venue(
                id=f"RG-{j.id}",
                name=f"{j.name}靶场",
                kind="range",
                jurisdiction_id=j.id,
                location=at,
                capacity=40,
            ),
            Venue(
                id=f"TG-{j.id}",
                name=f"{j.name}训练场",
                kind="training_ground",
                jurisdiction_id=j.id,
                location=at,
                capacity=120,
            ),
            Venue(
                id=f"RS-{j.id}",
                name=f"{j.name}河道训练点",
                kind="river_site",
                jurisdiction_id=j.id,
                location=at,
                capacity=60,
            ),
        ]
    # instructors: the first armed officers of each county's SWAT and response units
    instructors: list[Instructor] = []
    by_county: dict[str, list[str]] = defaultdict(list)
    for p in s.people:
        if p.unit_id and p.force in (SWAT, RESPONSE) and p.armed:
            by_county[county_of[p.unit_id]].append(p.id)
    names = s.by_id("people")
    for j in [*cities, *counties]:
        pool = by_county.get(j.id, [])
        plan = [("firearms_instructor", 2), ("tactics_instructor", 2), ("first_aid_instructor", 1)]
        k = 0
        for skill, n in plan:
            for _ in range(n):
                if k >= len(pool):
                    break
                pid = pool[k]
                k += 1
                instructors.append(
                    Instructor(
                        id=f"INS-{pid}",
                        name=names[pid].name,
                        person_id=pid,
                        skills=[skill],
                        jurisdiction_id=j.id,
                    )
                )
    reqs: list[DrillRequirement] = []
    for (c, force), units in sorted(squads.items()):
        for u in units:
            if force == SWAT:
                reqs += [
                    DrillRequirement(
                        id=f"LF-{u}",
                        drill_type_id="LF",
                        unit_ids=[u],
                        count=2,
                        per="month",
                        min_gap_days=7,
                    ),
                    DrillRequirement(id=f"CT-{u}", drill_type_id="CT", unit_ids=[u]),
                ]
            elif force == RESPONSE:
                reqs += [
                    DrillRequirement(id=f"LF-{u}", drill_type_id="LF", unit_ids=[u]),
                    DrillRequirement(
                        id=f"MI-{u}",
                        drill_type_id="MI",
                        unit_ids=[u],
                        per="quarter",
                        preferred_weekdays=[1, 2, 3],
                    ),
                ]
            elif force == TOWNSHIP:
                reqs += [
                    DrillRequirement(
                        id=f"FR-{u}", drill_type_id="FR", unit_ids=[u], per="half_year"
                    ),
                    DrillRequirement(id=f"FA-{u}", drill_type_id="FA", unit_ids=[u], per="year"),
                ]
        if force == SWAT and squads.get((c, RESPONSE)):
            partner = squads[c, RESPONSE][0]
            reqs.append(
                DrillRequirement(
                    id=f"JT-{c}",
                    drill_type_id="JT",
                    unit_ids=[units[0], partner],
                    per="quarter",
                    weight=2,
                    min_gap_days=30,
                )
            )
    return DrillSetup(
        types=TYPES,
        requirements=reqs,
        venues=venues,
        instructors=instructors,
        blackouts=_blackouts(s.horizon.start, max(s.horizon.days, 366)),
        sessions=_history(reqs, s.horizon.start, seed),
    )


def _history(reqs: list[DrillRequirement], start: dt.date, seed: int) -> list[DrillSession]:
    """Drills of the current and the previous period before `start`: the share of the
    current period already elapsed is done (rounded at random); the previous period is done
    but for ~3 % missed (the next schedule makes them up)."""
    rng = np.random.default_rng(seed)
    types = {t.id: t for t in TYPES}
    out = []
    for r in reqs:
        t = types[r.drill_type_id]
        current = period_of(start, r.per)
        previous = period_of(current.start - dt.timedelta(days=1), r.per)
        for p in (previous, current):
            upto = min(p.end, start)
            share = r.count * (upto - p.start).days / p.days
            done = r.count if p.end <= start else int(share + rng.random())
            for n in range(1, done + 1):
                day = p.start + dt.timedelta(days=int((n - 0.5) * p.days / r.count))
                day = min(day, upto - dt.timedelta(days=1))
                while day.weekday() >= 5 and day > p.start:
                    day -= dt.timedelta(days=1)
                begin = dt.datetime.combine(day, dt.time(8))
                missed = p is previous and rng.random() < 0.03
                key = occurrence_key(r.id, p.key, n)
                out.append(
                    DrillSession(
                        id=key,
                        occurrence=key,
                        requirement_id=r.id,
                        drill_type_id=r.drill_type_id,
                        unit_ids=list(r.unit_ids),
                        start=begin,
                        end=begin + dt.timedelta(hours=t.hours),
                        status=SessionStatus.MISSED if missed else SessionStatus.DONE,
                    )
                )
    return out
