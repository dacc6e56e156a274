"""The plan pages in Chinese say nothing in English but ids, codes and the city's own names:
a plan generated from the page, with its shortfalls and their reasons (the reverse of
test_the_plan_pages_in_english_say_nothing_in_chinese)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.workbench.test_plan_http import DAY, city, client, log_in  # noqa: F401
from tests.workbench.test_workbench_chinese import english_left


def test_a_generated_plan_and_its_shortfalls_in_chinese(
    client: TestClient,  # noqa: F811
    fresh_engine: Engine,
) -> None:
    h = {"X-CSRF-Token": log_in(client, "commander")}
    out = client.post(
        "/pages/plan/new",
        data={"county": "K1", "start": DAY.isoformat(), "days": "1", "seconds": "3"},
        headers=h,
        follow_redirects=False,
    )
    assert out.status_code == 303
    job_url = out.headers["location"].split("?")[0]
    deadline = time.monotonic() + 120
    progress = client.get(f"{job_url}/progress").json()
    while not progress["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
        progress = client.get(f"{job_url}/progress").json()
    assert progress["status"] == "succeeded"
    page = client.get(progress["plan_url"] + "?lang=zh").text
    assert 'id="plan-shortfalls"' in page
    # the plan's name is data (api/solves.py names an unnamed plan "patrol <day>"); Excel is
    # the program's name
    page = page.replace(f"patrol {DAY.isoformat()}", " ")
    assert [w for w in english_left(page) if w != "Excel"] == []
    assert "可承担" in page  # shortfalls with their reasons, in Chinese
