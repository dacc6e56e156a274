"""The drill and incident pages in English say nothing in Chinese but the city's own names
(counties, units, drills, venues, people)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.api.city import city_data
from tests.workbench import drill_city
from tests.workbench.test_drills_pages import client, hx, log_in, schedule  # noqa: F401
from tests.workbench.test_incidents_pages import report

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def data_names() -> list[str]:
    data = city_data()
    names = [
        x["name"]
        for key in ("jurisdictions", "units", "people", "posts", "zones")
        for x in data[key]
    ]
    names += [x["name"] for x in (*drill_city.TYPES, *drill_city.VENUES, *drill_city.INSTRUCTORS)]
    return sorted(names, key=len, reverse=True)


def chinese_left(page: str) -> list[str]:
    page = re.sub(r'(?s)<a [^>]*lang="zh"[^>]*>.*?</a>', " ", page)  # the switch to Chinese
    page = re.sub(r"(?s)<script.*?</script>", " ", page)
    # the solver's own notes (English, naming 调休 as the notice does)
    page = re.sub(r'(?s)<details class="dr-warnings">.*?</details>', " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for name in data_names():
        text = text.replace(name, " ")
    return CJK.findall(text)


def test_english_pages_have_no_chinese_words(client: TestClient) -> None:  # noqa: F811
    c = client
    token = log_in(c, "commander")
    c.get("/pages/drills/new?lang=en")  # the language is kept in a cookie from here on
    new = c.get("/pages/drills/new").text
    assert chinese_left(new) == []
    schedule_id = schedule(c, token)
    assert chinese_left(c.get(f"/pages/drills/schedules/{schedule_id}").text) == []
    published = c.post(f"/pages/drills/schedules/{schedule_id}/publish", headers=hx(token))
    assert chinese_left(published.text) == []
    panel = report(c, token, "EN-1")
    assert chinese_left(panel) == [] and "Suggested" in panel
    assert chinese_left(c.get("/pages/incidents/panel").text) == []
