"""The plan workbench in Chromium, as a duty commander walks it: generate a plan for the
small test city (short limit) with its progress → the result page → a legal edit (checked
green, terms shown) → an illegal edit (red with the rule's name, saved only as an override
with a reason) → re-plan the rest (pins kept) → publish with the diff and confirmation, while
an open page of the older published plan says it was superseded. A screenshot per step at
1920×1080 and the result page at 390×844; no request leaves 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.api.city import DAY
from tests.workbench.conftest import DESKTOP, PHONE, Bench, log_in, shot

pytestmark = pytest.mark.browser
SOLVE = 60_000  # ms: the solves take a few seconds; this is a safety net


def test_commander_generates_edits_replans_and_publishes(bench: Bench, browser_page) -> None:  # type: ignore[no-untyped-def]
    bp = browser_page
    page = bp.page
    page.set_viewport_size(DESKTOP)
    log_in(page, bench.base, "/pages/plan/list", "commander")
    page.click("#plan-new-link")
    page.wait_for_url("**/pages/plan/new?**")
    page.select_option("#plan-county", "K1")
    page.fill("#plan-start", DAY.isoformat())
    page.fill("#plan-days", "1")
    page.fill("#plan-seconds", "3")
    shot(bp, "plan-01-new")
    page.click("#plan-generate")
    page.wait_for_url("**/pages/plan/jobs/**")
    page.wait_for_selector("#job-chart polyline.plan-line-obj", state="attached", timeout=SOLVE)
    page.wait_for_selector("#job-result:not([hidden])", timeout=SOLVE)
    assert page.text_content("#job-status") == "已完成"
    assert page.text_content("#job-objective") != "–"
    shot(bp, "plan-02-progress")

    page.click("#job-result")
    page.wait_for_selector("#plan-grid-table")
    assert page.is_visible("#plan-shortfalls") and page.is_visible("#plan-draft")
    assert "who may take it" not in (page.text_content("#plan-shortfalls") or "")  # Chinese
    shot(bp, "plan-03-result")

    # an older published plan open in another tab
    old = page.context.new_page()
    old.goto(f"{bench.base}/pages/plan/{bench.city.plan_id}/work")
    old.wait_for_selector("#plan-published")
    assert old.is_hidden("#plan-superseded")

    # a legal edit: move someone to another place in the same shift
    page.locator("button.plan-chip").first.click()
    page.wait_for_selector("#plan-edit-form")
    page.check("input[name=kind][value=move]")
    page.click("#plan-check")
    page.wait_for_selector("#plan-verdict-ok")
    assert page.locator("#plan-deltas tbody tr").count() > 0
    shot(bp, "plan-04-legal-edit")
    page.click("#plan-save")
    page.wait_for_selector("#plan-saved")
    page.wait_for_selector("button.plan-chip.plan-pinned")

    # an illegal edit: everyone of K1 works a shift that day; one more breaks a rule
    page.locator("button.plan-add").first.click()
    page.wait_for_selector("#plan-edit-form input[name=kind][value=add]", state="attached")
    page.locator(".plan-candidate:has(.wb-warn) input").first.check()
    page.click("#plan-check")
    page.wait_for_selector("#plan-verdict-bad")
    rules = page.text_content("#plan-broken") or ""
    assert "每天至多一班" in rules or "每班一项任务" in rules
    assert " works " not in rules and " has " not in rules  # the details in Chinese too
    page.click("#plan-override")  # no reason: the form refuses (required)
    assert page.is_hidden("#plan-saved") if page.locator("#plan-saved").count() else True
    shot(bp, "plan-05-illegal-edit")
    page.fill("#plan-reason", "大型活动临时加岗")
    page.click("#plan-override")
    page.wait_for_selector("#plan-saved")
    assert "越权" in (page.text_content("#plan-saved") or "")
    page.wait_for_selector("button.plan-chip.plan-override")
    shot(bp, "plan-06-override-saved")

    # re-plan the rest: the pins stay
    page.fill("input[name=seconds]", "3")
    page.click("#plan-replan")
    page.wait_for_url("**/pages/plan/jobs/**")
    page.wait_for_selector("#job-status[data-status=succeeded]", timeout=SOLVE)
    shot(bp, "plan-07-replan-progress")
    page.wait_for_selector("#job-result:not([hidden])")
    page.click("#job-result")
    page.wait_for_selector("#plan-grid-table")
    assert page.locator("button.plan-chip.plan-override").count() == 1
    # the re-plan keeps to the plan's county
    assert page.locator("#plan-filter-county option").count() == 2  # all, K1
    assert page.locator("button.plan-chip.plan-pinned").count() >= 2
    shot(bp, "plan-08-replanned")

    # publish: the diff, then the confirmation
    page.click("#plan-publish")
    page.wait_for_selector("#plan-diff-summary")
    shot(bp, "plan-09-publish-diff")
    page.check("#plan-confirm")
    page.click("#plan-publish-confirm")
    page.wait_for_selector("#plan-published")
    assert page.locator("button.plan-chip").count() == 0  # a published plan is read-only
    shot(bp, "plan-10-published")
    # the older plan's open page hears it was superseded
    old.wait_for_selector("#plan-superseded:not([hidden])", timeout=15_000)
    old.close()

    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("#plan-grid-table")
    shot(bp, "plan-11-result-phone")
    bp.assert_no_errors()
    bp.assert_no_external()
