"""Where an incident may be reported: inside the area the roster covers.

- Coordinates outside China are refused (a (0, 0) location is a missing one, said so).
- A named jurisdiction with a boundary must contain the point.
- Otherwise the point must lie inside the union of the boundaries of the highest level of
  jurisdictions that have one (the city's, or its counties'), or — on a roster without
  boundaries — near what the roster holds (its jurisdiction centroids, unit bases, posts and
  zones, their bounding box widened by `MARGIN_DEGREES`).
A roster with no coordinates at all only gets the China check."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from optimizer.scenario import LEVEL_ORDER, Level
from rosters.coords import CHINA_LAT, CHINA_LON, in_china
from rosters.models import Jurisdiction, Post, Unit, Zone

#: tolerance around boundaries (degrees, about 1 km): a point on the line is inside
EDGE_DEGREES = 0.01
#: how far beyond the roster's points an incident may lie when there are no boundaries
MARGIN_DEGREES = 0.5


class OutsideArea(ValueError):
    """The incident's location is not in the area the roster covers."""


def _shape(geometry: dict[str, Any]) -> Any:
    from shapely.geometry import shape

    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return geom if geom.is_valid and not geom.is_empty else geom.buffer(0)


def _contains(geometry: dict[str, Any], lon: float, lat: float) -> bool | None:
    """Whether the boundary holds the point (None: the boundary is unusable)."""
    from shapely import Point

    geom = _shape(geometry)
    if geom is None or geom.is_empty:
        return None
    return bool(geom.buffer(EDGE_DEGREES).covers(Point(lon, lat)))


def check_incident_location(
    session: Session, lon: float, lat: float, jurisdiction: Jurisdiction | None = None
) -> None:
    """Raise OutsideArea (naming the reason) unless (lon, lat) lies in the roster's area."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise OutsideArea("location: longitude and latitude must be finite numbers")
    if not in_china(lon, lat):
        hint = (
            " — (0, 0) is what a missing location looks like"
            if lon == 0 and lat == 0
            else "; are longitude and latitude swapped?"
        )
        raise OutsideArea(
            f"location: ({lon}, {lat}) lies outside China (lon {CHINA_LON[0]}–{CHINA_LON[1]}, "
            f"lat {CHINA_LAT[0]}–{CHINA_LAT[1]}){hint} (位置不在辖区内)"
        )
    if jurisdiction is not None and jurisdiction.boundary:
        inside = _contains(jurisdiction.boundary, lon, lat)
        if inside is False:
            raise OutsideArea(
                f"location: ({lon}, {lat}) lies outside the boundary of jurisdiction "
                f"'{jurisdiction.code}' (位置不在辖区 {jurisdiction.code} 内)"
            )
        if inside:
            return
    if not _in_roster_area(session, lon, lat):
        raise OutsideArea(
            f"location: ({lon}, {lat}) lies outside the area the roster covers "
            "(its jurisdictions' boundaries) (位置不在辖区内)"
        )


def _in_roster_area(session: Session, lon: float, lat: float) -> bool:
    bounded = session.exec(
        select(Jurisdiction.level, Jurisdiction.boundary).where(
            Jurisdiction.boundary.is_not(None)  # type: ignore[union-attr]
        )
    ).all()
    bounded = [(level, b) for level, b in bounded if b]
    if bounded:
        top = min(LEVEL_ORDER.get(Level(level), 99) for level, _ in bounded)
        verdicts = [
            _contains(b, lon, lat) for level, b in bounded if LEVEL_ORDER.get(Level(level)) == top
        ]
        if any(verdicts):
            return True
        if any(v is False for v in verdicts):
            return False
    box = _roster_box(session)
    if box is None:
        return True
    west, south, east, north = box
    return (
        west - MARGIN_DEGREES <= lon <= east + MARGIN_DEGREES
        and south - MARGIN_DEGREES <= lat <= north + MARGIN_DEGREES
    )


def _roster_box(session: Session) -> tuple[float, float, float, float] | None:
    """The bounding box (west, south, east, north) of every point the roster holds."""
    boxes = []
    for lon_col, lat_col in (
        (Jurisdiction.centroid_lon, Jurisdiction.centroid_lat),
        (Zone.centroid_lon, Zone.centroid_lat),
        (Unit.base_lon, Unit.base_lat),
        (Post.lon, Post.lat),
    ):
        row = session.exec(
            select(func.min(lon_col), func.min(lat_col), func.max(lon_col), func.max(lat_col))
        ).one()
        if row[0] is not None and row[1] is not None:
            boxes.append(tuple(float(v) for v in row))
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
