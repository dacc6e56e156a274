"""Request bodies are bounded and finite: an incident with too many needed skills, an
oversized body (413 before parsing), unparsable JSON (400), NaN / Infinity / 1e400 anywhere
(422), incidents outside the roster's area (and at (0, 0)), the `Allow` header of a 405.
Every refusal is problem+json and writes nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlmodel import Session, select

from api import limits
from dispatch.models import Incident
from rosters.models import Zone
from tests.api.conftest import Api
from tests.api.samples import CREATE

PROBLEM = "application/problem+json"


@pytest.fixture
def roster(api: Api) -> Api:
    for kind, _, body in CREATE:
        r = api.client.post(f"/{kind}", json=body, headers=api.as_("admin"))
        assert r.status_code == 201, (kind, r.text)
    return api


def _incident(**extra: Any) -> dict[str, Any]:
    return {"code": "JQ-1", "kind": "violent", "lon": 100.46, "lat": 38.94, **extra}


def _raw(api: Api, path: str, text: str | bytes, role: str = "admin") -> Any:
    headers = {**api.as_(role), "Content-Type": "application/json"}
    return api.client.post(path, content=text, headers=headers)


def _incidents(api: Api) -> int:
    with Session(api.engine) as session:
        return len(session.exec(select(Incident)).all())


def test_an_incident_needing_too_many_skills_is_refused(roster: Api) -> None:
    skills = {f"skill{i}": 1 for i in range(51)}
    r = roster.client.post(
        "/incidents", json=_incident(needs={"skills": skills}), headers=roster.as_("dispatcher")
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["errors"][0]["loc"][:3] == ["body", "needs", "skills"]
    long_name = {"x" * 65: 1}
    r = roster.client.post(
        "/incidents", json=_incident(needs={"skills": long_name}), headers=roster.as_("dispatcher")
    )
    assert r.status_code == 422
    assert _incidents(roster) == 0


def test_two_million_skills_are_refused_at_once_by_size(roster: Api) -> None:
    skills = ",".join(f'"s{i}": 1' for i in range(2_000_000))
    body = json.dumps(_incident())[:-1] + ', "needs": {"skills": {' + skills + "}}}"
    began = time.perf_counter()
    r = _raw(roster, "/incidents", body, "dispatcher")
    assert r.status_code == 413, r.text[:200]
    assert r.headers["content-type"] == PROBLEM
    assert "256 KB" in r.json()["detail"]
    assert time.perf_counter() - began < 10  # refused before parsing (was 51 s to accept)
    assert _incidents(roster) == 0


def test_each_route_has_its_limit() -> None:
    assert limits.body_limit("/incidents") == limits.DEFAULT_BODY_LIMIT
    assert limits.body_limit("/zones/Z1") > limits.DEFAULT_BODY_LIMIT
    assert limits.body_limit("/import/people") > limits.body_limit("/zones")


def test_an_upload_past_its_limit_gets_413(roster: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    small = (limits.BodyLimit("/import/", 4096, "test"),)
    monkeypatch.setattr(limits, "BODY_LIMITS", small)
    csv = "警号,姓名\n" + "P9,某人\n" * 2000
    r = roster.client.post(
        "/import/people",
        files={"file": ("people.csv", csv.encode(), "text/csv")},
        headers=roster.as_("admin"),
    )
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == PROBLEM


def test_unparsable_json_gets_a_documented_400(roster: Api) -> None:
    for text in ('{"code": ', b"\xff\xfe{}", "[1, 2"):
        r = _raw(roster, "/incidents", text, "dispatcher")
        assert r.status_code == 400, r.text
        assert r.headers["content-type"] == PROBLEM
    spec = roster.client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if "requestBody" in op:
                assert {"400", "413", "422"} <= set(op["responses"]), (method, path)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused_everywhere(roster: Api, token: str) -> None:
    risk = "[" + ",".join(["[" + ",".join(["1"] * 23 + [token]) + "]"] * 7) + "]"
    zone = f'{{"code": "Z9", "name": "n", "jurisdiction": "K1", "risk": {risk}}}'
    assert _raw(roster, "/zones", zone).status_code == 422
    incident = json.dumps(_incident()).replace("100.46", token)
    assert _raw(roster, "/incidents", incident, "dispatcher").status_code == 422
    assert (
        roster.client.post("/incidents", json=_incident(), headers=roster.as_("dispatcher"))
    ).status_code == 201
    etas = f'{{"units": ["U1"], "etas": {{"U1": {token}}}}}'
    r = _raw(roster, "/incidents/JQ-1/dispatch", etas, "dispatcher")
    assert r.status_code == 422, r.text
    shape = f'{{"type": "Point", "coordinates": [100.4, {token}]}}'
    r = _raw(
        roster,
        "/jurisdictions",
        f'{{"code": "K9", "name": "n", "level": "county", "boundary": {shape}}}',
    )
    assert r.status_code == 422
    with Session(roster.engine) as session:
        assert session.exec(select(Zone).where(Zone.code == "Z9")).first() is None


def test_incidents_only_inside_the_rosters_area(roster: Api) -> None:
    h = roster.as_("dispatcher")
    r = roster.client.post("/incidents", json=_incident(lon=0, lat=0), headers=h)
    assert r.status_code == 422
    assert "(0, 0)" in r.json()["detail"] and "missing" in r.json()["detail"]
    far = _incident(lon=120.5, lat=30.2)  # in China, far from this roster (Zhangye)
    r = roster.client.post("/incidents", json=far, headers=h)
    assert r.status_code == 422
    assert "outside the area" in r.json()["detail"]
    assert _incidents(roster) == 0
    assert roster.client.post("/incidents", json=_incident(), headers=h).status_code == 201


def test_incidents_inside_a_named_jurisdictions_boundary(roster: Api) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[100.4, 38.9], [100.5, 38.9], [100.5, 39.0], [100.4, 39.0], [100.4, 38.9]]
        ],
    }
    r = roster.client.patch(
        "/jurisdictions/K1", json={"boundary": square}, headers=roster.as_("admin")
    )
    assert r.status_code == 200, r.text
    h = roster.as_("dispatcher")
    outside = _incident(lon=100.7, lat=38.95, jurisdiction="K1")
    r = roster.client.post("/incidents", json=outside, headers=h)
    assert r.status_code == 422 and "K1" in r.json()["detail"]
    r = roster.client.post("/incidents", json=_incident(jurisdiction="K1"), headers=h)
    assert r.status_code == 201, r.text


def test_a_405_names_every_method_of_the_path(roster: Api) -> None:
    r = roster.client.put("/units", json={}, headers=roster.as_("admin"))
    assert r.status_code == 405
    assert r.headers["content-type"] == PROBLEM
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    r = roster.client.post("/units/U1", json={}, headers=roster.as_("admin"))
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}
