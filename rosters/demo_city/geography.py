"""The demo city's jurisdiction tree (city → county → township → village → grid) with
polygon boundaries that nest: each level is the Voronoi tessellation of seeded points,
clipped to its parent's polygon. Coordinates are WGS84 around Zhangye in the Hexi corridor."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from optimizer.scenario import Jurisdiction, Level
from rosters.demo_city.names import TOWN_TAILS, place_name

CITY_OUTLINE = Polygon(
    [
        (98.55, 39.30),
        (99.30, 39.80),
        (100.30, 39.55),
        (101.20, 38.95),
        (101.60, 38.35),
        (100.90, 38.00),
        (99.80, 38.30),
        (98.90, 38.70),
    ]
)


@dataclass(frozen=True)
class CountySpec:
    code: str
    name: str
    seat: tuple[float, float]
    population: int
    townships: int
    streets: int  # urban streets (街道) around the seat, part of `townships`


COUNTIES: tuple[CountySpec, ...] = (
    CountySpec("01", "甘州区", (100.45, 38.93), 520_000, 22, 8),
    CountySpec("02", "临泽县", (100.16, 39.15), 150_000, 10, 1),
    CountySpec("03", "高台县", (99.82, 39.38), 150_000, 10, 1),
    CountySpec("04", "山丹县", (101.09, 38.78), 160_000, 9, 1),
    CountySpec("05", "民乐县", (100.81, 38.43), 180_000, 11, 1),
    CountySpec("06", "肃南县", (99.62, 38.84), 40_000, 3, 1),
)
SMALL_COUNTY = "06"  # the one-county test city: ~300 sworn people


@dataclass
class Area:
    """One jurisdiction while the city is being built."""

    jurisdiction: Jurisdiction
    shape: BaseGeometry
    children: list[Area] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.jurisdiction.id

    @property
    def centre(self) -> tuple[float, float]:
        assert self.jurisdiction.centroid is not None
        return self.jurisdiction.centroid


def sample_points(
    rng: np.random.Generator,
    shape: BaseGeometry,
    n: int,
    near: tuple[float, float] | None = None,
    spread: float = 0.0,
) -> np.ndarray:
    """`n` points inside `shape`: uniform, or Gaussian around `near` with `spread` degrees."""
    minx, miny, maxx, maxy = shape.bounds
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        if near is None:
            pts = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        else:
            pts = rng.normal(near, spread, size=(4 * n, 2))
        pts = pts[shapely.contains_xy(shape, pts[:, 0], pts[:, 1])]
        found.append(pts)
        count += len(pts)
    return np.concatenate(found)[:n]


def tessellate(points: np.ndarray, clip: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of `points` (in input order) clipped to `clip`, simplified."""
    if len(points) == 1:
        return [clip]
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=clip, ordered=True)
    out = []
    for cell in cells.geoms:
        piece = cell.intersection(clip)
        if piece.geom_type == "MultiPolygon":  # keep the main piece: boundaries stay simple
            piece = max(piece.geoms, key=lambda g: g.area)
        out.append(piece.simplify(0.002, preserve_topology=True))
    return out


def geojson(shape: BaseGeometry) -> dict:
    rounded = shapely.set_precision(shape, 1e-5)
    return mapping(rounded if not rounded.is_empty else shape)


def _rounded_centroid(shape: BaseGeometry) -> tuple[float, float]:
    p = shape.representative_point()
    return (round(p.x, 5), round(p.y, 5))


def _area(
    jid: str,
    name: str,
    level: Level,
    parent: str | None,
    shape: BaseGeometry,
    population: int,
    urban: bool,
) -> Area:
    j = Jurisdiction(
        id=jid,
        name=name,
        level=level,
        parent_id=parent,
        population=population,
        migrants=int(population * (0.12 if urban else 0.05)),
        urban=urban,
        centroid=_rounded_centroid(shape),
        boundary=geojson(shape),
    )
    return Area(j, shape)


def _split(
    rng: np.random.Generator, total: int, n: int, weights: np.ndarray | None = None
) -> list[int]:
    share = rng.dirichlet(np.full(n, 4.0)) if weights is None else weights / weights.sum()
    parts = np.floor(share * total).astype(int)
    parts[0] += total - parts.sum()
    return parts.tolist()


@dataclass(frozen=True)
class CitySpec:
    """A prefecture-level city: id, name, outline and its counties (whose seats lie inside)."""

    code: str
    name: str
    outline: Polygon
    counties: tuple[CountySpec, ...]


ZHANGYE = CitySpec("ZY", "张掖市", CITY_OUTLINE, COUNTIES)


def build_geography(
    rng: np.random.Generator, counties: tuple[CountySpec, ...], spec: CitySpec = ZHANGYE
) -> Area:
    """The whole tree below the city for the given counties (of `spec`, by default the demo
    city; the county shapes are those of all of `spec`'s counties)."""
    city = _area(
        spec.code,
        spec.name,
        Level.CITY,
        None,
        spec.outline,
        sum(c.population for c in counties),
        True,
    )
    seats = np.array([c.seat for c in spec.counties])
    county_shapes = dict(
        zip([c.code for c in spec.counties], tessellate(seats, spec.outline), strict=True)
    )
    used: set[str] = set()
    for c in counties:
        county = _area(
            f"{city.id}{c.code}",
            c.name,
            Level.COUNTY,
            city.id,
            county_shapes[c.code],
            c.population,
            c.code == "01",
        )
        city.children.append(county)
        _add_townships(rng, county, c, used)
    return city


def _add_townships(
    rng: np.random.Generator, county: Area, spec: CountySpec, used: set[str]
) -> None:
    seat_pts = sample_points(rng, county.shape, spec.streets, near=spec.seat, spread=0.025)
    rural_pts = sample_points(rng, county.shape, spec.townships - spec.streets)
    points = np.vstack([seat_pts, rural_pts])
    weights = np.array([6.0 if i < spec.streets else 1.0 for i in range(spec.townships)])
    weights *= rng.uniform(0.6, 1.4, spec.townships)
    pops = _split(rng, spec.population, spec.townships, weights)
    for i, (shape, pop) in enumerate(zip(tessellate(points, county.shape), pops, strict=True)):
        urban = i < spec.streets
        tails = ("街道",) if urban and spec.code == "01" else TOWN_TAILS[:3]
        town = _area(
            f"{county.id}-{i + 1:02d}",
            place_name(rng, used, tails),
            Level.TOWNSHIP,
            county.id,
            shape,
            pop,
            urban,
        )
        county.children.append(town)
        _add_villages(rng, town, used)


def _add_villages(rng: np.random.Generator, town: Area, used: set[str]) -> None:
    urban = town.jurisdiction.urban
    n = int(rng.integers(5, 9)) if urban else int(rng.integers(4, 9))
    points = sample_points(rng, town.shape, n)
    pops = _split(rng, town.jurisdiction.population, n)
    tails = ("社区",) if urban else ("村",)
    for i, (shape, pop) in enumerate(zip(tessellate(points, town.shape), pops, strict=True)):
        village = _area(
            f"{town.id}-{i + 1:02d}",
            place_name(rng, used, tails),
            Level.VILLAGE,
            town.id,
            shape,
            pop,
            urban,
        )
        town.children.append(village)
        grids = 3 if urban else int(rng.integers(1, 3))
        gpoints = sample_points(rng, shape, grids)
        gpops = _split(rng, pop, grids)
        for k, (gshape, gpop) in enumerate(zip(tessellate(gpoints, shape), gpops, strict=True)):
            village.children.append(
                _area(
                    f"{village.id}-{k + 1}",
                    f"{village.jurisdiction.name}第{k + 1}网格",
                    Level.GRID,
                    village.id,
                    gshape,
                    gpop,
                    urban,
                )
            )


def walk(area: Area) -> list[Area]:
    """Every area of the tree, parents before children."""
    out = [area]
    for child in area.children:
        out.extend(walk(child))
    return out
