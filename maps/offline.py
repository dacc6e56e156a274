"""Every asset a map needs comes from pingan itself: nothing is fetched from the internet.

folium links Leaflet, jQuery, Bootstrap, Font Awesome, Leaflet.awesome-markers and each
plugin's JS/CSS from public CDNs through class-level ``default_js`` / ``default_css`` lists.
`use_local_assets` points those lists at the copies vendored in ``maps/static/vendor`` (see
``VENDORED.md`` there), once at start-up; it is idempotent and may be called again with
another base URL.

Three ways to reach the assets:

- served: ``use_local_assets("/static")`` when the API mounts ``maps/static`` at ``/static``;
- file: ``use_local_assets(static_dir_url())`` for a page opened from this machine's disk;
- standalone: `standalone_html` inlines every script, stylesheet, image and font (as
  ``data:`` URIs) into one HTML file that works with no server at all — the file a commander
  can e-mail or copy to a stick.

`render_html` and `standalone_html` refuse to return a page that still links a script or
stylesheet outside the vendored set (`OfflineAssetError`), so a plugin nobody vendored fails
loudly here instead of silently on the isolated network.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import folium
import folium.folium
from folium.elements import JSCSSMixin
from folium.plugins import HeatMap, MarkerCluster

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEFAULT_BASE_URL = "/static"

Links = list[tuple[str, str]]


class OfflineAssetError(RuntimeError):
    """A rendered page would load a script or stylesheet that pingan does not ship."""


# folium's own names for each link, mapped to a path under maps/static.
# Glyphicons (Bootstrap 3) and folium's awesome-rotate stylesheet are left out on purpose:
# pingan's icons use Font Awesome (prefix "fa") and are never rotated.
MAP_JS: Links = [
    ("leaflet", "vendor/leaflet/leaflet.js"),
    ("jquery", "vendor/jquery/jquery.min.js"),
    ("bootstrap", "vendor/bootstrap/js/bootstrap.bundle.min.js"),
    ("awesome_markers", "vendor/leaflet-awesome-markers/leaflet.awesome-markers.js"),
]
MAP_CSS: Links = [
    ("leaflet_css", "vendor/leaflet/leaflet.css"),
    ("bootstrap_css", "vendor/bootstrap/css/bootstrap.min.css"),
    ("awesome_markers_font_css", "vendor/fontawesome-free/css/all.min.css"),
    ("awesome_markers_css", "vendor/leaflet-awesome-markers/leaflet.awesome-markers.css"),
    ("pingan_css", "pingan/maps.css"),
]


@dataclass(frozen=True)
class PluginAssets:
    js: Links
    css: Links


#: Every folium class pingan uses that links assets of its own. Add a plugin here (and its
#: files under static/vendor, and a line in VENDORED.md) before using it.
PLUGIN_ASSETS: dict[type[JSCSSMixin], PluginAssets] = {
    MarkerCluster: PluginAssets(
        js=[("markerclusterjs", "vendor/leaflet.markercluster/leaflet.markercluster.js")],
        css=[
            ("markerclustercss", "vendor/leaflet.markercluster/MarkerCluster.css"),
            ("markerclusterdefaultcss", "vendor/leaflet.markercluster/MarkerCluster.Default.css"),
        ],
    ),
    HeatMap: PluginAssets(js=[("leaflet-heat.js", "vendor/leaflet.heat/leaflet-heat.js")], css=[]),
}

_state: dict[str, str] = {}


def static_dir_url() -> str:
    """``file://`` URL of maps/static, for pages opened from this machine's disk."""
    return STATIC_DIR.as_uri()


def _links(base_url: str, links: Links) -> Links:
    return [(name, f"{base_url}/{path}") for name, path in links]


def register_assets(cls: type[JSCSSMixin], js: Links, css: Links) -> None:
    """Register a pingan element class whose JS/CSS live under maps/static (paths relative to
    it); its links follow the base URL like folium's own."""
    PLUGIN_ASSETS[cls] = PluginAssets(js=list(js), css=list(css))
    if _state:
        cls.default_js = _links(_state["base_url"], js)
        cls.default_css = _links(_state["base_url"], css)


def use_local_assets(base_url: str = DEFAULT_BASE_URL) -> None:
    """Point folium's Map and every registered plugin at the vendored copies under
    ``base_url`` (where maps/static is served: "/static", or `static_dir_url()`).

    Replaces the class-level lists (folium's ``add_js_link`` mutates them in place, so they
    are never shared with folium's module defaults). Safe to call more than once."""
    base = base_url.rstrip("/")
    map_js, map_css = _links(base, MAP_JS), _links(base, MAP_CSS)
    folium.folium._default_js = map_js  # type: ignore[attr-defined]
    folium.folium._default_css = map_css  # type: ignore[attr-defined]
    folium.Map.default_js = list(map_js)
    folium.Map.default_css = list(map_css)
    for cls, assets in PLUGIN_ASSETS.items():
        cls.default_js = _links(base, assets.js)
        cls.default_css = _links(base, assets.css)
    _state["base_url"] = base


def ensure_local_assets() -> None:
    """Configure the default base URL unless `use_local_assets` was already called."""
    if not _state:
        use_local_assets(DEFAULT_BASE_URL)


def current_base_url() -> str:
    ensure_local_assets()
    return _state["base_url"]


def local_asset_urls() -> set[str]:
    """Every asset URL the current configuration may put into a page."""
    base = current_base_url()
    paths = [p for _, p in MAP_JS + MAP_CSS]
    for assets in PLUGIN_ASSETS.values():
        paths += [p for _, p in assets.js + assets.css]
    return {f"{base}/{p}" for p in paths}


# --- checking a rendered page ------------------------------------------------------------

_SCRIPT_SRC = re.compile(r'<script\s+src="([^"]*)"\s*>\s*</script>')
_CSS_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]*)"\s*/?>')
_ANY_SRC = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)""")


def linked_assets(html: str) -> list[str]:
    """URLs of the scripts, stylesheets, images and frames a page links."""
    return _ANY_SRC.findall(html)


def _is_remote(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "file"):
        return False
    if parts.scheme in ("http", "https") or url.startswith("//"):
        return parts.hostname not in ("localhost", "127.0.0.1", "::1")
    return False  # relative: same origin as the page


def assert_offline(html: str) -> None:
    """Raise `OfflineAssetError` if the page links an asset on another host."""
    remote = sorted({url for url in linked_assets(html) if _is_remote(url)})
    if remote:
        raise OfflineAssetError(
            "page links assets outside pingan (vendor them and register them in "
            f"maps/offline.py): {', '.join(remote)}"
        )


def render_html(m: folium.Map) -> str:
    """The page of a map with its assets linked under the configured base URL.

    Render a map once (folium adds elements while rendering): build a new map per page."""
    ensure_local_assets()
    html = m.get_root().render()
    assert_offline(html)
    return html


# --- standalone export ---------------------------------------------------------------------

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_SCRIPT_END = re.compile(r"</script", re.IGNORECASE)
_SOURCE_MAP = re.compile(
    r"(?m)^\s*(?://[#@]\s*sourceMappingURL=\S+|/\*[#@]\s*sourceMappingURL=[^*]*\*/)\s*$"
)


def _asset_path(url: str) -> Path:
    """The file under maps/static that a linked URL names."""
    base = current_base_url()
    for prefix in (base + "/", static_dir_url() + "/", DEFAULT_BASE_URL + "/"):
        if url.startswith(prefix):
            path = (STATIC_DIR / url[len(prefix) :]).resolve()
            if STATIC_DIR in path.parents and path.is_file():
                return path
    raise OfflineAssetError(f"cannot inline {url!r}: not a file under {STATIC_DIR}")


def data_uri(path: Path) -> str:
    mime = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf"}.get(path.suffix)
    mime = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


#: Fonts a standalone page leaves out: pingan draws no brand logos.
STANDALONE_SKIP = frozenset({"fa-brands-400.woff2"})
_EMPTY_URL = 'url("data:,")'


def _inline_css(path: Path) -> str:
    """The stylesheet with every url() as a data: URI. A font file is embedded once, where
    it is first named (Font Awesome 6's own @font-face); the v4/v5 aliases that name it
    again, and fallback formats not shipped (.ttf), get an empty data: URI, which keeps the
    browser from looking for them anywhere."""
    css = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    fonts_seen: set[Path] = set()

    def replace(match: re.Match[str]) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")):
            return match.group(0)
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not (STATIC_DIR in target.parents and target.is_file()):
            return _EMPTY_URL
        if target.suffix in (".woff2", ".woff", ".ttf"):
            if target in fonts_seen or target.name in STANDALONE_SKIP:
                return _EMPTY_URL
            fonts_seen.add(target)
        return f'url("{data_uri(target)}")'

    return _CSS_URL.sub(replace, css)


def _inline_js(path: Path) -> str:
    code = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    return _SCRIPT_END.sub(lambda m: "<\\/" + m.group(0)[2:], code)


def _default_icon_script() -> str:
    """Leaflet finds its default marker images through a CSS url(); once that is a data: URI
    it cannot, so hand it the images directly."""
    images = STATIC_DIR / "vendor" / "leaflet" / "images"
    return (
        "<script>L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{data_uri(images / 'marker-icon.png')}',"
        f"iconRetinaUrl:'{data_uri(images / 'marker-icon-2x.png')}',"
        f"shadowUrl:'{data_uri(images / 'marker-shadow.png')}'}});</script>"
    )


def inline_assets(html: str) -> str:
    """Replace every linked vendored script and stylesheet with its content."""
    leaflet_url = f"{current_base_url()}/vendor/leaflet/leaflet.js"

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        code = f"<script>{_inline_js(_asset_path(url))}</script>"
        return code + _default_icon_script() if url == leaflet_url else code

    def stylesheet(match: re.Match[str]) -> str:
        return f"<style>{_inline_css(_asset_path(match.group(1)))}</style>"

    html = _SCRIPT_SRC.sub(script, html)
    html = _CSS_LINK.sub(stylesheet, html)
    left = [u for u in linked_assets(html) if not u.startswith("data:")]
    if left:
        raise OfflineAssetError(f"standalone page still links {', '.join(sorted(set(left)))}")
    return html


def standalone_html(m: folium.Map) -> str:
    """One self-contained HTML page: scripts, styles, images and fonts inlined."""
    return inline_assets(render_html(m))


def write_standalone(m: folium.Map, target: str | Path) -> Path:
    """Write `standalone_html` to a file (UTF-8) and return its path."""
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(standalone_html(m), encoding="utf-8")
    return path


def unvendored_classes() -> Iterable[type[JSCSSMixin]]:
    """folium classes that still link remote assets after `use_local_assets` (not to be used
    by pingan until vendored)."""
    ensure_local_assets()
    seen: set[type] = set()
    stack = list(JSCSSMixin.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack += cls.__subclasses__()
        urls = [u for _, u in list(cls.default_js) + list(cls.default_css)]
        if any(_is_remote(u) for u in urls):
            yield cls
