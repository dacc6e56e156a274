"""The pages over HTTP: the login cookie (what it allows and what it does not), the wall's
data for live updates, the plan page's filters and errors, and the Excel download."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from api.pages import COOKIE
from tests.api.city import DAY, PLAN, City, load_city
from tests.api.conftest import PASSWORD, Api

DATA = re.compile(r'<script type="application/json" id="pa-data">(.*?)</script>', re.S)


@pytest.fixture
def city(api: Api) -> City:
    return load_city(api.engine)


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def login_token(api: Api) -> str:
    """The CSRF token of the login form (and this client's CSRF cookie)."""
    match = CSRF_FIELD.search(api.client.get("/pages/login").text)
    assert match, "the login form carries its CSRF token"
    return match.group(1)


def page_login(api: Api, user: str = "viewer", next_path: str = "/pages/wall") -> Any:
    return api.client.post(
        "/pages/login",
        data={
            "username": user,
            "password": PASSWORD,
            "next": next_path,
            "csrf_token": login_token(api),
        },
        follow_redirects=False,
    )


def page_data(html: str) -> dict[str, Any]:
    match = DATA.search(html)
    assert match, "the page carries its data"
    return json.loads(match.group(1))


def test_pages_need_a_login_and_the_cookie_is_locked_down(api: Api, city: City) -> None:
    r = api.client.get("/pages/wall?lang=en", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/pages/login?next=%2Fpages%2Fwall%3Flang%3Den&lang=en"
    assert api.client.get("/pages/wall/data").status_code == 401
    form = api.client.get("/pages/login?next=/pages/plan")
    assert form.status_code == 200 and 'value="/pages/plan"' in form.text

    wrong = api.client.post(
        "/pages/login",
        data={"username": "viewer", "password": "nope-nope", "csrf_token": login_token(api)},
        follow_redirects=False,
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert COOKIE not in api.client.cookies

    # never sent to another site after logging in
    r = page_login(api, next_path="https://elsewhere.example/phish")
    assert r.status_code == 303 and r.headers["location"] == "/pages/wall"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie and "Max-Age=1800" in cookie
    assert api.client.get("/pages/wall").status_code == 200
    # the cookie opens pages, not the JSON API
    assert api.client.get("/incidents").status_code == 401
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/pages/wall"
    # renewing needs the page header (a cross-site form cannot send it)
    assert api.client.post("/pages/session").status_code == 403
    renewed = api.client.post("/pages/session", headers={"X-Pingan-Page": "1"})
    assert renewed.status_code == 200 and renewed.json() == {"name": "viewer", "role": "viewer"}
    assert f"{COOKIE}=" in renewed.headers["set-cookie"]
    # logging out clears it
    out = api.client.post("/pages/logout", follow_redirects=False)
    assert out.status_code == 303 and COOKIE not in api.client.cookies
    assert api.client.get("/pages/wall", follow_redirects=False).status_code == 303
    assert api.client.post("/pages/session", headers={"X-Pingan-Page": "1"}).status_code == 401


def test_a_bad_or_deactivated_login_cookie_sends_back_to_the_form(api: Api, city: City) -> None:
    api.client.cookies.set(COOKIE, "not-a-token")
    assert api.client.get("/pages/plan", follow_redirects=False).status_code == 303
    assert page_login(api, user="dispatcher").status_code == 303
    r = api.client.patch("/users/dispatcher", json={"active": False}, headers=api.as_("admin"))
    assert r.status_code == 200
    assert api.client.get("/pages/plan", follow_redirects=False).status_code == 303


def test_wall_page_and_its_live_data(api: Api, city: City) -> None:
    page_login(api)
    data = page_data(api.client.get("/pages/wall").text)
    assert data["page"] == "wall" and data["incidents"] == []
    assert data["events_url"] == "/events?kind=incident&kind=unit_status&kind=plan&kind=roster"
    assert [
        (r["county"], r["on_standby"], r["required"], r["short"]) for r in data["readiness"]
    ] == [
        ("K1", 0, 2, 2),
        ("K2", 0, 2, 2),
    ]

    body = {"code": "JQ-1", "kind": "violent", "lon": 100.45, "lat": 38.95, "jurisdiction": "K1"}
    assert (
        api.client.post("/incidents", json=body, headers=api.as_("dispatcher")).status_code == 201
    )
    r = api.client.post(
        "/units/K2-U0/position",
        json={"lon": 100.8, "lat": 38.97, "status": "standby"},
        headers=api.as_("dispatcher"),
    )
    assert r.status_code == 200
    update = api.client.get(
        "/pages/wall/data", params={"incident": "JQ-1", "unit": ["K2-U0", "nope"], "lang": "en"}
    ).json()
    [incident] = update["incidents"]
    assert incident["code"] == "JQ-1" and incident["status_label"] == "reported"
    assert incident["kind_label"] == "violent crime" and incident["jurisdiction"] == "K1"
    assert incident["point"][:2] == [38.95, 100.45] and incident["point"][6] == "JQ-1"
    assert update["lines"] == {"JQ-1": []}  # nobody sent yet
    [unit] = update["units"]
    assert unit["key"] == "K2-U0" and unit["status"] == "standby"
    assert unit["point"][:2] == [38.97, 100.8] and "standby" in unit["point"][4]
    k2 = next(r for r in update["readiness"] if r["county"] == "K2")
    assert (k2["on_standby"], k2["short"]) == (3, 0)
    # a fresh page shows the incident and the unit where it now is
    data = page_data(api.client.get("/pages/wall").text)
    assert [i["code"] for i in data["incidents"]] == ["JQ-1"]


def test_plan_page_filters_and_errors(api: Api, city: City) -> None:
    page_login(api)
    html = api.client.get("/pages/plan").text  # the latest published plan
    assert page_data(html)["plan"] == city.plan_id and page_data(html)["rows"] == len(PLAN)
    assert html.count("<tr data-county=") == len(PLAN)
    k1_day = api.client.get(f"/pages/plan/{city.plan_id}", params={"county": "K1", "shift": "day"})
    rows = re.findall(r'<tr data-county="(\w+)" data-shift="(\w+)">', k1_day.text)
    assert rows == [("K1", "day")] * 3
    en = api.client.get(f"/pages/plan/{city.plan_id}?lang=en").text
    assert "Patrol plan" in en and "Badge" in en and "published" in en
    assert api.client.get("/pages/plan/99").status_code == 404
    bad = api.client.get("/pages/plan", params={"county": "K9"})
    assert bad.status_code == 422 and "county" in bad.json()["detail"]
    bad = api.client.get("/pages/plan", params={"shift": "noon"})
    assert bad.status_code == 422 and "shift" in bad.json()["detail"]


def test_plan_excel_download(api: Api, city: City) -> None:
    assert (
        api.client.get(f"/pages/plan/{city.plan_id}/xlsx", follow_redirects=False).status_code
        == 303
    )
    page_login(api)
    r = api.client.get(f"/pages/plan/{city.plan_id}/xlsx")
    assert r.status_code == 200
    assert (
        r.headers["content-disposition"]
        == f'attachment; filename="patrol-plan-{city.plan_id}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(r.content))["勤务安排"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted((row[6], row[4]) for row in rows) == sorted((p, t) for p, _, t in PLAN)
    assert {row[0] for row in rows} == {DAY.isoformat()}
    armed = {row[6]: row[10] for row in rows}
    assert armed["K1-2"] == "是" and armed["K1-0"] == "否"


def test_no_plan_yet(api: Api) -> None:
    page_login(api)
    r = api.client.get("/pages/plan")
    assert r.status_code == 404 and "no published plan" in r.json()["detail"]


def drill_city(api: Api) -> list[Any]:
    """The crafted drill county in the database, with its December drills published."""
    from optimizer.drills import DrillParams, schedule_drills
    from rosters.db import session_scope
    from rosters.scenario_db import load_scenario_into_db
    from tests.optimizer.drill_cases import scenario

    s = scenario()
    s.drills.sessions = schedule_drills(s, DrillParams(time_limit=10, num_workers=1)).sessions
    with session_scope(api.engine) as session:
        load_scenario_into_db(session, s)
    return s.drills.sessions


def test_drill_calendar_page(api: Api) -> None:
    sessions = drill_city(api)
    assert len(sessions) == 4
    assert api.client.get("/pages/drills", follow_redirects=False).status_code == 303
    page_login(api, next_path="/pages/drills")
    r = api.client.get("/pages/drills?month=2026-12")
    assert r.status_code == 200 and "2026年12月" in r.text
    for x in sessions:
        assert f'data-session="{x.id}"' in r.text
    assert r.text.count('class="pa-drill ') == 4 and "4 次演练" in r.text
    assert page_data(r.text)["page"] == "drills"
    assert 'href="/pages/drills"' in r.text  # in the navigation bar
    # one unit's calendar, and its .ics link
    one = api.client.get("/pages/drills?month=2026-12&unit=S1&lang=en")
    assert one.status_code == 200 and one.text.count('class="pa-drill ') == 2
    assert "/drills/sessions.ics?unit=S1" in one.text and "December 2026" in one.text
    # another month is empty; a malformed month is refused
    other = api.client.get("/pages/drills?month=2027-02")
    assert other.status_code == 200 and "本月无演练" in other.text
    bad = api.client.get("/pages/drills?month=2026-13")
    assert bad.status_code == 422


def test_login_and_logout_refuse_forged_requests(api: Api, city: City) -> None:
    """Login CSRF: a form posted without this browser's token, with another browser's
    token, or from another site logs nobody in."""
    from api.csrf import COOKIE as CSRF_COOKIE

    login = {"username": "viewer", "password": PASSWORD}
    bare = api.client.post("/pages/login", data=login, follow_redirects=False)
    assert bare.status_code == 403 and "已过期" in bare.text
    assert COOKIE not in api.client.cookies

    token = login_token(api)
    mine = api.client.cookies.get(CSRF_COOKIE)
    assert mine and token != mine  # the token is derived from the cookie, not the cookie
    api.client.cookies.set(CSRF_COOKIE, "another-browsers-cookie")
    other = api.client.post("/pages/login", data={**login, "csrf_token": token})
    assert other.status_code == 403 and COOKIE not in api.client.cookies

    api.client.cookies.set(CSRF_COOKIE, mine)
    cross = api.client.post(
        "/pages/login",
        data={**login, "csrf_token": token},
        headers={"Origin": "https://elsewhere.example"},
        follow_redirects=False,
    )
    assert cross.status_code == 403 and COOKIE not in api.client.cookies

    ok = api.client.post(
        "/pages/login", data={**login, "csrf_token": token}, follow_redirects=False
    )
    assert ok.status_code == 303 and COOKIE in api.client.cookies
    refused = api.client.post(
        "/pages/logout", headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False
    )
    assert refused.status_code == 403 and COOKIE in api.client.cookies
