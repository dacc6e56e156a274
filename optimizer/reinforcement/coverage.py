"""Coverage of the area by the units that can respond: the share of the current hour's risk
(zones' 7×24 profiles, at zone centroids) that some covering unit reaches within each ring
(3 and 5 minutes by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.reinforcement.eta import TravelModel, distance_km
from optimizer.reinforcement.forces import COVERING, zone_point
from optimizer.reinforcement.instance import DispatchInstance
from optimizer.reinforcement.results import CoverageFigures
from optimizer.scenario import Scenario

DEFAULT_RINGS: tuple[float, ...] = (3.0, 5.0)


@dataclass(frozen=True)
class DemandPoints:
    """Zones as demand: id, point, the risk of the hour, county."""

    ids: list[str]
    points: np.ndarray  # [m, 2]
    risk: np.ndarray  # [m]
    county: list[str | None]


def demand_points(scenario: Scenario, at: dt.datetime) -> DemandPoints:
    """Each zone with a point, weighted by its risk at `at` (weekday, hour). When every zone
    has zero risk at that hour, each counts 1 so coverage is still meaningful."""
    ids, pts, risk, county = [], [], [], []
    for zone in scenario.zones:
        point = zone_point(zone)
        if point is None:
            continue
        ids.append(zone.id)
        pts.append(point)
        risk.append(zone.risk[at.weekday()][at.hour])
        county.append(scenario.county_of(zone.jurisdiction_id))
    r = np.asarray(risk, dtype=float)
    if len(r) and r.sum() <= 0:
        r = np.ones_like(r)
    return DemandPoints(ids, np.asarray(pts, dtype=float).reshape(-1, 2), r, county)


def eta_matrix(
    origins: np.ndarray,
    has_vehicle: np.ndarray,
    turnout: np.ndarray,
    points: np.ndarray,
    travel: TravelModel,
) -> np.ndarray:
    """Minutes from each origin [n, 2] to each point [m, 2] (turnout + travel)."""
    if len(origins) == 0 or len(points) == 0:
        return np.zeros((len(origins), len(points)))
    km = distance_km(origins, points)
    speed = np.where(has_vehicle, travel.vehicle_kmh, travel.foot_kmh)[:, None]
    return turnout[:, None] + km * travel.circuity / speed * 60.0


def covering_mask(inst: DispatchInstance, gone: Sequence[str] = ()) -> np.ndarray:
    """Units that count for coverage: in a covering state and not in `gone`."""
    out = np.asarray([st.status in COVERING for st in inst.states], dtype=bool)
    for uid in gone:
        if uid in inst.index:
            out[inst.index[uid]] = False
    return out


def coverage_figures(
    inst: DispatchInstance,
    demand: DemandPoints,
    active: np.ndarray,
    rings: Sequence[float] = DEFAULT_RINGS,
    moved: Mapping[int, tuple[float, float]] | None = None,
    moved_turnout: float = 1.0,
) -> CoverageFigures:
    """Share of risk within each ring of the `active` units; `moved` relocates units (index →
    new position, with the standby turnout)."""
    positions = inst.positions.copy()
    turnout = inst.turnout.copy()
    for i, pos in (moved or {}).items():
        positions[i] = pos
        turnout[i] = moved_turnout
    idx = np.flatnonzero(active)
    total = float(demand.risk.sum())
    if total <= 0 or len(idx) == 0:
        return CoverageFigures(shares={f"{r:g}": 0.0 for r in rings}, risk_total=total)
    eta = eta_matrix(
        positions[idx], inst.has_vehicle[idx], turnout[idx], demand.points, inst.options.travel
    )
    best = eta.min(axis=0)
    shares = {f"{r:g}": round(float(demand.risk[best <= r].sum()) / total, 6) for r in rings}
    return CoverageFigures(shares=shares, risk_total=round(total, 6))
