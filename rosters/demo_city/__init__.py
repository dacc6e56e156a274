"""The demo city: a deterministic synthetic prefecture-level city modelled on the first seed's
city (张掖市 in the Hexi corridor, Gansu: 6 counties/districts, 65 townships/streets,
~1.2 M people), as one `Scenario`.

    build_demo_city(size="small" | "medium" | "full", seed=2026, start=None, days=7) -> Scenario

- `small`: one county (肃南县: 3 townships, ~330 sworn people + volunteers, ~40 posts and
  zones) — the size for tests and the one-county benchmark;
- `medium`: the whole city, volunteers at the 15-per-village standard;
- `full`: the whole city with ~30,000 volunteers (the city-wide figure of the 000 seed) and
  7,000 full-time patrol staff.

Same size, seed, start and days → the same scenario, byte for byte. The incident history
the risk profiles were learnt from is available through `demo_incident_history`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

import numpy as np

from optimizer.scenario import (
    READY_FORCES,
    SWORN_FORCES,
    ConsecutiveWorkRule,
    Force,
    Horizon,
    HoursRule,
    MinRestRule,
    PlanningOptions,
    Scenario,
    Selector,
    ShiftCountRule,
    ShiftRequest,
    ShiftTemplate,
    StandbyFloor,
    WeekendRule,
    Zone,
)
from rosters.demo_city.drills import demo_drills
from rosters.demo_city.forces import ForceBuilder, ForceSizes, add_forces
from rosters.demo_city.geography import COUNTIES, SMALL_COUNTY, Area, build_geography, walk
from rosters.demo_city.history import PastIncident, incident_history, risk_profiles, zone_rates
from rosters.demo_city.posts import ZoneDraft, build_posts, draft_zones, zone_geometry

Size = Literal["small", "medium", "full"]
SIZES: tuple[str, ...] = ("small", "medium", "full")
HISTORY_WEEKS = 26
DEFAULT_START = dt.date(2026, 12, 1)

FORCE_SIZES: dict[str, ForceSizes] = {
    "small": ForceSizes(full_time_patrol=2_100),
    "medium": ForceSizes(full_time_patrol=2_100),
    "full": ForceSizes(full_time_patrol=7_000, volunteers_per_village=75),
}


def _counties(size: str) -> tuple:
    if size not in SIZES:
        raise ValueError(f"size: expected one of {', '.join(SIZES)}, got {size!r}")
    return tuple(c for c in COUNTIES if c.code == SMALL_COUNTY) if size == "small" else COUNTIES


def _zones_and_history(
    rng: np.random.Generator, city: Area, end: dt.date
) -> tuple[list[ZoneDraft], list[PastIncident]]:
    drafts = [
        z for county in city.children for town in county.children for z in draft_zones(rng, town)
    ]
    rates = zone_rates(
        rng,
        np.array([z.population for z in drafts], dtype=float),
        np.array([z.town.jurisdiction.urban for z in drafts]),
    )
    history = incident_history(
        rng, [z.id for z in drafts], [z.shape for z in drafts], rates, end, HISTORY_WEEKS
    )
    return drafts, history


def demo_incident_history(
    size: Size = "small", seed: int = 2026, start: dt.date | None = None
) -> list[PastIncident]:
    """The synthetic incidents of the 26 weeks before `start` that the risk profiles of
    `build_demo_city(size, seed, start)` were learnt from."""
    rng = np.random.default_rng(seed)
    city = build_geography(rng, _counties(size))
    return _zones_and_history(rng, city, start or DEFAULT_START)[1]


def build_demo_city(
    size: Size = "small", seed: int = 2026, start: dt.date | None = None, days: int = 7
) -> Scenario:
    """The demo city as a scenario planning `days` days from `start` (default 2026-12-01)."""
    start = start or DEFAULT_START
    rng = np.random.default_rng(seed)
    city = build_geography(rng, _counties(size))
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
    builder = ForceBuilder(rng, start, days)
    add_forces(builder, city, FORCE_SIZES[size], with_city_level=size != "small")
    areas = walk(city)
    scenario = Scenario(
        name=f"demo-{size}-{seed}",
        horizon=Horizon(start=start, days=days),
        jurisdictions=[a.jurisdiction for a in areas],
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
        rules=_rules(days),
        requests=_requests(rng, builder, start, days),
        options=PlanningOptions(),
    )
    scenario.drills = demo_drills(scenario, seed)
    return scenario


SHIFTS = [
    ShiftTemplate(id="D", name="白班", start=dt.time(8), hours=8),
    ShiftTemplate(id="E", name="中班", start=dt.time(16), hours=8),
    ShiftTemplate(id="N", name="夜班", start=dt.time(0), hours=8, night=True),
]


def _rules(days: int) -> list:
    weeks = days / 7
    sworn = Selector(forces=[f for f in SWORN_FORCES])
    volunteers = Selector(forces=[Force.VOLUNTEER])
    return [
        ShiftCountRule(
            id="max-shifts", name="每周最多5个班次", applies_to=sworn, max=math.ceil(5 * weeks)
        ),
        ShiftCountRule(
            id="max-nights",
            name="每周最多2个夜班",
            applies_to=sworn,
            max=math.ceil(2 * weeks),
            shift_ids=["N"],
        ),
        HoursRule(
            id="max-hours",
            name="每周工时不超过44小时",
            applies_to=sworn,
            max=math.floor(44 * weeks),
            hard=False,
            weight=5,
        ),
        MinRestRule(id="min-rest", name="班次间休息不少于11小时", hours=11),
        ConsecutiveWorkRule(id="max-run", name="连续上班不超过6天", applies_to=sworn, max=6),
        WeekendRule(
            id="weekends",
            name="每周末最多上班一次",
            applies_to=sworn,
            max=max(1, math.ceil(weeks)),
            hard=False,
            weight=10,
        ),
        ShiftCountRule(
            id="volunteer-shifts",
            name="志愿者每周最多2个班次",
            applies_to=volunteers,
            max=math.ceil(2 * weeks),
        ),
    ]


def _requests(
    rng: np.random.Generator, builder: ForceBuilder, start: dt.date, days: int
) -> list[ShiftRequest]:
    sworn = [p for p in builder.people if p.force in SWORN_FORCES]
    picks = rng.choice(len(sworn), size=min(len(sworn), max(1, len(sworn) // 50)), replace=False)
    return [
        ShiftRequest(
            person_id=sworn[int(i)].id,
            date=start + dt.timedelta(days=int(rng.integers(days))),
            shift_id=None,
            on=False,
            weight=float(rng.integers(1, 4)),
        )
        for i in sorted(picks)
    ]


def force_counts(scenario: Scenario) -> list[dict[str, object]]:
    """People per force and per level of the jurisdiction they belong to (for reports)."""
    level = {j.id: j.level.value for j in scenario.jurisdictions}
    table: dict[str, dict[str, int]] = {}
    for p in scenario.people:
        row = table.setdefault(p.force.value, {})
        lv = level[p.jurisdiction_id]
        row[lv] = row.get(lv, 0) + 1
    levels = ["city", "county", "township", "village", "grid"]
    return [
        {"force": force, **{lv: row.get(lv, 0) for lv in levels}, "total": sum(row.values())}
        for force, row in table.items()
    ]


__all__ = ["SIZES", "build_demo_city", "demo_incident_history", "force_counts"]
