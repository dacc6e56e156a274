"""Maps of a scenario: the situation at one moment, and a plan through its shifts.

    m = situation_map(scenario, at=datetime(2025, 5, 6, 21), plan=assignments,
                      unit_status={"XT-01": "dispatched"}, dispatches=[...])
    html = map_html(m)                 # a page linking /static/... (API)
    write_map(m, "out/situation.html")  # one self-contained file (CLI export)

    m = plan_map(scenario, plan)       # a slider through the plan's shifts

Both return a `folium.Map`; build a new one per page (a map renders once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import folium

from maps.build import add_jurisdictions, add_points, add_risk_zones, base_map, finish_map
from maps.colors import STAFFING_COLORS, risk_breaks, risk_color
from maps.coverage import RING_MINUTES, RingCentre, add_coverage_heat, add_coverage_rings
from maps.elements import Legend, LegendItem, NamedLayer, PointLayer, ShiftSlider, SliderStep
from maps.labels import DEFAULT_LANG, Lang, label
from maps.offline import render_html, write_standalone
from maps.popups import escape_text
from maps.scenario_layers import (
    DISPATCH_STYLES,
    DispatchLine,
    LonLat,
    all_risk_values,
    dispatch_segments,
    incident_points,
    jurisdiction_collection,
    post_points,
    shift_label,
    unit_points,
    unit_position,
    zone_collection,
    zone_risk,
)
from maps.staffing import PostStaffing, plan_shifts, staffing_for_shift
from maps.tiles import TileSource
from optimizer.scenario import Assignment, Scenario
from optimizer.travel import GreatCircleTravel

Coverage = Literal["rings", "heat", "none"]
#: Unit states whose units count for response coverage.
COVERING_STATES = frozenset({"available", "on_patrol", "standby"})
#: The plan slider shows at most this many shifts (a week of three shifts).
MAX_SLIDER_STEPS = 21


def shift_at(scenario: Scenario, at: dt.datetime) -> tuple[dt.date, str] | None:
    """The (date, shift) running at a moment (a night shift belongs to the day it starts)."""
    for day in (at.date(), at.date() - dt.timedelta(days=1)):
        for shift in scenario.shifts:
            begin, end = shift.interval(day)
            if begin <= at < end:
                return day, shift.id
    return None


def add_staffing_legend(m: folium.Map, lang: Lang) -> None:
    items = [
        LegendItem(STAFFING_COLORS[s], label(f"staffing.{s}", lang), shape="dot")
        for s in ("manned", "short", "unmanned", "closed")
    ]
    Legend(label("legend.staffing", lang), items, position="bottomright").add_to(m)


def dispatch_class(state: str, incident_id: str) -> str:
    """CSS classes of a dispatch line: its state, and its incident (live pages find the
    lines of an incident by it; incident codes hold no whitespace)."""
    return f"pa-dispatch pa-dispatch-{state} pa-inc-{incident_id}"


def _add_dispatch_lines(
    m: folium.Map,
    scenario: Scenario,
    dispatches: Sequence[DispatchLine],
    lang: Lang,
    positions: Mapping[str, LonLat] | None,
    travel: GreatCircleTravel | None,
    live: bool = False,
) -> None:
    if not dispatches and not live:
        return
    group = folium.FeatureGroup(name=label("layer.dispatch", lang))
    for seg in dispatch_segments(scenario, dispatches, lang, positions, travel):
        style = DISPATCH_STYLES[seg.state]
        folium.PolyLine(
            [list(seg.start), list(seg.end)],
            tooltip=escape_text(seg.tooltip),
            class_name=dispatch_class(seg.state, seg.incident_id),
            **style,
        ).add_to(group)
    group.add_to(m)
    NamedLayer(group, "dispatch").add_to(m)


def _coverage(
    m: folium.Map,
    scenario: Scenario,
    coverage: Coverage,
    rings: Sequence[int],
    lang: Lang,
    status: Mapping[str, str] | None,
    positions: Mapping[str, LonLat] | None,
    travel: GreatCircleTravel | None,
) -> None:
    if coverage == "none":
        return
    strength: dict[str, int] = {}
    for p in scenario.people:
        if p.unit_id:
            strength[p.unit_id] = strength.get(p.unit_id, 0) + 1
    centres = []
    for unit in scenario.units:
        where = unit_position(unit, positions)
        if where is None or (status or {}).get(unit.id, "available") not in COVERING_STATES:
            continue
        centres.append((unit, where))
    if coverage == "rings":
        add_coverage_rings(
            m,
            [RingCentre(lat=w[1], lon=w[0], tooltip=u.name) for u, w in centres],
            minutes=rings,
            model=travel,
            lang=lang,
        )
    else:
        add_coverage_heat(
            m, [(w[1], w[0], float(max(1, strength.get(u.id, 1)))) for u, w in centres], lang
        )


def situation_map(
    scenario: Scenario,
    at: dt.datetime | None = None,
    plan: Sequence[Assignment] | None = None,
    staffing: Mapping[str, PostStaffing] | None = None,
    unit_status: Mapping[str, str] | None = None,
    unit_positions: Mapping[str, LonLat] | None = None,
    dispatches: Sequence[DispatchLine] = (),
    coverage: Coverage = "rings",
    rings: Sequence[int] = RING_MINUTES,
    lang: Lang = DEFAULT_LANG,
    tiles: TileSource | None = None,
    travel: GreatCircleTravel | None = None,
    live: bool = False,
) -> folium.Map:
    """The wall map at one moment (default: 08:00 on the first day of the horizon):
    jurisdictions, zones coloured by risk at that weekday and hour, posts with their
    staffing in the shift running then (from ``plan``, or ``staffing`` given directly),
    units by force and status, incidents with lines to suggested and dispatched units, and
    3-/5-minute response rings around the units that are free to respond. With ``live`` the
    units and incidents layers are there even when empty (a live page adds pins to them)."""
    at = at or dt.datetime.combine(scenario.horizon.start, dt.time(8))
    m = base_map(lang=lang, tiles=tiles)
    add_jurisdictions(m, jurisdiction_collection(scenario))
    add_risk_zones(
        m,
        zone_collection(scenario),
        risk=zone_risk(scenario, at.weekday(), at.hour),
        breaks=risk_breaks(all_risk_values(scenario)),
    )
    _coverage(m, scenario, coverage, rings, lang, unit_status, unit_positions, travel)
    when = ""
    if staffing is None and plan is not None:
        running = shift_at(scenario, at)
        if running is not None:
            staffing = staffing_for_shift(scenario, plan, *running)
            when = shift_label(scenario, *running)
    posts = post_points(scenario, staffing, lang, when)
    if posts:
        add_points(m, posts, name=label("layer.posts", lang), key="posts")
        if staffing is not None:
            add_staffing_legend(m, lang)
    units = unit_points(scenario, lang, unit_status, unit_positions)
    if units or live:
        add_points(m, units, name=label("layer.units", lang), key="units")
    _add_dispatch_lines(m, scenario, dispatches, lang, unit_positions, travel, live)
    if scenario.incidents or live:
        add_points(
            m,
            incident_points(scenario.incidents, lang),
            name=label("layer.incidents", lang),
            key="incidents",
            cluster=False,
        )
    return finish_map(m)


def plan_map(
    scenario: Scenario,
    plan: Sequence[Assignment],
    lang: Lang = DEFAULT_LANG,
    tiles: TileSource | None = None,
    max_steps: int = MAX_SLIDER_STEPS,
) -> folium.Map:
    """A plan through its shifts: a slider steps through the (date, shift) pairs; at each
    step the posts show their staffing in that shift and the zones their risk at the
    shift's start hour."""
    steps_at = plan_shifts(scenario, plan)[:max_steps]
    if not steps_at:
        raise ValueError("plan: the scenario has no shifts to show")
    m = base_map(lang=lang, tiles=tiles)
    add_jurisdictions(m, jurisdiction_collection(scenario))
    breaks = risk_breaks(all_risk_values(scenario))
    shifts = scenario.by_id("shifts")

    def risk_at(date: dt.date, shift_id: str) -> dict[str, float]:
        begin, _ = shifts[shift_id].interval(date)
        return zone_risk(scenario, begin.weekday(), begin.hour)

    zones = add_risk_zones(m, zone_collection(scenario), risk=risk_at(*steps_at[0]), breaks=breaks)
    slider_steps = []
    for i, (date, shift_id) in enumerate(steps_at):
        text = shift_label(scenario, date, shift_id)
        staffing = staffing_for_shift(scenario, plan, date, shift_id)
        layer = PointLayer(
            post_points(scenario, staffing, lang, text),
            name=f"{label('layer.posts', lang)} {text}",
            key=f"posts@{i}",
            show=i == 0,
        )
        layer.control = False
        layer.add_to(m)
        risk = risk_at(date, shift_id)
        slider_steps.append(
            SliderStep(
                label=text,
                layers=(layer,),
                zone_colors={z: risk_color(v, breaks) for z, v in risk.items()},
                zone_texts={z: f"{v:.2f}" for z, v in risk.items()},
            )
        )
    add_staffing_legend(m, lang)
    ShiftSlider(slider_steps, title=label("slider.shift", lang), zones=zones).add_to(m)
    return finish_map(m)


def map_html(m: folium.Map) -> str:
    """The page for the API: assets linked under the configured static URL."""
    return render_html(m)


def write_map(m: folium.Map, target: str | Path) -> Path:
    """A single self-contained HTML file (the export a commander can e-mail)."""
    return write_standalone(m, target)
