"""The drill scheduling pages over HTTP (no browser): a training officer schedules drills for
a county of the small test city (the drill_schedule job), follows the job, reviews and
publishes, and records a session from the calendar; a viewer's forms are refused, a form
without the CSRF token is refused, bad input is listed and starts nothing, and a drill in the
future cannot be recorded done."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.models import AuditEntry, Job
from api.models import Role as R
from rosters.models.drills import DrillSession
from tests.api.city import load_city
from tests.api.conftest import PASSWORD, add_users, api_settings, bearer, centre_today, wait_for
from tests.workbench.drill_city import add_drill_duties

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(fresh_engine: Engine, bench_password_hash: str) -> Iterator[TestClient]:
    add_users(fresh_engine, bench_password_hash)
    load_city(fresh_engine)
    app = create_app(api_settings(), fresh_engine)
    with TestClient(app) as c:
        add_drill_duties_with(c)
        yield c


def add_drill_duties_with(c: TestClient) -> None:
    for path, body in _bodies():
        r = c.post(path, json=body, headers=bearer(R.TRAINING_OFFICER))
        assert r.status_code == 201, r.text


def _bodies() -> list[tuple[str, dict]]:
    from tests.workbench import drill_city as d

    return [
        *(("/drills/types", b) for b in d.TYPES),
        *(("/drills/requirements", b) for b in d.REQUIREMENTS),
        *(("/drills/venues", b) for b in d.VENUES),
        *(("/drills/instructors", b) for b in d.INSTRUCTORS),
    ]


def log_in(c: TestClient, user: str) -> str:
    """Log in through the form; the CSRF token of this browser."""
    c.cookies.clear()
    token = TOKEN.search(c.get("/pages/login").text)
    assert token
    data = {"username": user, "password": PASSWORD, "csrf_token": token.group(1)}
    assert c.post("/pages/login", data=data, follow_redirects=False).status_code == 303
    return token.group(1)


def hx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token}


def schedule(c: TestClient, token: str, county: str = "K1") -> int:
    """Start a schedule from the page, follow the job to its review; the schedule id."""
    start = (centre_today() + dt.timedelta(days=1)).isoformat()
    form = {"start": start, "days": "31", "county": county, "seconds": "5"}
    r = c.post("/pages/drills/new", data=form, headers=hx(token))
    assert r.status_code == 204, r.text
    job_url = r.headers["HX-Redirect"]
    assert re.fullmatch(r"/pages/drills/jobs/\d+", job_url)
    assert "dr-job" in c.get(job_url).text

    def done() -> str | None:
        p = c.get(job_url + "/progress", headers={"HX-Request": "true"})
        assert p.status_code == 200
        return p.headers.get("HX-Redirect")

    review = wait_for(done, seconds=120, every=0.2)
    return int(review.rsplit("/", 1)[1])


def test_schedule_review_publish_and_record(client: TestClient) -> None:
    c = client
    token = log_in(c, "training_officer")
    page = c.get("/pages/drills/new")
    assert page.status_code == 200 and 'name="county"' in page.text and "甘州区" in page.text
    schedule_id = schedule(c, token)
    job = c.get("/jobs", headers=bearer(R.VIEWER)).json()["items"][0]
    assert job["kind"] == "drill_schedule" and job["params"]["county"] == "K1"
    # the job's page once it has succeeded (a quick solve can end before the page loads):
    # it asks for its progress once, on load, and that answer goes to the review
    done = c.get(f"/pages/drills/jobs/{job['id']}")
    assert done.status_code == 200
    assert f'hx-get="/pages/drills/jobs/{job["id"]}/progress" hx-trigger="load"' in done.text
    review = c.get(f"/pages/drills/schedules/{schedule_id}")
    assert review.status_code == 200
    assert 'id="dr-publish"' in review.text and "新增 1" in review.text
    assert "R-K1/" in review.text and "R-K2/" not in review.text  # the county's duty only
    stale_id = schedule(c, token)  # the same duty again, before anything is recorded
    published = c.post(f"/pages/drills/schedules/{schedule_id}/publish", headers=hx(token))
    assert published.status_code == 200 and "已发布" in published.text
    again = c.post(f"/pages/drills/schedules/{schedule_id}/publish", headers=hx(token))
    assert again.status_code == 409  # the service's refusal, shown as a message
    with Session(c.app.state.engine) as s:  # type: ignore[attr-defined]
        (drill,) = s.exec(select(DrillSession)).all()
        actions = [a.action for a in s.exec(select(AuditEntry)).all()]
    assert "solve" in actions and "publish" in actions
    # the calendar of that month: one county by default, a day as a count
    month = drill.start_at.strftime("%Y-%m")
    cal = c.get(f"/pages/drills?month={month}")
    assert cal.status_code == 200
    assert '<option value="K1" selected>' in cal.text and 'class="pa-day-count">1<' in cal.text
    assert f'data-session="{drill.code}"' in cal.text and 'value="cancelled"' in cal.text
    assert 'value="done"' not in cal.text  # not started: no "done" button
    city = c.get(f"/pages/drills?month={month}&county=K2")
    assert f'data-session="{drill.code}"' not in city.text
    # a drill in the future cannot be recorded done (the service refuses, nothing changes)
    body = {"session": drill.code, "status": "done"}
    refused = c.post("/pages/drills/sessions/record", data=body, headers=hx(token))
    assert refused.status_code == 409 and "尚未开始" in refused.json()["detail"]
    body = {"session": drill.code, "status": "cancelled", "note": "大风"}
    r = c.post("/pages/drills/sessions/record", data=body, headers=hx(token))
    assert r.status_code == 200 and 'data-status="cancelled"' in r.text and "已取消" in r.text
    entry = c.get("/audit", params={"entity": "drill_session"}, headers=bearer(R.ADMIN))
    assert entry.json()["items"][0]["action"] == "cancelled"
    # a draft made before the session was recorded can no longer be published: said in words
    stale = c.post(f"/pages/drills/schedules/{stale_id}/publish", headers=hx(token))
    assert stale.status_code == 409, stale.text
    detail = stale.json()["detail"]
    assert drill.code in detail and "已记录" in detail and "请重新排程" in detail


def test_viewers_and_forms_without_token_are_refused(client: TestClient) -> None:
    c = client
    token = log_in(c, "viewer")
    assert c.get("/pages/drills/new").status_code == 403
    assert c.post("/pages/drills/new", data={"days": "3"}, headers=hx(token)).status_code == 403
    cal = c.get("/pages/drills")
    assert cal.status_code == 200 and "pa-record" not in cal.text  # no forms for viewers
    body = {"session": "R-K1/x", "status": "cancelled"}
    assert c.post("/pages/drills/sessions/record", data=body, headers=hx(token)).status_code == 403
    with Session(c.app.state.engine) as s:  # type: ignore[attr-defined]
        assert s.exec(select(Job)).all() == []
    token = log_in(c, "commander")
    no_token = c.post("/pages/drills/new", data={"days": "3"}, headers={"HX-Request": "true"})
    assert no_token.status_code == 403
    # the form comes back with its errors listed (htmx swaps it in; a plain form gets a 422)
    bad = c.post("/pages/drills/new", data={"days": "0", "seconds": "5"}, headers=hx(token))
    assert bad.status_code == 200 and 'id="dr-errors"' in bad.text and "天数" in bad.text
    plain = c.post("/pages/drills/new", data={"days": "0", "csrf_token": token})
    assert plain.status_code == 422 and 'id="dr-errors"' in plain.text
    unknown = c.post("/pages/drills/new", data={"county": "K9"}, headers=hx(token))
    assert 'id="dr-errors"' in unknown.text and "K9" in unknown.text
    with Session(c.app.state.engine) as s:  # type: ignore[attr-defined]
        assert s.exec(select(Job)).all() == []


__all__ = ["add_drill_duties"]
