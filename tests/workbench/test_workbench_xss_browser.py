"""Stored XSS on the workbench: script put into every named thing — jurisdictions, zones,
units, posts, people, shifts (tests/maps/test_xss_browser.py's city), plan names, drill types,
venues and instructors, incidents (kind and note), an imported file's rows — is shown as text
on every workbench page and fragment: the plan list, result grids and edit dialog with its
check, the person × shift grid, the publish diff, the roster list, a person and the person's
edit form, the leave calendar and a leave entry with its re-plan job and publication, the
import preview, drills new → job → review → publish → calendar (a drill recorded with a
note), the incident panel with its coverage and backfill, my duties, and the audit log.

In Chromium with a dialog listener: no dialog may fire (but the confirmations our own forms
ask for), and no element may come out of the injected text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from api.app import create_app
from api.models import Role, User
from optimizer.scenario import parse_scenario
from rosters.db import session_scope
from rosters.plans import publish_plan, save_plan
from rosters.scenario_db import load_scenario_into_db
from tests.api.city import DAY, PLAN
from tests.api.conftest import add_users, api_settings, bearer, centre_today
from tests.api.server import serving
from tests.maps.conftest import BrowserPage
from tests.maps.test_xss_browser import INJECTED_IN_PAGE, PAYLOADS, evil_city
from tests.workbench.conftest import DESKTOP, log_in, shot
from tests.workbench.drill_city import INSTRUCTORS, REQUIREMENTS, TYPES, VENUES
from tests.workbench.test_roster_pages import HEADER, publish_plan_on

pytestmark = pytest.mark.browser
SOLVE = 60_000  # ms: the drill solve takes a few seconds; this is a safety net
EVIL = "".join(PAYLOADS)
#: what our own forms ask before acting (data-confirm-dialog): accepted, everything else fails
OWN_CONFIRMS = ("发布",)


@dataclass
class Evil:
    base: str
    engine: Engine
    draft_id: int
    person_badge: str


def _drill_duties(base: str) -> None:
    """The drill test city's duties with script for every name."""
    with httpx.Client(base_url=base, headers=bearer(Role.TRAINING_OFFICER), timeout=30) as c:
        for path, bodies in (
            ("drills/types", [t | {"name": PAYLOADS[0]} for t in TYPES]),
            ("drills/requirements", REQUIREMENTS),
            ("drills/venues", [v | {"name": PAYLOADS[2]} for v in VENUES]),
            ("drills/instructors", [i | {"name": PAYLOADS[1]} for i in INSTRUCTORS]),
        ):
            for body in bodies:
                r = c.post(f"/{path}", json=body)
                assert r.status_code == 201, (path, r.text)


def _incidents(base: str) -> None:
    """JQ-1 dispatched (its backfill), JQ-2 suggested only (its options and coverage)."""
    h = bearer(Role.DISPATCHER)
    with httpx.Client(base_url=base, headers=h, timeout=30) as c:
        for code, lon in (("JQ-1", 100.47), ("JQ-2", 100.49)):
            body = {"code": code, "kind": PAYLOADS[0], "lon": lon, "lat": 38.96, "severity": 3}
            r = c.post("/incidents", json=body | {"note": EVIL})
            assert r.status_code == 201, r.text
            r = c.post(f"/incidents/{code}/suggest", json={})
            assert r.status_code == 200, r.text
        r = c.post("/incidents/JQ-1/dispatch", json={"units": ["K1-U0"]})
        assert r.status_code == 200, r.text


@pytest.fixture
def evil(fresh_engine: Engine, bench_password_hash: str) -> Iterator[Evil]:
    add_users(fresh_engine, bench_password_hash)
    scenario = parse_scenario(evil_city())
    badge = PLAN[0][0]
    with session_scope(fresh_engine) as session:
        load_scenario_into_db(session, scenario, replace=True)
        plan_id = save_plan(
            session,
            name=PAYLOADS[1],
            start=DAY,
            days=1,
            status="feasible",
            assignments=scenario.published_plan,
        )
        publish_plan(session, plan_id, by="test")
        draft_id = save_plan(
            session,
            name=PAYLOADS[0] + PAYLOADS[3],
            start=DAY,
            days=1,
            status="feasible",
            assignments=scenario.published_plan,
        )
        admin = session.exec(select(User).where(User.username == "admin")).one()
        admin.person_badge = PLAN[-1][0]  # in K2: the leave re-plan (K1) keeps their shift
        session.add(admin)
    publish_plan_on(fresh_engine, centre_today() + dt.timedelta(days=1))
    app = create_app(api_settings(), fresh_engine)
    with serving(app) as base:
        _drill_duties(base)
        _incidents(base)
        yield Evil(base, fresh_engine, draft_id, badge)


class Watch:
    """The page's dialogs: our own confirmations accepted, any other one recorded."""

    def __init__(self, page: Any) -> None:
        self.fired: list[str] = []
        page.on("dialog", self._on)

    def _on(self, dialog: Any) -> None:
        if dialog.type == "confirm" and any(w in dialog.message for w in OWN_CONFIRMS):
            dialog.accept()
        else:
            self.fired.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()


def _clean(page: Any, *, shown: bool = True) -> None:
    """Nothing came out of the injected text; with ``shown``, some of it is on the page as
    text (the test looks at a page that holds the payloads)."""
    page.wait_for_load_state("load")
    assert page.evaluate(INJECTED_IN_PAGE) == 0, page.url
    if shown:
        text = page.inner_text("body")
        assert any(p in text for p in PAYLOADS), f"no payload shown on {page.url}"


def test_no_script_runs_on_the_workbench(evil: Evil, browser_page: BrowserPage) -> None:
    bp = browser_page
    page = bp.page
    page.set_viewport_size(DESKTOP)
    watch = Watch(page)
    base = evil.base
    log_in(page, base, "/pages/plan/list", "admin")
    _clean(page)

    # the plan: new (county names), the result grids, the edit dialog and its check
    page.goto(f"{base}/pages/plan/new")
    _clean(page, shown=False)
    assert PAYLOADS[1] in "".join(page.locator("#plan-county option").all_inner_texts())
    page.goto(f"{base}/pages/plan/{evil.draft_id}/work")
    page.wait_for_selector("#plan-grid-table")
    _clean(page)
    page.locator("button.plan-chip").first.click()
    page.wait_for_selector("#plan-edit-form")
    _clean(page)
    page.check("input[name=kind][value=move]")
    page.click("#plan-check")
    page.wait_for_selector("#plan-verdict-ok, #plan-verdict-bad")
    _clean(page)
    shot(bp, "xss-01-plan-edit")
    page.goto(f"{base}/pages/plan/{evil.draft_id}/work?view=person")
    page.wait_for_selector("#plan-grid-table")
    _clean(page)
    page.click("#plan-publish")  # the diff before publishing
    page.wait_for_selector("#plan-diff-summary")
    _clean(page)

    # the roster: list, a person, the person's form
    page.goto(f"{base}/pages/roster")
    _clean(page)
    page.locator("#roster-results a[href^='/pages/roster/']").first.click()
    page.wait_for_url("**/pages/roster/*")
    _clean(page)
    page.goto(page.url.split("?")[0] + "?edit=true")
    _clean(page, shown=False)

    # leave: an absence that breaks a published shift, its page, the month
    page.goto(f"{base}/pages/leave")
    day = centre_today() + dt.timedelta(days=1)
    page.fill("input[name=badge]", evil.person_badge)
    page.fill("input[name=start]", f"{day}T00:00")
    page.fill("input[name=end]", f"{day}T23:00")
    page.locator(".lv-form button[type=submit]").click()
    page.wait_for_url("**/pages/leave/*")
    _clean(page)
    page.select_option(".lv-replan select[name=seconds]", "5")
    page.click("#lv-replan")  # the re-plan job: its diff names the people
    page.wait_for_selector("#lv-job-card[data-status=succeeded]", timeout=SOLVE)
    _clean(page)
    page.click("#lv-publish")
    page.wait_for_selector("#lv-published")
    _clean(page)
    page.goto(f"{base}/pages/leave?month={day:%Y-%m}")
    _clean(page)

    # the import preview: every bad row shown with its values
    page.goto(f"{base}/pages/import")
    rows = (
        f"K1-7,{PAYLOADS[0]},巡特警,{PAYLOADS[1]},K1-T,是\n"
        f"K1-8,{PAYLOADS[2]},巡特警,K1-U0,K1-T,{PAYLOADS[3]}\n"
    )
    page.set_input_files(
        "#im-file",
        files=[{"name": "p.csv", "mimeType": "text/csv", "buffer": (HEADER + rows).encode()}],
    )
    page.click("#im-check")
    page.wait_for_selector("#im-report[data-outcome=failed]")
    _clean(page)
    shot(bp, "xss-02-import")

    # drills: new → job → review → publish → calendar
    page.goto(f"{base}/pages/drills/new")
    _clean(page, shown=False)
    page.fill("input[name=start]", (centre_today() + dt.timedelta(days=1)).isoformat())
    page.fill("input[name=days]", "31")
    page.select_option("select[name=county]", "K1")
    page.fill("input[name=seconds]", "5")
    page.click("#dr-start")
    page.wait_for_url("**/pages/drills/jobs/*")
    _clean(page, shown=False)
    page.wait_for_url("**/pages/drills/schedules/*", timeout=SOLVE)
    _clean(page)
    page.click("#dr-publish")
    page.wait_for_selector("#dr-published")
    _clean(page)
    page.click("#dr-to-calendar")
    page.wait_for_selector("#pa-calendar")
    _clean(page)
    drill = page.locator(".pa-drill").first  # recorded with a note: the fragment shows it
    drill.locator("input[name=note]").fill(EVIL)
    drill.locator("button[value=cancelled]").click()
    page.wait_for_selector(".pa-drill[data-status=cancelled]")
    _clean(page)
    assert PAYLOADS[1] in page.inner_text(".pa-drill[data-status=cancelled]")
    shot(bp, "xss-03-drills")

    # the incident panel on the wall: the bench, a suggestion's options with the coverage
    # each leaves, a dispatched incident with its backfill
    page.goto(f"{base}/pages/wall")
    page.wait_for_selector("#inc-bench", state="attached")
    page.wait_for_function("() => window.htmx && window.pingan && window.pingan.map")
    for code, part in (("JQ-2", "#inc-coverage-table"), ("JQ-1", ".inc-card")):
        page.evaluate(
            "(code) => window.htmx.ajax('GET', '/pages/incidents/' + code + '/panel',"
            " {target: '#inc-detail', swap: 'innerHTML'})",
            code,
        )
        page.wait_for_selector(f".inc-card[data-code='{code}']")
        page.wait_for_selector(part)
        page.wait_for_load_state("networkidle")
        _clean(page)
    shot(bp, "xss-04-incident")

    # my duties, the audit log
    page.goto(f"{base}/pages/me")
    page.wait_for_selector("#me-map[data-ready=true]")
    _clean(page)
    page.goto(f"{base}/pages/audit")
    _clean(page)
    shot(bp, "xss-05-audit")

    assert watch.fired == []
    bp.assert_no_external()
    bp.assert_no_errors()
