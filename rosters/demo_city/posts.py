"""Patrol zones (巡防责任区) and posts of the demo city: 24-hour checkpoints on county borders
and at the city's highway entrances (some armed), kiosks in the towns, standby points at the
county seats."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from optimizer.scenario import READY_FORCES, SWORN_FORCES, Force, Post, PostKind
from rosters.demo_city.geography import Area, geojson, sample_points, tessellate

#: the G30 expressway through the Hexi corridor, roughly
HIGHWAY = LineString(
    [(98.6, 39.45), (99.4, 39.45), (99.9, 39.3), (100.4, 38.95), (101.0, 38.75), (101.55, 38.45)]
)
ARMED_FORCES = [Force.PATROL_SWAT, Force.COUNTY_RESPONSE, Force.POLICE_STATION]


@dataclass
class ZoneDraft:
    id: str
    name: str
    town: Area
    shape: BaseGeometry
    population: int


def draft_zones(rng: np.random.Generator, town: Area) -> list[ZoneDraft]:
    urban = town.jurisdiction.urban
    n = int(rng.integers(4, 7)) if urban else int(rng.integers(7, 12))
    shapes = tessellate(sample_points(rng, town.shape, n), town.shape)
    share = rng.dirichlet(np.full(n, 3.0))
    return [
        ZoneDraft(
            f"Z-{town.id}-{k + 1}",
            f"{town.jurisdiction.name}{k + 1}号巡防区",
            town,
            shape,
            int(town.jurisdiction.population * share[k]),
        )
        for k, shape in enumerate(shapes)
    ]


def zone_geometry(draft: ZoneDraft) -> tuple[dict, tuple[float, float]]:
    p = draft.shape.representative_point()
    return geojson(draft.shape), (round(p.x, 5), round(p.y, 5))


def _inside(point: Point, area: Area, towards: float = 0.01) -> tuple[float, float]:
    """A point just inside `area` near `point` (a post on a border stands on one side)."""
    cx, cy = area.centre
    x, y = point.x + (cx - point.x) * towards, point.y + (cy - point.y) * towards
    if not shapely.contains_xy(area.shape, x, y):
        x, y = area.shape.representative_point().coords[0]
    return round(x, 5), round(y, 5)


def _town_at(county: Area, xy: tuple[float, float]) -> Area:
    for town in county.children:
        if shapely.contains_xy(town.shape, *xy):
            return town
    return min(county.children, key=lambda t: Point(t.centre).distance(Point(xy)))


def build_posts(rng: np.random.Generator, county: Area) -> list[Post]:
    posts: list[Post] = []
    cname = county.jurisdiction.name
    boundary = county.shape.exterior
    # border checkpoints (查报站), every second one armed (武装盘查卡点)
    for k, frac in enumerate((0.1, 0.35, 0.6, 0.85)):
        xy = _inside(boundary.interpolate(frac, normalized=True), county)
        armed = k % 2 == 0
        posts.append(
            _post(
                f"KD-{county.id}-{k + 1}",
                f"{cname}{k + 1}号{'武装盘查卡点' if armed else '查报站'}",
                PostKind.ARMED_CHECKPOINT if armed else PostKind.CHECKPOINT,
                _town_at(county, xy),
                xy,
                armed,
            )
        )
    # where the expressway crosses into the county: an armed checkpoint
    crossing = HIGHWAY.intersection(boundary)
    points = [crossing] if crossing.geom_type == "Point" else list(getattr(crossing, "geoms", []))
    for k, pt in enumerate(points[:2]):
        xy = _inside(pt, county)
        posts.append(
            _post(
                f"GS-{county.id}-{k + 1}",
                f"{cname}高速{k + 1}号卡点",
                PostKind.ARMED_CHECKPOINT,
                _town_at(county, xy),
                xy,
                True,
            )
        )
    # kiosks (治安岗亭) in the urban townships, around the clock; daytime kiosks elsewhere
    for town in county.children:
        if town.jurisdiction.urban:
            xy = tuple(
                round(float(v), 5)
                for v in sample_points(rng, town.shape, 1, near=town.centre, spread=0.004)[0]
            )
            posts.append(
                Post(
                    id=f"GT-{town.id}",
                    name=f"{town.jurisdiction.name}治安岗亭",
                    kind=PostKind.KIOSK,
                    jurisdiction_id=town.id,
                    location=xy,
                    hours=[(0, 24)],
                    min_staff=2,
                    forces=list(SWORN_FORCES),
                )
            )
    seat = county.children[0]
    posts.append(
        Post(
            id=f"BQ-{county.id}",
            name=f"{cname}备勤点",
            kind=PostKind.STANDBY_POINT,
            jurisdiction_id=seat.id,
            location=seat.centre,
            hours=[],
            min_staff=1,
            forces=list(READY_FORCES),
        )
    )
    return posts


def _post(
    pid: str, name: str, kind: PostKind, town: Area, xy: tuple[float, float], armed: bool
) -> Post:
    return Post(
        id=pid,
        name=name,
        kind=kind,
        jurisdiction_id=town.id,
        location=xy,
        hours=[(0, 24)],
        min_staff=2,
        min_armed=2 if armed else 0,
        forces=ARMED_FORCES if armed else list(SWORN_FORCES),
    )
