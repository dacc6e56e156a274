"""Vendored assets: every link folium renders points at a file pingan ships, nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import folium
import folium.folium
import pytest
from folium.plugins import Fullscreen, HeatMap, MarkerCluster

from maps.build import add_jurisdictions, add_points, base_map, finish_map
from maps.elements import MapPoint
from maps.offline import (
    MAP_CSS,
    MAP_JS,
    PLUGIN_ASSETS,
    STATIC_DIR,
    OfflineAssetError,
    assert_offline,
    data_uri,
    linked_assets,
    render_html,
    standalone_html,
    static_dir_url,
    unvendored_classes,
    use_local_assets,
    write_standalone,
)

VENDOR = STATIC_DIR / "vendor"
#: Named by Leaflet's JavaScript (L.Icon.Default), not by a stylesheet.
JS_REFERENCED = {"leaflet/images/marker-icon-2x.png", "leaflet/images/marker-shadow.png"}


@pytest.fixture(autouse=True)
def _served_assets() -> Iterator[None]:
    use_local_assets("/static")
    yield
    use_local_assets("/static")


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "script":
            self._inside = True
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.texts[-1] += data


def _script_texts(html: str) -> list[str]:
    parser = _Scripts()
    parser.feed(html)
    return parser.texts


def _registered_paths() -> set[str]:
    paths = {p for _, p in MAP_JS + MAP_CSS}
    for assets in PLUGIN_ASSETS.values():
        paths |= {p for _, p in assets.js + assets.css}
    return paths


def _css_references(css_file: Path) -> set[Path]:
    text = css_file.read_text(encoding="utf-8")
    refs = re.findall(r"""url\(\s*['"]?([^'")]+)""", text)
    return {
        (css_file.parent / r).resolve()
        for r in refs
        if not r.startswith(("data:", "#")) and (css_file.parent / r).resolve().exists()
    }


def test_every_registered_asset_is_a_shipped_file() -> None:
    missing = [p for p in _registered_paths() if not (STATIC_DIR / p).is_file()]
    assert missing == []


def test_vendored_set_is_minimal() -> None:
    """Every vendored file is linked by a page, named by a linked stylesheet, or a licence;
    Font Awesome's woff2 fonts are the only fonts (Chromium never asks for the .ttf)."""
    needed = {(STATIC_DIR / p).resolve() for p in _registered_paths()}
    needed |= {(VENDOR / p).resolve() for p in JS_REFERENCED}
    for path in list(needed):
        if path.suffix == ".css":
            needed |= _css_references(path)
    shipped = {p.resolve() for p in VENDOR.rglob("*") if p.is_file()}
    extra = {
        p for p in shipped - needed if not p.name.upper().startswith(("LICENSE", "MIT-LICENCE"))
    }
    assert sorted(str(p.relative_to(VENDOR)) for p in extra) == ["VENDORED.md"]


def test_vendored_md_names_every_package_with_version_and_licence() -> None:
    text = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    for folder in sorted(p.name for p in VENDOR.iterdir() if p.is_dir()):
        row = next((line for line in text.splitlines() if f"`{folder}/`" in line), None)
        assert row is not None, f"{folder} missing from VENDORED.md"
        assert re.search(r"\|\s*\d+\.\d+\.\d+\s*\|", row), f"no version for {folder}"


def test_use_local_assets_is_idempotent_and_follows_the_base_url() -> None:
    use_local_assets("/static")
    first = (list(folium.Map.default_js), list(MarkerCluster.default_css))
    use_local_assets("/static/")
    assert (folium.Map.default_js, MarkerCluster.default_css) == first
    assert folium.folium._default_js == folium.Map.default_js
    assert all(url.startswith("/static/vendor/") for _, url in folium.Map.default_js)
    use_local_assets("/assets")
    assert HeatMap.default_js == [
        ("leaflet-heat.js", "/assets/vendor/leaflet.heat/leaflet-heat.js")
    ]
    use_local_assets(static_dir_url())
    for _, url in folium.Map.default_js + folium.Map.default_css:
        assert url.startswith("file://")
        assert Path(url.removeprefix("file://")).is_file()


def test_rendered_map_links_only_local_assets(grid_city) -> None:
    m = base_map()
    add_jurisdictions(m, grid_city.jurisdictions)
    add_points(m, [MapPoint(38.95, 100.45, key="a")], name="点", key="pts")
    finish_map(m)
    html = render_html(m)
    links = linked_assets(html)
    assert links, "the page should link the vendored assets"
    assert all(u.startswith("/static/") for u in links)
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in links
    assert "https://" not in "".join(links) and "http://" not in "".join(links)


def test_map_has_no_tile_layer_by_default() -> None:
    html = render_html(finish_map(base_map()))
    assert "L.tileLayer" not in html


def test_a_plugin_that_is_not_vendored_is_refused() -> None:
    assert Fullscreen in set(unvendored_classes())
    assert MarkerCluster not in set(unvendored_classes())
    m = base_map()
    Fullscreen().add_to(m)
    with pytest.raises(OfflineAssetError, match=r"Control\.FullScreen"):
        render_html(m)


def test_assert_offline_allows_local_and_refuses_remote() -> None:
    assert_offline('<script src="/static/x.js"></script><img src="data:image/png;base64,AA">')
    assert_offline('<script src="http://127.0.0.1:8000/static/x.js"></script>')
    with pytest.raises(OfflineAssetError, match=r"cdn\.example"):
        assert_offline('<link rel="stylesheet" href="https://cdn.example/x.css"/>')
    with pytest.raises(OfflineAssetError):
        assert_offline('<img src="//tiles.example/1/2/3.png">')


def test_standalone_html_inlines_everything(grid_city, tmp_path: Path) -> None:
    m = base_map()
    add_jurisdictions(m, grid_city.jurisdictions)
    add_points(m, [MapPoint(38.95, 100.45, key="a")], name="点", key="pts")
    finish_map(m)
    html = standalone_html(m)
    assert [u for u in linked_assets(html) if not u.startswith("data:")] == []
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert "sourceMappingURL" not in html
    # fonts and images are data: URIs; each font embedded once, brand logos left out
    fonts = VENDOR / "fontawesome-free" / "webfonts"
    for name, times in [
        ("fa-solid-900", 1),
        ("fa-regular-400", 1),
        ("fa-v4compatibility", 1),
        ("fa-brands-400", 0),
    ]:
        assert html.count(data_uri(fonts / f"{name}.woff2")) == times, name
    assert "../webfonts/" not in html and "url(images/" not in html
    assert "L.markerClusterGroup" in html and "L.Icon.Default.imagePath=''" in html
    # each vendored script arrives whole: an HTML parser sees exactly the file's code
    scripts = _script_texts(html)
    for _, rel in MAP_JS + PLUGIN_ASSETS[MarkerCluster].js:
        code = re.sub(r"(?m)^//# sourceMappingURL=\S+$", "", (STATIC_DIR / rel).read_text())
        assert code.strip() in [t.replace("<\\/script", "</script").strip() for t in scripts], rel


def test_write_standalone_writes_one_self_contained_file(tmp_path: Path) -> None:
    m = finish_map(base_map(lang="en"))
    path = write_standalone(m, tmp_path / "out" / "map.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert [u for u in linked_assets(html) if not u.startswith("data:")] == []
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["map.html"]
