"""Plain map data (GeoJSON, `MapPoint`s, lines) from a scenario: what each layer shows.

Scenario coordinates are ``[lon, lat]``; Leaflet wants ``[lat, lon]`` — the swap happens
here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from maps.colors import FORCE_COLORS, SEVERITY_COLORS, STAFFING_COLORS, STATUS_ICONS
from maps.elements import MapPoint
from maps.labels import LABELS, Lang, label
from maps.popups import popup_table
from maps.staffing import PostStaffing
from optimizer.scenario import Incident, Scenario, Unit
from optimizer.travel import GreatCircleTravel

LonLat = tuple[float, float]
DispatchState = Literal["suggested", "dispatched"]

POST_ICONS: dict[str, str] = {
    "checkpoint": "road-barrier",
    "armed_checkpoint": "person-military-rifle",
    "kiosk": "tower-observation",
    "standby_point": "bell",
}
INCIDENT_ICON = "triangle-exclamation"
DISPATCH_STYLES: dict[str, dict[str, Any]] = {
    "suggested": {"color": "#ef6c00", "weight": 2.5, "dash_array": "8 6"},
    "dispatched": {"color": "#c62828", "weight": 3.5, "dash_array": None},
}


def _text(key: str, lang: Lang, fallback: str) -> str:
    return label(key, lang) if key in LABELS else fallback


# --- areas ---------------------------------------------------------------------------------


def jurisdiction_collection(scenario: Scenario) -> dict[str, Any]:
    """Jurisdictions that have a boundary, as a FeatureCollection (id, name, level)."""
    features = [
        {
            "type": "Feature",
            "id": j.id,
            "properties": {"id": j.id, "name": j.name, "level": j.level.value},
            "geometry": j.boundary,
        }
        for j in scenario.jurisdictions
        if j.boundary
    ]
    return {"type": "FeatureCollection", "features": features}


def zone_collection(scenario: Scenario) -> dict[str, Any]:
    """Zones as a FeatureCollection: their polygon, or a point at the centroid."""
    features = []
    for z in scenario.zones:
        geometry = z.geometry
        if geometry is None and z.centroid is not None:
            geometry = {"type": "Point", "coordinates": list(z.centroid)}
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": z.id,
                "properties": {"id": z.id, "name": z.name},
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def zone_risk(scenario: Scenario, weekday: int, hour: int) -> dict[str, float]:
    """Each zone's risk at a weekday (0 = Monday) and hour."""
    if not 0 <= weekday <= 6 or not 0 <= hour <= 23:
        raise ValueError(f"weekday/hour out of range: {weekday}, {hour}")
    return {z.id: z.risk[weekday][hour] for z in scenario.zones}


def all_risk_values(scenario: Scenario) -> list[float]:
    return [v for z in scenario.zones for row in z.risk for v in row]


# --- posts ---------------------------------------------------------------------------------


def post_points(
    scenario: Scenario,
    staffing: Mapping[str, PostStaffing] | None,
    lang: Lang,
    shift_label: str = "",
) -> list[MapPoint]:
    """One pin per post, coloured by staffing status (grey when no plan is given)."""
    points = []
    for post in scenario.posts:
        s = staffing.get(post.id) if staffing is not None else None
        kind = _text(f"post.{post.kind.value}", lang, post.kind.value)
        rows = [(label("field.id", lang), post.id), (label("field.kind", lang), kind)]
        color = STAFFING_COLORS["closed"]
        if s is not None:
            status = label(f"staffing.{s.status}", lang)
            color = STAFFING_COLORS[s.status]
            rows += [
                (label("field.status", lang), status),
                (label("field.staff", lang), f"{s.assigned} / {s.required}"),
            ]
            if s.armed_required:
                rows.append((label("field.armed", lang), f"{s.armed} / {s.armed_required}"))
            if shift_label:
                rows.append((label("field.shift", lang), shift_label))
            for person in s.people:
                rows.append((label("field.who", lang), f"{person.name}（{person.id}）"))
                if person.phone:
                    rows.append((label("field.phone", lang), person.phone))
            if s.until is not None and s.people:
                rows.append((label("field.until", lang), s.until.strftime("%m-%d %H:%M")))
            tooltip = f"{post.name} · {status} {s.assigned}/{s.required}"
        else:
            tooltip = post.name
        lon, lat = post.location
        points.append(
            MapPoint(
                lat=lat,
                lon=lon,
                color=color,
                icon=POST_ICONS.get(post.kind.value, "location-dot"),
                tooltip=tooltip,
                popup=popup_table(post.name, rows),
                key=post.id,
            )
        )
    return points


# --- units -------------------------------------------------------------------------------


def unit_position(unit: Unit, positions: Mapping[str, LonLat] | None) -> LonLat | None:
    if positions and unit.id in positions:
        return positions[unit.id]
    return unit.base


def unit_point(unit: Unit, where: LonLat, state: str, headcount: int, lang: Lang) -> MapPoint:
    """The pin of one unit: coloured by force, icon by status."""
    force = _text(f"force.{unit.force.value}", lang, unit.force.value)
    state_text = _text(f"status.{state}", lang, state)
    rows = [
        (label("field.force", lang), force),
        (label("field.status", lang), state_text),
        (label("field.headcount", lang), str(headcount)),
    ]
    if unit.phone:
        rows.append((label("field.phone", lang), unit.phone))
    return MapPoint(
        lat=where[1],
        lon=where[0],
        color=FORCE_COLORS.get(unit.force.value, "#455a64"),
        icon=STATUS_ICONS.get(state, "shield-halved"),
        tooltip=f"{unit.name} · {state_text}",
        popup=popup_table(unit.name, rows),
        key=unit.id,
    )


def unit_points(
    scenario: Scenario,
    lang: Lang,
    status: Mapping[str, str] | None = None,
    positions: Mapping[str, LonLat] | None = None,
) -> list[MapPoint]:
    """One pin per unit with a position, coloured by force, icon by status (default
    "available")."""
    strength = Counter(p.unit_id for p in scenario.people if p.unit_id)
    points = []
    for unit in scenario.units:
        where = unit_position(unit, positions)
        if where is None:
            continue
        state = (status or {}).get(unit.id, "available")
        points.append(unit_point(unit, where, state, strength.get(unit.id, 0), lang))
    return points


# --- incidents and dispatch --------------------------------------------------------------


def incident_points(incidents: Sequence[Incident], lang: Lang) -> list[MapPoint]:
    points = []
    for inc in incidents:
        kind = _text(f"incident_kind.{inc.kind}", lang, inc.kind)
        needs = inc.needs
        need_text = f"{needs.headcount}"
        if needs.armed:
            need_text += f" · {label('field.armed', lang)} {needs.armed}"
        if needs.skills:
            need_text += " · " + ", ".join(f"{k} {v}" for k, v in sorted(needs.skills.items()))
        rows = [
            (label("field.kind", lang), kind),
            (label("field.severity", lang), str(inc.severity)),
            (label("field.reported", lang), inc.reported_at.strftime("%m-%d %H:%M")),
            (label("field.needs", lang), need_text),
        ]
        lon, lat = inc.location
        points.append(
            MapPoint(
                lat=lat,
                lon=lon,
                color=SEVERITY_COLORS.get(inc.severity, "#e53935"),
                icon=INCIDENT_ICON,
                tooltip=f"{inc.id} · {kind}",
                popup=popup_table(inc.id, rows),
                key=inc.id,
            )
        )
    return points


@dataclass(frozen=True)
class DispatchLine:
    """A unit suggested for, or dispatched to, an incident; ``eta_minutes`` defaults to the
    great-circle travel model's time."""

    incident_id: str
    unit_id: str
    state: DispatchState = "suggested"
    eta_minutes: float | None = None


@dataclass(frozen=True)
class Segment:
    """A line to draw: [lat, lon] ends, style and hover text."""

    start: tuple[float, float]
    end: tuple[float, float]
    state: DispatchState
    tooltip: str
    incident_id: str = ""


def dispatch_segment(
    unit_name: str,
    where: LonLat,
    incident_id: str,
    target: LonLat,
    state: DispatchState,
    eta_minutes: float | None,
    lang: Lang,
    travel: GreatCircleTravel | None = None,
) -> Segment:
    """The line from a unit (at ``where``) to an incident (at ``target``), with its hover
    text; ``eta_minutes`` defaults to the travel model's time."""
    eta = eta_minutes
    if eta is None:
        eta = (travel or GreatCircleTravel()).minutes(tuple(where), tuple(target))
    text = (
        f"{unit_name} → {incident_id} · {label(f'dispatch.{state}', lang)} · "
        f"{label('field.eta', lang)} {eta:.0f} {label('field.minutes', lang)}"
    )
    return Segment(
        start=(where[1], where[0]),
        end=(target[1], target[0]),
        state=state,
        tooltip=text,
        incident_id=incident_id,
    )


def dispatch_segments(
    scenario: Scenario,
    lines: Sequence[DispatchLine],
    lang: Lang,
    positions: Mapping[str, LonLat] | None = None,
    travel: GreatCircleTravel | None = None,
) -> list[Segment]:
    """Lines from each unit to its incident; unknown ids raise, units without a position are
    skipped."""
    incidents = scenario.by_id("incidents")
    units = scenario.by_id("units")
    travel = travel or GreatCircleTravel()
    out = []
    for i, line in enumerate(lines):
        if line.incident_id not in incidents:
            raise ValueError(f"dispatches[{i}].incident_id: unknown incident {line.incident_id!r}")
        if line.unit_id not in units:
            raise ValueError(f"dispatches[{i}].unit_id: unknown unit {line.unit_id!r}")
        unit = units[line.unit_id]
        where = unit_position(unit, positions)
        if where is None:
            continue
        target = incidents[line.incident_id].location
        out.append(
            dispatch_segment(
                unit.name,
                where,
                line.incident_id,
                target,
                line.state,
                line.eta_minutes,
                lang,
                travel,
            )
        )
    return out


def shift_label(scenario: Scenario, date: dt.date, shift_id: str) -> str:
    shift = scenario.by_id("shifts")[shift_id]
    begin, end = shift.interval(date)
    return f"{date.isoformat()} {shift.name} {begin:%H:%M}–{end:%H:%M}"
