"""The roster, leave, import, my-duties and audit pages over HTTP: what each role sees and may
do (a viewer's writes refused, write forms hidden), the CSRF token every write needs, the
form's validation errors at their fields in Chinese, and that a refused write changes
nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.models import AuditEntry, User
from rosters.db import session_scope
from rosters.models import Absence, Person
from tests.api.city import load_city
from tests.api.conftest import PASSWORD, add_users, api_settings, centre_today

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A TestClient logged in through the login form, holding its CSRF token."""

    def __init__(self, client: TestClient, user: str) -> None:
        self.client = client
        token = TOKEN.search(client.get("/pages/login").text)
        assert token
        data = {"username": user, "password": PASSWORD, "csrf_token": token.group(1)}
        out = client.post("/pages/login", data=data, follow_redirects=False)
        assert out.status_code == 303, out.text
        page = client.get("/pages/roster")
        assert page.status_code == 200
        found = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
        assert found
        self.csrf = found.group(1)

    def post(self, url: str, data: dict[str, object], csrf: bool = True) -> object:
        body = {**data, "csrf_token": self.csrf} if csrf else data
        return self.client.post(url, data=body, follow_redirects=False)


@pytest.fixture
def app_client(fresh_engine: Engine, bench_password_hash: str) -> Iterator[TestClient]:
    add_users(fresh_engine, bench_password_hash)
    load_city(fresh_engine)
    app = create_app(api_settings(), fresh_engine)
    with TestClient(app) as client:
        yield client


def _person_id(engine: Engine, badge: str) -> int:
    with Session(engine) as s:
        pid = s.exec(select(Person.id).where(Person.badge == badge)).first()
        assert pid is not None
        return pid


def _audits(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as s:
        rows = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(r.actor, r.action, r.entity) for r in rows]


NEW_PERSON = {
    "badge": "K1-9",
    "name": "新民警",
    "force": "patrol_swat",
    "jurisdiction": "K1-T",
    "unit": "K1-U0",
    "phone": "13900000009",
    "armed": "on",
    "cert_skill": ["first_aid", ""],
    "cert_expires": ["2030-01-01", ""],
}


def test_roster_lists_searches_and_pages(app_client: TestClient, fresh_engine: Engine) -> None:
    viewer = Browser(app_client, "viewer")
    page = app_client.get("/pages/roster").text
    assert "甘州民警0" in page and "临泽民警2" in page and "共 6 人" in page
    assert 'href="/pages/roster/new"' not in page  # a viewer sees no add button
    found = app_client.get("/pages/roster", params={"q": "K2-1"}).text
    assert "临泽民警1" in found and "甘州民警0" not in found and "共 1 人" in found
    by_unit = app_client.get(
        "/pages/roster",
        params={"unit": "K1-U0"},
        headers={"HX-Request": "true", "HX-Target": "roster-results"},
    ).text
    assert "<html" not in by_unit and "甘州民警1" in by_unit and "临泽民警1" not in by_unit
    by_name = app_client.get("/pages/roster", params={"unit": "临泽县巡特警1"}).text
    assert "共 3 人" in by_name and "临泽民警0" in by_name and "甘州民警0" not in by_name
    armed = app_client.get("/pages/roster", params={"force": "patrol_swat", "q": "民警2"}).text
    assert "共 2 人" in armed
    person = app_client.get(f"/pages/roster/{_person_id(fresh_engine, 'K1-2')}").text
    assert "甘州民警2" in person and "13900000002" in person and "停用此人" not in person
    assert viewer.csrf


def test_a_viewers_writes_are_refused(app_client: TestClient, fresh_engine: Engine) -> None:
    viewer = Browser(app_client, "viewer")
    pid = _person_id(fresh_engine, "K1-0")
    assert app_client.get("/pages/roster/new").status_code == 403
    assert app_client.get("/pages/import").status_code == 403
    leave = app_client.get("/pages/leave").text
    assert "请假日历" in leave and 'method="post" action="/pages/leave"' not in leave
    assert 'href="/pages/import"' not in leave  # nor the import page in the bar
    refused = [
        viewer.post("/pages/roster", NEW_PERSON),
        viewer.post(f"/pages/roster/{pid}", {**NEW_PERSON, "name": "改名"}),
        viewer.post(f"/pages/roster/{pid}/active", {"active": "false"}),
        viewer.post(f"/pages/roster/{pid}/account", {"username": "viewer"}),
        viewer.post(
            "/pages/leave",
            {
                "badge": "K1-0",
                "start": "2030-01-01T00:00",
                "end": "2030-01-02T00:00",
                "kind": "leave",
            },
        ),
        viewer.post("/pages/import", {"kind": "people"}),
        viewer.post("/pages/leave/1/replan", {"seconds": "5"}),
        viewer.post("/pages/leave/job/1/cancel", {}),
        viewer.post("/pages/leave/plan/1/publish", {}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)  # type: ignore[attr-defined]
    assert app_client.get("/pages/audit").status_code == 403
    with Session(fresh_engine) as s:
        assert s.exec(select(Person).where(Person.badge == "K1-9")).first() is None
        assert s.get(Person, pid).name == "甘州民警0"  # type: ignore[union-attr]
        assert s.get(Person, pid).active  # type: ignore[union-attr]
        assert s.exec(select(Absence)).first() is None
    assert _audits(fresh_engine) == []


def test_writes_without_the_csrf_token_are_refused(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    commander = Browser(app_client, "commander")
    pid = _person_id(fresh_engine, "K1-0")
    assert commander.post("/pages/roster", NEW_PERSON, csrf=False).status_code == 403  # type: ignore[attr-defined]
    assert (
        commander.post(f"/pages/roster/{pid}/active", {"active": "false"}, csrf=False).status_code
        == 403
    )  # type: ignore[attr-defined]
    wrong = {**NEW_PERSON, "csrf_token": "x" * 64}
    assert app_client.post("/pages/roster", data=wrong, follow_redirects=False).status_code == 403
    with Session(fresh_engine) as s:
        assert s.exec(select(Person).where(Person.badge == "K1-9")).first() is None
        assert s.get(Person, pid).active  # type: ignore[union-attr]


def test_a_commander_adds_edits_and_deactivates_with_audit(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    commander = Browser(app_client, "commander")
    out = commander.post("/pages/roster", NEW_PERSON)
    assert out.status_code == 303  # type: ignore[attr-defined]
    pid = _person_id(fresh_engine, "K1-9")
    assert out.headers["location"] == f"/pages/roster/{pid}?saved=1"  # type: ignore[attr-defined]
    page = app_client.get(f"/pages/roster/{pid}").text
    assert "新民警" in page and "有效至 2030-01-01" in page and "急救" in page
    edit = {
        **NEW_PERSON,
        "name": "新民警甲",
        "cert_skill": ["first_aid", "firearms"],
        "cert_expires": ["2030-01-01", "2020-01-01"],
    }
    assert commander.post(f"/pages/roster/{pid}", edit).status_code == 303  # type: ignore[attr-defined]
    page = app_client.get(f"/pages/roster/{pid}").text
    assert "新民警甲" in page and "已过期 2020-01-01" in page
    assert commander.post(f"/pages/roster/{pid}/active", {"active": "false"}).status_code == 303  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        assert not s.get(Person, pid).active  # type: ignore[union-attr]
    assert "新民警甲" not in app_client.get("/pages/roster").text  # the list shows active people
    assert "新民警甲" in app_client.get("/pages/roster", params={"status": "inactive"}).text
    assert _audits(fresh_engine) == [
        ("commander", "create", "person"),
        ("commander", "update", "person"),
        ("commander", "update", "person"),
    ]


def test_validation_errors_are_shown_at_their_fields_in_chinese(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    commander = Browser(app_client, "commander")
    bad = {
        **NEW_PERSON,
        "badge": "K1 9",
        "name": "",
        "jurisdiction": "",
        "cert_expires": ["2030-13-40", ""],
    }
    out = commander.post("/pages/roster", bad)
    assert out.status_code == 422  # type: ignore[attr-defined]
    html = out.text  # type: ignore[attr-defined]
    assert re.search(r'id="err-badge">不能含空格', html)
    assert re.search(r'id="err-name">不能为空', html)
    assert re.search(r'id="err-cert_expires">日期格式应为', html)
    taken = commander.post("/pages/roster", {**NEW_PERSON, "badge": "K1-0"})
    assert taken.status_code == 422 and 'id="err-badge">该警号已存在' in taken.text  # type: ignore[attr-defined]
    unknown = commander.post("/pages/roster", {**NEW_PERSON, "unit": "NOPE"})
    assert unknown.status_code == 422 and "没有代码为 NOPE 的记录" in unknown.text  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        assert s.exec(select(Person).where(Person.badge.in_(["K1-9", "K1 9"]))).first() is None  # type: ignore[attr-defined]
    assert _audits(fresh_engine) == []


def test_an_admin_links_a_login_to_a_person(app_client: TestClient, fresh_engine: Engine) -> None:
    admin = Browser(app_client, "admin")
    pid = _person_id(fresh_engine, "K1-1")
    assert admin.post(f"/pages/roster/{pid}/account", {"username": "viewer"}).status_code == 303  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        assert s.exec(select(User.person_badge).where(User.username == "viewer")).one() == "K1-1"
    assert ("admin", "update", "user") in _audits(fresh_engine)


def publish_plan_on(engine: Engine, day: dt.date) -> int:
    """The small city's plan again, for ``day``, published (a plan still ahead)."""
    from optimizer.scenario import Assignment
    from rosters.plans import publish_plan, save_plan
    from tests.api.city import PLAN

    with session_scope(engine) as session:
        plan_id = save_plan(
            session,
            name="ahead",
            start=day,
            days=1,
            status="feasible",
            assignments=[
                Assignment(person_id=p, date=day, shift_id=s, task="post", target_id=t)
                for p, s, t in PLAN
            ],
        )
        publish_plan(session, plan_id, by="test")
    return plan_id


def test_leave_lists_the_shifts_it_breaks_and_refuses_bad_periods(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    day = centre_today() + dt.timedelta(days=3)
    publish_plan_on(fresh_engine, day)
    commander = Browser(app_client, "commander")
    bad = commander.post(
        "/pages/leave",
        {"badge": "K1-0", "kind": "leave", "start": f"{day}T08:00", "end": f"{day}T07:00"},
    )
    assert bad.status_code == 422 and 'id="err-end">结束时间须晚于开始时间' in bad.text  # type: ignore[attr-defined]
    nobody = commander.post(
        "/pages/leave",
        {"badge": "X-1", "kind": "leave", "start": f"{day}T00:00", "end": f"{day}T23:00"},
    )
    assert nobody.status_code == 422 and "没有警号为 X-1 的人员" in nobody.text  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        assert s.exec(select(Absence)).first() is None
    out = commander.post(
        "/pages/leave",
        {
            "badge": "K1-0",
            "kind": "sick",
            "start": f"{day}T00:00",
            "end": f"{day + dt.timedelta(days=1)}T00:00",
        },
    )
    assert out.status_code == 303  # type: ignore[attr-defined]
    detail = app_client.get(out.headers["location"]).text  # type: ignore[attr-defined]
    assert "甘州区北门卡点" in detail and "需重排" in detail and "重排这些班次" in detail
    month = app_client.get("/pages/leave", params={"month": day.strftime("%Y-%m")}).text
    assert "甘州民警0 · 病假" in month
    assert ("commander", "create", "absence") in _audits(fresh_engine)
    absence = out.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    person = app_client.get(f"/pages/roster/{_person_id(fresh_engine, 'K1-0')}").text
    assert 'id="rs-duties"' in person and "甘州区北门卡点" in person
    assert f'href="/pages/leave/{absence}">病假' in person and "甘州区城关镇" in person
    viewer = Browser(TestClient(app_client.app), "viewer")
    assert viewer.post(f"/pages/leave/{absence}/delete", {}).status_code == 403  # type: ignore[attr-defined]
    assert "撤销请假" not in viewer.client.get(f"/pages/leave/{absence}").text
    gone = commander.post(f"/pages/leave/{absence}/delete", {})
    assert gone.status_code == 303  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        assert s.exec(select(Absence)).first() is None
    assert ("commander", "delete", "absence") in _audits(fresh_engine)


def test_a_replan_after_leave_takes_the_person_off_the_broken_shifts(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    from rosters.plans import published_assignments
    from tests.api.conftest import wait_for

    day = centre_today() + dt.timedelta(days=3)
    publish_plan_on(fresh_engine, day)
    commander = Browser(app_client, "commander")
    out = commander.post(
        "/pages/leave",
        {"badge": "K1-0", "kind": "leave", "start": f"{day}T00:00", "end": f"{day}T23:59"},
    )
    absence = out.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    started = commander.post(f"/pages/leave/{absence}/replan", {"seconds": "5"})
    assert started.status_code == 200  # type: ignore[attr-defined]
    job = re.search(r"/pages/leave/job/(\d+)", started.text)  # type: ignore[attr-defined]
    assert job

    def finished() -> str | None:
        html = app_client.get(f"/pages/leave/job/{job.group(1)}").text
        return html if 'data-status="succeeded"' in html else None

    html = wait_for(finished, seconds=120, every=0.2)
    removed = re.search(r'<ul id="lv-removed">(.*?)</ul>', html, re.S)
    assert removed and "K1-0" in removed.group(1)
    plan = re.search(r"/pages/leave/plan/(\d+)/publish", html)
    assert plan
    published = commander.post(f"/pages/leave/plan/{plan.group(1)}/publish", {})
    assert published.status_code == 200 and "已发布" in published.text  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        after = published_assignments(s, day, 1)
    assert after and "K1-0" not in {a.person_id for a in after}
    # the other county's shifts are kept as they were
    assert {(a.person_id, a.target_id) for a in after if a.person_id.startswith("K2")} == {
        ("K2-0", "K2-A"),
        ("K2-1", "K2-B"),
    }
    assert {("commander", "solve", "job"), ("commander", "publish", "plan")} <= set(
        _audits(fresh_engine)
    )


HEADER = "警号,姓名,力量类型,所属单位,辖区编码,持枪资格\n"
GOOD_CSV = HEADER + "K1-7,导入民警甲,巡特警,K1-U0,K1-T,是\nK1-8,导入民警乙,巡特警,K1-U0,K1-T,否\n"
BAD_CSV = HEADER + "K1-7,导入民警甲,巡特警,NOPE,K1-T,是\nK1-8,,巡特警,K1-U0,K1-T,也许\n"


def _upload(browser: Browser, text: str, step: str, htmx: bool = False) -> object:
    files = {"file": ("people.csv", text.encode("utf-8"), "text/csv")}
    data = {"kind": "people", "crs": "wgs84", "mode": "create", "step": step}
    headers = {"HX-Request": "true", "X-CSRF-Token": browser.csrf} if htmx else {}
    if not htmx:
        data["csrf_token"] = browser.csrf
    return browser.client.post(
        "/pages/import", data=data, files=files, headers=headers, follow_redirects=False
    )


def test_import_lists_every_bad_row_writes_nothing_then_imports_a_good_file(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    commander = Browser(app_client, "commander")
    assert "检查（不写入）" in app_client.get("/pages/import").text
    bad = _upload(commander, BAD_CSV, "commit")
    assert bad.status_code == 422  # type: ignore[attr-defined]
    html = bad.text  # type: ignore[attr-defined]
    assert "共 3 处错误，没有写入任何数据" in html
    assert (
        "未知的单位代码 “NOPE”" in html and "必填，不能为空" in html and "“也许” 应为 是/否" in html
    )
    checked = _upload(commander, GOOD_CSV, "check", htmx=True)
    assert checked.status_code == 200 and "2 行全部通过检查" in checked.text  # type: ignore[attr-defined]
    assert re.search(r'id="im-commit" hx-swap-oob="true"(?! disabled)>', checked.text)  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        assert s.exec(select(Person).where(Person.badge.in_(["K1-7", "K1-8"]))).all() == []  # type: ignore[attr-defined]
    done = _upload(commander, GOOD_CSV, "commit", htmx=True)
    assert "共 2 行：新增 2，更新 0" in done.text  # type: ignore[attr-defined]
    with Session(fresh_engine) as s:
        names = s.exec(select(Person.name).where(Person.badge.in_(["K1-7", "K1-8"]))).all()  # type: ignore[attr-defined]
    assert sorted(names) == ["导入民警乙", "导入民警甲"]
    assert _audits(fresh_engine) == [("commander", "import", "people")]


def test_the_audit_page_lists_writes_filtered_and_paged(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    commander = Browser(app_client, "commander")
    for i in range(3):
        out = commander.post("/pages/roster", {**NEW_PERSON, "badge": f"K1-{10 + i}"})
        assert out.status_code == 303  # type: ignore[attr-defined]
    page = app_client.get("/pages/audit").text
    assert "共 3 条" in page and "K1-12" in page and "新增" in page and "新民警" in page
    only = app_client.get(
        "/pages/audit",
        params={"actor": "commander", "action": "update"},
        headers={"HX-Request": "true", "HX-Target": "audit-results"},
    ).text
    assert "<html" not in only and "共 0 条" in only
    today = centre_today()
    window = {
        "since": (today - dt.timedelta(days=1)).isoformat(),
        "until": (today + dt.timedelta(days=1)).isoformat(),
    }
    assert "共 3 条" in app_client.get("/pages/audit", params=window).text
    past = {"until": (today - dt.timedelta(days=2)).isoformat()}
    assert "共 0 条" in app_client.get("/pages/audit", params=past).text
    viewer = Browser(TestClient(app_client.app), "viewer")
    assert viewer.client.get("/pages/audit").status_code == 403


def test_my_duties_shows_a_linked_officers_shifts_and_explains_an_unlinked_login(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    day = centre_today() + dt.timedelta(days=2)
    publish_plan_on(fresh_engine, day)
    viewer = Browser(app_client, "viewer")
    unlinked = viewer.client.get("/pages/me").text
    assert 'id="me-unlinked"' in unlinked and "尚未关联到人员名册" in unlinked
    with session_scope(fresh_engine) as s:
        user = s.exec(select(User).where(User.username == "viewer")).one()
        user.person_badge = "K1-2"
        s.add(user)
    _drill_for(fresh_engine, "K1-U0", day)
    _drill_for(fresh_engine, "K2-U0", day + dt.timedelta(days=1))  # another unit's
    page = viewer.client.get("/pages/me").text
    assert "甘州民警2" in page and "甘州区东站武装卡点" in page and "白班 08:00–16:00" in page
    drills = re.search(r'<ul class="me-drill-list">(.*?)</ul>', page, re.S)
    assert drills and drills.group(1).count("<li>") == 1 and "实弹射击 K1-U0" in drills.group(1)
    assert 'id="me-data"' in page and "/static/vendor/leaflet/leaflet.js" in page
    assert "<script>" not in page  # data only: no inline code


def test_an_admin_links_a_login_through_the_users_endpoint(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    from api.models import Role
    from tests.api.conftest import bearer

    admin = bearer(Role.ADMIN)
    out = app_client.patch("/users/dispatcher", json={"person_badge": "K2-0"}, headers=admin)
    assert out.status_code == 200 and out.json()["person_badge"] == "K2-0"
    # one login per person: linking the badge to another login takes it from the first
    app_client.patch("/users/viewer", json={"person_badge": "K2-0"}, headers=admin)
    with Session(fresh_engine) as s:
        links = dict(s.exec(select(User.username, User.person_badge)).all())
    assert links["viewer"] == "K2-0" and links["dispatcher"] is None
    unknown = app_client.patch("/users/viewer", json={"person_badge": "NOPE"}, headers=admin)
    assert unknown.status_code == 422 and "NOPE" in unknown.json()["detail"]
    refused = app_client.patch(
        "/users/viewer", json={"person_badge": "K1-0"}, headers=bearer(Role.COMMANDER)
    )
    assert refused.status_code == 403
    with Session(fresh_engine) as s:
        assert s.exec(select(User.person_badge).where(User.username == "viewer")).one() == "K2-0"


def _drill_for(engine: Engine, unit: str, day: dt.date) -> None:
    """A scheduled drill of ``unit`` on ``day`` (09:00-11:00 local)."""
    from zoneinfo import ZoneInfo

    from rosters.models import Unit
    from rosters.models.drills import DrillRequirement, DrillSession, DrillSessionUnit, DrillType

    zone = ZoneInfo("Asia/Shanghai")
    with session_scope(engine) as s:
        kind = DrillType(
            code=f"LF-{unit}", name=f"实弹射击 {unit}", kind="live_fire", hours=2, forces=[]
        )
        s.add(kind)
        s.flush()
        req = DrillRequirement(code=f"R-{unit}", drill_type_id=kind.id)  # type: ignore[arg-type]
        s.add(req)
        s.flush()
        row = DrillSession(
            code=f"S-{unit}",
            occurrence=f"R-{unit}#1",
            start_at=dt.datetime.combine(day, dt.time(9), zone),
            end_at=dt.datetime.combine(day, dt.time(11), zone),
            requirement_id=req.id,  # type: ignore[arg-type]
            drill_type_id=kind.id,  # type: ignore[arg-type]
        )
        s.add(row)
        s.flush()
        uid = s.exec(select(Unit.id).where(Unit.code == unit)).one()
        s.add(DrillSessionUnit(session_id=row.id, unit_id=uid))  # type: ignore[arg-type]


def test_the_people_endpoint_deactivates_and_filters_by_active(app_client: TestClient) -> None:
    from api.models import Role
    from tests.api.conftest import bearer

    commander = bearer(Role.COMMANDER)
    out = app_client.patch("/people/K1-2", json={"active": False}, headers=commander)
    assert out.status_code == 200 and out.json()["active"] is False
    gone = app_client.get("/people", params={"active": "false"}, headers=commander).json()
    assert [p["badge"] for p in gone["items"]] == ["K1-2"]
    here = app_client.get("/people", params={"active": "true"}, headers=commander).json()
    assert here["total"] == 5


def test_an_xlsx_file_imports_and_other_files_are_refused(
    app_client: TestClient, fresh_engine: Engine
) -> None:
    import io

    from openpyxl import Workbook

    commander = Browser(app_client, "commander")
    book = Workbook()
    sheet = book.active
    for line in GOOD_CSV.strip().splitlines():
        sheet.append(line.split(","))  # type: ignore[union-attr]
    data = io.BytesIO()
    book.save(data)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    out = app_client.post(
        "/pages/import",
        data={"kind": "people", "crs": "wgs84", "mode": "create", "step": "commit"},
        files={"file": ("人员.xlsx", data.getvalue(), xlsx)},
        headers={"HX-Request": "true", "X-CSRF-Token": commander.csrf},
    )
    assert out.status_code == 200 and "共 2 行：新增 2，更新 0" in out.text
    text = app_client.post(
        "/pages/import",
        data={"kind": "people", "step": "check"},
        files={"file": ("people.txt", b"x", "text/plain")},
        headers={"HX-Request": "true", "X-CSRF-Token": commander.csrf},
    )
    assert "不支持的文件类型 .txt" in text.text
    with Session(fresh_engine) as s:
        assert len(s.exec(select(Person).where(Person.badge.in_(["K1-7", "K1-8"]))).all()) == 2  # type: ignore[attr-defined]
