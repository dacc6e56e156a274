"""pingan's own map elements (folium/Leaflet), for what folium has no offline-friendly or
compact element for.

- `PointLayer`: thousands of markers from one compact JSON array (a folium `Marker` per
  point costs ~1 kB of script each), clustered with Leaflet.markercluster by default; each
  pin is drawn by ``window.pingan.pointMarker`` (static/pingan/points.js), which live pages
  call too.
- `Legend`: a plain HTML legend control (branca's colormap legend loads d3 from a CDN).
- `Registry`: exposes the map and named layers as ``window.pingan.map`` /
  ``window.pingan.layers[key]`` so pages and tests can reach them without folium's random
  variable names.

Every element's text is escaped here; callers pass plain strings (popups may pass HTML built
with `maps.popups`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template

from maps.offline import PLUGIN_ASSETS, register_assets
from maps.popups import escape_text


def script_json(value: Any) -> str:
    """JSON safe to embed in an inline <script>: `<`, `>` and `&` are written as \\u escapes,
    so no tag (`</script>`, `<!--`, a `<script` a nonce rewriter would touch) is inside."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class MapPoint:
    """One marker: position, colour, Font Awesome icon name (without "fa-"), hover text (plain
    text, escaped in `row`: Leaflet shows a tooltip string as HTML) and popup HTML (escaped
    already, see `maps.popups`)."""

    lat: float
    lon: float
    color: str = "#1f6feb"
    icon: str = "circle"
    tooltip: str = ""
    popup: str = ""
    key: str = ""

    def row(self) -> list[Any]:
        return [
            round(self.lat, 6),
            round(self.lon, 6),
            self.color,
            self.icon,
            escape_text(self.tooltip),
            self.popup,
            self.key,
        ]


class Registry(MacroElement):
    """Publishes the map as ``window.pingan.map``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.pingan = window.pingan || {layers: {}};
            window.pingan.map = {{ this._parent.get_name() }};
            window.pingan.lang = {{ this.lang|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "Registry"
        self.lang = lang


class MetricScale(MacroElement):
    """The map's scale bar in kilometres and metres only (Leaflet's default adds miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class PointLayer(JSCSSMixin, Layer):
    """Markers drawn from one JSON array, as Font Awesome pins (``L.divIcon``), optionally
    clustered. Reachable as ``window.pingan.layers[key]``; each marker carries
    ``options.key``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {% if this.cluster -%}
                L.markerClusterGroup({{ this.cluster_options|tojson }})
            {%- else -%}
                L.featureGroup()
            {%- endif %};
            (function (group) {
                var rows = {{ this.data }};
                var markers = new Array(rows.length);
                for (var i = 0; i < rows.length; i++) {
                    markers[i] = window.pingan.pointMarker(rows[i], {{ this.size }});
                }
                group.addLayers ? group.addLayers(markers)
                                : markers.forEach(function (m) { group.addLayer(m); });
                group.pinSize = {{ this.size }};
                window.pingan.layers[{{ this.key|tojson }}] = group;
            })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        points: Sequence[MapPoint],
        name: str,
        key: str,
        cluster: bool = True,
        show: bool = True,
        size: int = 24,
        disable_clustering_at_zoom: int = 16,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PointLayer"
        self.key = key
        self.cluster = cluster
        self.size = size
        self.count = len(points)
        self.cluster_options = {
            "chunkedLoading": True,
            "disableClusteringAtZoom": disable_clustering_at_zoom,
            "spiderfyOnMaxZoom": False,
            "showCoverageOnHover": False,
        }
        self.data = script_json([p.row() for p in points])
        self.points = list(points)

    def _get_self_bounds(self) -> list[list[float | None]]:
        if not self.points:
            return [[None, None], [None, None]]
        lats = [p.lat for p in self.points]
        lons = [p.lon for p in self.points]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


class NamedLayer(MacroElement):
    """Publishes an existing folium layer as ``window.pingan.layers[key]``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.pingan = window.pingan || {layers: {}};
            window.pingan.layers[{{ this.key|tojson }}] = {{ this.layer_name }};
        {% endmacro %}
        """
    )

    def __init__(self, layer: Layer, key: str) -> None:
        super().__init__()
        self._name = "NamedLayer"
        self.key = key
        self.layer_name = layer.get_name()


@dataclass(frozen=True)
class LegendItem:
    color: str
    text: str
    shape: str = "box"  # box | dot | line


class Legend(MacroElement):
    """A legend box (Leaflet control) with a title and coloured items."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var legend = L.control({position: {{ this.position|tojson }}});
                legend.onAdd = function () {
                    var div = L.DomUtil.create("div", "pa-legend");
                    div.innerHTML = {{ this.html|tojson }};
                    return div;
                };
                legend.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self, title: str, items: Sequence[LegendItem], position: str = "bottomright"
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.position = position
        rows = "".join(
            f'<div class="pa-legend-row"><span class="pa-swatch pa-swatch-{escape_text(i.shape)}"'
            f' style="background:{escape_text(i.color)}"></span>{escape_text(i.text)}</div>'
            for i in items
        )
        self.html = f'<div class="pa-legend-title">{escape_text(title)}</div>{rows}'


#: The pin factory shared with live pages (``window.pingan.pointMarker``).
POINTS_JS = ("pingan_points", "pingan/points.js")
register_assets(
    PointLayer, [*PLUGIN_ASSETS[MarkerCluster].js, POINTS_JS], PLUGIN_ASSETS[MarkerCluster].css
)


@dataclass(frozen=True)
class SliderStep:
    """One position of the shift slider: its label, the layers shown at it, and the fill
    colour (and tooltip text) of each zone at it."""

    label: str
    layers: tuple[Layer, ...] = ()
    zone_colors: dict[str, str] | None = None
    zone_texts: dict[str, str] | None = None


class ShiftSlider(MacroElement):
    """A range input stepping through a plan's shifts. At each step only that step's layers
    are on the map, and the zones layer (if any) is recoloured. ``window.pingan.showStep(i)``
    does the same from script; ``window.pingan.step`` is the current step."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var zones = {{ this.zones_name or "null" }};
                var steps = [
                    {%- for step in this.steps %}
                    {label: {{ step.label|tojson }},
                     layers: [{% for layer in step.layers %}{{ layer.get_name() }},{% endfor %}],
                     colors: {{ step.zone_colors|tojson }},
                     texts: {{ step.zone_texts|tojson }}},
                    {%- endfor %}
                ];
                var control = L.control({position: {{ this.position|tojson }}});
                var input, caption;
                control.onAdd = function () {
                    var div = L.DomUtil.create("div", "pa-slider");
                    div.innerHTML = '<div><span class="pa-slider-title"></span> ' +
                        '<span class="pa-slider-label"></span></div>' +
                        '<input type="range" min="0" step="1">';
                    div.querySelector(".pa-slider-title").textContent = {{ this.title|tojson }};
                    caption = div.querySelector(".pa-slider-label");
                    input = div.querySelector("input");
                    input.max = String(steps.length - 1);
                    input.value = "0";
                    input.addEventListener("input", function () { show(Number(input.value)); });
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                function show(i) {
                    steps.forEach(function (step, j) {
                        step.layers.forEach(function (layer) {
                            if (j === i) { if (!map.hasLayer(layer)) { map.addLayer(layer); } }
                            else if (map.hasLayer(layer)) { map.removeLayer(layer); }
                        });
                    });
                    var step = steps[i];
                    if (zones && step.colors) {
                        zones.eachLayer(function (layer) {
                            var id = layer.feature && layer.feature.id;
                            if (id in step.colors) { layer.setStyle({fillColor: step.colors[id]}); }
                            if (step.texts && id in step.texts) {
                                layer.feature.properties.risk_text = step.texts[id];
                            }
                        });
                    }
                    caption.textContent = step.label;
                    input.value = String(i);
                    window.pingan.step = i;
                }
                control.addTo(map);
                window.pingan = window.pingan || {layers: {}};
                window.pingan.showStep = show;
                window.pingan.steps = steps.map(function (s) { return s.label; });
                show(0);
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        steps: Sequence[SliderStep],
        title: str,
        zones: Layer | None = None,
        position: str = "bottomleft",
    ) -> None:
        super().__init__()
        if not steps:
            raise ValueError("steps: a slider needs at least one step")
        self._name = "ShiftSlider"
        self.steps = list(steps)
        self.title = title
        self.position = position
        self.zones_name = zones.get_name() if zones is not None else None
