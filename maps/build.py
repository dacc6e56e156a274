"""Map builders from plain data (GeoJSON and `MapPoint` lists), no scenario needed.

    m = base_map(lang="zh")
    add_jurisdictions(m, boundaries_fc)
    add_risk_zones(m, zones_fc, risk={"Z1": 3.2, ...})
    add_points(m, points, name=label("layer.posts"), key="posts")
    finish_map(m)
    html = render_html(m)          # maps.offline: served page
    write_standalone(m, "plan.html")  # one self-contained file

No tile layer unless a `TileSource` is given: the base is our own boundaries and zones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium

from maps.colors import LEVEL_STYLES, RISK_COLORS, RISK_KEYS, risk_breaks, risk_color
from maps.elements import (
    Legend,
    LegendItem,
    MapPoint,
    MetricScale,
    NamedLayer,
    PointLayer,
    Registry,
)
from maps.labels import DEFAULT_LANG, Lang, check_lang, label
from maps.offline import ensure_local_assets
from maps.popups import escape_text
from maps.tiles import TileSource, add_tile_layer

Bounds = list[list[float]]


def base_map(
    lang: Lang = DEFAULT_LANG,
    tiles: TileSource | None = None,
    center: tuple[float, float] = (35.0, 105.0),
    zoom: int = 11,
    prefer_canvas: bool = False,
) -> folium.Map:
    """An empty map with pingan's local assets and no internet tile layer."""
    check_lang(lang)
    ensure_local_assets()
    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=prefer_canvas,
    )
    # Leaflet.markercluster needs a maxZoom, which folium only sets through a tile layer.
    m.options["max_zoom"] = 19
    m.options["min_zoom"] = 3
    # Fit the jurisdiction snugly on a wall screen (Leaflet.markercluster rounds the zoom).
    m.options["zoom_snap"] = 0.25
    m.options["zoom_delta"] = 0.5
    m.pingan_lang = lang  # type: ignore[attr-defined]
    Registry(lang).add_to(m)
    MetricScale().add_to(m)
    add_tile_layer(m, tiles)
    return m


def map_lang(m: folium.Map) -> Lang:
    return getattr(m, "pingan_lang", DEFAULT_LANG)


def _features(fc: Mapping[str, Any]) -> list[dict[str, Any]]:
    if fc.get("type") != "FeatureCollection":
        raise ValueError("expected a GeoJSON FeatureCollection")
    return [f for f in fc.get("features", []) if f.get("geometry")]


def _with_ids(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection whose features carry ``id`` (folium's style map keys on it). Its
    text properties are escaped: folium's GeoJSON tooltips show them as HTML."""
    out = []
    for i, f in enumerate(features):
        raw = f.get("properties") or {}
        fid = f.get("id", raw.get("id", f"f{i}"))
        props = {k: escape_text(v) if isinstance(v, str) else v for k, v in raw.items()}
        out.append(
            {"type": "Feature", "id": str(fid), "properties": props, "geometry": f["geometry"]}
        )
    return {"type": "FeatureCollection", "features": out}


def add_jurisdictions(
    m: folium.Map, fc: Mapping[str, Any], name: str | None = None, key: str = "jurisdictions"
) -> folium.GeoJson | None:
    """Jurisdiction boundaries (features with properties ``id``, ``name``, ``level``), drawn
    as outlines styled by level, named on hover."""
    lang = map_lang(m)
    features = _features(fc)
    if not features:
        return None
    for f in features:
        props = f.setdefault("properties", {})
        level = props.get("level", "township")
        props["level_label"] = label(f"level.{level}", lang) if level in LEVEL_STYLES else level

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        level = feature["properties"].get("level", "township")
        s = LEVEL_STYLES.get(level, LEVEL_STYLES["township"])
        return {
            "color": s["color"],
            "weight": s["weight"],
            "dashArray": s["dashArray"],
            "fill": False,
        }

    layer = folium.GeoJson(
        _with_ids(features),
        name=name or label("layer.jurisdictions", lang),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "level_label"],
            aliases=[label("field.name", lang), label("field.level", lang)],
        ),
        smooth_factor=1.0,
    )
    layer.add_to(m)
    NamedLayer(layer, key).add_to(m)
    return layer


def add_risk_zones(
    m: folium.Map,
    fc: Mapping[str, Any],
    risk: Mapping[str, float] | None = None,
    breaks: Sequence[float] | None = None,
    name: str | None = None,
    key: str = "zones",
    legend: bool = True,
) -> folium.GeoJson | None:
    """Zones filled by risk class. ``risk`` maps feature id → value; without it each
    feature's ``properties.risk`` is used. ``breaks`` default to equal steps of the largest
    value (`risk_breaks`); pass the profile-wide breaks to keep colours stable across hours."""
    lang = map_lang(m)
    features = _features(fc)
    if not features:
        return None
    data = _with_ids(features)
    values: dict[str, float | None] = {}
    for f in data["features"]:
        value = risk.get(f["id"]) if risk is not None else f["properties"].get("risk")
        values[f["id"]] = None if value is None else float(value)
        f["properties"]["risk_text"] = "—" if value is None else f"{float(value):.2f}"
    cuts = list(breaks) if breaks is not None else risk_breaks(v for v in values.values() if v)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "fillColor": risk_color(values.get(feature["id"]), cuts),
            "fillOpacity": 0.55,
            "color": "#8d6e63",
            "weight": 1,
        }

    layer = folium.GeoJson(
        data,
        name=name or label("layer.zones", lang),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "risk_text"],
            aliases=[label("field.name", lang), label("field.risk", lang)],
        ),
    )
    layer.add_to(m)
    NamedLayer(layer, key).add_to(m)
    if legend:
        add_risk_legend(m, cuts)
    return layer


def add_risk_legend(m: folium.Map, breaks: Sequence[float], position: str = "bottomright") -> None:
    lang = map_lang(m)
    edges = [0.0, *breaks]
    items = []
    for i, (color, key) in enumerate(zip(RISK_COLORS, RISK_KEYS, strict=True)):
        low = edges[i] if i < len(edges) else edges[-1]
        span = f"{low:.1f}–{breaks[i]:.1f}" if i < len(breaks) else f"≥ {low:.1f}"
        items.append(LegendItem(color, f"{label(key, lang)} ({span})"))
    Legend(label("legend.risk", lang), items, position=position).add_to(m)


def add_points(
    m: folium.Map,
    points: Sequence[MapPoint],
    name: str,
    key: str,
    cluster: bool = True,
    show: bool = True,
) -> PointLayer:
    """Markers from a list of `MapPoint`, clustered unless ``cluster=False``."""
    layer = PointLayer(points, name=name, key=key, cluster=cluster, show=show)
    layer.add_to(m)
    return layer


def data_bounds(m: folium.Map) -> Bounds | None:
    bounds = m.get_bounds()
    if any(v is None for corner in bounds for v in corner):
        return None
    return [[float(v) for v in corner] for corner in bounds]


def finish_map(m: folium.Map, layer_control: bool = True, fit: bool = True) -> folium.Map:
    """Add the layer control (last, as folium requires) and fit the view to the data."""
    if fit:
        bounds = data_bounds(m)
        if bounds is not None:
            m.fit_bounds(bounds, padding=(10, 10))
    if layer_control:
        folium.LayerControl(collapsed=False).add_to(m)
    return m
