"""The drill review page in Chinese says nothing in English but ids, codes and the city's own
names: the reasons of drills left unscheduled, the conflicting rules and the solver's notes
are rendered from their codes (the reverse of test_workbench_english)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from optimizer.messages import msg, render_msg
from rosters.models.drills import DrillSchedule
from tests.workbench.test_drills_pages import client, hx, log_in, schedule  # noqa: F401
from tests.workbench.test_incidents_pages import report
from tests.workbench.test_workbench_english import data_names

WORD = re.compile(r"[A-Za-z]{3,}")
#: words that are names, not sentences: the product, the solver, the login shown in the header
ALLOWED = {"pingan", "SAT", "commander"}


def english_left(page: str) -> list[str]:
    page = re.sub(r'(?s)<a [^>]*lang="en"[^>]*>.*?</a>', " ", page)  # the switch to English
    page = re.sub(r"(?s)<script.*?</script>", " ", page)
    page = re.sub(r"(?s)<style.*?</style>", " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for name in data_names():
        text = text.replace(name, " ")
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def _with_reasons(engine: Engine, schedule_id: int) -> None:
    why = msg(
        "drill.filtered",
        n=12,
        parts=[
            msg("drill.filter_rules_out", filter=msg("drill.filter.calendar"), count=8),
            msg(
                "drill.filter_rules_out", filter=msg("drill.filter.blackout", name="两会"), count=4
            ),
        ],
    )
    reason = msg("drill.unscheduled", type="实弹射击", key="R1-1", why=why)
    rule = msg("drill.rule.instructor", name="王教官")
    with Session(engine) as s:
        row = s.get(DrillSchedule, schedule_id)
        assert row is not None
        summary = dict(row.summary or {})
        summary["shortfalls"] = [
            {
                "requirement": "drill",
                "target_id": "R1",
                "start": "2026-12-01T00:00:00",
                "end": "2027-01-01T00:00:00",
                "missing": 1,
                "unit": "drills",
                "reason": render_msg(reason, "en"),
                "reason_code": reason["code"],
                "reason_params": reason["params"],
            }
        ]
        summary["conflicts"] = [
            {
                "rule": render_msg(rule, "en"),
                "kind": "instructor",
                **{"rule_code": rule["code"], "rule_params": rule["params"]},
            }
        ]
        summary["warnings"] = [
            "1 drills before 2026-12-01 are still 'scheduled' (counted as"
            " done): record them as done or missed"
        ]
        row.summary = summary
        s.add(row)
        s.commit()


def test_chinese_review_page_has_no_english_sentences(
    client: TestClient,  # noqa: F811
    fresh_engine: Engine,
) -> None:
    c = client
    token = log_in(c, "commander")
    schedule_id = schedule(c, token)
    _with_reasons(fresh_engine, schedule_id)
    page = c.get(f"/pages/drills/schedules/{schedule_id}?lang=zh").text
    assert "非工作日" in page and "禁训期 两会" in page and "王教官 同一时间只能带一场演练" in page
    assert english_left(page) == []
    english = c.get(f"/pages/drills/schedules/{schedule_id}?lang=en").text
    assert "working days (weekends and public holidays) rules out 8" in english
    assert "instructor 王教官 teaches one drill at a time" in english


def test_chinese_incident_panel_has_no_english_sentences(client: TestClient) -> None:  # noqa: F811
    c = client
    token = log_in(c, "commander")
    c.get("/pages/drills/new?lang=zh")  # the language is kept in a cookie from here on
    panel = report(c, token, "ZH-1")
    assert "ZH-1" in panel
    assert english_left(panel.replace("ZH-1", " ")) == []
    assert english_left(c.get("/pages/incidents/panel").text) == []
    # more than the city can send: the shortfalls and the escalation are said in Chinese too
    big = report(c, token, "ZH-2", headcount="300", severity="4")
    assert "wb-bad" in big  # short: the city cannot send 300
    assert english_left(big.replace("ZH-2", " ")) == []
    assert english_left(c.get("/pages/incidents/ZH-2/coverage").text) == []


def test_a_second_publish_is_refused_in_the_readers_language(client: TestClient) -> None:  # noqa: F811
    c = client
    token = log_in(c, "commander")
    schedule_id = schedule(c, token)
    url = f"/pages/drills/schedules/{schedule_id}/publish"
    assert c.post(url, headers=hx(token)).status_code == 200
    again = c.post(url + "?lang=zh", headers=hx(token))
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert f"演练排程 {schedule_id} 已发布（第 1 版）" == detail
    english = c.post(url + "?lang=en", headers=hx(token)).json()["detail"]
    assert english == f"drill schedule {schedule_id} is already published (revision 1)"


def test_chinese_audit_page_names_the_fields(client: TestClient) -> None:  # noqa: F811
    c = client
    token = log_in(c, "admin")
    schedule_id = schedule(c, token)
    assert c.post(f"/pages/drills/schedules/{schedule_id}/publish", headers=hx(token)).is_success
    page = c.get("/pages/audit?lang=zh").text
    assert "au-changes" in page
    # codes shown as codes: record ids, the login; values are data, not sentences
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    names = re.findall(r"<li>(?:<span[^>]*>([^<]*)</span>|<code>([^<]*)</code>)", rows)
    missing = [code for zh, code in names if not zh or WORD.search(zh)]
    assert names and missing == [], ",".join(missing)
