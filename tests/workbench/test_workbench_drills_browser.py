"""The drill workflow in Chromium, as a training officer walks it: schedule drills for a county
of the small test city (a short solve), follow the job, review, publish, open the calendar and
record a drill; the calendar and the scheduling form at phone size. A screenshot per step
(test-artifacts/workbench/), no request off this machine."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import centre_today
from tests.maps.conftest import BrowserPage
from tests.workbench.conftest import DESKTOP, PHONE, Bench, log_in, shot
from tests.workbench.drill_city import add_drill_duties

pytestmark = pytest.mark.browser


def test_schedule_publish_and_record_drills(bench: Bench, browser_page: BrowserPage) -> None:
    add_drill_duties(bench.base, bench.api())
    bp = browser_page
    page = bp.page
    page.set_viewport_size(DESKTOP)
    log_in(page, bench.base, "/pages/drills/new", "training_officer")
    start = (centre_today() + dt.timedelta(days=1)).isoformat()
    page.fill("input[name=start]", start)
    page.fill("input[name=days]", "31")
    page.select_option("select[name=county]", "K1")
    page.fill("input[name=seconds]", "5")
    shot(bp, "drills-1-new")
    page.click("#dr-start")
    page.wait_for_url("**/pages/drills/jobs/*")
    page.wait_for_selector("#dr-job")
    shot(bp, "drills-2-job")
    job_url = page.url
    page.wait_for_url("**/pages/drills/schedules/*", timeout=120_000)
    review_url = page.url
    page.goto(job_url)  # the page of a job that has already succeeded goes to its review too
    page.wait_for_url(review_url)
    assert page.locator("#dr-sessions tbody tr").count() == 1
    assert page.locator("#dr-shortfalls .wb-badge").inner_text() == "0"
    shot(bp, "drills-3-review")
    page.once("dialog", lambda d: d.accept())
    page.click("#dr-publish")
    page.wait_for_selector("#dr-published")
    assert "新增 1" in page.inner_text("#dr-published")
    shot(bp, "drills-4-published")
    page.click("#dr-to-calendar")
    page.wait_for_selector("#pa-calendar")
    assert page.locator("#pa-county").input_value() == "K1"
    drill = page.locator(".pa-drill").first
    assert drill.get_attribute("data-status") == "scheduled"
    assert drill.locator("button[value=done]").count() == 0  # not started yet
    drill.scroll_into_view_if_needed()
    shot(bp, "drills-5-calendar")
    # a refusal of the service is said in the toast (here: a forged "done" for a future drill)
    page.evaluate(
        """() => {
            const form = document.querySelector(".pa-drill .pa-record");
            const done = document.createElement("button");
            done.type = "submit"; done.name = "status"; done.value = "done"; done.id = "forged";
            form.appendChild(done);
        }"""
    )
    page.click("#forged")
    toast = page.wait_for_selector("#wb-toast:not([hidden])")
    assert "尚未开始，不能记录为已完成" in toast.inner_text()
    drill.locator("input[name=note]").fill("大风停训")
    drill.locator("button[value=cancelled]").click()
    page.wait_for_selector(".pa-drill[data-status=cancelled]")
    assert "已取消" in page.inner_text(".pa-drill[data-status=cancelled]")
    shot(bp, "drills-6-recorded")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector(".pa-drill[data-status=cancelled]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the calendar scrolls sideways on a phone ({width} px)"
    shot(bp, "drills-7-calendar-phone")
    page.goto(f"{bench.base}/pages/drills/new")
    shot(bp, "drills-8-new-phone")
    bp.assert_no_external()
    bp.assert_no_errors()
