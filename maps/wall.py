"""The wall page (指挥大屏): the situation map, the open incidents and standby readiness per
county, kept live by static/pingan/pages.js from the API's event stream.

Everything here is plain data in, HTML or JSON-ready dicts out: the API gathers the data
(`dispatch.situation`, `dispatch.readiness`) and hands it over. The same functions draw the page
and the live updates, so a pin or a list row pushed later looks like one drawn at first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from branca.element import Element

from maps.coverage import RING_MINUTES
from maps.labels import DEFAULT_LANG, LABELS, Lang, label
from maps.pages import lang_switch_href, nav_html, page_html, page_labels, render_template
from maps.popups import escape_text
from maps.scenario_layers import (
    DISPATCH_STYLES,
    DispatchLine,
    LonLat,
    Segment,
    incident_points,
    unit_point,
)
from maps.scenario_map import Coverage, dispatch_class, situation_map
from maps.tiles import TileSource
from optimizer.scenario import Incident, Scenario, Unit

WallCoverage = Literal["auto", "rings", "heat", "none"]
#: Above this many units "auto" coverage draws a heat layer instead of two rings per unit.
RINGS_UP_TO = 300
#: Event kinds the wall listens to.
WALL_EVENTS = ("incident", "unit_status", "plan", "roster")


class IncidentLike(Protocol):
    code: str
    kind: str
    severity: int
    status: str
    jurisdiction: str | None
    reported_at: dt.datetime
    note: str
    incident: Incident | None


@dataclass(frozen=True)
class ReadinessRow:
    county: str
    name: str
    required: int
    on_standby: int

    @property
    def short(self) -> int:
        return max(0, self.required - self.on_standby)

    def as_dict(self) -> dict[str, Any]:
        return {
            "county": self.county,
            "name": self.name,
            "required": self.required,
            "on_standby": self.on_standby,
            "short": self.short,
        }


def _text(key: str, lang: Lang, fallback: str) -> str:
    return label(key, lang) if key in LABELS else fallback


def incident_item(record: IncidentLike, lang: Lang) -> dict[str, Any]:
    """An incident as the list shows it, with its pin (a `MapPoint` row)."""
    point = incident_points([record.incident], lang)[0].row() if record.incident else None
    return {
        "code": record.code,
        "kind": record.kind,
        "kind_label": _text(f"incident_kind.{record.kind}", lang, record.kind),
        "severity": record.severity,
        "status": record.status,
        "status_label": _text(f"incident.{record.status}", lang, record.status),
        "reported": record.reported_at.strftime("%m-%d %H:%M"),
        "jurisdiction": record.jurisdiction or "",
        "note": record.note,
        "open": record.status != "closed",
        "point": point,
    }


def unit_item(
    unit: Unit, status: str, where: LonLat | None, headcount: int, lang: Lang
) -> dict[str, Any]:
    """A unit's pin row, or a removal (``point`` None) when it has no position."""
    point = unit_point(unit, where, status, headcount, lang).row() if where else None
    return {"key": unit.id, "status": status, "point": point}


def line_item(seg: Segment) -> dict[str, Any]:
    """A dispatch line as the page draws it (Leaflet polyline options)."""
    style = DISPATCH_STYLES[seg.state]
    return {
        "start": list(seg.start),
        "end": list(seg.end),
        "tooltip": escape_text(seg.tooltip),
        "options": {
            "color": style["color"],
            "weight": style["weight"],
            "dashArray": style["dash_array"],
            "className": dispatch_class(seg.state, seg.incident_id),
        },
    }


def wall_update(
    *,
    incidents: Sequence[IncidentLike] = (),
    units: Sequence[dict[str, Any]] = (),
    readiness: Sequence[ReadinessRow] = (),
    lines: Mapping[str, Sequence[Segment]] | None = None,
    lang: Lang = DEFAULT_LANG,
    plan_in_force: bool = True,
) -> dict[str, Any]:
    """What the page applies after an event: changed incidents with their dispatch lines
    (every line of each incident named in ``lines``: none left means remove them), unit
    pins, readiness — and whether a published plan covers the shift running now (without
    one, nobody is on standby by plan: the table says so instead of showing shortfalls)."""
    return {
        "incidents": [incident_item(r, lang) for r in incidents],
        "lines": {code: [line_item(s) for s in segs] for code, segs in (lines or {}).items()},
        "units": list(units),
        "readiness": [r.as_dict() for r in readiness],
        "plan_in_force": plan_in_force,
    }


def wall_coverage(coverage: WallCoverage, units: int) -> Coverage:
    if coverage == "auto":
        return "rings" if units <= RINGS_UP_TO else "heat"
    return coverage


def wall_map_for(
    scenario: Scenario,
    at: dt.datetime,
    unit_status: Mapping[str, str],
    unit_positions: Mapping[str, LonLat],
    dispatches: Sequence[DispatchLine],
    lang: Lang,
    coverage: WallCoverage = "auto",
    tiles: TileSource | None = None,
) -> Any:
    return situation_map(
        scenario,
        at=at,
        plan=scenario.published_plan,
        unit_status=unit_status,
        unit_positions=unit_positions,
        dispatches=dispatches,
        coverage=wall_coverage(coverage, len(scenario.units)),
        rings=RING_MINUTES,
        lang=lang,
        tiles=tiles,
        live=True,
    )


def wall_page(
    *,
    scenario: Scenario,
    at: dt.datetime,
    unit_status: Mapping[str, str],
    unit_positions: Mapping[str, LonLat],
    dispatches: Sequence[DispatchLine],
    incidents: Sequence[IncidentLike],
    readiness: Sequence[ReadinessRow],
    user: str,
    role: str,
    last_event: int,
    lang: Lang = DEFAULT_LANG,
    coverage: WallCoverage = "auto",
    tiles: TileSource | None = None,
    refresh_seconds: int = 600,
    plan_in_force: bool = True,
) -> str:
    """The whole wall page; the page script takes over from ``last_event``. The side panel
    loads the incident workbench (`/pages/incidents/panel`, an htmx fragment)."""
    m = wall_map_for(scenario, at, unit_status, unit_positions, dispatches, lang, coverage, tiles)
    _add_workbench_assets(m)
    query = {"coverage": coverage} if coverage != "auto" else {}
    nav = nav_html(
        page="wall",
        lang=lang,
        user=user,
        role=role,
        switch_href=lang_switch_href("/pages/wall", query, lang),
        live=True,
    )
    body = render_template(
        "wall.html",
        incidents_title=label("page.incidents", lang),
        readiness_title=label("page.readiness", lang),
        at=at.strftime("%Y-%m-%d %H:%M"),
        county=label("field.county", lang),
        on_standby=label("field.on_standby", lang),
        required=label("field.required", lang),
        short=label("field.short", lang),
        bench_url=f"/pages/incidents/panel?lang={lang}",
    )
    data = {
        "page": "wall",
        "lang": lang,
        "labels": page_labels(lang, ("conn.", "page.no_", "field.")),
        "events_url": "/events?" + "&".join(f"kind={k}" for k in WALL_EVENTS),
        "data_url": f"/pages/wall/data?lang={lang}",
        "session_url": "/pages/session",
        "login_url": "/pages/login",
        "last_event": last_event,
        "refresh_seconds": refresh_seconds,
        "bench_url": f"/pages/incidents/{{code}}/panel?lang={lang}",
        **wall_update(
            incidents=incidents, readiness=readiness, lang=lang, plan_in_force=plan_in_force
        ),
    }
    title = f"{label('page.wall', lang)} · {label('app.title', lang)}"
    return page_html(m, page="wall", title=title, nav=nav, body=body, data=data)


#: the incident workbench's assets, served by the API under /static (htmx vendored offline)
WORKBENCH_CSS = ("/static/workbench/workbench.css", "/static/workbench/incidents.css")
WORKBENCH_JS = (
    "/static/htmx/htmx.min.js",
    "/static/workbench/workbench.js",
    "/static/workbench/incidents.js",
)
HTMX_CONFIG = (
    '{"includeIndicatorStyles": false, "allowEval": false, "allowScriptTags": false, '
    '"selfRequestsOnly": true}'
)


def _add_workbench_assets(m: Any) -> None:
    """Link the workbench's htmx, scripts and styles from the wall page (constant URLs)."""
    header = m.get_root().header
    header.add_child(
        Element(f"<meta name=\"htmx-config\" content='{HTMX_CONFIG}'>"), name="pa_htmx_config"
    )
    for i, href in enumerate(WORKBENCH_CSS):
        header.add_child(Element(f'<link rel="stylesheet" href="{href}"/>'), name=f"pa_wb_css{i}")
    for i, src in enumerate(WORKBENCH_JS):
        header.add_child(Element(f'<script defer src="{src}"></script>'), name=f"pa_wb_js{i}")
