"""Uploads and downloads: import all-or-nothing with every bad row reported, export in each
format, the roster as a scenario, the standards report."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from optimizer.scenario import parse_scenario
from tests.api.conftest import Api

GOOD = "code,name,level,parent\nC,市,city,\nK1,甘州区,county,C\nT1,城关镇,township,K1\n"
BAD = "code,name,level,parent\nC,市,city,\nK1,甘州区,planet,C\nT1,,township,K1\n"


def upload(api: Api, text: str, role: str = "commander", **form: str):
    files = {"file": ("jurisdictions.csv", text.encode("utf-8"), "text/csv")}
    return api.client.post("/import/jurisdictions", files=files, data=form, headers=api.as_(role))


def test_import_reports_every_bad_row_and_writes_nothing(api: Api) -> None:
    r = upload(api, BAD)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert [e["loc"][0] for e in errors] == [3, 4]  # the rows as the user numbers them
    assert "级别" in errors[0]["loc"][1] or "level" in errors[0]["loc"][1]
    listed = api.client.get("/jurisdictions", headers=api.as_("viewer")).json()
    assert listed["total"] == 0


def test_import_export_round_trip(api: Api) -> None:
    assert upload(api, GOOD, role="viewer").status_code == 403
    dry = upload(api, GOOD, dry_run="true")
    assert dry.status_code == 200 and dry.json()["written"] is False
    r = upload(api, GOOD)
    assert r.status_code == 200 and r.json()["created"] == 3 and r.json()["written"]
    c, h = api.client, api.as_("viewer")
    assert c.get("/jurisdictions/T1", headers=h).json()["parent"] == "K1"
    csv = c.get("/export/jurisdictions", params={"format": "csv", "lang": "en"}, headers=h)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and "T1" in lines[3]
    xlsx = c.get("/export/jurisdictions", params={"format": "xlsx"}, headers=h)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.active.max_row == 4
    geo = c.get("/export/units", params={"format": "geojson"}, headers=h)
    assert geo.status_code == 422
    audit = c.get("/audit", params={"action": "import"}, headers=api.as_("admin")).json()
    assert audit["total"] == 1 and audit["items"][0]["after"]["created"] == 3


def test_scenario_and_standards(api: Api) -> None:
    upload(api, GOOD)
    c, h = api.client, api.as_("viewer")
    r = c.get("/scenario", params={"start": "2026-12-01", "days": 2}, headers=h)
    assert r.status_code == 200
    sc = parse_scenario(r.json())
    assert [j.id for j in sc.jurisdictions] == ["C", "K1", "T1"] and sc.horizon.days == 2
    unknown = c.get("/scenario", params={"county": "NOPE"}, headers=h)
    assert unknown.status_code == 422 and "NOPE" in unknown.json()["detail"]
    report = c.get("/standards", headers=h).json()
    # an empty county misses its 50 patrol/SWAT and 100 response officers
    k1 = {(s["standard"], s["missing"]) for s in report if s["jurisdiction_id"] == "K1"}
    assert ("county_patrol_swat", 50) in k1 and ("county_response", 100) in k1
    only_city = c.get("/standards", params={"level": ["city"]}, headers=h).json()
    assert {s["jurisdiction_id"] for s in only_city} <= {"C"}
