"""Map figures: build time, HTML size, time to first render in headless Chromium.

    .venv/bin/python benchmarks/bench_maps.py [--points 3000] [--no-browser]

Cases:
- ``points``: a map of N clustered markers (pingan's PointLayer) over 16 zones, and for
  comparison the same markers as one folium ``Marker`` each inside a ``MarkerCluster``;
- ``city``: a synthetic city of the medium scale (6 counties, 60 townships, 360 zones,
  240 posts, 120 units, 20 incidents, 3 shifts × 7 days) as the wall situation map and as
  the plan map with its 21-step shift slider.

- ``wall``: the wall page (指挥大屏) of the demo city (`--wall-size`, default ``medium``:
  the whole city, ~2,300 units clustered) served by the real API from a SQLite database with
  20 open incidents: server build time of the page, its size, the time from navigation to
  the map drawn with its clusters, the incident list and the live event stream connected,
  and the time from an incident reported through the API to its row on the open page.

For each: build seconds (scenario → folium Map → HTML), HTML size served (assets linked)
and standalone (everything inlined), peak Python memory of the build, and the time from
navigation to the map drawn (Leaflet loaded and the markers or clusters in the DOM) in
Debian's /usr/bin/chromium, served from 127.0.0.1 and opened from file://.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import random
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import folium
from folium.plugins import MarkerCluster

from maps.build import add_points, add_risk_zones, base_map, finish_map
from maps.elements import MapPoint
from maps.offline import STATIC_DIR, render_html, standalone_html, use_local_assets
from maps.popups import popup_table
from maps.scenario_layers import DispatchLine
from maps.scenario_map import plan_map, situation_map
from optimizer.scenario import Scenario, parse_scenario

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LON0, LAT0 = 100.20, 38.70


def square(lon: float, lat: float, w: float, h: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def grid_zones(n_side: int = 4) -> dict[str, Any]:
    step = 0.6 / n_side
    feats = [
        {
            "type": "Feature",
            "properties": {"id": f"Z{i}", "name": f"责任区{i}", "risk": float(i)},
            "geometry": square(LON0 + step * (i % n_side), LAT0 + step * (i // n_side), step, step),
        }
        for i in range(n_side * n_side)
    ]
    return {"type": "FeatureCollection", "features": feats}


def random_points(n: int, seed: int = 1) -> list[MapPoint]:
    rnd = random.Random(seed)
    return [
        MapPoint(
            lat=LAT0 + 0.6 * rnd.random(),
            lon=LON0 + 0.6 * rnd.random(),
            icon="shield-halved",
            tooltip=f"点位 {i}",
            popup=popup_table(f"点位 {i}", [("电话", "0936-1234567"), ("值守人员", "张三 李四")]),
            key=f"P{i}",
        )
        for i in range(n)
    ]


def points_map(points: list[MapPoint]) -> folium.Map:
    m = base_map()
    add_risk_zones(m, grid_zones())
    add_points(m, points, name="点位", key="pts")
    return finish_map(m)


def folium_markers_map(points: list[MapPoint]) -> folium.Map:
    m = base_map()
    add_risk_zones(m, grid_zones())
    cluster = MarkerCluster(name="点位").add_to(m)
    for p in points:
        folium.Marker(
            [p.lat, p.lon],
            tooltip=p.tooltip,
            popup=folium.Popup(p.popup, max_width=360),
            icon=folium.Icon(color="blue", icon="shield-halved", prefix="fa"),
        ).add_to(cluster)
    return finish_map(m)


def medium_city(seed: int = 3) -> Scenario:
    """6 counties × 10 townships × 6 zones, 4 posts per township, 20 units per county."""
    rnd = random.Random(seed)
    jur: list[dict[str, Any]] = [{"id": "CITY", "name": "示范市", "level": "city"}]
    zones, posts, units, people, plan = [], [], [], [], []
    cw, ch = 0.5, 0.5  # county size in degrees
    start = dt.date(2025, 5, 5)
    shifts = [("night", "夜班", "00:00"), ("day", "白班", "08:00"), ("evening", "晚班", "16:00")]
    for c in range(6):
        cx, cy = LON0 + cw * (c % 3), LAT0 + ch * (c // 3)
        cid = f"C{c}"
        jur.append(
            {
                "id": cid,
                "name": f"县区{c}",
                "level": "county",
                "parent_id": "CITY",
                "boundary": square(cx, cy, cw, ch),
            }
        )
        for t in range(10):
            tx, ty = cx + cw / 5 * (t % 5), cy + ch / 2 * (t // 5)
            tid = f"{cid}T{t}"
            jur.append(
                {
                    "id": tid,
                    "name": f"街道{c}-{t}",
                    "level": "township",
                    "parent_id": cid,
                    "boundary": square(tx, ty, cw / 5, ch / 2),
                }
            )
            for z in range(6):
                zx, zy = tx + cw / 5 / 3 * (z % 3), ty + ch / 2 / 2 * (z // 3)
                base = rnd.uniform(0.5, 5)
                zones.append(
                    {
                        "id": f"{tid}Z{z}",
                        "name": f"责任区{c}-{t}-{z}",
                        "jurisdiction_id": tid,
                        "geometry": square(zx, zy, cw / 15, ch / 4),
                        "risk": [
                            [round(base * (1.8 if h >= 20 or h < 2 else 1.0), 2) for h in range(24)]
                            for _ in range(7)
                        ],
                    }
                )
            for p in range(4):
                kind = ["checkpoint", "armed_checkpoint", "kiosk", "standby_point"][p]
                posts.append(
                    {
                        "id": f"{tid}P{p}",
                        "name": f"卡点{c}-{t}-{p}",
                        "kind": kind,
                        "jurisdiction_id": tid,
                        "location": [tx + rnd.uniform(0, cw / 5), ty + rnd.uniform(0, ch / 2)],
                        "min_staff": 2,
                        "min_armed": 1 if kind == "armed_checkpoint" else 0,
                    }
                )
        for u in range(20):
            uid = f"{cid}U{u}"
            force = ["patrol_swat", "county_response", "township_force", "full_time_patrol"][u % 4]
            units.append(
                {
                    "id": uid,
                    "name": f"中队{c}-{u}",
                    "force": force,
                    "jurisdiction_id": cid,
                    "base": [cx + rnd.uniform(0, cw), cy + rnd.uniform(0, ch)],
                    "phone": "0936-110",
                }
            )
            for k in range(8):
                people.append(
                    {
                        "id": f"{uid}-{k}",
                        "name": f"民警{c}{u}{k}",
                        "force": force,
                        "unit_id": uid,
                        "jurisdiction_id": cid,
                        "armed": k < 3,
                        "phone": "13900000000",
                    }
                )
    pids = [p["id"] for p in people]
    for d in range(7):
        day = (start + dt.timedelta(days=d)).isoformat()
        for s, _, _ in shifts:
            rnd.shuffle(pids)
            it = iter(pids)
            for post in posts:
                for _ in range(rnd.choice([0, 1, 2, 2, 2])):
                    plan.append(
                        {
                            "person_id": next(it),
                            "date": day,
                            "shift_id": s,
                            "task": "post",
                            "target_id": post["id"],
                        }
                    )
    incidents = [
        {
            "id": f"JQ-{i}",
            "reported_at": f"{start.isoformat()}T10:{i:02d}:00",
            "location": [LON0 + rnd.uniform(0, 1.5), LAT0 + rnd.uniform(0, 1.0)],
            "kind": "violent",
            "severity": rnd.randint(1, 4),
        }
        for i in range(20)
    ]
    return parse_scenario(
        {
            "format": "pingan-scenario",
            "version": "1.0",
            "name": "medium (synthetic)",
            "horizon": {"start": start.isoformat(), "days": 7},
            "jurisdictions": jur,
            "units": units,
            "people": people,
            "shifts": [{"id": i, "name": n, "start": t, "hours": 8} for i, n, t in shifts],
            "posts": posts,
            "zones": zones,
            "incidents": incidents,
            "published_plan": plan,
        }
    )


def measure(build: Callable[[], folium.Map]) -> tuple[str, str, float, float]:
    """(served html, standalone html, build seconds, peak MiB). Timed without tracemalloc;
    the peak comes from a second, traced build."""
    t0 = time.perf_counter()
    served = render_html(build())
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    render_html(build())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return served, standalone_html(build()), seconds, peak / 2**20


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = path.split("?")[0]
            if path.startswith("/static/"):
                return str(STATIC_DIR / path.removeprefix("/static/"))
            return str(root / path.lstrip("/"))

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def first_render(browser: Any, url: str, repeats: int = 3) -> tuple[float, int]:
    """Median seconds from navigation to the map drawn, in a fresh context each time; and
    how many requests left the machine (must be 0)."""
    times, external = [], 0
    for _ in range(repeats):
        ctx = browser.new_context(viewport={"width": 1600, "height": 900})
        page = ctx.new_page()
        leaks: list[str] = []

        def guard(route: Any, leaks: list[str] = leaks) -> None:
            host = route.request.url.split("/")[2] if "://" in route.request.url else ""
            if route.request.url.startswith(("file:", "data:")) or host.split(":")[0] in (
                "127.0.0.1",
                "localhost",
            ):
                route.continue_()
            else:
                leaks.append(route.request.url)
                route.abort()

        ctx.route("**/*", guard)
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            "() => window.pingan && window.pingan.map && window.pingan.map._loaded && "
            "document.querySelectorAll('.leaflet-marker-icon').length > 0",
            timeout=120_000,
        )
        times.append(time.perf_counter() - t0)
        external += len(leaks)
        ctx.close()
    return sorted(times)[len(times) // 2], external


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=3000)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--wall-size", default="medium", help="demo city size, or 'none'")
    args = ap.parse_args()
    use_local_assets("/static")

    pts = random_points(args.points)
    t0 = time.perf_counter()
    city = medium_city()
    city_seconds = time.perf_counter() - t0
    at = dt.datetime(2025, 5, 5, 21, 0)
    dispatches = [DispatchLine("JQ-0", "C0U0", "dispatched"), DispatchLine("JQ-0", "C0U1")]
    cases: dict[str, Callable[[], folium.Map]] = {
        f"points {args.points} (PointLayer)": lambda: points_map(pts),
        f"points {args.points} (folium Marker each)": lambda: folium_markers_map(pts),
        "medium city: situation map": lambda: situation_map(
            city, at=at, plan=city.published_plan, dispatches=dispatches
        ),
        "medium city: plan map, 21 shifts": lambda: plan_map(city, city.published_plan),
    }
    print(
        f"medium city (synthetic): {len(city.jurisdictions)} jurisdictions, {len(city.zones)} "
        f"zones, {len(city.posts)} posts, {len(city.units)} units, {len(city.people)} people, "
        f"{len(city.published_plan)} assignments; scenario built in {city_seconds:.2f} s"
    )
    results = {}
    for name, build in cases.items():
        served, alone, seconds, peak = measure(build)
        results[name] = (served, alone)
        print(
            f"{name:42s} build {seconds:6.2f} s  peak {peak:6.1f} MiB  "
            f"html {len(served.encode()) / 1e6:6.2f} MB  standalone "
            f"{len(alone.encode()) / 1e6:6.2f} MB"
        )
    if args.no_browser or not CHROMIUM.exists():
        print("browser: skipped (no /usr/bin/chromium or --no-browser)")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        root = Path(tmp)
        server, base = serve(root)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for i, (name, (served, alone)) in enumerate(results.items()):
                (root / f"{i}.html").write_text(served, encoding="utf-8")
                (root / f"{i}-alone.html").write_text(alone, encoding="utf-8")
                http_s, http_ext = first_render(browser, f"{base}/{i}.html")
                file_s, file_ext = first_render(browser, (root / f"{i}-alone.html").as_uri())
                print(
                    f"{name:42s} first render: served {http_s:5.2f} s, standalone file "
                    f"{file_s:5.2f} s  (external requests: {http_ext + file_ext})"
                )
            if args.wall_size != "none":
                bench_wall(browser, args.wall_size, root)
        finally:
            browser.close()
            server.shutdown()


# --- the wall page, served by the API ---------------------------------------------------

WALL_READY = (
    "() => window.pingan && window.pingan.map && window.pingan.map._loaded && "
    "document.querySelectorAll('.leaflet-marker-icon').length > 0 && "
    "document.querySelectorAll('#pa-incidents li').length > 0 && "
    "window.pingan.live && window.pingan.live.state === 'live'"
)


def _uvicorn(app: Any) -> tuple[Any, str]:
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def bench_wall(browser: Any, size: str, root: Path) -> None:
    """The wall page of the demo city through the real server."""
    import httpx
    import psutil

    from api.app import create_app
    from api.auth import create_token
    from api.models import Role, User
    from rosters.db import make_engine, migrate, session_scope
    from rosters.demo_city import build_demo_city
    from rosters.scenario_db import load_scenario_into_db
    from rosters.settings import Settings

    secret = "bench-secret-key-long-enough-for-hs256-signing"
    t0 = time.perf_counter()
    city = build_demo_city(size, seed=2026, start=dt.date.today(), days=1)  # type: ignore[arg-type]
    engine = make_engine(f"sqlite:///{root / 'wall.db'}")
    migrate(engine)
    with session_scope(engine) as session:
        load_scenario_into_db(session, city, replace=True)
        session.add(User(username="bench", role="admin", password_hash="!"))
    print(
        f"wall ({size} demo city): {len(city.units)} units, {len(city.people)} people, "
        f"{len(city.posts)} posts, {len(city.zones)} zones; loaded in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    settings = Settings(
        secret_key=secret, scheduler_enabled=False, events_poll_seconds=0.2, standards_file=""
    )
    app = create_app(settings, engine)
    server, base = _uvicorn(app)
    admin = User(username="bench", role=Role.ADMIN.value, password_hash="")
    token = create_token(secret, admin, 60)[0]
    auth = {"Authorization": f"Bearer {token}"}
    rng = random.Random(5)
    lons = [u.base[0] for u in city.units if u.base]
    lats = [u.base[1] for u in city.units if u.base]
    for i in range(20):
        body = {
            "code": f"JQ-{i:03d}",
            "kind": "violent",
            "severity": rng.randint(1, 4),
            "lon": rng.uniform(min(lons), max(lons)),
            "lat": rng.uniform(min(lats), max(lats)),
        }
        httpx.post(f"{base}/incidents", json=body, headers=auth, timeout=60).raise_for_status()
    cookies = {"pingan_token": token}
    try:
        builds, size_mb = [], 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            r = httpx.get(f"{base}/pages/wall", cookies=cookies, timeout=300)
            builds.append(time.perf_counter() - t0)
            r.raise_for_status()
            size_mb = len(r.content) / 1e6
        renders, markers = [], 0
        for _ in range(3):
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            ctx.add_cookies([{"name": "pingan_token", "value": token, "url": base}])
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(f"{base}/pages/wall", wait_until="commit")
            page.wait_for_function(WALL_READY, timeout=300_000)
            renders.append(time.perf_counter() - t0)
            markers = page.locator(".leaflet-marker-icon").count()
            units = page.evaluate("window.pingan.layers.units.getLayers().length")
            ctx.close()
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
        ctx.add_cookies([{"name": "pingan_token", "value": token, "url": base}])
        page = ctx.new_page()
        page.goto(f"{base}/pages/wall")
        page.wait_for_function(WALL_READY, timeout=300_000)
        body = {"code": "JQ-NEW", "kind": "fire", "lon": lons[0], "lat": lats[0]}
        t0 = time.perf_counter()
        httpx.post(f"{base}/incidents", json=body, headers=auth, timeout=60).raise_for_status()
        page.wait_for_selector("#pa-incidents li[data-code='JQ-NEW']", timeout=60_000)
        push = time.perf_counter() - t0
        ctx.close()
    finally:
        server.should_exit = True
    med = sorted(builds)[1], sorted(renders)[1]
    print(
        f"{'wall page (' + size + ')':42s} server build {med[0]:5.2f} s  html {size_mb:5.2f} MB  "
        f"first render {med[1]:5.2f} s  ({units} unit pins in "
        f"{markers} drawn markers/clusters)  incident → row {push:4.2f} s  "
        f"process RSS {psutil.Process().memory_info().rss / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()
