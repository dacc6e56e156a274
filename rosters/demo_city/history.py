"""A synthetic incident history and the zones' 7×24 risk profiles learnt from it.

Incidents arrive per zone as a Poisson process whose rate follows the zone's population, an
urban factor, a hot-spot factor, a daily cycle (quiet at dawn, peaks late morning and late
evening) and a weekly cycle (busier Friday and Saturday). The risk profile of a zone is its
observed count per weekday×hour, smoothed over neighbouring hours and shrunk towards the
city-wide shape, expressed as expected incidents per 100 weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

DIURNAL = np.array(
    [
        0.45,
        0.35,
        0.28,
        0.22,
        0.2,
        0.25,
        0.4,
        0.65,
        0.85,
        1.0,
        1.1,
        1.15,
        1.1,
        1.0,
        1.0,
        1.05,
        1.1,
        1.2,
        1.3,
        1.45,
        1.55,
        1.5,
        1.2,
        0.8,
    ]
)
WEEKLY = np.array([0.95, 0.92, 0.93, 0.97, 1.12, 1.22, 1.05])
KINDS = ("theft", "dispute", "traffic", "violent", "fire", "mass_incident", "flood")
KIND_SHARE = np.array([0.38, 0.3, 0.2, 0.06, 0.03, 0.02, 0.01])
INCIDENTS_PER_1000_RESIDENTS_A_YEAR = 25.0


@dataclass(frozen=True)
class PastIncident:
    zone_id: str
    at: dt.datetime
    lon: float
    lat: float
    kind: str


def zone_rates(rng: np.random.Generator, populations: np.ndarray, urban: np.ndarray) -> np.ndarray:
    """Expected incidents per week for each zone."""
    hot = rng.lognormal(0.0, 0.5, len(populations))
    per_week = populations / 1000 * INCIDENTS_PER_1000_RESIDENTS_A_YEAR / 52
    return per_week * np.where(urban, 1.4, 0.8) * hot


def incident_history(
    rng: np.random.Generator,
    zone_ids: list[str],
    shapes: list[BaseGeometry],
    rates: np.ndarray,
    end: dt.date,
    weeks: int,
) -> list[PastIncident]:
    """Incidents over the `weeks` before `end`, each with a time, a place in its zone, a kind."""
    shape_week = np.outer(WEEKLY, DIURNAL)
    shape_week /= shape_week.sum()
    first = end - dt.timedelta(weeks=weeks)
    out: list[PastIncident] = []
    for zid, shape, rate in zip(zone_ids, shapes, rates, strict=True):
        counts = rng.poisson(rate * weeks * shape_week)
        for wd, hour in zip(*np.nonzero(counts), strict=True):
            for _ in range(int(counts[wd, hour])):
                week = int(rng.integers(weeks))
                day = first + dt.timedelta(days=7 * week + (int(wd) - first.weekday()) % 7)
                at = dt.datetime.combine(day, dt.time(int(hour), int(rng.integers(60))))
                lon, lat = _point_in(rng, shape)
                kind = KINDS[int(rng.choice(len(KINDS), p=KIND_SHARE))]
                out.append(PastIncident(zid, at, lon, lat, kind))
    out.sort(key=lambda i: (i.at, i.zone_id))
    return out


def _point_in(rng: np.random.Generator, shape: BaseGeometry) -> tuple[float, float]:
    minx, miny, maxx, maxy = shape.bounds
    for _ in range(100):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(shape, x, y):
            return round(float(x), 5), round(float(y), 5)
    p = shape.representative_point()
    return round(p.x, 5), round(p.y, 5)


def risk_profiles(
    history: list[PastIncident], zone_ids: list[str], weeks: int, prior_weeks: float = 8.0
) -> dict[str, list[list[float]]]:
    """Per zone, a 7×24 profile of expected incidents per 100 weeks, learnt from `history`."""
    index = {z: i for i, z in enumerate(zone_ids)}
    counts = np.zeros((len(zone_ids), 7, 24))
    for inc in history:
        counts[index[inc.zone_id], inc.at.weekday(), inc.at.hour] += 1
    # smooth over the neighbouring hours (circular), then shrink towards the city-wide shape
    smoothed = 0.25 * np.roll(counts, 1, axis=2) + 0.5 * counts + 0.25 * np.roll(counts, -1, axis=2)
    city_shape = smoothed.sum(axis=0)
    city_shape /= max(city_shape.sum(), 1.0)
    totals = smoothed.sum(axis=(1, 2))
    prior = totals[:, None, None] / weeks * city_shape[None] * prior_weeks
    rate = (smoothed + prior) / (weeks + prior_weeks) * 100
    return {z: np.round(rate[i], 2).tolist() for z, i in index.items()}
