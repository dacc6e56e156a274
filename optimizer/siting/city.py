"""Siting on a city's own geography (a `Scenario`): where p posts would serve the zones' risk
best, and how that compares with today's posts.

- Candidate sites: the centroid of every grid (网格; villages or any jurisdiction with a
  centroid when there are no grids), points every `road_spacing_km` along the grid
  boundaries (in the demo city, as in many cities, grids are drawn along streets and roads),
  and today's posts (so the optimum can never be worse than today's layout). When there are
  more than `max_candidates`, the boundary points are thinned at random (seeded); grid
  centroids and posts stay.
- Demand: the weekly risk of each patrol zone (Σ of its 7 × 24 profile), at the zone's
  centroid, or spread over `demand_points` points drawn inside the zones (each zone gets
  points in proportion to its area, at least one, and shares its risk among them).
- Travel: the travel model (`GreatCircleTravel`), urban speeds for demand points in urban
  jurisdictions and rural speeds elsewhere.

`site_city` solves the p-median (least risk-weighted travel time) or the maximal covering
(most risk within `radius_minutes`) and returns a `CitySitingReport`: the solve's status,
bound and gap, the chosen sites, and today's posts measured on the same demand.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field
from shapely.geometry import shape

from optimizer.result import ProgressCallback, SolveSummary
from optimizer.scenario import Level, PostKind, Scenario
from optimizer.siting.covering import solve_max_cover
from optimizer.siting.pmedian import solve_pmedian
from optimizer.siting.problem import (
    DemandPoint,
    SitingInputError,
    SitingInstance,
)
from optimizer.siting.result import CoverageRing, SitingResult
from optimizer.travel import GreatCircleTravel, TravelMode

SitingModel = Literal["pmedian", "covering"]
SiteKind = Literal["grid", "road", "post"]
KM_PER_DEGREE = 111.32
#: largest travel-time matrix a city siting builds (demand points × candidates): 25 M cells
#: are 200 MB a copy; the solve holds a few (the 2,000 × 5,000 case peaks at ~0.6 GB)
MAX_CELLS = 25_000_000


class CitySitingOptions(BaseModel):
    """What to site and on which candidates and demand."""

    model_config = ConfigDict(extra="forbid")
    model: SitingModel = "pmedian"
    p: int | None = Field(default=None, ge=1, description="sites to open; default: today's posts")
    radius_minutes: float = Field(default=5.0, gt=0, le=240, description="covering radius")
    post_kinds: list[PostKind] | None = Field(
        default=None, description="today's posts of these kinds (default: all)"
    )
    keep_posts: bool = Field(default=False, description="today's posts stay open, p counts them")
    max_candidates: int = Field(default=2000, ge=1, le=20_000)
    road_spacing_km: float = Field(default=1.0, gt=0.05, le=50)
    demand_points: int | None = Field(
        default=None, ge=1, le=50_000, description="default: one point per zone"
    )
    mode: TravelMode = TravelMode.VEHICLE
    seed: int = Field(default=0, ge=0)


@dataclass(frozen=True)
class Site:
    id: str
    kind: SiteKind
    lon: float
    lat: float
    name: str = ""


@dataclass(frozen=True)
class CityInstance:
    sites: list[Site]
    demand: list[DemandPoint]
    instance: SitingInstance
    today: list[int]  # indices of today's posts among the sites


class SiteOut(BaseModel):
    id: str
    kind: SiteKind
    lon: float
    lat: float
    name: str = ""


class LayoutFigures(BaseModel):
    """A set of open sites measured on the demand (minutes are the travel model's)."""

    sites: int
    mean_minutes: float = Field(description="risk-weighted mean time to the nearest site")
    max_minutes: float = Field(description="worst time of a demand point")
    covered_share: float = Field(description="share of the risk within radius_minutes")


class CitySitingReport(BaseModel):
    model: SitingModel
    p: int
    radius_minutes: float
    candidates: int
    demand_points: int
    total_risk: float
    result: SolveSummary
    chosen: list[SiteOut]
    today: list[SiteOut]
    chosen_figures: LayoutFigures
    today_figures: LayoutFigures | None
    mean_minutes_saved: float | None = Field(description="today's mean − the chosen mean")
    max_minutes_saved: float | None
    covered_share_gained: float | None = Field(description="chosen − today's covered share")


def city_instance(scenario: Scenario, options: CitySitingOptions) -> CityInstance:
    """Candidates, demand and travel times of `scenario` (see the module docstring)."""
    rng = np.random.default_rng(options.seed)
    demand, urban = _demand(scenario, options, rng)
    posts = [
        Site(f"post:{post.id}", "post", *post.location, post.name)
        for post in scenario.posts
        if options.post_kinds is None or post.kind in options.post_kinds
    ]
    sites = _candidates(scenario, options, rng, len(posts)) + posts
    if not sites:
        raise SitingInputError("candidates: the roster has no grid centroids, boundaries or posts")
    if len(demand) * len(sites) > MAX_CELLS:
        raise SitingInputError(
            f"demand_points: {len(demand)} demand points × {len(sites)} candidates exceed "
            f"{MAX_CELLS:,} travel times; ask for fewer points or candidates"
        )
    p = options.p if options.p is not None else len(posts)
    if p < 1:
        raise SitingInputError("p: no posts to compare with; give the number of sites to open")
    places = [(s.lon, s.lat) for s in sites]
    cost = np.empty((len(demand), len(sites)))
    for area, rows in (("urban", np.flatnonzero(urban)), ("rural", np.flatnonzero(~urban))):
        if len(rows):
            points = [demand[i].location for i in rows]
            model = GreatCircleTravel(area)  # type: ignore[arg-type]
            cost[rows] = model.matrix(points, places, options.mode)  # type: ignore[arg-type]
    existing = np.zeros(len(sites), dtype=bool)
    today = list(range(len(sites) - len(posts), len(sites)))
    if options.keep_posts:
        existing[today] = True
    inst = SitingInstance(
        demand_ids=[d.id for d in demand],
        site_ids=[s.id for s in sites],
        weights=np.array([d.weight for d in demand]),
        cost=cost,
        p=p,
        existing=existing,
    )
    return CityInstance(sites, demand, inst, today)


def _demand(
    scenario: Scenario, options: CitySitingOptions, rng: np.random.Generator
) -> tuple[list[DemandPoint], np.ndarray]:
    jurisdictions = scenario.by_id("jurisdictions")
    zones = [z for z in scenario.zones if z.centroid is not None or z.geometry is not None]
    if not zones:
        raise SitingInputError("zones: the roster has no patrol zones with a location")
    risk = np.array([sum(map(sum, z.risk)) for z in zones], dtype=float)
    if risk.sum() <= 0:
        raise SitingInputError("zones: every zone's risk is 0, there is no demand to serve")
    shapes = [shape(z.geometry) if z.geometry else None for z in zones]
    counts = np.ones(len(zones), dtype=int)
    if options.demand_points is not None and options.demand_points > len(zones):
        area = np.array([s.area if s is not None else 0.0 for s in shapes])
        if area.sum() > 0:
            counts = np.maximum(1, np.floor(options.demand_points * area / area.sum())).astype(int)
    demand: list[DemandPoint] = []
    urban: list[bool] = []
    for zone, geom, k, weight in zip(zones, shapes, counts, risk, strict=True):
        jur = jurisdictions.get(zone.jurisdiction_id)
        if k == 1 or geom is None:
            where = zone.centroid or geom.representative_point().coords[0]  # type: ignore[union-attr]
            located = [(float(where[0]), float(where[1]))]
        else:
            located = [(float(x), float(y)) for x, y in _inside(rng, geom, int(k))]
        for q, xy in enumerate(located):
            demand.append(
                DemandPoint(
                    id=zone.id if len(located) == 1 else f"{zone.id}#{q + 1}",
                    location=(round(xy[0], 6), round(xy[1], 6)),
                    weight=float(weight) / len(located),
                )
            )
            urban.append(bool(jur.urban) if jur is not None else False)
    return demand, np.array(urban, dtype=bool)


def _inside(rng: np.random.Generator, geom: shapely.Geometry, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = geom.bounds
    found: list[np.ndarray] = []
    count, tries = 0, 0
    while count < n and tries < 50:
        tries += 1
        pts = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        pts = pts[shapely.contains_xy(geom, pts[:, 0], pts[:, 1])]
        found.append(pts)
        count += len(pts)
    if count < n:  # a sliver: its representative point stands in
        found.append(np.tile(geom.representative_point().coords[0], (n - count, 1)))
    return np.concatenate(found)[:n]


def _candidates(
    scenario: Scenario, options: CitySitingOptions, rng: np.random.Generator, posts: int
) -> list[Site]:
    located = [j for j in scenario.jurisdictions if j.centroid is not None]
    grids = [j for j in located if j.level == Level.GRID]
    if not grids:
        for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY):
            grids = [j for j in located if j.level == level]
            if grids:
                break
    centres = [Site(f"grid:{j.id}", "grid", *j.centroid, j.name) for j in grids]  # type: ignore[misc]
    step = options.road_spacing_km / KM_PER_DEGREE
    seen: set[tuple[float, float]] = {(round(s.lon, 3), round(s.lat, 3)) for s in centres}
    road: list[tuple[float, float]] = []
    for j in grids:
        if not j.boundary:
            continue
        for line in _outlines(shape(j.boundary)):
            length = line.length
            for d in np.arange(0.0, length, step):
                pt = line.interpolate(float(d))
                key = (round(pt.x, 3), round(pt.y, 3))
                if key not in seen:
                    seen.add(key)
                    road.append((round(pt.x, 5), round(pt.y, 5)))
    room = max(0, options.max_candidates - len(centres) - posts)
    if len(road) > room:
        keep = np.sort(rng.choice(len(road), room, replace=False))
        road = [road[k] for k in keep]
    if len(centres) + posts > options.max_candidates:
        keep = np.sort(rng.choice(len(centres), max(0, options.max_candidates - posts), False))
        centres = [centres[k] for k in keep]
    return centres + [Site(f"road:{k + 1}", "road", x, y) for k, (x, y) in enumerate(road)]


def _outlines(geom: shapely.Geometry) -> list[shapely.LineString]:
    polygons = getattr(geom, "geoms", [geom])
    return [poly.exterior for poly in polygons if hasattr(poly, "exterior")]


def layout_figures(inst: SitingInstance, sites: list[int], radius: float) -> LayoutFigures:
    nearest = inst.cost[:, sites].min(axis=1)
    total = float(inst.weights.sum())
    return LayoutFigures(
        sites=len(sites),
        mean_minutes=float(inst.weights @ nearest) / total if total > 0 else 0.0,
        max_minutes=float(nearest.max()),
        covered_share=float(inst.weights @ (nearest <= radius)) / total if total > 0 else 1.0,
    )


def site_city(
    scenario: Scenario,
    options: CitySitingOptions,
    *,
    time_limit: float = 60.0,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> CitySitingReport:
    """Site `options.p` posts on the scenario's geography and compare with today's posts."""
    city = city_instance(scenario, options)
    inst = city.instance
    result: SitingResult
    if options.model == "pmedian":
        result = solve_pmedian(inst, time_limit=time_limit, progress=progress, cancel=cancel)
    elif options.model == "covering":
        rings = [CoverageRing(minutes=options.radius_minutes)]
        result = solve_max_cover(
            inst, rings, time_limit=time_limit, random_seed=options.seed, cancel=cancel
        )
    else:  # pragma: no cover - pydantic checks the literal
        raise SitingInputError(f"model: expected pmedian or covering, got {options.model!r}")
    index = {sid: j for j, sid in enumerate(inst.site_ids)}
    chosen = [index[s] for s in result.open_sites]
    figures = layout_figures(inst, chosen, options.radius_minutes)
    today = layout_figures(inst, city.today, options.radius_minutes) if city.today else None
    summary = SolveSummary.model_validate(result.model_dump(include=set(SolveSummary.model_fields)))
    return CitySitingReport(
        model=options.model,
        p=inst.p,
        radius_minutes=options.radius_minutes,
        candidates=inst.m,
        demand_points=inst.n,
        total_risk=float(inst.weights.sum()),
        result=summary,
        chosen=[_out(city.sites[j]) for j in chosen],
        today=[_out(city.sites[j]) for j in city.today],
        chosen_figures=figures,
        today_figures=today,
        mean_minutes_saved=None if today is None else today.mean_minutes - figures.mean_minutes,
        max_minutes_saved=None if today is None else today.max_minutes - figures.max_minutes,
        covered_share_gained=None if today is None else figures.covered_share - today.covered_share,
    )


def _out(site: Site) -> SiteOut:
    return SiteOut(id=site.id, kind=site.kind, lon=site.lon, lat=site.lat, name=site.name)
