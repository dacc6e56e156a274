"""Scenario maps in headless Chromium: the wall situation map and the plan slider."""

from __future__ import annotations

import datetime as dt

import pytest

from maps.colors import STAFFING_COLORS, risk_breaks, risk_color
from maps.offline import use_local_assets
from maps.scenario_layers import DispatchLine, all_risk_values
from maps.scenario_map import map_html, plan_map, situation_map, write_map

pytestmark = pytest.mark.browser

READY = "() => window.pingan && window.pingan.map && window.pingan.map._loaded"
POST_COLORS_JS = """() => Object.fromEntries(window.pingan.layers[%r].getLayers().map(
    m => [m.options.key, m.options.icon.options.html.match(/background:([^"]+)"/)[1]]))"""


def test_situation_map(small_scenario, static_server, browser_page) -> None:
    use_local_assets("/static")
    m = situation_map(
        small_scenario,
        at=dt.datetime(2025, 5, 5, 10, 30),
        plan=small_scenario.published_plan,
        unit_status={"YJ-01": "dispatched"},
        dispatches=[
            DispatchLine("JQ-1", "YJ-01", "dispatched"),
            DispatchLine("JQ-1", "XT-01", "suggested"),
        ],
    )
    page = browser_page.page
    page.goto(static_server.publish("situation.html", map_html(m)))
    page.wait_for_function(READY)

    colors = page.evaluate(POST_COLORS_JS % "posts")
    expected = {"P1": "manned", "P2": "short", "P3": "unmanned", "P4": "closed"}
    expected |= {"P5": "short", "P6": "manned"}
    assert colors == {p: STAFFING_COLORS[s] for p, s in expected.items()}
    assert page.evaluate("window.pingan.layers.units.getLayers().length") == 2
    assert page.locator(".pa-pin i.fa-triangle-exclamation").count() == 1
    assert page.locator("path.pa-dispatch-dispatched").count() == 1
    assert page.locator("path.pa-dispatch-suggested").count() == 1
    # rings only around the unit still free to respond (XT-01), one per threshold
    assert page.locator("path.pa-ring-3").count() == 1
    assert page.locator("path.pa-ring-5").count() == 1
    # zones at Monday 10:00 hold risk i: zone 15 in the top class, zone 0 in the lowest
    breaks = risk_breaks(all_risk_values(small_scenario))
    fills = page.evaluate(
        "Object.fromEntries(window.pingan.layers.zones.getLayers()"
        ".map(l => [l.feature.id, l.options.fillColor]))"
    )
    assert fills["Z15"] == risk_color(15.0, breaks) and fills["Z00"] == risk_color(0.0, breaks)
    overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [t.strip() for t in overlays] == [
        "辖区",
        "巡防责任区",
        "快速反应圈",
        "卡点岗亭",
        "处置力量",
        "调派路线",
        "警情",
    ]
    p2 = "window.pingan.layers.posts.getLayers().find(m => m.options.key === 'P2')"
    # past disableClusteringAtZoom, centred on P2: the marker itself is on the map
    page.evaluate(f"window.pingan.map.setView({p2}.getLatLng(), 17, {{animate: false}})")
    page.wait_for_function(f"() => !!{p2}._map")
    page.evaluate(f"{p2}.openPopup()")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "缺员" in text and "民警3（B003）" in text and "13900000003" in text
    assert "05-05 16:00" in text
    page.evaluate(
        "window.pingan.map.closePopup(); window.pingan.map.fitBounds("
        "window.pingan.layers.zones.getBounds(), {animate: false})"
    )
    browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_plan_map_slider_steps_through_shifts(small_scenario, tmp_path, browser_page) -> None:
    m = plan_map(small_scenario, small_scenario.published_plan)
    path = write_map(m, tmp_path / "plan.html")
    page = browser_page.page
    page.goto(path.as_uri())
    page.wait_for_function(READY)
    assert page.evaluate("window.pingan.steps") == [
        "2025-05-05 夜班 00:00–08:00",
        "2025-05-05 白班 08:00–16:00",
    ]
    assert page.locator(".pa-slider-label").inner_text() == "2025-05-05 夜班 00:00–08:00"
    on_map = "k => window.pingan.map.hasLayer(window.pingan.layers[k])"
    assert page.evaluate(on_map, "posts@0") and not page.evaluate(on_map, "posts@1")
    night = page.evaluate(POST_COLORS_JS % "posts@0")
    assert night["P1"] == STAFFING_COLORS["unmanned"] and night["P2"] == STAFFING_COLORS["short"]
    fill = (
        "id => window.pingan.layers.zones.getLayers().find(l => l.feature.id === id)"
        ".options.fillColor"
    )
    breaks = risk_breaks(all_risk_values(small_scenario))
    assert page.evaluate(fill, "Z07") == risk_color(14.0, breaks)  # night: 2 × 7

    slider = page.locator(".pa-slider input[type=range]")
    slider.fill("1")  # the range input fires "input"
    assert page.evaluate("window.pingan.step") == 1
    assert page.locator(".pa-slider-label").inner_text() == "2025-05-05 白班 08:00–16:00"
    assert page.evaluate(on_map, "posts@1") and not page.evaluate(on_map, "posts@0")
    assert page.evaluate(fill, "Z07") == risk_color(7.0, breaks)  # day: 7
    day = page.evaluate(POST_COLORS_JS % "posts@1")
    assert day["P1"] == STAFFING_COLORS["manned"] and day["P4"] == STAFFING_COLORS["closed"]
    schemes = {u.split(":", 1)[0] for u in browser_page.requests}
    assert schemes <= {"file", "data"}
    browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_coverage_heat_layer_draws_offline(small_scenario, static_server, browser_page) -> None:
    use_local_assets("/static")
    m = situation_map(small_scenario, coverage="heat", lang="en")
    page = browser_page.page
    page.goto(static_server.publish("heat.html", map_html(m)))
    page.wait_for_function(READY)
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert any(u.endswith("/vendor/leaflet.heat/leaflet-heat.js") for u in browser_page.requests)
    overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert "Coverage heat" in [t.strip() for t in overlays]
    assert page.locator("path.pa-ring-3").count() == 0
    browser_page.assert_no_errors()
    browser_page.assert_no_external()
