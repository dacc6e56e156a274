"""Response simulation: replay a stream of incidents — historical, or sampled from the zones'
7×24 risk profiles — against a plan and a dispatch policy, and report the response-time
distribution, the share of incidents answered within the 1-3-5 minute rings, and the needs
left unmet. Two reports compare two plans or policies.

Each incident gets the best suggestion of `suggest_reinforcement` from the units free at that
moment; the units sent are busy until they are back (travel there, time on scene, travel
back). Unit states come from the plan, rebuilt whenever the set of running shifts changes.
Simplification: a busy unit's post or zone keeps its protection caps as if it were there.
Pure: no database.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, Field

from optimizer.reinforcement import (
    ReinforcementOptions,
    build_instance,
    suggest_reinforcement,
    unit_states_from_plan,
)
from optimizer.reinforcement.forces import zone_point
from optimizer.scenario import Assignment, Incident, IncidentNeeds, Scenario

RINGS: tuple[float, ...] = (1.0, 3.0, 5.0)


@dataclass(frozen=True)
class IncidentKind:
    severity: int
    needs: IncidentNeeds
    weight: float
    on_scene_minutes: float


DEFAULT_KINDS: dict[str, IncidentKind] = {
    "traffic": IncidentKind(1, IncidentNeeds(headcount=2, vehicles=1), 0.30, 30),
    "violent": IncidentKind(2, IncidentNeeds(headcount=4, armed=2, vehicles=1), 0.35, 45),
    "fire": IncidentKind(2, IncidentNeeds(headcount=4, skills={"first_aid": 1}), 0.15, 60),
    "mass_incident": IncidentKind(
        3, IncidentNeeds(headcount=12, armed=2, skills={"riot_control": 4}, vehicles=2), 0.12, 90
    ),
    "flood": IncidentKind(3, IncidentNeeds(headcount=6, skills={"water_rescue": 2}), 0.06, 120),
    "terror": IncidentKind(4, IncidentNeeds(headcount=10, armed=6, vehicles=2), 0.02, 120),
}


@dataclass(frozen=True)
class SimulationOptions:
    incidents_per_day: float = 60.0
    seed: int = 0
    kinds: dict[str, IncidentKind] = field(default_factory=lambda: DEFAULT_KINDS)
    default_on_scene_minutes: float = 45.0
    rings: tuple[float, ...] = RINGS
    reinforcement: ReinforcementOptions = field(
        default_factory=lambda: ReinforcementOptions(alternatives=0)
    )


class IncidentOutcome(BaseModel):
    id: str
    at: dt.datetime
    kind: str
    units: list[str] = Field(default_factory=list)
    first_arrival_minutes: float | None = None
    full_response_minutes: float | None = Field(
        default=None, description="when every need is met; None = some need unmet"
    )
    shortfall: int = 0
    level: str = ""


class SimulationReport(BaseModel):
    name: str = ""
    incidents: int = 0
    first_arrival: dict[str, float | None] = Field(
        default_factory=dict, description="p50 / p90 / p95 / max minutes"
    )
    full_response: dict[str, float | None] = Field(default_factory=dict)
    within_first: dict[str, float] = Field(
        default_factory=dict, description="ring (minutes) → share of incidents reached"
    )
    within_full: dict[str, float] = Field(
        default_factory=dict, description="ring → share of incidents fully met"
    )
    unmet_incidents: int = 0
    unmet_needs: dict[str, int] = Field(default_factory=dict)
    escalated: int = 0
    seconds: float = 0.0
    outcomes: list[IncidentOutcome] = Field(default_factory=list)


def sample_incidents(
    scenario: Scenario, start: dt.datetime, days: int, options: SimulationOptions | None = None
) -> list[Incident]:
    """Incidents drawn from the zones' risk: a Poisson count per zone and hour with rate
    ∝ risk[weekday][hour], scaled to `incidents_per_day` on average; kinds by weight."""
    opts = options or SimulationOptions()
    rng = np.random.default_rng(opts.seed)
    zones = [(z, zone_point(z)) for z in scenario.zones]
    zones = [(z, p) for z, p in zones if p is not None]
    if not zones:
        return []
    risk = np.asarray([z.risk for z, _ in zones], dtype=float)  # [zones, 7, 24]
    per_day = risk.sum(axis=(1, 2)).sum() / 7.0
    scale = opts.incidents_per_day / per_day if per_day > 0 else 0.0
    kinds = list(opts.kinds)
    weights = np.asarray([opts.kinds[k].weight for k in kinds])
    weights = weights / weights.sum()
    out: list[Incident] = []
    for h in range(days * 24):
        at = start + dt.timedelta(hours=h)
        lam = risk[:, at.weekday(), at.hour] * scale
        counts = rng.poisson(lam)
        for zi in np.flatnonzero(counts):
            zone, (lon, lat) = zones[zi]
            for _ in range(int(counts[zi])):
                kind = kinds[int(rng.choice(len(kinds), p=weights))]
                spec = opts.kinds[kind]
                out.append(
                    Incident(
                        id=f"S{len(out) + 1:05d}",
                        reported_at=at + dt.timedelta(seconds=int(rng.integers(0, 3600))),
                        location=(
                            round(lon + float(rng.uniform(-0.005, 0.005)), 6),
                            round(lat + float(rng.uniform(-0.005, 0.005)), 6),
                        ),
                        kind=kind,
                        severity=spec.severity,
                        jurisdiction_id=zone.jurisdiction_id,
                        needs=spec.needs,
                    )
                )
    out.sort(key=lambda i: (i.reported_at, i.id))
    return out


def _shift_key(scenario: Scenario, at: dt.datetime) -> tuple[tuple[dt.date, str], ...]:
    """The shifts running at `at` (states only change when this changes)."""
    key = []
    for day in (at.date() - dt.timedelta(days=1), at.date()):
        for shift in scenario.shifts:
            start, end = shift.interval(day)
            if start <= at < end:
                key.append((day, shift.id))
    return tuple(key)


def _percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p90": None, "p95": None, "max": None}
    arr = np.asarray(values)
    return {
        "p50": round(float(np.percentile(arr, 50)), 2),
        "p90": round(float(np.percentile(arr, 90)), 2),
        "p95": round(float(np.percentile(arr, 95)), 2),
        "max": round(float(arr.max()), 2),
    }


def simulate(
    scenario: Scenario,
    incidents: Iterable[Incident],
    plan: Sequence[Assignment] | None = None,
    options: SimulationOptions | None = None,
    name: str = "",
) -> SimulationReport:
    """Replay `incidents` in time order against `plan` (default: the scenario's published
    plan) and report the response figures."""
    t0 = time.perf_counter()
    opts = options or SimulationOptions()
    ropts = opts.reinforcement
    plan_list = list(scenario.published_plan if plan is None else plan)
    busy_until: dict[str, dt.datetime] = {}
    cache: dict[tuple, object] = {}
    outcomes: list[IncidentOutcome] = []
    unmet: dict[str, int] = {}
    escalated = 0
    for inc in sorted(incidents, key=lambda i: (i.reported_at, i.id)):
        at = inc.reported_at
        key = _shift_key(scenario, at) if plan_list else ()
        inst = cache.get(key)
        if inst is None:
            states = unit_states_from_plan(scenario, at, plan_list)
            inst = build_instance(scenario, at, states, ropts)
            cache.clear()  # shifts only move forward
            cache[key] = inst
        busy = frozenset(u for u, free in busy_until.items() if free > at)
        result = suggest_reinforcement(inst, inc, exclude=busy, options=ropts)  # type: ignore[arg-type]
        best = result.best
        spec = opts.kinds.get(inc.kind)
        on_scene = spec.on_scene_minutes if spec else opts.default_on_scene_minutes
        outcome = IncidentOutcome(id=inc.id, at=at, kind=inc.kind, level=result.level.value)
        if best is not None:
            outcome.units = [u.unit_id for u in best.units]
            outcome.first_arrival_minutes = best.first_arrival_minutes
            outcome.shortfall = best.shortfall
            if best.shortfall == 0:
                outcome.full_response_minutes = best.arrival_minutes
            for u in best.units:
                back = 2 * u.eta_minutes + on_scene
                busy_until[u.unit_id] = at + dt.timedelta(minutes=back)
            for need in best.needs:
                if need.provided < need.requested:
                    unmet[need.need] = unmet.get(need.need, 0) + need.requested - need.provided
        else:
            needs = inc.needs
            outcome.shortfall = needs.headcount
            unmet["headcount"] = unmet.get("headcount", 0) + needs.headcount
        if any("escalated to" in e for e in result.escalations):
            escalated += 1
        outcomes.append(outcome)
    n = len(outcomes)
    first = [o.first_arrival_minutes for o in outcomes if o.first_arrival_minutes is not None]
    full = [o.full_response_minutes for o in outcomes if o.full_response_minutes is not None]

    def share(values: list[float], ring: float) -> float:
        return round(sum(1 for v in values if v <= ring + 1e-9) / n, 6) if n else 0.0

    return SimulationReport(
        name=name or scenario.name,
        incidents=n,
        first_arrival=_percentiles(first),
        full_response=_percentiles(full),
        within_first={f"{r:g}": share(first, r) for r in opts.rings},
        within_full={f"{r:g}": share(full, r) for r in opts.rings},
        unmet_incidents=sum(
            1 for o in outcomes if o.shortfall > 0 or o.first_arrival_minutes is None
        ),
        unmet_needs=dict(sorted(unmet.items())),
        escalated=escalated,
        seconds=round(time.perf_counter() - t0, 3),
        outcomes=outcomes,
    )


def compare(a: SimulationReport, b: SimulationReport) -> list[dict[str, object]]:
    """Side-by-side figures of two runs (b − a in `change`)."""
    rows: list[dict[str, object]] = []

    def add(label: str, x: float | None, y: float | None) -> None:
        change = None if x is None or y is None else round(y - x, 6)
        rows.append({"figure": label, a.name or "a": x, b.name or "b": y, "change": change})

    add("incidents", a.incidents, b.incidents)
    for ring in a.within_first:
        add(f"first unit within {ring} min", a.within_first[ring], b.within_first.get(ring))
    for ring in a.within_full:
        add(f"all needs met within {ring} min", a.within_full[ring], b.within_full.get(ring))
    for p in ("p50", "p90", "p95"):
        add(f"full response {p} (min)", a.full_response.get(p), b.full_response.get(p))
    add("incidents with unmet needs", a.unmet_incidents, b.unmet_incidents)
    return rows


__all__ = [
    "DEFAULT_KINDS",
    "IncidentKind",
    "IncidentOutcome",
    "SimulationOptions",
    "SimulationReport",
    "compare",
    "sample_incidents",
    "simulate",
]
