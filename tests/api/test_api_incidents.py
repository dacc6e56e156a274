"""Incidents through HTTP on the demo city: report → suggest → dispatch → arrive → close,
roles, illegal transitions, unit status and position reports, audit and events."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from api.models import Event
from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.scenario_db import load_scenario_into_db
from tests.api.conftest import Api, centre_today


@pytest.fixture
def city_api(api: Api) -> Api:
    today = centre_today()
    city = build_demo_city("small", start=today, days=1)
    with session_scope(api.engine) as session:
        load_scenario_into_db(session, city)
    return api


def _incident(city_api: Api) -> dict:
    c = city_api.client
    units = c.get("/units", params={"limit": 1}, headers=city_api.as_("viewer")).json()
    unit = units["items"][0]
    return {
        "code": "2026-0001",
        "kind": "violent",
        "lon": unit["base_lon"],
        "lat": unit["base_lat"],
        "severity": 2,
        "needs": {"headcount": 2},
    }


def test_incident_from_report_to_close(city_api: Api) -> None:
    c, h = city_api.client, city_api.as_("dispatcher")
    body = _incident(city_api)
    r = c.post("/incidents", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "reported" and r.json()["reported_by"] == "dispatcher"
    s = c.post("/incidents/2026-0001/suggest", json={}, headers=h)
    assert s.status_code == 200, s.text
    best = s.json()["suggestions"][0]
    units = [u["unit_id"] for u in best["units"]]
    assert units and best["headcount"] >= 2
    d = c.post("/incidents/2026-0001/dispatch", json={"units": units}, headers=h)
    assert d.status_code == 200 and d.json()["status"] == "dispatched"
    status = c.get("/unit-status", params={"status": "en_route"}, headers=h).json()
    assert sorted(u["unit"] for u in status) == sorted(units)
    assert all(u["incident"] == "2026-0001" for u in status)
    # the same units cannot be sent twice
    again = c.post("/incidents/2026-0001/dispatch", json={"units": units}, headers=h)
    assert again.status_code == 409
    arrived = c.post("/incidents/2026-0001/arrive", json={}, headers=h).json()["units"]
    assert sorted(arrived) == sorted(units)
    closed = c.post("/incidents/2026-0001/close", json={"note": "处置完毕"}, headers=h)
    assert sorted(closed.json()["units"]) == sorted(units)
    detail = c.get("/incidents/2026-0001", headers=city_api.as_("viewer")).json()
    assert detail["status"] == "closed"
    assert [e["action"] for e in detail["events"]] == [
        "reported",
        "suggested",
        "dispatched",
        "on_scene",
        "closed",
    ]
    audit = c.get(
        "/audit", params={"entity": "incident", "limit": 20}, headers=city_api.as_("admin")
    ).json()
    assert [e["action"] for e in reversed(audit["items"])] == [
        "report",
        "suggest",
        "dispatch",
        "arrive",
        "close",
    ]
    with Session(city_api.engine) as session:
        kinds = [e.kind for e in session.exec(select(Event).order_by(Event.id)).all()]
    assert kinds.count("incident") == 5 and kinds.count("unit_status") == 3


def test_incident_roles_and_errors(city_api: Api) -> None:
    c = city_api.client
    body = _incident(city_api)
    for role in ("viewer", "training_officer"):
        assert c.post("/incidents", json=body, headers=city_api.as_(role)).status_code == 403
    assert c.post("/incidents", json=body, headers=city_api.as_("commander")).status_code == 201
    assert c.post("/incidents", json=body, headers=city_api.as_("dispatcher")).status_code == 409
    h = city_api.as_("dispatcher")
    # units before a suggestion: illegal transition, named
    r = c.post("/incidents/2026-0001/arrive", json={}, headers=h)
    assert r.status_code == 409 and "reported" in r.json()["detail"]
    assert c.post("/incidents/NOPE/suggest", json={}, headers=h).status_code == 404
    bad = c.post("/incidents", json={**body, "code": "x2", "severity": 9}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "severity"]
    listed = c.get("/incidents", params={"open_only": True}, headers=city_api.as_("viewer"))
    assert [i["code"] for i in listed.json()] == ["2026-0001"]
    esc = c.post("/incidents/2026-0001/escalate", json={"level": "county"}, headers=h)
    assert esc.status_code == 200 and esc.json()["escalation"] == "county"


def test_position_report(city_api: Api) -> None:
    c = city_api.client
    unit = c.get("/units", params={"limit": 1}, headers=city_api.as_("viewer")).json()["items"][0]
    body = {"lon": 100.5, "lat": 38.9, "status": "standby"}
    assert (
        c.post(
            f"/units/{unit['code']}/position", json=body, headers=city_api.as_("viewer")
        ).status_code
        == 403
    )
    r = c.post(f"/units/{unit['code']}/position", json=body, headers=city_api.as_("dispatcher"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "standby" and r.json()["lon"] == 100.5
    engaged = {**body, "status": "on_scene"}
    refused = c.post(
        f"/units/{unit['code']}/position", json=engaged, headers=city_api.as_("dispatcher")
    )
    assert refused.status_code == 422 and "no open dispatch" in refused.json()["detail"]
