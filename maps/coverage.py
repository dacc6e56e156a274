"""Quick-response rings ("1-3-5 minutes"): how far a unit gets in 3 and 5 minutes.

The rings are circles whose radius inverts the great-circle travel model of
`optimizer.travel.GreatCircleTravel`: a place at the ring's radius (straight line) is
``minutes`` away by that model (straight line × circuity ÷ speed + fixed minutes). With the
defaults (urban vehicle 30 km/h, circuity 1.3) the 3-minute ring is ≈ 1.15 km and the
5-minute ring ≈ 1.92 km. This is an approximation: real isochrones follow the road network
(an OSRM service would give them); the rings only show where coverage is thin.

`add_coverage_heat` is the alternative view: a heat layer of unit positions weighted by
the units' strength.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import folium
from folium.plugins import HeatMap

from maps.labels import label
from optimizer.travel import GreatCircleTravel, TravelMode

RING_MINUTES: tuple[int, ...] = (3, 5)
RING_COLORS: dict[int, str] = {1: "#1b5e20", 3: "#2e7d32", 5: "#66bb6a"}


def ring_radius_m(
    minutes: float,
    model: GreatCircleTravel | None = None,
    mode: TravelMode = TravelMode.VEHICLE,
) -> float:
    """Straight-line radius (metres) reachable in ``minutes`` under the travel model."""
    model = model or GreatCircleTravel()
    driving = max(0.0, minutes - model.fixed_minutes)
    km = driving / 60.0 * model.speed(mode) / model.circuity
    return km * 1000.0


@dataclass(frozen=True)
class RingCentre:
    lat: float
    lon: float
    tooltip: str = ""


def add_coverage_rings(
    m: folium.Map,
    centres: Sequence[RingCentre],
    minutes: Sequence[int] = RING_MINUTES,
    model: GreatCircleTravel | None = None,
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """One translucent circle per centre and threshold, largest first so the small ring
    stays on top."""
    group = folium.FeatureGroup(name=label("layer.coverage", lang), show=show)  # type: ignore[arg-type]
    for minute in sorted(minutes, reverse=True):
        radius = ring_radius_m(minute, model)
        color = RING_COLORS.get(minute, "#43a047")
        for c in centres:
            folium.Circle(
                location=[c.lat, c.lon],
                radius=radius,
                color=color,
                weight=1,
                fill=True,
                fill_color=color,
                fill_opacity=0.08,
                interactive=False,
                class_name=f"pa-ring pa-ring-{minute}",
            ).add_to(group)
    group.add_to(m)
    return group


def add_coverage_heat(
    m: folium.Map,
    points: Sequence[tuple[float, float, float]],
    lang: str = "zh",
    show: bool = True,
    radius_m: float | None = None,
) -> HeatMap:
    """Heat of (lat, lon, weight) points — unit positions weighted by strength."""
    layer = HeatMap(
        [list(p) for p in points],
        name=label("layer.coverage_heat", lang),  # type: ignore[arg-type]
        radius=20 if radius_m is None else max(5, int(radius_m / 100)),
        blur=15,
        min_opacity=0.3,
        show=show,
    )
    layer.add_to(m)
    return layer
