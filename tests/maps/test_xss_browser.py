"""Stored XSS: script put into every named thing of a small roster — jurisdictions, zones,
units, posts, people, shifts, the plan, incidents (kind and note) — is shown as text on every
page (wall, plan, drills) and in the map exports (`pingan map situation`, `pingan map plan`).

In Chromium with a dialog listener: every tooltip and popup of every map layer is rendered
(as Leaflet renders it on hover or click) and a zone is hovered and a pin clicked for real;
no dialog may fire and no element may come out of the injected text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from api.app import create_app
from api.auth import hash_password
from api.models import Role
from cli.main import app as cli_app
from optimizer.scenario import parse_scenario
from rosters.db import session_scope
from rosters.plans import publish_plan, save_plan
from rosters.scenario_db import load_scenario_into_db
from tests.api.city import DAY, city_data
from tests.api.conftest import PASSWORD, add_users, api_settings, bearer
from tests.api.server import serving
from tests.conftest import _new_database
from tests.maps.conftest import StaticServer

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "\"'><svg onload=alert(1)>",
    "${alert(1)}`-alert(1)-`",
]
READY = "() => window.pingan && window.pingan.map && window.pingan.map._loaded"

#: renders every tooltip and popup of every layer (function contents called with the
#: feature's layer, as Leaflet does on hover), waits for images to load or fail, and
#: returns how many were rendered and how many elements the injected text produced
RENDER_ALL = """
async () => {
  const sink = document.createElement("div");
  sink.id = "pa-xss-sink";
  document.body.appendChild(sink);
  let shown = 0;
  function render(content) {
    if (content === undefined || content === null) { return; }
    const box = document.createElement("div");
    if (content instanceof HTMLElement) { box.appendChild(content.cloneNode(true)); }
    else { box.innerHTML = String(content); }
    sink.appendChild(box);
    shown += 1;
  }
  function bound(layer) {
    return ["getTooltip", "getPopup"]
      .map((get) => (layer[get] ? layer[get]() : null))
      .filter(Boolean);
  }
  function visit(layer, inherited) {
    const own = bound(layer);
    own.filter((t) => typeof t._content !== "function").forEach((t) => render(t._content));
    const fns = inherited.concat(own.filter((t) => typeof t._content === "function"));
    if (layer.getLayers) { layer.getLayers().forEach((child) => visit(child, fns)); }
    else { fns.forEach((t) => render(t._content(layer))); }
  }
  window.pingan.map.eachLayer((layer) => visit(layer, []));
  const images = Array.from(sink.querySelectorAll("img"));
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("error", done); img.addEventListener("load", done);
  })));
  return {shown: shown, injected: sink.querySelectorAll("img,script,svg,iframe").length};
}
"""
INJECTED_IN_PAGE = """
() => document.querySelectorAll("img[src='x'], svg[onload], img[onerror]").length
  + Array.from(document.scripts).filter((s) => s.textContent.trim() === "alert(1)").length
"""


def evil_city() -> dict[str, Any]:
    data = city_data()
    i = 0
    for section in ("jurisdictions", "units", "people", "posts", "zones", "shifts"):
        for item in data[section]:
            item["name"] = PAYLOADS[i % len(PAYLOADS)]
            i += 1
    return data


@dataclass
class Evil:
    base: str
    app: FastAPI
    url: str
    plan_id: int


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def evil(tmp_path: Path, password_hash: str) -> Iterator[Evil]:
    engine, cleanup = _new_database("sqlite", tmp_path)
    add_users(engine, password_hash)
    scenario = parse_scenario(evil_city())
    with session_scope(engine) as session:
        load_scenario_into_db(session, scenario, replace=True)
        plan_id = save_plan(
            session,
            name=PAYLOADS[0] + PAYLOADS[3],
            start=DAY,
            days=1,
            status="feasible",
            assignments=scenario.published_plan,
            objective=1.0,
            bound=1.0,
            gap=0.0,
        )
        publish_plan(session, plan_id, by="test")
    app = create_app(api_settings(), engine)
    with serving(app) as base:
        incident = {
            "code": "JQ-1",
            "kind": PAYLOADS[0],
            "lon": 100.47,
            "lat": 38.96,
            "severity": 3,
            "note": "".join(PAYLOADS),
        }
        h = bearer(Role.DISPATCHER)
        r = httpx.post(f"{base}/incidents", json=incident, headers=h, timeout=20)
        assert r.status_code == 201, r.text
        for step, body in (("suggest", {}), ("dispatch", {"units": ["K1-U0"]})):
            r = httpx.post(f"{base}/incidents/JQ-1/{step}", json=body, headers=h, timeout=20)
            assert r.status_code == 200, r.text
        yield Evil(base, app, str(engine.url), plan_id)
    cleanup()  # type: ignore[operator]


def _log_in(page: Any, base: str, path: str) -> None:
    page.goto(f"{base}/pages/login?next={path}")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{path}")


def _exercise_map(page: Any) -> int:
    page.wait_for_function(READY)
    assert page.evaluate(INJECTED_IN_PAGE) == 0
    result = page.evaluate(RENDER_ALL)
    assert result["injected"] == 0, result
    # a real hover over a zone and a real click on a pin
    point = page.evaluate(
        """() => {
          const m = window.pingan.map, z = window.pingan.layers.zones;
          const c = z.getLayers()[0].getBounds().getCenter();
          m.setView(c, 14, {animate: false});
          const p = m.latLngToContainerPoint(c), r = m.getContainer().getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }"""
    )
    page.mouse.move(point[0], point[1])
    page.mouse.move(point[0] + 3, point[1] + 3)
    pins = page.locator(".pa-pin")
    size = page.viewport_size
    for i in range(min(pins.count(), 30)):
        box = pins.nth(i).bounding_box()
        if box and 0 < box["x"] < size["width"] - 30 and 0 < box["y"] < size["height"] - 30:
            pins.nth(i).click(force=True)  # opens its popup
            break
    assert page.evaluate(INJECTED_IN_PAGE) == 0
    return int(result["shown"])


def test_no_script_runs_on_the_pages(evil: Evil, browser_page: Any) -> None:
    page = browser_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _log_in(page, evil.base, "/pages/wall")
    shown = _exercise_map(page)
    assert shown >= 10  # zones, jurisdictions, posts, units, the incident, its dispatch line
    incident = page.locator("#pa-incidents li[data-code='JQ-1']")
    incident.wait_for()
    assert PAYLOADS[1] in incident.inner_text()  # shown as text
    for path in ("/pages/plan", f"/pages/plan/{evil.plan_id}"):
        page.goto(f"{evil.base}{path}")
        _exercise_map(page)
        assert PAYLOADS[2] in page.locator("table").first.inner_text()
    page.goto(f"{evil.base}/pages/drills")
    page.wait_for_load_state("load")
    assert page.evaluate(INJECTED_IN_PAGE) == 0
    assert dialogs == []
    browser_page.assert_no_errors()


def test_no_script_runs_in_the_map_exports(
    evil: Evil, browser_page: Any, static_server: StaticServer, tmp_path: Path
) -> None:
    runner = CliRunner()
    outputs = []
    for args, name in (
        (["map", "situation", "--day", DAY.isoformat(), "--hour", "10"], "situation.html"),
        (["map", "plan", "--plan-id", str(evil.plan_id)], "plan.html"),
    ):
        out = tmp_path / name
        result = runner.invoke(
            cli_app, ["--database-url", evil.url, *args, "--out", str(out)], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        outputs.append(static_server.publish(f"xss-{name}", out.read_text(encoding="utf-8")))
    page = browser_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in outputs:
        page.goto(url)
        assert _exercise_map(page) >= 5
    assert dialogs == []
    browser_page.assert_no_errors()
