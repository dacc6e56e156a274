"""The plan workbench over HTTP: a viewer sees no actions and every action refuses them
(403); a write without the CSRF token is refused; an edit is checked (legal: terms shown;
breaking: the rule named, saved only with a reason, audited); publishing supersedes."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.models import AuditEntry
from rosters.db import session_scope
from rosters.models.plans import Plan, PlanPin
from rosters.plan_edits import cached_workspace, forget_workspace
from rosters.plans import load_assignments, save_plan
from tests.api.city import DAY, PLAN, City, city_data, load_city
from tests.api.conftest import PASSWORD, add_users, api_settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
HX_TOKEN = re.compile(r'"X-CSRF-Token": "([^"]+)"')


@pytest.fixture
def city(fresh_engine: Engine, bench_password_hash: str) -> City:
    add_users(fresh_engine, bench_password_hash)
    return load_city(fresh_engine)


@pytest.fixture
def client(fresh_engine: Engine, city: City) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(), fresh_engine)) as c:
        yield c


def draft(engine: Engine, city: City) -> int:
    with session_scope(engine) as session:
        return save_plan(
            session,
            name="draft",
            start=DAY,
            days=1,
            status="feasible",
            assignments=city.scenario.published_plan,
        )


def log_in(client: TestClient, user: str) -> str:
    """Log in through the form; the page's CSRF token for htmx requests."""
    token = TOKEN.search(client.get("/pages/login").text)
    assert token
    data = {"username": user, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/pages/login", data=data, follow_redirects=False).status_code == 303
    hx = HX_TOKEN.search(client.get("/pages/plan/1/work").text)
    assert hx
    return hx.group(1)


def test_a_viewer_sees_no_actions_and_is_refused(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    plan_id = draft(fresh_engine, city)
    token = log_in(client, "viewer")
    page = client.get(f"/pages/plan/{plan_id}/work")
    assert page.status_code == 200
    for action in ('id="plan-publish"', 'id="plan-replan"', "/edit?", 'class="plan-add"'):
        assert action not in page.text
    assert '<span class="plan-chip' in page.text  # the plan, read-only
    h = {"X-CSRF-Token": token}
    listed = client.get("/pages/plan/list")
    assert listed.status_code == 200 and f'href="/pages/plan/{plan_id}/work' in listed.text
    assert 'id="plan-new-link"' not in listed.text
    assert client.get("/pages/plan/new").status_code == 403
    refused = [
        client.post("/pages/plan/new", data={"days": "1"}, headers=h),
        client.post(f"/pages/plan/{plan_id}/check", data={"kind": "remove", "row": "1"}, headers=h),
        client.post(f"/pages/plan/{plan_id}/edit", data={"kind": "remove", "row": "1"}, headers=h),
        client.post(f"/pages/plan/{plan_id}/replan", data={"seconds": "5"}, headers=h),
        client.post(f"/pages/plan/{plan_id}/publish", data={"confirm": "yes"}, headers=h),
        client.get(f"/pages/plan/{plan_id}/publish"),
        client.get(f"/pages/plan/{plan_id}/edit?row=1"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    with Session(fresh_engine) as session:
        assert session.get(Plan, plan_id).published_at is None  # type: ignore[union-attr]
        assert len(load_assignments(session, plan_id)) == len(PLAN)


def _warm_ups_done(plan_id: int) -> None:
    for t in threading.enumerate():
        if t.name == f"pingan-workspace-{plan_id}":
            t.join()


def test_a_commander_opening_a_draft_gets_its_workspace_built_for_the_first_edit(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    plan_id = draft(fresh_engine, city)
    forget_workspace(plan_id)
    log_in(client, "viewer")  # a viewer cannot edit: nothing is built for them
    assert client.get(f"/pages/plan/{plan_id}/work").status_code == 200
    _warm_ups_done(plan_id)
    assert cached_workspace(fresh_engine, plan_id) is None
    token = log_in(client, "commander")
    assert client.get(f"/pages/plan/{plan_id}/work").status_code == 200
    _warm_ups_done(plan_id)
    ws = cached_workspace(fresh_engine, plan_id)
    assert ws is not None and ws._inst is not None  # the scenario and the checker's instance
    row = _row(fresh_engine, plan_id, PLAN[0][0])
    data = {"kind": "remove", "row": str(row)}
    h = {"X-CSRF-Token": token}
    checked = client.post(f"/pages/plan/{plan_id}/check", data=data, headers=h)
    assert checked.status_code == 200
    assert cached_workspace(fresh_engine, plan_id) is ws  # the edit check used the warm one


def test_writes_without_the_csrf_token_are_refused(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    plan_id = draft(fresh_engine, city)
    log_in(client, "commander")
    for path, data in (
        (f"/pages/plan/{plan_id}/publish", {"confirm": "yes"}),
        (f"/pages/plan/{plan_id}/edit", {"kind": "remove", "row": "1"}),
        ("/pages/plan/new", {"days": "1"}),
    ):
        assert client.post(path, data=data).status_code == 403
        assert client.post(path, data=data, headers={"X-CSRF-Token": "x" * 64}).status_code == 403
    with Session(fresh_engine) as session:
        assert session.get(Plan, plan_id).published_at is None  # type: ignore[union-attr]


def _row(engine: Engine, plan_id: int, badge: str) -> int:
    from rosters.models import Person
    from rosters.models.plans import PlanAssignment

    with Session(engine) as session:
        return session.execute(
            select(PlanAssignment.id)
            .join(Person, Person.id == PlanAssignment.person_id)
            .where(PlanAssignment.plan_id == plan_id, Person.badge == badge)
        ).scalar_one()


def test_edits_are_checked_and_a_breaking_one_needs_a_reason(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    plan_id = draft(fresh_engine, city)
    h = {"X-CSRF-Token": log_in(client, "commander")}
    row = _row(fresh_engine, plan_id, "K1-0")
    dialog = client.get(f"/pages/plan/{plan_id}/edit?row={row}")
    assert dialog.status_code == 200 and 'value="K1-B"' in dialog.text
    assert 'value="K2-' not in dialog.text  # another county's people are not eligible
    # legal: K1-0 moves from K1-A to the armed checkpoint K1-B in the same shift
    legal = {"kind": "move", "row": str(row), "target": "K1-B"}
    out = client.post(f"/pages/plan/{plan_id}/check", data=legal, headers=h)
    assert out.status_code == 200, out.text
    assert 'id="plan-verdict-ok"' in out.text
    assert 'id="plan-deltas"' in out.text and "卡点缺员" in out.text
    # breaking: K1-1 works the day shift already; the evening too breaks "one shift a day"
    day = DAY.isoformat()
    bad = {"kind": "add", "person": "K1-1", "date": day, "shift": "evening", "target": "K1-A"}
    out = client.post(f"/pages/plan/{plan_id}/check", data=bad, headers=h)
    assert 'id="plan-verdict-bad"' in out.text and "每天至多一班" in out.text
    refused = client.post(f"/pages/plan/{plan_id}/edit", data=bad, headers=h)
    assert refused.status_code == 422 and "reason" in refused.json()["detail"]
    with Session(fresh_engine) as session:
        assert len(load_assignments(session, plan_id)) == len(PLAN)
    saved = client.post(
        f"/pages/plan/{plan_id}/edit", data={**bad, "reason": "演练需要"}, headers=h
    )
    assert saved.status_code == 200 and 'id="plan-saved"' in saved.text
    with Session(fresh_engine) as session:
        plan = load_assignments(session, plan_id)
        assert len(plan) == len(PLAN) + 1
        pin = session.exec(select(PlanPin).where(PlanPin.plan_id == plan_id)).one()
        assert pin.keep and pin.override_reason == "演练需要" and pin.broken
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "override")).one()
        assert entry.actor == "commander" and entry.after["reason"] == "演练需要"


def test_publishing_from_the_page_supersedes_the_older_plan(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    plan_id = draft(fresh_engine, city)
    h = {"X-CSRF-Token": log_in(client, "commander")}
    dialog = client.get(f"/pages/plan/{plan_id}/publish")
    assert dialog.status_code == 200 and 'id="plan-diff-summary"' in dialog.text
    unconfirmed = client.post(f"/pages/plan/{plan_id}/publish", data={}, headers=h)
    assert unconfirmed.status_code == 422
    done = client.post(
        f"/pages/plan/{plan_id}/publish",
        data={"confirm": "yes"},
        headers={**h, "HX-Request": "true"},
    )
    assert done.status_code == 204 and done.headers["HX-Redirect"].startswith(
        f"/pages/plan/{plan_id}/work"
    )
    state = client.get(f"/pages/plan/{city.plan_id}/state").json()
    assert state == {"published": True, "superseded_by": [plan_id]}
    old = client.get(f"/pages/plan/{city.plan_id}/work").text
    assert 'id="plan-superseded-badge"' in old
    with Session(fresh_engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "publish")).one()
        assert entry.after["superseded"] == {
            str(city.plan_id): [["K1", DAY.isoformat()], ["K2", DAY.isoformat()]]
        }


def test_generate_runs_the_patrol_job_and_reports_progress(
    client: TestClient, fresh_engine: Engine
) -> None:
    h = {"X-CSRF-Token": log_in(client, "commander")}
    bad = client.post("/pages/plan/new", data={"days": "99", "start": DAY.isoformat()}, headers=h)
    assert bad.status_code == 422 and "days" in bad.json()["detail"]
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
    assert progress["status"] == "succeeded" and progress["plan_url"]
    page = client.get(progress["plan_url"])
    assert page.status_code == 200 and 'id="plan-grid-table"' in page.text


def test_the_plan_pages_in_english_say_nothing_in_chinese(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    from tests.workbench.test_workbench_english import chinese_left

    plan_id = draft(fresh_engine, city)
    h = {"X-CSRF-Token": log_in(client, "commander")}
    row = _row(fresh_engine, plan_id, "K1-0")
    day = DAY.isoformat()
    bad = {"kind": "add", "person": "K1-1", "date": day, "shift": "evening", "target": "K1-A"}
    shifts = {s["name"] for s in city_data()["shifts"]}
    pages = {
        "list": client.get("/pages/plan/list?lang=en").text,
        "new": client.get("/pages/plan/new?lang=en").text,
        "work": client.get(f"/pages/plan/{plan_id}/work?lang=en").text,
        "person grid": client.get(f"/pages/plan/{plan_id}/grid?lang=en&view=person").text,
        "edit": client.get(f"/pages/plan/{plan_id}/edit?row={row}&lang=en").text,
        "add": client.get(
            f"/pages/plan/{plan_id}/edit?date={day}&shift=night&target=K1-A&lang=en"
        ).text,
        "check": client.post(f"/pages/plan/{plan_id}/check?lang=en", data=bad, headers=h).text,
        "publish": client.get(f"/pages/plan/{plan_id}/publish?lang=en").text,
    }
    for name, text in pages.items():
        for shift in shifts:
            text = text.replace(shift, " ")
        assert chinese_left(text) == [], name


def test_a_running_solve_is_cancelled_from_its_page(client: TestClient) -> None:
    h = {"X-CSRF-Token": log_in(client, "commander")}
    out = client.post(
        "/pages/plan/new",
        data={"start": DAY.isoformat(), "days": "3", "seconds": "120"},
        headers={**h, "HX-Request": "true"},
    )
    assert out.status_code == 204
    job_url = out.headers["HX-Redirect"].split("?")[0]
    page = client.get(job_url)
    assert page.status_code == 200 and 'id="job-cancel"' in page.text
    assert client.post(f"{job_url}/cancel", headers=h).status_code == 204
    deadline = time.monotonic() + 60
    progress = client.get(f"{job_url}/progress").json()
    while not progress["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
        progress = client.get(f"{job_url}/progress").json()
    assert progress["status"] == "cancelled"
    again = client.post(f"{job_url}/cancel", headers=h)
    assert again.status_code == 409


def test_the_excel_export_follows_the_filters(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    import io

    from openpyxl import load_workbook

    plan_id = draft(fresh_engine, city)
    log_in(client, "viewer")

    def badges(query: str) -> set[str]:
        r = client.get(f"/pages/plan/{plan_id}/export.xlsx?{query}")
        assert r.status_code == 200 and r.content[:2] == b"PK"
        book = load_workbook(io.BytesIO(r.content), read_only=True)
        cells = {
            str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
        }
        return {b for b, _, _ in PLAN if b in cells}

    assert badges("") == {b for b, _, _ in PLAN}
    assert badges("county=K2") == {"K2-0", "K2-1"}
    assert badges("county=K1&shift=day&search=K1-B") == {"K1-2"}
