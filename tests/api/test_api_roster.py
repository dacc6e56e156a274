"""Roster CRUD through HTTP: every resource, every role, pagination, filters, field-level
validation errors, conflicts, and an audit entry with before/after for each write."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.api.samples import CHANGE, CREATE

WRITERS = ("admin", "commander")
READ_ONLY = ("training_officer", "dispatcher", "viewer")


def create_all(api: Api) -> None:
    for name, _, body in CREATE:
        r = api.client.post(f"/{name}", json=body, headers=api.as_("commander"))
        assert r.status_code == 201, (name, r.text)


def test_every_resource_round_trips_and_is_audited(api: Api) -> None:
    c = api.client
    create_all(api)
    for name, key, body in CREATE:
        got = c.get(f"/{name}/{key}", headers=api.as_("viewer"))
        assert got.status_code == 200, got.text
        shown = got.json()
        for field, value in body.items():
            if field == "body":  # labour rules are stored normalised (id, kind, defaults)
                assert value.items() <= shown[field].items()
            else:
                assert shown[field] == value, (name, field)
        field, new = CHANGE[name]
        r = c.patch(f"/{name}/{key}", json={field: new}, headers=api.as_("commander"))
        assert r.status_code == 200, (name, r.text)
        changed = r.json()[field]
        assert changed == new or new.items() <= changed.items()
    audit = c.get("/audit", params={"limit": 500}, headers=api.as_("admin")).json()
    actions = {(e["entity"], e["action"]) for e in audit["items"]}
    entities = {"jurisdiction", "unit", "person", "zone", "post", "shift_template"}
    entities |= {"standby_floor", "labour_rule"}
    for entity in entities:
        assert (entity, "create") in actions and (entity, "update") in actions
    update = next(
        e for e in audit["items"] if e["entity"] == "jurisdiction" and e["action"] == "update"
    )
    assert update["actor"] == "commander" and update["entity_id"] == "K1"
    assert update["before"]["population"] == 500000 and update["after"]["population"] == 600000


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_may_read_but_not_write(api: Api, role: str) -> None:
    create_all(api)
    c = api.client
    for name, key, body in CREATE:
        assert c.get(f"/{name}", headers=api.as_(role)).status_code == 200
        assert c.get(f"/{name}/{key}", headers=api.as_(role)).status_code == 200
        r = c.post(f"/{name}", json=body, headers=api.as_(role))
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
        assert c.patch(f"/{name}/{key}", json={}, headers=api.as_(role)).status_code == 403
        assert c.delete(f"/{name}/{key}", headers=api.as_(role)).status_code == 403
    assert c.get("/jurisdictions").status_code == 401


def test_pagination_and_filters(api: Api) -> None:
    c, h = api.client, api.as_("commander")
    c.post("/jurisdictions", json={"code": "C", "name": "市", "level": "city"}, headers=h)
    for i in range(7):
        body = {"code": f"T{i}", "name": f"镇{i}", "level": "township", "parent": "C"}
        body["urban"] = i % 2 == 0
        assert c.post("/jurisdictions", json=body, headers=h).status_code == 201
    page = c.get("/jurisdictions", params={"limit": 3, "offset": 2}, headers=h).json()
    assert page["total"] == 8 and page["limit"] == 3 and page["offset"] == 2
    assert [j["code"] for j in page["items"]] == ["T1", "T2", "T3"]
    towns = c.get("/jurisdictions", params={"level": "township", "urban": True}, headers=h).json()
    assert sorted(j["code"] for j in towns["items"]) == ["T0", "T2", "T4", "T6"]
    under = c.get("/jurisdictions", params={"parent": "C", "q": "镇3"}, headers=h).json()
    assert [j["code"] for j in under["items"]] == ["T3"] and under["total"] == 1
    bad = c.get("/jurisdictions", params={"limit": 0}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "limit"]


def test_validation_errors_name_the_field(api: Api) -> None:
    c, h = api.client, api.as_("commander")
    r = c.post("/jurisdictions", json={"code": "C", "name": "市", "level": "planet"}, headers=h)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["instance"] == "/jurisdictions"
    assert ["body", "level"] in [e["loc"] for e in body["errors"]]
    r = c.post("/units", json={**CREATE[2][2], "jurisdiction": "NOPE"}, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"loc": ["body", "jurisdiction"], "msg": "unknown code 'NOPE'"}]
    create_all(api)
    # a PATCH is checked against the whole record: min_armed may not exceed min_staff
    r = c.patch("/posts/X1", json={"min_armed": 5}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][0] == "body"
    r = c.patch("/labour-rules/rest", json={"body": {"hours": 99}}, headers=h)
    assert r.status_code == 422


def test_conflicts_and_missing_records(api: Api) -> None:
    c, h = api.client, api.as_("commander")
    create_all(api)
    dup = c.post("/jurisdictions", json=CREATE[0][2], headers=h)
    assert dup.status_code == 409
    # K1 still has units, people, posts…: refused, nothing changes
    assert c.delete("/jurisdictions/K1", headers=h).status_code == 409
    assert c.get("/jurisdictions/K1", headers=h).status_code == 200
    missing = c.get("/people/NOBODY", headers=h)
    assert missing.status_code == 404 and "NOBODY" in missing.json()["detail"]


def test_delete_is_audited_with_the_record_before(api: Api) -> None:
    c, h = api.client, api.as_("admin")
    create_all(api)
    assert c.delete("/people/P1", headers=h).status_code == 204
    assert c.get("/people/P1", headers=h).status_code == 404
    entries = c.get("/audit", params={"entity": "person", "action": "delete"}, headers=h).json()[
        "items"
    ]
    assert len(entries) == 1 and entries[0]["after"] is None
    assert entries[0]["before"]["certifications"] == [
        {"skill": "first_aid", "expires": "2027-06-30"}
    ]


def test_people_certifications_are_replaced_on_update(api: Api) -> None:
    c, h = api.client, api.as_("commander")
    create_all(api)
    certs = [{"skill": "riot_control", "expires": None}, {"skill": "driver", "expires": None}]
    r = c.patch("/people/P1", json={"certifications": certs}, headers=h)
    assert r.status_code == 200 and r.json()["certifications"] == certs
    armed = c.get("/people", params={"armed": True, "unit": "U1"}, headers=h).json()
    assert [p["badge"] for p in armed["items"]] == ["P1"]


@pytest.mark.parametrize("role", ("training_officer", "dispatcher", "viewer", "commander"))
def test_audit_log_is_for_admins_and_commanders(api: Api, role: str) -> None:
    r = api.client.get("/audit", headers=api.as_(role))
    assert r.status_code == (200 if role == "commander" else 403)
