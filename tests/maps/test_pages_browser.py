"""The command-centre pages in headless Chromium against a real server (uvicorn) and a real
database: log in through the form, the wall's layers and panels, an incident reported
through the API appears without a reload, unit pins follow their status, the stream comes
back after it drops, and the plan page's table, filters, Excel download and print style.
Every request stays on this machine (the `browser_page` guard)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api.app import create_app
from api.auth import hash_password
from api.models import Role
from maps.colors import STATUS_ICONS
from tests.api.city import DAY, PLAN, City, load_city
from tests.api.conftest import PASSWORD, add_users, api_settings, bearer
from tests.api.server import serving

pytestmark = pytest.mark.browser

READY = "() => window.pingan && window.pingan.map && window.pingan.map._loaded"
LIVE = "() => window.pingan.live && window.pingan.live.state === 'live'"
KEYS = "k => window.pingan.layers[k].getLayers().map(m => m.options.key).sort()"


@dataclass
class Live:
    base: str
    app: FastAPI
    engine: Engine
    city: City

    def post(self, path: str, body: dict[str, Any], role: Role = Role.DISPATCHER) -> Any:
        r = httpx.post(f"{self.base}{path}", json=body, headers=bearer(role), timeout=20)
        assert r.status_code < 300, r.text
        return r.json()


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def live(fresh_engine: Engine, password_hash: str) -> Iterator[Live]:
    add_users(fresh_engine, password_hash)
    city = load_city(fresh_engine)
    app = create_app(api_settings(), fresh_engine)
    with serving(app) as base:
        yield Live(base, app, fresh_engine, city)


def log_in(page: Any, base: str, path: str, user: str = "viewer") -> None:
    """Open a page, get sent to the login form, log in, land on the page."""
    page.goto(f"{base}{path}")
    page.wait_for_url("**/pages/login?**")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{path}")
    page.wait_for_function(READY)


def report_incident(live: Live, code: str, lon: float, lat: float) -> None:
    body = {"code": code, "kind": "fire", "lon": lon, "lat": lat, "severity": 3}
    live.post("/incidents", body)


def incident_row(page: Any, code: str) -> Any:
    row = page.locator(f"#pa-incidents li[data-code='{code}']")
    row.wait_for()  # polls the DOM until the row is there (the page's default deadline)
    return row


def test_wall_shows_layers_panels_and_live_incidents(live: Live, browser_page: Any) -> None:
    page = browser_page.page
    log_in(page, live.base, "/pages/wall")
    page.wait_for_function(LIVE)
    assert page.locator("#pa-conn").get_attribute("data-state") == "live"
    assert page.locator("#pa-conn").inner_text() == "实时"
    assert page.evaluate(KEYS, "units") == ["K1-U0", "K1-U1", "K2-U0", "K2-U1"]
    assert page.evaluate(KEYS, "incidents") == []
    assert page.evaluate(KEYS, "posts") == ["K1-A", "K1-B", "K2-A", "K2-B"]
    assert page.evaluate("window.pingan.layers.zones.getLayers().length") == 2
    overlays = [
        t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    ]
    assert overlays[:2] == ["辖区", "巡防责任区"] and "警情" in overlays and "处置力量" in overlays
    scale = page.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(scale) == 1 and scale[0].strip().endswith(("km", "m"))  # metric only, no miles
    # readiness: nobody on standby yet, each county's floor is 2; the city's published plan
    # is of another day, so the table says so instead of showing every county short
    readiness = page.locator("#pa-readiness tr")
    assert readiness.count() == 2
    assert readiness.nth(0).locator("td").all_inner_texts() == ["甘州区", "0", "2", "—"]
    assert page.locator("#pa-readiness-note").inner_text() == "当前班次无已发布的勤务计划"
    assert page.locator("#pa-readiness tr.pa-short").count() == 0
    assert page.locator("#pa-incidents .pa-empty").inner_text() == "暂无警情"
    # (the workbench's pages follow these three; a viewer sees those it may open)
    assert [a.strip() for a in page.locator(".pa-nav nav a").all_inner_texts()][:3] == [
        "指挥大屏",
        "勤务计划",
        "演练日历",
    ]

    # an incident reported through the API appears in the list and on the map, no reload
    page.evaluate("window.pingan.noReload = true")
    report_incident(live, "JQ-100", 100.47, 38.96)
    row = incident_row(page, "JQ-100")
    assert "火灾" in row.inner_text() and row.get_attribute("data-status") == "reported"
    assert "已接报" in row.inner_text()
    page.wait_for_function("() => window.pingan.layers.incidents.getLayers().length === 1")
    assert page.evaluate(KEYS, "incidents") == ["JQ-100"]
    pin = page.evaluate("() => window.pingan.layers.incidents.getLayers()[0].getLatLng()")
    assert (round(pin["lat"], 4), round(pin["lng"], 4)) == (38.96, 100.47)
    assert page.locator("#pa-incident-count").inner_text() == "(1)"

    # a unit put on standby at a new place: its pin moves and changes icon, readiness follows
    live.post("/units/K1-U0/position", {"lon": 100.5, "lat": 38.99, "status": "standby"})
    unit = "window.pingan.layers.units.getLayers().find(m => m.options.key === 'K1-U0')"
    page.wait_for_function(f"() => {unit}.getLatLng().lat === 38.99")
    assert page.evaluate(f"() => {unit}.getLatLng().lng") == 100.5
    assert f"fa-{STATUS_ICONS['standby']}" in page.evaluate(
        f"() => {unit}.options.icon.options.html"
    )
    page.wait_for_function(
        "() => document.querySelector('#pa-readiness tr[data-county=K1] td:nth-child(2)')"
        ".textContent === '3'"
    )
    assert not page.locator("#pa-readiness tr[data-county=K1]").get_attribute("class")
    # dispatched: the row's status changes and a line joins the unit to the incident
    live.post("/incidents/JQ-100/suggest", {})
    live.post("/incidents/JQ-100/dispatch", {"units": ["K1-U1"], "etas": {"K1-U1": 4}})
    page.wait_for_function(
        "() => document.querySelector(\"#pa-incidents li[data-code='JQ-100']\")"
        ".dataset.status === 'dispatched'"
    )
    assert "已调派" in incident_row(page, "JQ-100").inner_text()
    line = page.locator("path.pa-dispatch-dispatched.pa-inc-JQ-100")
    line.wait_for()
    assert line.count() == 1
    k1u1 = "window.pingan.layers.units.getLayers().find(m => m.options.key === 'K1-U1')"
    page.wait_for_function(f"() => {k1u1}.options.icon.options.html.includes('fa-car-side')")
    browser_page.shot("dispatched")
    # a click on the row centres the map on the incident
    page.locator("#pa-incidents li[data-code='JQ-100']").click()
    page.wait_for_function("() => window.pingan.map.getCenter().distanceTo([38.96, 100.47]) < 1")
    # closed: it leaves the list, the map and its line goes
    live.post("/incidents/JQ-100/close", {})
    page.locator("#pa-incidents li[data-code='JQ-100']").wait_for(state="detached")
    page.wait_for_function("() => window.pingan.layers.incidents.getLayers().length === 0")
    assert page.locator("path.pa-inc-JQ-100").count() == 0
    assert page.locator("#pa-incidents .pa-empty").inner_text() == "暂无警情"
    assert page.evaluate("window.pingan.noReload") is True  # the same document all along
    browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_wall_reconnects_after_the_stream_drops(live: Live, browser_page: Any) -> None:
    page = browser_page.page
    log_in(page, live.base, "/pages/wall?lang=en")
    page.wait_for_function(LIVE)
    assert page.locator("#pa-conn").inner_text() == "live"
    assert page.evaluate("window.pingan.live.connects") == 1
    page.evaluate("window.pingan.noReload = true")
    # the server ends every stream; the page shows it and comes back by itself
    assert live.app.state.bus.close_streams() == 1
    page.wait_for_function("() => window.pingan.live.connects === 2")
    page.wait_for_function(LIVE)
    report_incident(live, "JQ-200", 100.75, 38.95)
    row = incident_row(page, "JQ-200")
    assert "fire" in row.inner_text() and "reported" in row.inner_text()
    assert page.evaluate(KEYS, "incidents") == ["JQ-200"]
    assert page.evaluate("window.pingan.noReload") is True
    assert page.locator(".pa-card h2").first.inner_text() == "Standby readiness"
    browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_wall_redraws_when_a_plan_is_published(live: Live, browser_page: Any) -> None:
    """Posts and standby come from the published plan: publishing one redraws the wall."""
    page = browser_page.page
    log_in(page, live.base, "/pages/wall")
    page.wait_for_function(LIVE)
    page.evaluate("window.pingan.noReload = true")
    live.post(f"/plans/{live.city.plan_id}/publish", {}, Role.COMMANDER)
    page.wait_for_function(
        "() => window.pingan && !window.pingan.noReload && window.pingan.map"
        " && window.pingan.map._loaded"
    )
    page.wait_for_function(LIVE)
    assert page.evaluate(KEYS, "posts") == ["K1-A", "K1-B", "K2-A", "K2-B"]
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_wall_resumes_from_the_last_event_after_a_drop(live: Live, browser_page: Any) -> None:
    """An incident reported while the stream is down is not lost: the page resumes after
    the last event it saw."""
    page = browser_page.page
    log_in(page, live.base, "/pages/wall")
    page.wait_for_function(LIVE)
    # the stream drops and cannot come back until the incident has been reported
    page.route("**/events?**", lambda route: route.abort("connectionrefused"))
    live.app.state.bus.close_streams()
    page.wait_for_function("() => window.pingan.live.state !== 'live'")
    report_incident(live, "JQ-300", 100.45, 38.93)
    page.unroute("**/events?**")
    page.wait_for_function(LIVE)
    assert "JQ-300" in incident_row(page, "JQ-300").inner_text()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_plan_page_table_filters_download_and_print(live: Live, browser_page: Any) -> None:
    page = browser_page.page
    log_in(page, live.base, "/pages/plan")
    rows = page.locator("#pa-plan-table tbody tr")
    assert rows.count() == len(PLAN)
    assert page.evaluate("window.pingan.steps") == [
        f"{DAY} 夜班 00:00–08:00",
        f"{DAY} 白班 08:00–16:00",
    ]
    first = rows.nth(0).locator("td").all_inner_texts()
    assert first[:2] == [DAY.isoformat(), "夜班 00:00–08:00"] and first[2] == "临泽县"
    armed = page.locator("#pa-plan-table td.pa-armed-yes")
    assert armed.count() == 1  # K1-2 is the only armed officer in the plan
    # filter: county, then shift (each select submits its form)
    page.select_option("select[name=county]", "K1")
    page.wait_for_url("**county=K1**")
    assert rows.count() == 3
    assert set(
        page.locator("#pa-plan-table tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.county)"
        )
    ) == {"K1"}
    page.select_option("select[name=shift]", "night")
    page.wait_for_url("**shift=night**")
    assert rows.count() == 0
    page.select_option("select[name=county]", "K2")
    page.wait_for_url("**county=K2**")
    assert rows.count() == 1 and "K2-0" in rows.nth(0).inner_text()
    # Excel download through the page's own link (the login cookie goes with it)
    href = page.locator("#pa-xlsx").get_attribute("href")
    assert href == f"/pages/plan/{live.city.plan_id}/xlsx"
    with page.expect_download() as info:
        page.click("#pa-xlsx")
    from openpyxl import load_workbook

    assert info.value.suggested_filename == f"patrol-plan-{live.city.plan_id}.xlsx"
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    sheet = book["勤务安排"]
    assert sheet.max_row == 1 + len(PLAN)
    assert sorted(r[6] for r in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        p for p, _, _ in PLAN
    )
    # print: only the table
    page.emulate_media(media="print")
    assert page.locator(".pa-nav").is_hidden() and page.locator(".pa-filters").is_hidden()
    assert page.locator(".folium-map").is_hidden() and page.locator("#pa-plan-table").is_visible()
    page.emulate_media(media="screen")
    browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()


def test_drill_calendar_in_the_browser(
    fresh_engine: Engine, password_hash: str, browser_page: Any
) -> None:
    from optimizer.drills import DrillParams, schedule_drills
    from rosters.db import session_scope
    from rosters.scenario_db import load_scenario_into_db
    from tests.optimizer.drill_cases import scenario

    add_users(fresh_engine, password_hash)
    s = scenario()
    s.drills.sessions = schedule_drills(s, DrillParams(time_limit=10, num_workers=1)).sessions
    with session_scope(fresh_engine) as session:
        load_scenario_into_db(session, s)
    app = create_app(api_settings(), fresh_engine)
    page = browser_page.page
    with serving(app) as base:
        page.goto(f"{base}/pages/drills?month=2026-12")
        page.wait_for_url("**/pages/login?**")
        page.fill("input[name=username]", "training_officer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/pages/drills?month=2026-12")
        page.locator("#pa-calendar").wait_for()
        assert page.locator(".pa-drill").count() == 4
        first = s.drills.sessions[0]
        cell = page.locator(f"td[data-date='{first.start.date().isoformat()}']")
        assert "实弹射击" in cell.inner_text()
        assert page.locator("#pa-month").inner_text() == "2026年12月"
        browser_page.shot("december")
        # the unit filter submits by itself and shows that unit's drills only
        page.select_option("select[name=unit]", "S1")
        page.wait_for_url("**unit=S1**")
        assert page.locator(".pa-drill").count() == 2
        page.locator("#pa-next").click()
        page.wait_for_url("**month=2027-01**")
        assert page.locator("#pa-no-drills").is_visible()
        browser_page.shot()
    browser_page.assert_no_errors()
    browser_page.assert_no_external()
