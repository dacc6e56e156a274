"""The incident workflow on the wall in Chromium, as a dispatcher walks it: click the map where
the incident is, give its needs, see the suggestion (units, ETAs, alternatives, coverage left,
explanation), dispatch it in one click, mark arrival, close. Two commanders dispatching the
same units from two pages: one succeeds, the other is told clearly. A viewer sees no buttons
and their forged posts are refused. The wall at phone size gives the map real height.
A screenshot per step (test-artifacts/workbench/), no request off this machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.maps.conftest import BrowserPage, is_local_url
from tests.workbench.conftest import DESKTOP, PHONE, Bench, log_in, shot

pytestmark = pytest.mark.browser
LON, LAT = 100.50, 39.00  # in 甘州区 (K1), away from pins and rings


def open_wall(bp: BrowserPage, bench: Bench, user: str) -> None:
    bp.page.set_viewport_size(DESKTOP)
    log_in(bp.page, bench.base, "/pages/wall", user)
    bp.page.wait_for_selector("#inc-bench", state="attached")
    bp.page.wait_for_function(
        "() => window.pingan && window.pingan.live && window.pingan.live.state === 'live'"
    )


def click_map(page: Any, lon: float, lat: float) -> None:
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.pingan.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    page.locator(".folium-map").click(position={"x": x, "y": y})


def test_report_dispatch_arrive_close_on_the_wall(bench: Bench, browser_page: BrowserPage) -> None:
    bp = browser_page
    page = bp.page
    open_wall(bp, bench, "dispatcher")
    note = page.locator("#pa-readiness-note")
    assert note.is_visible() and "当前班次无已发布的勤务计划" in note.inner_text()
    assert page.locator("#pa-readiness tr.pa-short").count() == 0
    shot(bp, "incidents-1-wall")
    page.click("#inc-report-open")
    click_map(page, LON, LAT)
    assert abs(float(page.input_value("#inc-lon")) - LON) < 0.001
    assert abs(float(page.input_value("#inc-lat")) - LAT) < 0.001
    page.fill("#inc-report input[name=code]", "JQ-WALL-1")
    page.select_option("#inc-report select[name=kind]", "violent")
    page.fill("#inc-report input[name=headcount]", "2")
    page.fill("#inc-report input[name=note]", "商场门口斗殴")
    shot(bp, "incidents-2-report")
    page.click("#inc-submit")
    best = page.wait_for_selector(".inc-best")
    text = best.inner_text()
    assert "推荐方案" in text and "分钟" in text
    coverage = page.wait_for_selector("#inc-coverage-table")
    assert "推荐方案" in coverage.inner_text() and "%" in coverage.inner_text()
    page.wait_for_selector("#pa-incidents li[data-code=JQ-WALL-1]")  # the live list
    shot(bp, "incidents-3-suggestion")
    page.click(".inc-best .inc-dispatch button")
    page.wait_for_selector(".inc-card[data-status=dispatched]")
    assert page.locator(".inc-sent li").count() >= 1
    page.wait_for_selector("#pa-incidents li[data-code=JQ-WALL-1][data-status=dispatched]")
    shot(bp, "incidents-4-dispatched")
    page.click("#inc-arrive")
    page.wait_for_selector(".inc-card[data-status=on_scene]")
    page.wait_for_selector("#pa-incidents li[data-code=JQ-WALL-1][data-status=on_scene]")
    shot(bp, "incidents-5-on-scene")
    page.once("dialog", lambda d: d.accept())
    page.click("#inc-close")
    page.wait_for_selector(".inc-card[data-status=closed]")
    page.wait_for_selector("#pa-incidents li[data-code=JQ-WALL-1]", state="detached")
    shot(bp, "incidents-6-closed")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("#inc-bench", state="attached")
    box = page.locator(".folium-map").bounding_box()
    assert box and box["height"] > 350 and box["width"] >= PHONE["width"] - 1
    shot(bp, "wall-phone")
    page.locator("#pa-side").evaluate("el => el.scrollTo(0, 10000)")
    shot(bp, "wall-phone-panel")
    bp.assert_no_external()
    bp.assert_no_errors()


@contextmanager
def second_page(chromium: Any) -> Iterator[BrowserPage]:
    """Another browser (its own cookies) with the same guard against off-machine requests."""
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", service_workers="block")
    bp = BrowserPage(page=context.new_page(), name="second")
    bp.page.set_default_timeout(15_000)

    def guard(route: Any) -> None:
        if is_local_url(route.request.url):
            route.continue_()
        else:
            bp.external.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    bp.page.on("pageerror", lambda exc: bp.errors.append(str(exc)))
    try:
        yield bp
    finally:
        context.close()
    assert not bp.external, f"requests left this machine: {bp.external}"


def reported(bench: Bench, code: str) -> None:
    """An incident reported and suggested through the JSON API."""
    body = {"code": code, "kind": "violent", "lon": LON, "lat": LAT, "needs": {"headcount": 2}}
    with httpx.Client(base_url=bench.base, headers=bench.api(), timeout=30) as c:
        assert c.post("/incidents", json=body).status_code == 201
        assert c.post(f"/incidents/{code}/suggest").status_code == 200


def test_two_commanders_dispatch_the_same_units(
    bench: Bench, browser_page: BrowserPage, chromium: Any
) -> None:
    reported(bench, "JQ-RACE")
    a = browser_page
    open_wall(a, bench, "commander")
    with second_page(chromium) as b:
        open_wall(b, bench, "admin")
        for bp in (a, b):
            bp.page.click("#pa-incidents li[data-code=JQ-RACE]")
            bp.page.wait_for_selector(".inc-best .inc-dispatch button")
        a.page.click(".inc-best .inc-dispatch button")
        a.page.wait_for_selector(".inc-card[data-status=dispatched]")
        shot(a, "race-1-first-commander")
        b.page.click(".inc-best .inc-dispatch button")
        b.page.wait_for_selector("#inc-message:not([hidden])")
        said = b.page.inner_text("#inc-message")
        assert "调派未成功" in said and "已被其他指挥员调派" in said and "出警途中" in said
        # the panel then shows the incident as it is now: dispatched by the first commander
        b.page.wait_for_selector(".inc-card[data-status=dispatched]")
        assert b.page.is_visible("#inc-message")
        shot(b, "race-2-second-commander")
        b.assert_no_errors()
    a.assert_no_external()


def test_a_viewers_forms_are_refused(bench: Bench, browser_page: BrowserPage) -> None:
    reported(bench, "JQ-VIEW")
    bp = browser_page
    open_wall(bp, bench, "viewer")
    page = bp.page
    assert page.locator("#inc-report").count() == 0
    page.click("#pa-incidents li[data-code=JQ-VIEW]")
    page.wait_for_selector(".inc-best")
    assert page.locator("#inc-detail form, #inc-detail button").count() == 0
    shot(bp, "incidents-viewer")
    statuses = page.evaluate(
        """async () => {
            const token = JSON.parse(document.getElementById("inc-bench")
                .getAttribute("hx-headers"))["X-CSRF-Token"];
            const form = "application/x-www-form-urlencoded";
            const post = (url, body) => fetch(url, {method: "POST",
                headers: {"X-CSRF-Token": token, "Content-Type": form},
                body: new URLSearchParams(body)}).then(r => r.status);
            return [
                await post("/pages/incidents/JQ-VIEW/dispatch", {units: "K1-U0"}),
                await post("/pages/incidents/JQ-VIEW/close", {}),
                await post("/pages/incidents", {code: "V2", kind: "fire", lon: "100.4", lat: "39"}),
                await post("/pages/drills/sessions/record", {session: "x", status: "cancelled"}),
            ];
        }"""
    )
    assert statuses == [403, 403, 403, 403]
    bp.assert_no_external()
