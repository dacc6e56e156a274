"""Plan workbench figures on the medium demo city (the whole city, one day): the result page
of a plan of every post, zone and standby of the city, served by the real app from SQLite.

    .venv/bin/python benchmarks/bench_plan_workbench.py [--size medium] [--no-browser]

Prints: the plan's rows; server time of the result page (first page of the post × shift
grid), of a filtered grid fragment and of the person × shift grid; the time of the first
edit check and of the next (the plan's scenario and instance they need are built in the
background when a commander opens the page, and kept 5 minutes: that build is timed
first); and, in Debian Chromium, the time from navigation to first contentful paint and to
the grid in the DOM. The plan is the greedy plan of the day (its rows stand in for a
solver's plan: the page reads rows, it never solves)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_password
from optimizer.patrol.greedy import greedy_plan
from optimizer.patrol.instance import build_instance
from optimizer.patrol.plans import assignments_of
from rosters.db import make_engine, migrate, session_scope
from rosters.demo_city import build_demo_city
from rosters.plans import save_plan
from rosters.scenario_db import load_scenario_into_db

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.api.conftest
from tests.api.conftest import PASSWORD, add_users, api_settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
HX = re.compile(r'"X-CSRF-Token": "([^"]+)"')


def _timed(client: TestClient, url: str) -> tuple[float, float, int]:
    """Wall and CPU seconds (this process: the app runs in it) of a GET, and its size."""
    t0, c0 = time.perf_counter(), time.process_time()
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return time.perf_counter() - t0, time.process_time() - c0, len(r.content)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="medium")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    scenario = build_demo_city(args.size, days=1)
    inst = build_instance(scenario)
    plan = assignments_of(inst, greedy_plan(inst))
    tmp = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    migrate(engine)
    add_users(engine, hash_password(PASSWORD))
    with session_scope(engine) as session:
        load_scenario_into_db(session, scenario, replace=True)
        plan_id = save_plan(
            session,
            name="bench",
            start=scenario.horizon.start,
            days=1,
            status="feasible",
            assignments=plan,
        )
    print(f"plan {plan_id}: {len(plan)} assignments ({args.size} city, 1 day)")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    app = create_app(api_settings(), engine)
    with TestClient(app) as client:
        token = TOKEN.search(client.get("/pages/login").text).group(1)  # type: ignore[union-attr]
        client.post(
            "/pages/login",
            data={"username": "commander", "password": PASSWORD, "csrf_token": token},
        )
        work = f"/pages/plan/{plan_id}/work"
        t0 = time.perf_counter()
        _timed(client, work)  # warm-up (imports, templates); starts the workspace build
        for thread in threading.enumerate():
            if thread.name.startswith("pingan-workspace-"):
                thread.join()
        print(
            f"{'workspace built in the background':40s} {(time.perf_counter() - t0) * 1000:7.0f} ms"
        )
        for label, url in (
            ("result page (post x shift, page 1)", work),
            ("result page (person x shift)", f"{work}?view=person"),
            ("grid fragment (one shift, page 3)", f"/pages/plan/{plan_id}/grid?shift=day&page=3"),
            ("grid fragment (search)", f"/pages/plan/{plan_id}/grid?search=01"),
        ):
            seconds, cpu, size = _timed(client, url)
            print(
                f"{label:40s} {seconds * 1000:7.0f} ms  (CPU {cpu * 1000:5.0f} ms) "
                f"{size / 1024:5.0f} KiB"
            )
        hx = HX.search(client.get(work).text).group(1)  # type: ignore[union-attr]
        first = plan[0]
        other = next(a for a in plan if a.target_id != first.target_id)
        edit = {
            "kind": "add",
            "person": other.person_id,
            "date": first.date.isoformat(),
            "shift": first.shift_id,
            "target": first.target_id,
        }
        for label in ("edit check (first, workspace built)", "edit check (next)"):
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.post(f"/pages/plan/{plan_id}/check", data=edit, headers={"X-CSRF-Token": hx})
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f"{label:40s} {wall * 1000:7.0f} ms  (CPU {cpu * 1000:5.0f} ms)")
            assert r.status_code == 200, r.text[:300]
    if args.no_browser:
        return
    from playwright.sync_api import sync_playwright

    from tests.api.server import serving

    with serving(create_app(api_settings(), engine)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{base}/pages/login")
        page.fill("input[name=username]", "commander")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        t0 = time.perf_counter()
        page.goto(f"{base}/pages/plan/{plan_id}/work")
        page.wait_for_selector("#plan-grid-table tbody tr")
        grid = time.perf_counter() - t0
        fcp = page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
        )
        print(f"{'browser: first contentful paint':40s} {fcp or 0:7.0f} ms")
        print(f"{'browser: navigation to grid in the DOM':40s} {grid * 1000:7.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()
