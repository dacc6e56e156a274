"""Post siting through the API on the small demo city: a commander starts the job (202 and
Location), it finishes with the report (re-measured here on the exported roster), its map is
served; roles, unknown and unfinished jobs, and bad requests are refused."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from api.models import Job, JobStatus
from optimizer.siting.city import CitySitingOptions, city_instance
from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.api.conftest import Api, centre_today, wait_for

FINISHED = {"succeeded", "failed", "cancelled"}
BODY = {"p": 4, "max_candidates": 200, "seconds": 30}


@pytest.fixture
def city_api(api: Api) -> Api:
    with session_scope(api.engine) as session:
        load_scenario_into_db(session, build_demo_city(size="small"))
    return api


def finished(api: Api, job_id: int) -> dict | None:
    job = api.client.get(f"/jobs/{job_id}", headers=api.as_("viewer")).json()
    return job if job["status"] in FINISHED else None


def test_siting_job_report_and_map(city_api: Api) -> None:
    api, c = city_api, city_api.client
    assert c.post("/siting", json=BODY, headers=api.as_("viewer")).status_code == 403
    r = c.post("/siting", json=BODY, headers=api.as_("commander"))
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.headers["location"] == f"/jobs/{job_id}"
    job = wait_for(lambda: finished(api, job_id))
    assert job["status"] == "succeeded", job
    result = c.get(f"/jobs/{job_id}/result", headers=api.as_("viewer")).json()["result"]
    report = result["report"]
    assert result["status"] == "optimal" and report["p"] == 4 and len(report["chosen"]) == 4
    with Session(api.engine) as session:
        scenario = export_scenario(session, start=centre_today(), days=1)
    inst = city_instance(scenario, CitySitingOptions(p=4, max_candidates=200)).instance
    sites = [inst.site_ids.index(s["id"]) for s in report["chosen"]]
    assert float(inst.weights @ inst.cost[:, sites].min(axis=1)) == pytest.approx(
        result["objective"]
    )
    assert report["today_figures"]["sites"] == len(scenario.posts)
    page = c.get(f"/siting/{job_id}/map", headers=api.as_("viewer"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert all(s["id"] in page.text for s in report["chosen"])


def test_map_of_unknown_or_unfinished_jobs(city_api: Api) -> None:
    api, c = city_api, city_api.client
    with session_scope(api.engine) as session:
        queued = Job(kind="siting", params=BODY, status=JobStatus.QUEUED.value)
        other = Job(kind="patrol_plan", params={}, status=JobStatus.SUCCEEDED.value, result={})
        session.add(queued)
        session.add(other)
        session.flush()
        ids = queued.id, other.id
    assert c.get(f"/siting/{ids[0]}/map", headers=api.as_("viewer")).status_code == 409
    assert c.get(f"/siting/{ids[1]}/map", headers=api.as_("viewer")).status_code == 404
    assert c.get("/siting/999999/map", headers=api.as_("viewer")).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"model": "center"},
        {"p": 0},
        {"radius_minutes": -1},
        {"seconds": 1e9},
        {"unknown": 1},
    ],
)
def test_bad_requests_are_refused(city_api: Api, body: dict) -> None:
    r = city_api.client.post("/siting", json=body, headers=city_api.as_("commander"))
    assert r.status_code == 422, r.text


def test_too_many_sites_fails_the_job_with_a_clear_error(city_api: Api) -> None:
    api = city_api
    r = api.client.post("/siting", json={**BODY, "p": 5000}, headers=api.as_("commander"))
    assert r.status_code == 202
    job = wait_for(lambda: finished(api, r.json()["id"]))
    assert job["status"] == "failed"
    assert "p: must be between 1 and the 200 candidates, got 5000" in job["error"]
