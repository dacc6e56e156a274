"""Colours used on every map, so the wall, the plan page and an exported file agree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: Four risk classes, light to dark (ColorBrewer YlOrRd).
RISK_COLORS: tuple[str, ...] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c")
RISK_KEYS: tuple[str, ...] = ("risk.low", "risk.medium", "risk.high", "risk.very_high")
NO_RISK_COLOR = "#dddddd"

STAFFING_COLORS: dict[str, str] = {
    "manned": "#2e7d32",
    "short": "#f9a825",
    "unmanned": "#c62828",
    "closed": "#9e9e9e",
}

FORCE_COLORS: dict[str, str] = {
    "patrol_swat": "#0d47a1",
    "county_response": "#6a1b9a",
    "township_force": "#00838f",
    "full_time_patrol": "#2e7d32",
    "volunteer": "#ef6c00",
    "police_station": "#1565c0",
    "grid_worker": "#5d4037",
}

STATUS_ICONS: dict[str, str] = {
    "available": "shield-halved",
    "on_patrol": "person-walking",
    "dispatched": "car-side",
    "on_scene": "flag",
    "off_duty": "moon",
    "drill": "dumbbell",
    "on_post": "road-barrier",
    "standby": "bell",
    "en_route": "car-side",
    "returning": "rotate-left",
}

LEVEL_STYLES: dict[str, dict[str, object]] = {
    "city": {"color": "#263238", "weight": 3.5, "dashArray": None},
    "county": {"color": "#37474f", "weight": 2.5, "dashArray": None},
    "township": {"color": "#546e7a", "weight": 1.5, "dashArray": "6 4"},
    "village": {"color": "#78909c", "weight": 1.0, "dashArray": "2 4"},
    "grid": {"color": "#90a4ae", "weight": 0.8, "dashArray": "1 3"},
}

SEVERITY_COLORS: dict[int, str] = {1: "#fbc02d", 2: "#fb8c00", 3: "#e53935", 4: "#880e4f"}


def risk_breaks(values: Iterable[float], classes: int = len(RISK_COLORS)) -> list[float]:
    """Upper bounds of the lower classes: equal steps of the largest value, so the same risk
    gets the same colour at every hour of the profile."""
    top = max(values, default=0.0)
    if top <= 0:
        return [0.0] * (classes - 1)
    return [top * k / classes for k in range(1, classes)]


def risk_class(value: float, breaks: Sequence[float]) -> int:
    """Index into RISK_COLORS: the number of breaks the value exceeds."""
    return sum(1 for b in breaks if value > b)


def risk_color(value: float | None, breaks: Sequence[float]) -> str:
    if value is None:
        return NO_RISK_COLOR
    return RISK_COLORS[min(risk_class(value, breaks), len(RISK_COLORS) - 1)]
