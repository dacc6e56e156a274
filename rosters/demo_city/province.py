"""The demo province: twelve synthetic prefecture-level cities of 5–8 counties each (named after
Gansu's cities, laid out on a grid east and south of the demo city), each built like the demo
city — jurisdictions to the grid, posts, zones with learnt risk, forces sized to the staffing
standards, volunteers at 15 a village — as one `Scenario` whose counties are independent
parts of the patrol plan.

    build_province(seed=2026, start=None, days=7, cities=12) -> Scenario

Deterministic: the same arguments give the same scenario. Badges carry the city's code so
people are unique across the province. No drills (the province is the patrol benchmark)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from shapely.affinity import translate

from optimizer.scenario import (
    READY_FORCES,
    Horizon,
    PlanningOptions,
    Scenario,
    StandbyFloor,
    Zone,
)
from rosters.demo_city import (
    DEFAULT_START,
    FORCE_SIZES,
    HISTORY_WEEKS,
    SHIFTS,
    _requests,
    _rules,
    _zones_and_history,
)
from rosters.demo_city.forces import ForceBuilder, add_forces
from rosters.demo_city.geography import (
    CITY_OUTLINE,
    CitySpec,
    CountySpec,
    build_geography,
    sample_points,
    walk,
)
from rosters.demo_city.history import risk_profiles
from rosters.demo_city.names import place_name
from rosters.demo_city.posts import build_posts, zone_geometry

#: (code, name) of the province's cities (Gansu's prefecture-level cities)
CITIES: tuple[tuple[str, str], ...] = (
    ("LZ", "兰州市"),
    ("JY", "嘉峪关市"),
    ("JC", "金昌市"),
    ("BY", "白银市"),
    ("TS", "天水市"),
    ("WW", "武威市"),
    ("ZY", "张掖市"),
    ("PL", "平凉市"),
    ("JQ", "酒泉市"),
    ("QY", "庆阳市"),
    ("DX", "定西市"),
    ("LN", "陇南市"),
)
GRID_COLUMNS = 4
STEP = (3.2, -2.0)  # degrees between neighbouring cities (east, south)


def city_specs(seed: int = 2026, cities: int = 12) -> list[CitySpec]:
    """The cities: outlines on a grid, 5–8 counties each (the first a district of 300–520
    thousand people with 8 streets, the rest counties of 40–200 thousand)."""
    if not 1 <= cities <= len(CITIES):
        raise ValueError(f"cities: expected 1 to {len(CITIES)}, got {cities}")
    rng = np.random.default_rng(seed)
    used: set[str] = set()
    specs = []
    for i, (code, name) in enumerate(CITIES[:cities]):
        dx, dy = STEP[0] * (i % GRID_COLUMNS), STEP[1] * (i // GRID_COLUMNS)
        outline = translate(CITY_OUTLINE, dx, dy)
        n = 5 + int(rng.integers(4))
        seats = sample_points(rng, outline.buffer(-0.08), n)
        counties = []
        for k in range(n):
            district = k == 0
            population = int(
                rng.integers(300_000, 520_001) if district else rng.integers(40_000, 200_001)
            )
            towns = int(np.clip(population // 22_000, 3, 22))
            counties.append(
                CountySpec(
                    code=f"{k + 1:02d}",
                    name=place_name(rng, used, ("区",) if district else ("县",)),
                    seat=(round(float(seats[k][0]), 3), round(float(seats[k][1]), 3)),
                    population=population,
                    townships=towns,
                    streets=min(8, towns - 1) if district else 1,
                )
            )
        specs.append(CitySpec(code, name, outline, tuple(counties)))
    return specs


def _city(spec: CitySpec, seed: int, start: dt.date, days: int) -> Scenario:
    """One city of the province, built as `build_demo_city` builds the demo city."""
    rng = np.random.default_rng([seed, CITIES.index((spec.code, spec.name))])
    city = build_geography(rng, spec.counties, spec)
    drafts, history = _zones_and_history(rng, city, start)
    risk = risk_profiles(history, [z.id for z in drafts], HISTORY_WEEKS)
    zones = []
    for d in drafts:
        geometry, centroid = zone_geometry(d)
        peak = max(max(row) for row in risk[d.id])
        zones.append(
            Zone(
                id=d.id,
                name=d.name,
                jurisdiction_id=d.town.id,
                geometry=geometry,
                centroid=centroid,
                risk=risk[d.id],
                min_presence=1 if d.town.jurisdiction.urban and peak >= 60 else 0,
            )
        )
    posts = [p for county in city.children for p in build_posts(rng, county)]
    builder = ForceBuilder(rng, start, days, badge_city=spec.code)
    add_forces(builder, city, FORCE_SIZES["medium"], with_city_level=True)
    return Scenario(
        name=spec.code,
        horizon=Horizon(start=start, days=days),
        jurisdictions=[a.jurisdiction for a in walk(city)],
        units=builder.units,
        people=builder.people,
        vehicles=builder.vehicles,
        absences=builder.absences,
        shifts=SHIFTS,
        posts=posts,
        zones=zones,
        standby=[
            StandbyFloor(
                jurisdiction_id=c.id, forces=list(READY_FORCES), min_share=0.15, min_count=10
            )
            for c in city.children
        ],
        rules=[],
        requests=_requests(rng, builder, start, days),
        options=PlanningOptions(),
    )


def build_province(
    seed: int = 2026, start: dt.date | None = None, days: int = 7, cities: int = 12
) -> Scenario:
    """The demo province as one scenario planning `days` days from `start`."""
    start = start or DEFAULT_START
    parts = [_city(spec, seed, start, days) for spec in city_specs(seed, cities)]
    merged: dict[str, list] = {}
    for key in (
        "jurisdictions",
        "units",
        "people",
        "vehicles",
        "absences",
        "posts",
        "zones",
        "standby",
        "requests",
    ):
        merged[key] = [x for p in parts for x in getattr(p, key)]
    return Scenario(
        name=f"demo-province-{seed}",
        horizon=Horizon(start=start, days=days),
        shifts=SHIFTS,
        rules=_rules(days),
        options=PlanningOptions(),
        **merged,
    )
