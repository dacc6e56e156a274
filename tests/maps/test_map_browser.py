"""Maps rendered in headless Chromium: layers and markers draw, nothing leaves the machine."""

from __future__ import annotations

import random

import folium
import pytest

from maps.build import add_jurisdictions, add_points, add_risk_zones, base_map, finish_map
from maps.elements import MapPoint
from maps.offline import render_html, standalone_html, use_local_assets
from maps.popups import popup_table
from maps.tiles import TileSource

pytestmark = pytest.mark.browser

READY = "() => window.pingan && window.pingan.map && window.pingan.map._loaded"


def _points(n: int, seed: int = 7) -> list[MapPoint]:
    rnd = random.Random(seed)
    return [
        MapPoint(
            lat=38.90 + 0.2 * rnd.random(),
            lon=100.40 + 0.2 * rnd.random(),
            color="#0d47a1",
            icon="shield-halved",
            tooltip=f"卡点 {i}",
            popup=popup_table(f"卡点 {i}", [("电话", "0936-1234567"), ("值守人员", "张三")]),
            key=f"P{i}",
        )
        for i in range(n)
    ]


def _city_map(grid_city, points: list[MapPoint], lang: str = "zh", cluster: bool = True):
    m = base_map(lang=lang)
    add_jurisdictions(m, grid_city.jurisdictions)
    add_risk_zones(m, grid_city.zones, risk=grid_city.risk)
    add_points(m, points, name="卡点" if lang == "zh" else "Posts", key="posts", cluster=cluster)
    return finish_map(m)


def test_served_map_draws_layers_and_thousands_of_clustered_markers(
    grid_city, static_server, browser_page
) -> None:
    use_local_assets("/static")
    url = static_server.publish("city.html", render_html(_city_map(grid_city, _points(3000))))
    page = browser_page.page
    page.goto(url)
    page.wait_for_function(READY)
    page.wait_for_selector(".marker-cluster")

    assert page.evaluate("window.pingan.layers.posts.getLayers().length") == 3000
    # 5 jurisdiction outlines (county + 4 townships) and 16 zones as SVG paths
    assert page.locator("path.leaflet-interactive").count() == 21
    assert page.evaluate("window.pingan.layers.zones.getLayers().length") == 16
    clusters = page.locator(".marker-cluster").count()
    assert 0 < clusters < 100
    overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [t.strip() for t in overlays] == ["辖区", "巡防责任区", "卡点"]
    assert "风险等级" in page.locator(".pa-legend").inner_text()
    # Font Awesome is the usual leak: its font must come from pingan
    page.evaluate("document.fonts.load('900 16px \"Font Awesome 6 Free\"')")
    assert any(
        u.endswith("/static/vendor/fontawesome-free/css/all.min.css") for u in browser_page.requests
    )
    assert all(u.startswith(static_server.base) for u in browser_page.requests)
    shot = browser_page.shot()
    assert shot.stat().st_size > 10_000
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_unclustered_markers_are_in_the_page_and_open_their_popups(
    grid_city, static_server, browser_page
) -> None:
    use_local_assets("/static")
    points = _points(40)
    url = static_server.publish(
        "plain.html", render_html(_city_map(grid_city, points, cluster=False))
    )
    page = browser_page.page
    page.goto(url)
    page.wait_for_function(READY)
    assert page.locator(".leaflet-marker-icon.pa-pin").count() == 40
    assert page.locator(".pa-pin i.fa-solid.fa-shield-halved").count() == 40
    page.evaluate(
        "window.pingan.layers.posts.getLayers().find(m => m.options.key === 'P3').openPopup()"
    )
    popup = page.locator(".leaflet-popup-content")
    assert "卡点 3" in popup.inner_text() and "0936-1234567" in popup.inner_text()
    # the icon glyph is drawn with the vendored font, fetched from this machine
    page.wait_for_function("document.fonts.check('900 11px \"Font Awesome 6 Free\"')")
    assert any(u.endswith("/webfonts/fa-solid-900.woff2") for u in browser_page.requests)
    browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_english_labels(grid_city, static_server, browser_page) -> None:
    use_local_assets("/static")
    url = static_server.publish("en.html", render_html(_city_map(grid_city, _points(5), "en")))
    page = browser_page.page
    page.goto(url)
    page.wait_for_function(READY)
    overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [t.strip() for t in overlays] == ["Jurisdictions", "Patrol zones", "Posts"]
    assert page.locator(".pa-legend-title").inner_text() == "Risk"
    browser_page.assert_no_external()


def test_standalone_file_renders_with_no_server(grid_city, tmp_path, browser_page) -> None:
    use_local_assets("/static")  # as the API would have it: the export inlines regardless
    m = _city_map(grid_city, _points(500))
    folium.Marker([38.95, 100.45], tooltip="default icon").add_to(m)  # Leaflet's own icon
    path = tmp_path / "plan.html"
    path.write_text(standalone_html(m), encoding="utf-8")
    page = browser_page.page
    page.goto(path.as_uri())
    page.wait_for_function(READY)
    page.wait_for_selector(".marker-cluster")
    assert page.evaluate("window.pingan.layers.posts.getLayers().length") == 500
    assert page.locator("path.leaflet-interactive").count() == 21
    icon = page.locator("img.leaflet-marker-icon")
    assert icon.count() == 1 and icon.get_attribute("src").startswith("data:image/png")
    page.wait_for_function("document.fonts.check('900 11px \"Font Awesome 6 Free\"')")
    schemes = {u.split(":", 1)[0] for u in browser_page.requests}
    assert schemes <= {"file", "data"}, browser_page.requests
    assert [u for u in browser_page.requests if u.startswith("file:")] == [path.as_uri()]
    browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_intranet_tiles_load_from_the_template_and_failures_do_not_break_the_map(
    grid_city, static_server, browser_page
) -> None:
    use_local_assets("/static")
    template = static_server.base + "/static/no-tiles-here/{z}/{x}/{y}.png"
    m = base_map(tiles=TileSource(url=template))
    add_risk_zones(m, grid_city.zones, risk=grid_city.risk)
    finish_map(m)
    page = browser_page.page
    page.goto(static_server.publish("tiles.html", render_html(m)))
    page.wait_for_function(READY)
    page.wait_for_function("document.querySelectorAll('img.leaflet-tile').length > 0")
    tiles = [u for u in browser_page.requests if "/no-tiles-here/" in u]
    assert tiles and all(u.startswith(static_server.base) for u in tiles)
    assert page.locator("path.leaflet-interactive").count() == 16
    browser_page.assert_no_external()


def test_the_guard_catches_a_page_that_reaches_out(static_server, browser_page) -> None:
    """The harness itself: a CDN script and a remote image are blocked and recorded."""
    url = static_server.publish(
        "leaky.html",
        '<html><head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">'
        '</script></head><body><img src="http://203.0.113.9/x.png"></body></html>',
    )
    browser_page.page.goto(url)
    browser_page.page.wait_for_load_state("load")
    assert sorted(browser_page.external) == [
        "http://203.0.113.9/x.png",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    ]
    with pytest.raises(AssertionError, match="left this machine"):
        browser_page.assert_no_external()
    browser_page.external.clear()  # expected here; any other test fails on them
