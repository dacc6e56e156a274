"""Browser harness for the map tests: Playwright driving Debian's /usr/bin/chromium.

Never runs `playwright install`: the browser is the distribution's (scripts/install-browser).
Every request a page makes is intercepted; one whose host is not this machine (localhost,
127.0.0.1, ::1) or whose scheme is not file:/data:/blob:/about: is aborted and recorded, and
the test fails. Chromium also resolves every other host name to nothing
(``--host-resolver-rules``), so a request the interception missed could not leave either.

Fixtures:
- `static_server`: a local HTTP server with maps/static at ``/static`` and pages a test
  writes with ``static_server.publish(name, html)`` at ``/pages/<name>``;
- `browser_page`: a fresh browser context and page with the guard on; ``.shot(name)``
  saves a screenshot under test-artifacts/maps/.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from maps.offline import STATIC_DIR

CHROMIUM = Path("/usr/bin/chromium")
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "maps"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-quic",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 800}


def is_local_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


class _Handler(http.server.SimpleHTTPRequestHandler):
    pages: Path

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if clean.startswith("/static/"):
            return str(STATIC_DIR / clean.removeprefix("/static/"))
        if clean.startswith("/pages/"):
            return str(self.pages / clean.removeprefix("/pages/"))
        return str(self.pages / "__nothing__")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class StaticServer:
    base: str
    pages: Path
    hits: list[str] = field(default_factory=list)

    def publish(self, name: str, html: str) -> str:
        (self.pages / name).write_text(html, encoding="utf-8")
        return f"{self.base}/pages/{name}"


@pytest.fixture(scope="session")
def static_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    pages = tmp_path_factory.mktemp("pages")
    handler = type("Handler", (_Handler,), {"pages": pages})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield StaticServer(base=f"http://127.0.0.1:{server.server_address[1]}", pages=pages)
    finally:
        server.shutdown()
        server.server_close()


#: the one running browser of the test session, kept on the session's config: other test
#: directories import this fixture (tests/workbench), which makes it a fixture of its own
#: there (and may load this file twice); a second sync Playwright in the same thread is
#: refused, so they all share the first one's browser
RUNNING_BROWSER = "_pingan_running_browser"  # an attribute of the config (one per session)


@pytest.fixture(scope="session")
def chromium(request: pytest.FixtureRequest) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (scripts/install-browser)")
    config = request.config
    running = getattr(config, RUNNING_BROWSER, None)
    if running is not None:  # started by the same fixture imported elsewhere
        yield running
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        setattr(config, RUNNING_BROWSER, browser)
        try:
            yield browser
        finally:
            setattr(config, RUNNING_BROWSER, None)
            browser.close()


@dataclass
class BrowserPage:
    page: Any
    name: str
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Content-Security-Policy violations Chromium reported on the console
    csp: list[str] = field(default_factory=list)

    def shot(self, label: str = "") -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}{'-' + label if label else ''}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def assert_no_external(self) -> None:
        assert not self.external, f"requests left this machine: {self.external}"

    def assert_no_errors(self) -> None:
        assert not self.errors, f"page script errors: {self.errors}"


@pytest.fixture
def browser_page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[BrowserPage]:
    """A fresh context (empty profile: no cache, no cookies) whose every request is checked."""
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN", service_workers="block")
    page = context.new_page()
    page.set_default_timeout(15_000)
    bp = BrowserPage(page=page, name=request.node.name.replace("/", "_"))

    def record_external(url: str) -> None:
        if url not in bp.external:
            bp.external.append(url)

    def guard(route: Any) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            record_external(url)
            route.abort("blockedbyclient")

    def seen(req: Any) -> None:
        bp.requests.append(req.url)
        if not is_local_url(req.url):
            record_external(req.url)

    context.route("**/*", guard)
    context.on("request", seen)
    page.on("websocket", lambda ws: None if is_local_url(ws.url) else record_external(ws.url))
    page.on("pageerror", lambda exc: bp.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: bp.csp.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    try:
        yield bp
    finally:
        context.close()
    if bp.external:
        pytest.fail(f"requests left this machine: {bp.external}")
    if bp.csp:
        pytest.fail(f"the page broke its Content-Security-Policy: {bp.csp}")


# --- small synthetic city ---------------------------------------------------------------


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class GridCity:
    """A county of 2×2 townships and a 4×4 grid of zones near 甘州 (100.4°E, 38.9°N)."""

    jurisdictions: dict[str, Any]
    zones: dict[str, Any]
    risk: dict[str, float]


@pytest.fixture
def grid_city() -> GridCity:
    lon0, lat0, step = 100.40, 38.90, 0.05
    jur = [
        {
            "type": "Feature",
            "properties": {"id": "C1", "name": "甘州区", "level": "county"},
            "geometry": square(lon0, lat0, 4 * step),
        }
    ]
    for i in range(4):
        jur.append(
            {
                "type": "Feature",
                "properties": {"id": f"T{i}", "name": f"街道{i}", "level": "township"},
                "geometry": square(lon0 + 2 * step * (i % 2), lat0 + 2 * step * (i // 2), 2 * step),
            }
        )
    zones = [
        {
            "type": "Feature",
            "properties": {"id": f"Z{i:02d}", "name": f"责任区{i:02d}"},
            "geometry": square(lon0 + step * (i % 4), lat0 + step * (i // 4), step),
        }
        for i in range(16)
    ]
    return GridCity(
        jurisdictions={"type": "FeatureCollection", "features": jur},
        zones={"type": "FeatureCollection", "features": zones},
        risk={f"Z{i:02d}": float(i) for i in range(16)},
    )


# --- small scenario with a plan whose staffing is known --------------------------------

DAY = "2025-05-05"  # a Monday


@pytest.fixture
def small_scenario(grid_city: GridCity) -> Any:
    """County C1 with 4 townships and 16 zones, 6 posts, 3 units, 1 incident, 3 shifts, and
    a published plan for the day shift of 2025-05-05 whose post statuses are known:
    P1 manned, P2 short (no armed officer), P3 unmanned, P4 closed (night-only kiosk),
    P5 short (a cover asks for 3), P6 manned."""
    from optimizer.scenario import parse_scenario

    lon0, lat0 = 100.40, 38.90
    jurisdictions = [
        {
            "id": f["properties"]["id"],
            "name": f["properties"]["name"],
            "level": f["properties"]["level"],
            "parent_id": None if f["properties"]["id"] == "C1" else "C1",
            "boundary": f["geometry"],
        }
        for f in grid_city.jurisdictions["features"]
    ]
    zones = [
        {
            "id": f["properties"]["id"],
            "name": f["properties"]["name"],
            "jurisdiction_id": "C1",
            "geometry": f["geometry"],
            # zone i: risk i by day, 2·i at night (hours 0–7), the same every weekday
            "risk": [[float(i * (2 if h < 8 else 1)) for h in range(24)] for _ in range(7)],
        }
        for i, f in enumerate(grid_city.zones["features"])
    ]

    def post(pid: str, kind: str, dx: float, dy: float, **extra: Any) -> dict[str, Any]:
        return {
            "id": pid,
            "name": f"{pid}号卡点",
            "kind": kind,
            "jurisdiction_id": "C1",
            "location": [lon0 + dx, lat0 + dy],
            **extra,
        }

    posts = [
        post("P1", "checkpoint", 0.02, 0.02, min_staff=2),
        post("P2", "armed_checkpoint", 0.18, 0.02, min_staff=2, min_armed=1),
        post("P3", "kiosk", 0.10, 0.10),
        post("P4", "kiosk", 0.02, 0.18, hours=[[20, 24]]),
        post("P5", "standby_point", 0.18, 0.18),
        post("P6", "checkpoint", 0.10, 0.03),
    ]
    units = [
        {
            "id": "XT-01",
            "name": "巡特警一中队",
            "force": "patrol_swat",
            "jurisdiction_id": "C1",
            "base": [lon0 + 0.05, lat0 + 0.05],
            "phone": "0936-110",
        },
        {
            "id": "YJ-01",
            "name": "应急处突队",
            "force": "county_response",
            "jurisdiction_id": "C1",
            "base": [lon0 + 0.15, lat0 + 0.15],
        },
        {"id": "ZY-01", "name": "义务巡逻队", "force": "volunteer", "jurisdiction_id": "T0"},
    ]
    people = [
        {
            "id": f"B{i:03d}",
            "name": f"民警{i}",
            "force": "patrol_swat",
            "unit_id": "XT-01",
            "jurisdiction_id": "C1",
            "armed": i == 0,
            "phone": f"1390000{i:04d}",
        }
        for i in range(8)
    ]
    plan = [
        {"person_id": pid, "date": DAY, "shift_id": "day", "task": "post", "target_id": target}
        for pid, target in [
            ("B001", "P1"),
            ("B002", "P1"),
            ("B003", "P2"),
            ("B004", "P2"),
            ("B005", "P5"),
            ("B006", "P6"),
        ]
    ]
    plan.append(
        {"person_id": "B000", "date": DAY, "shift_id": "night", "task": "post", "target_id": "P2"}
    )
    data = {
        "format": "pingan-scenario",
        "version": "1.0",
        "name": "map test",
        "horizon": {"start": DAY, "days": 1},
        "jurisdictions": jurisdictions,
        "units": units,
        "people": people,
        "shifts": [
            {"id": "night", "name": "夜班", "start": "00:00", "hours": 8},
            {"id": "day", "name": "白班", "start": "08:00", "hours": 8},
            {"id": "evening", "name": "晚班", "start": "16:00", "hours": 8},
        ],
        "posts": posts,
        "zones": zones,
        "covers": [{"target_id": "P5", "shift_id": "day", "required": 3}],
        "incidents": [
            {
                "id": "JQ-1",
                "reported_at": f"{DAY}T10:15:00",
                "location": [lon0 + 0.12, lat0 + 0.08],
                "kind": "mass_incident",
                "severity": 3,
                "needs": {"headcount": 6, "armed": 2},
            },
        ],
        "published_plan": plan,
    }
    return parse_scenario(data)
