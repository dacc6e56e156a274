"""The roster, leave, import, my-duties and audit pages in Chromium, as a duty commander and
an officer walk them: add a person → add leave that breaks a published shift → re-plan the
broken shifts (the job completes; the person is off those shifts once published) → import a
file with bad rows (listed, nothing written) then a good file (written) → the officer's
phone page → the audit page listing those writes. A screenshot per step (the roster and my
duties at 1920×1080 and 390×844); no request leaves 127.0.0.1."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.models import User
from rosters.db import session_scope
from rosters.models import Person
from rosters.plans import published_assignments
from tests.api.conftest import centre_today
from tests.workbench.conftest import DESKTOP, PHONE, Bench, log_in, shot
from tests.workbench.test_roster_pages import BAD_CSV, GOOD_CSV, _drill_for, publish_plan_on

pytestmark = pytest.mark.browser
SOLVE = 60_000  # ms: the re-plan takes a few seconds; this is a safety net


def test_commander_adds_a_person_leave_replans_imports_and_reads_the_audit(  # type: ignore[no-untyped-def]
    bench: Bench, browser_page
) -> None:
    bp = browser_page
    page = bp.page
    day = centre_today() + dt.timedelta(days=3)
    publish_plan_on(bench.engine, day)

    # the roster: search, add a person
    page.set_viewport_size(DESKTOP)
    log_in(page, bench.base, "/pages/roster", "commander")
    assert "共 6 人" in (page.text_content("#rs-count") or "")
    page.fill("input[name=q]", "临泽")
    expect(page.locator("#rs-count")).to_contain_text("共 3 人")
    shot(bp, "roster-01-list-desktop")
    page.set_viewport_size(PHONE)
    shot(bp, "roster-01-list-phone")
    page.set_viewport_size(DESKTOP)
    page.click("#rs-add")
    page.wait_for_url("**/pages/roster/new")
    page.fill("input[name=badge]", "K1 9")  # a space: refused at the field
    page.fill("input[name=name]", "新民警")
    page.select_option("select[name=jurisdiction]", "K1-T")
    page.select_option("select[name=unit]", "K1-U0")
    page.fill("input[name=phone]", "13900000009")
    page.locator("input[name=cert_skill]").first.fill("first_aid")
    page.locator("input[name=cert_expires]").first.fill("2030-06-30")
    page.click("#rs-save")
    page.wait_for_selector("#err-badge")
    assert "不能含空格" in (page.text_content("#err-badge") or "")
    shot(bp, "roster-02-field-error")
    page.fill("input[name=badge]", "K1-9")
    page.click("#rs-save")
    page.wait_for_selector("#rs-saved")
    assert "有效至 2030-06-30" in page.content()
    shot(bp, "roster-03-person-desktop")
    page.set_viewport_size(PHONE)
    shot(bp, "roster-03-person-phone")
    page.set_viewport_size(DESKTOP)
    with Session(bench.engine) as s:
        assert s.exec(select(Person.name).where(Person.badge == "K1-9")).one() == "新民警"
    # deactivate (asked first), then take it back
    page.once("dialog", lambda d: d.accept())
    page.click("#rs-deactivate")
    page.wait_for_selector("#rs-reactivate")
    assert "已停用" in (page.text_content("h1") or "")
    shot(bp, "roster-04-deactivated")
    page.click("#rs-reactivate")
    page.wait_for_selector("#rs-deactivate")
    with Session(bench.engine) as s:
        assert s.exec(select(Person.active).where(Person.badge == "K1-9")).one() is True

    # leave that breaks K1-0's published day shift, and the re-plan of that day
    page.goto(f"{bench.base}/pages/leave?month={day.strftime('%Y-%m')}")
    page.fill("input[name=badge]", "K1-0")
    page.select_option("select[name=kind]", "sick")
    page.fill("input[name=start]", f"{day.isoformat()}T00:00")
    page.fill("input[name=end]", f"{day.isoformat()}T23:59")
    shot(bp, "leave-01-form")
    page.click("#lv-save")
    page.wait_for_selector("#lv-broken-table")
    assert "甘州区北门卡点" in (page.text_content("#lv-broken-table") or "")
    shot(bp, "leave-02-broken-shifts")
    page.select_option("select[name=seconds]", "5")
    page.click("#lv-replan")
    page.wait_for_selector("#lv-job-card[data-status=succeeded]", timeout=SOLVE)
    assert "K1-0" in (page.text_content("#lv-removed") or "")
    shot(bp, "leave-03-replanned")
    page.set_viewport_size(PHONE)
    shot(bp, "leave-03-replanned-phone")
    page.set_viewport_size(DESKTOP)
    page.once("dialog", lambda d: d.accept())
    page.click("#lv-publish")
    page.wait_for_selector("#lv-published")
    shot(bp, "leave-04-published")
    with Session(bench.engine) as s:
        after = published_assignments(s, day, 1)
    assert after and "K1-0" not in {a.person_id for a in after}
    page.goto(f"{bench.base}/pages/leave?month={day.strftime('%Y-%m')}")
    assert page.locator(f"td[data-date='{day.isoformat()}'] .lv-item").count() == 1
    shot(bp, "leave-05-calendar")
    page.set_viewport_size(PHONE)
    shot(bp, "leave-05-calendar-phone")
    page.set_viewport_size(DESKTOP)

    # import: a file with bad rows (listed, nothing written), then a good one
    page.goto(f"{bench.base}/pages/import")
    page.select_option("#im-kind", "people")
    page.set_input_files(
        "#im-file",
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode()}],
    )
    page.click("#im-check")
    page.wait_for_selector("#im-report[data-outcome=failed]")
    assert "共 3 处错误" in (page.text_content("#im-error-count") or "")
    assert page.locator("#im-errors tbody tr").count() == 3
    assert page.is_disabled("#im-commit")
    shot(bp, "import-01-bad-rows")
    page.set_viewport_size(PHONE)
    shot(bp, "import-01-bad-rows-phone")
    page.set_viewport_size(DESKTOP)
    page.set_input_files(
        "#im-file",
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": GOOD_CSV.encode()}],
    )
    page.click("#im-check")
    page.wait_for_selector("#im-report[data-outcome=checked]")
    with Session(bench.engine) as s:
        assert s.exec(select(Person).where(Person.badge == "K1-7")).first() is None
    page.wait_for_selector("#im-commit:not([disabled])")
    shot(bp, "import-02-checked")
    page.click("#im-commit")
    page.wait_for_selector("#im-report[data-outcome=written]")
    assert "新增 2" in (page.text_content("#im-written") or "")
    shot(bp, "import-03-written")
    with Session(bench.engine) as s:
        assert s.exec(select(Person).where(Person.badge == "K1-7")).first() is not None

    # the audit log lists those writes
    page.goto(f"{bench.base}/pages/audit")
    rows = page.locator("#audit-results tbody tr")
    seen = {(r.get_attribute("data-action"), r.get_attribute("data-entity")) for r in rows.all()}
    assert {
        ("create", "person"),
        ("create", "absence"),
        ("solve", "job"),
        ("publish", "plan"),
        ("import", "people"),
    } <= seen
    shot(bp, "audit-01-desktop")
    page.select_option("select[name=action]", "import")
    expect(page.locator("#au-count")).to_contain_text("共 1 条")
    shot(bp, "audit-02-filtered")
    bp.assert_no_errors()


def test_an_officer_reads_their_duties_on_a_phone(bench: Bench, browser_page) -> None:  # type: ignore[no-untyped-def]
    bp = browser_page
    page = bp.page
    day = centre_today() + dt.timedelta(days=1)
    publish_plan_on(bench.engine, day)
    _drill_for(bench.engine, "K2-U0", day + dt.timedelta(days=2))
    page.set_viewport_size(PHONE)
    log_in(page, bench.base, "/pages/me", "viewer")
    page.wait_for_selector("#me-unlinked")
    shot(bp, "me-01-unlinked-phone")
    with session_scope(bench.engine) as s:
        user = s.exec(select(User).where(User.username == "viewer")).one()
        user.person_badge = "K2-1"
        s.add(user)
    page.reload()
    page.wait_for_selector("#me-map[data-ready=true]")
    assert page.locator("#me-duties li").count() == 1
    assert "临泽县东站武装卡点" in (page.text_content("#me-duties") or "")
    assert page.locator("#me-map .me-marker").count() == 1
    assert page.locator(".me-drill-list li").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"
    current = page.locator(".pa-nav a.pa-current").bounding_box()
    assert current and current["x"] >= 0 and current["x"] + current["width"] <= PHONE["width"], (
        "the navigation bar hides the current page's link on a phone"
    )
    shot(bp, "me-02-phone")
    page.set_viewport_size(DESKTOP)
    shot(bp, "me-03-desktop")
    bp.assert_no_errors()
