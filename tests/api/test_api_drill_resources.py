"""Drill resources through HTTP: every one round-trips and is audited; commanders and
training officers write, everyone reads, the others are refused; lists of codes keep their
order and refuse unknown codes by field; references hold (a used drill type cannot go)."""

from __future__ import annotations

import pytest

from tests.api import drill_samples as ds
from tests.api.conftest import Api
from tests.api.test_api_roster import create_all

WRITERS = ("admin", "commander", "training_officer")
READ_ONLY = ("dispatcher", "viewer")


def create_drills(api: Api, role: str = "training_officer") -> None:
    create_all(api)
    for name, _, body in ds.CREATE:
        r = api.client.post(f"/{name}", json=body, headers=api.as_(role))
        assert r.status_code == 201, (name, r.text)


@pytest.mark.parametrize("role", WRITERS)
def test_every_drill_resource_round_trips_and_is_audited(api: Api, role: str) -> None:
    c = api.client
    create_drills(api, role)
    for name, key, body in ds.CREATE:
        got = c.get(f"/{name}/{key}", headers=api.as_("viewer"))
        assert got.status_code == 200, got.text
        shown = got.json()
        assert {k: shown[k] for k in body} == body, name
        field, new = ds.CHANGE[name]
        r = c.patch(f"/{name}/{key}", json={field: new}, headers=api.as_(role))
        assert r.status_code == 200, (name, r.text)
        assert r.json()[field] == new
        assert c.get(f"/{name}/{key}", headers=api.as_("viewer")).json()[field] == new
    audit = c.get("/audit", params={"limit": 500}, headers=api.as_("admin")).json()["items"]
    mine = {(e["entity"], e["action"]) for e in audit if e["actor"] == role}
    for entity in ds.ENTITIES:
        assert (entity, "create") in mine and (entity, "update") in mine
    change = next(
        e for e in audit if e["entity"] == "drill_requirement" and e["action"] == "update"
    )
    assert change["before"]["count"] == 2 and change["after"]["count"] == 1
    assert change["after"]["units"] == ["U1"]


@pytest.mark.parametrize("role", READ_ONLY)
def test_others_may_read_but_not_write(api: Api, role: str) -> None:
    create_drills(api)
    c = api.client
    for name, key, body in ds.CREATE:
        assert c.get(f"/{name}", headers=api.as_(role)).status_code == 200
        assert c.get(f"/{name}/{key}", headers=api.as_(role)).status_code == 200
        r = c.post(f"/{name}", json=body, headers=api.as_(role))
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
        assert c.patch(f"/{name}/{key}", json={}, headers=api.as_(role)).status_code == 403
        assert c.delete(f"/{name}/{key}", headers=api.as_(role)).status_code == 403
    assert c.get("/drills/types").status_code == 401


def test_training_officers_may_not_write_the_roster(api: Api) -> None:
    r = api.client.post(
        "/jurisdictions",
        json={"code": "C", "name": "市", "level": "city"},
        headers=api.as_("training_officer"),
    )
    assert r.status_code == 403


def test_code_lists_keep_order_and_refuse_unknown_codes(api: Api) -> None:
    c, h = api.client, api.as_("training_officer")
    create_drills(api)
    unit = {"code": "U2", "name": "二中队", "force": "patrol_swat", "jurisdiction": "K1"}
    assert c.post("/units", json=unit, headers=api.as_("commander")).status_code == 201
    r = c.patch("/drills/requirements/R1", json={"units": ["U2", "U1"]}, headers=h)
    assert r.status_code == 200 and r.json()["units"] == ["U2", "U1"]
    bad = c.patch("/drills/requirements/R1", json={"units": ["U1", "NOPE"]}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"loc": ["body", "units"], "msg": "unknown code 'NOPE'"}]
    assert c.get("/drills/requirements/R1", headers=h).json()["units"] == ["U2", "U1"]
    twice = c.patch("/drills/requirements/R1", json={"units": ["U1", "U1"]}, headers=h)
    assert twice.status_code == 422
    blackout = {**ds.CREATE[4][2], "code": "B2", "jurisdictions": ["K1", "ZZ"]}
    r = c.post("/drills/blackouts", json=blackout, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "jurisdictions"]
    assert c.get("/drills/blackouts/B2", headers=h).status_code == 404  # nothing written


def test_field_errors_and_references(api: Api) -> None:
    c, h = api.client, api.as_("commander")
    create_drills(api)
    r = c.post("/drills/types", json={**ds.CREATE[0][2], "code": "X", "hours": 13}, headers=h)
    assert r.status_code == 422 and ["body", "hours"] in [e["loc"] for e in r.json()["errors"]]
    closed = {**ds.CREATE[2][2], "code": "V2", "open_from": "18:00:00", "open_until": "08:00:00"}
    assert c.post("/drills/venues", json=closed, headers=h).status_code == 422
    offset = {**ds.CREATE[2][2], "code": "V3", "open_from": "08:00:00+08:00"}
    r = c.post("/drills/venues", json=offset, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "open_from"]
    naive = {**ds.CREATE[4][2], "code": "B3", "start_at": "2026-12-20T00:00:00"}
    r = c.post("/drills/blackouts", json=naive, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "start_at"]
    # a PATCH is checked against the whole record
    r = c.patch("/drills/blackouts/B1", json={"end_at": "2026-12-19T00:00:00Z"}, headers=h)
    assert r.status_code == 422
    r = c.post(
        "/drills/requirements", json={**ds.CREATE[1][2], "code": "R9", "drill_type": "Q"}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "drill_type"]
    # the drill type is used by R1: refused, nothing changes; the calendar day is keyed by date
    assert c.delete("/drills/types/LF", headers=h).status_code == 409
    assert c.get("/drills/types/LF", headers=h).status_code == 200
    assert c.delete("/drills/calendar/2026-10-01", headers=h).status_code == 204
    assert c.get("/drills/calendar/2026-10-01", headers=h).status_code == 404
    assert c.get("/drills/calendar/not-a-date", headers=h).status_code == 404
    # deleting a requirement takes its unit links with it
    assert c.delete("/drills/requirements/R1", headers=h).status_code == 204
    assert c.delete("/drills/types/LF", headers=h).status_code == 204


def test_lists_page_and_filter(api: Api) -> None:
    c, h = api.client, api.as_("viewer")
    create_drills(api)
    w = api.as_("training_officer")
    for i in range(4):
        body = {"code": f"T{i}", "name": f"急救{i}", "kind": "first_aid" if i % 2 else "fire"}
        assert c.post("/drills/types", json={**body, "hours": 2}, headers=w).status_code == 201
    page = c.get("/drills/types", params={"limit": 2, "offset": 1}, headers=h).json()
    assert page["total"] == 5 and [t["code"] for t in page["items"]] == ["T0", "T1"]
    aid = c.get("/drills/types", params={"kind": "first_aid"}, headers=h).json()
    assert [t["code"] for t in aid["items"]] == ["T1", "T3"]
    ranges = c.get("/drills/venues", params={"jurisdiction": "K1", "kind": "range"}, headers=h)
    assert [v["code"] for v in ranges.json()["items"]] == ["V1"]
    by_person = c.get("/drills/instructors", params={"person": "P1"}, headers=h).json()
    assert [i["code"] for i in by_person["items"]] == ["I1"]
