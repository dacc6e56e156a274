"""The incident workbench of the wall over HTTP (no browser): report an incident with its
needs, see the suggestion with ETAs, alternatives and the coverage each leaves, dispatch,
arrive, close; a unit taken by another commander is refused in words (409); viewers get no
buttons and their posts are refused; bad input changes nothing; the standby table says no
published plan covers the shift instead of showing shortfalls."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.models import AuditEntry
from api.models import Role as R
from dispatch.models import Incident
from tests.api.city import load_city
from tests.api.conftest import add_users, api_settings, bearer
from tests.workbench.test_drills_pages import hx, log_in

#: a place in 甘州区 (K1), near its units' bases
K1 = {"lon": "100.43", "lat": "38.93"}


@pytest.fixture
def client(fresh_engine: Engine, bench_password_hash: str) -> Iterator[TestClient]:
    add_users(fresh_engine, bench_password_hash)
    load_city(fresh_engine)
    app = create_app(api_settings(), fresh_engine)
    with TestClient(app) as c:
        yield c


def report(c: TestClient, token: str, code: str, **needs: str) -> str:
    form = {"code": code, "kind": "violent", "severity": "3", **K1, "headcount": "2", **needs}
    r = c.post("/pages/incidents", data=form, headers=hx(token))
    assert r.status_code == 200, r.text
    return r.text


def dispatch_form(panel: str, rank: int = 1) -> dict[str, str]:
    """The hidden fields of a suggestion's dispatch form."""
    option = panel.split(f'data-rank="{rank}"', 1)[1].split("</article>", 1)[0]
    fields = dict(re.findall(r'name="(units|etas)" value="([^"]*)"', option))
    assert fields["units"]
    return fields


def test_report_suggest_dispatch_arrive_close(client: TestClient) -> None:
    c = client
    token = log_in(c, "dispatcher")
    bench = c.get("/pages/incidents/panel")
    assert bench.status_code == 200 and 'id="inc-report"' in bench.text
    panel = report(c, token, "JQ-1")
    assert "推荐方案" in panel and "预计到达" in panel
    # the coverage each option leaves comes after the panel (it reads the roster again)
    assert 'hx-get="/pages/incidents/JQ-1/coverage?lang=zh"' in panel
    coverage = c.get("/pages/incidents/JQ-1/coverage")
    assert coverage.status_code == 200 and "各方案调派后的覆盖" in coverage.text
    assert coverage.text.count("<tr") == 1 + 1 + panel.count('class="inc-option')
    assert "一键调派" in panel and "K1-U" in panel
    form = dispatch_form(panel)
    sent = c.post("/pages/incidents/JQ-1/dispatch", data=form, headers=hx(token))
    assert sent.status_code == 200 and 'data-status="dispatched"' in sent.text
    assert (
        "全部到场" in sent.text and 'hx-get="/pages/incidents/JQ-1/backfill?lang=zh"' in sent.text
    )
    assert c.get("/pages/incidents/JQ-1/backfill").status_code == 200
    backfill = c.get("/incidents/JQ-1/backfill", headers=bearer(R.VIEWER)).json()
    # accepting a backfill move: the unit reports at the new site, on standby
    move = {"unit": "K2-U1", "lon": "100.45", "lat": "38.95"}
    moved = c.post("/pages/incidents/JQ-1/move", data=move, headers=hx(token))
    assert moved.status_code == 200 and 'data-status="dispatched"' in moved.text
    status = c.get("/unit-status", headers=bearer(R.VIEWER)).json()
    row = next(u for u in status if u["unit"] == "K2-U1")
    assert (row["status"], row["lon"], row["lat"]) == ("standby", 100.45, 38.95)
    assert "moves" in backfill
    arrived = c.post("/pages/incidents/JQ-1/arrive", headers=hx(token))
    assert arrived.status_code == 200 and 'data-status="on_scene"' in arrived.text
    closed = c.post("/pages/incidents/JQ-1/close", headers=hx(token))
    assert closed.status_code == 200 and 'data-status="closed"' in closed.text
    with Session(c.app.state.engine) as s:  # type: ignore[attr-defined]
        actions = [a.action for a in s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]
    assert actions[-6:] == ["report", "suggest", "dispatch", "position", "arrive", "close"]


def test_a_unit_taken_by_another_commander_is_refused_in_words(client: TestClient) -> None:
    c = client
    token = log_in(c, "commander")
    first = dispatch_form(report(c, token, "JQ-A"))
    second = dispatch_form(report(c, token, "JQ-B"))
    assert first["units"] == second["units"]  # both suggest the same nearest units
    assert c.post("/pages/incidents/JQ-A/dispatch", data=first, headers=hx(token)).is_success
    lost = c.post("/pages/incidents/JQ-B/dispatch", data=second, headers=hx(token))
    assert lost.status_code == 409
    detail = lost.json()["detail"]
    assert (
        "调派未成功" in detail and "出警途中" in detail and first["units"].split(",")[0] in detail
    )
    with Session(c.app.state.engine) as s:  # type: ignore[attr-defined]
        b = s.exec(select(Incident).where(Incident.code == "JQ-B")).one()
    assert b.status == "suggested"  # nothing changed


def test_viewers_see_no_buttons_and_are_refused(client: TestClient) -> None:
    c = client
    token = log_in(c, "commander")
    report(c, token, "JQ-V")
    token = log_in(c, "viewer")
    bench = c.get("/pages/incidents/panel")
    assert bench.status_code == 200 and "inc-report" not in bench.text
    panel = c.get("/pages/incidents/JQ-V/panel")
    assert panel.status_code == 200 and "推荐方案" in panel.text
    assert "<form" not in panel.text and "<button" not in panel.text
    refused = [
        c.post("/pages/incidents", data={"code": "X", "kind": "fire", **K1}, headers=hx(token)),
        c.post("/pages/incidents/JQ-V/dispatch", data={"units": "K1-U0"}, headers=hx(token)),
        c.post("/pages/incidents/JQ-V/close", headers=hx(token)),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    token = log_in(c, "dispatcher")
    no_csrf = c.post("/pages/incidents/JQ-V/close", headers={"HX-Request": "true"})
    assert no_csrf.status_code == 403
    bad = c.post(
        "/pages/incidents",
        data={"code": "JQ-X", "kind": "fire", **K1, "skills": "急救两人"},
        headers=hx(token),
    )
    assert bad.status_code == 422 and "技能需求" in bad.json()["detail"]
    nowhere = c.post(
        "/pages/incidents",
        data={"code": "JQ-Y", "kind": "fire", "lon": "", "lat": ""},
        headers=hx(token),
    )
    assert nowhere.status_code == 422
    with Session(c.app.state.engine) as s:  # type: ignore[attr-defined]
        codes = {i.code for i in s.exec(select(Incident)).all()}
    assert codes == {"JQ-V"}


def test_the_wall_says_no_plan_covers_the_shift(client: TestClient) -> None:
    c = client
    log_in(c, "viewer")
    wall = c.get("/pages/wall")
    assert wall.status_code == 200
    data = json.loads(wall.text.split('id="pa-data">', 1)[1].split("</script>", 1)[0])
    assert data["plan_in_force"] is False  # the city's plan is for 2025-05-05
    assert data["labels"]["page.no_plan_in_force"] == "当前班次无已发布的勤务计划"
    assert 'hx-get="/pages/incidents/panel?lang=zh"' in wall.text
    assert "/static/workbench/incidents.js" in wall.text
