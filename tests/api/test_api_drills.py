"""Drill schedules through HTTP: the solve as a background job (202, progress, result), the
draft checked by the independent checker, publishing (by role, audited), the sessions list
with its filters, recording done / missed / cancelled, the holiday notice, reminders, and
cancelling a drill job as a training officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import Session

from optimizer.drill_format import DrillSession
from optimizer.drills import check_schedule, ics
from rosters.db import session_scope
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.api.conftest import Api, wait_for
from tests.api.test_api_jobs import finished
from tests.optimizer.drill_cases import START, scenario

SOLVE = {"start": START.isoformat(), "days": 31, "seconds": 20, "workers": 1, "seed": 0}


def load(api: Api, **kw: Any) -> None:
    with session_scope(api.engine) as session:
        load_scenario_into_db(session, scenario(**kw))


def solve(api: Api, role: str = "training_officer", body: dict[str, Any] | None = None) -> dict:
    r = api.client.post("/drills/schedules/solve", json=body or SOLVE, headers=api.as_(role))
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.headers["location"] == f"/jobs/{job_id}"
    job = wait_for(lambda: finished(api, job_id))
    assert job["status"] == "succeeded", job
    return api.client.get(f"/jobs/{job_id}/result", headers=api.as_("viewer")).json()["result"]


def publish(api: Api, schedule_id: int, role: str = "training_officer") -> dict:
    r = api.client.post(f"/drills/schedules/{schedule_id}/publish", headers=api.as_(role))
    assert r.status_code == 200, r.text
    return r.json()


def sessions(api: Api, **params: Any) -> list[dict]:
    r = api.client.get("/drills/sessions", params=params, headers=api.as_("viewer"))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_solve_publish_and_list(api: Api) -> None:
    load(api)
    c = api.client
    result = solve(api)
    assert result["status"] == "optimal" and result["sessions"] == 4
    assert result["objective"] == result["bound"]
    draft = c.get(f"/drills/schedules/{result['schedule_id']}", headers=api.as_("viewer")).json()
    proposed = [DrillSession.model_validate(x) for x in draft["sessions"]]
    with Session(api.engine) as session:
        sc = export_scenario(session, start=START, days=31, drill_absences=False)
    assert check_schedule(sc, proposed) == []
    assert draft["published_at"] is None and draft["created_by"] == "training_officer"
    # publishing: commanders and training officers; audited; a drill event
    for role in ("viewer", "dispatcher"):
        r = c.post(f"/drills/schedules/{draft['id']}/publish", headers=api.as_(role))
        assert r.status_code == 403
    report = publish(api, draft["id"])
    assert report["revision"] == 1 and sorted(report["added"]) == sorted(x.id for x in proposed)
    again = c.post(f"/drills/schedules/{draft['id']}/publish", headers=api.as_("commander"))
    assert again.status_code == 409
    audit = c.get("/audit", params={"entity": "drill_schedule"}, headers=api.as_("admin")).json()
    assert audit["items"][0]["action"] == "publish"
    listed = c.get("/drills/schedules", params={"published": True}, headers=api.as_("viewer"))
    assert [s["id"] for s in listed.json()["items"]] == [draft["id"]]
    # the sessions list and its filters
    every = sessions(api)
    assert {s["id"] for s in every} == {x.id for x in proposed}
    assert {s["status"] for s in every} == {"scheduled"} and every[0]["venue"] == "V1"
    s1 = sessions(api, unit="S1")
    assert len(s1) == 2 and all(s["units"] == ["S1"] for s in s1)
    first = min(proposed, key=lambda x: x.start)
    window = sessions(api, **{"from": first.start.isoformat(), "to": first.end.isoformat()})
    assert [s["id"] for s in window] == [first.id]  # local times (no offset)
    assert sessions(api, venue="V1", status="cancelled") == []
    # a re-solve keeps the published sessions: publishing it changes nothing
    second = solve(api, "commander")
    report = publish(api, second["schedule_id"], "commander")
    assert report["added"] == report["moved"] == report["cancelled"] == []
    assert report["revision"] == 2


def test_record_done_missed_cancelled(api: Api) -> None:
    load(api)
    c = api.client
    publish(api, solve(api)["schedule_id"])
    first, second, *_ = sessions(api)
    body = {"session": first["id"], "status": "missed", "note": "暴雨"}
    assert (
        c.post("/drills/sessions/record", json=body, headers=api.as_("viewer")).status_code == 403
    )
    r = c.post("/drills/sessions/record", json=body, headers=api.as_("training_officer"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "missed" and r.json()["note"] == "暴雨"
    assert r.json()["revision"] == 1 and r.json()["updated_by"] == "training_officer"
    entry = c.get("/audit", params={"entity": "drill_session"}, headers=api.as_("admin")).json()[
        "items"
    ][0]
    assert entry["action"] == "missed" and entry["before"]["status"] == "scheduled"
    cancel = {"session": second["id"], "status": "cancelled"}
    assert (
        c.post("/drills/sessions/record", json=cancel, headers=api.as_("commander")).status_code
        == 200
    )
    done = {"session": second["id"], "status": "done"}
    r = c.post("/drills/sessions/record", json=done, headers=api.as_("commander"))
    assert r.status_code == 409 and "cancelled" in r.json()["detail"]
    missing = {"session": "NOPE", "status": "done"}
    assert (
        c.post("/drills/sessions/record", json=missing, headers=api.as_("commander")).status_code
        == 404
    )
    bad = {"session": first["id"], "status": "scheduled"}
    r = c.post("/drills/sessions/record", json=bad, headers=api.as_("commander"))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "status"]
    # the missed and the cancelled drill are due again: the next schedule has both again
    result = solve(api)
    draft = c.get(f"/drills/schedules/{result['schedule_id']}", headers=api.as_("viewer")).json()
    retried = {x["occurrence"] for x in draft["sessions"] if "#" in x["id"]}
    assert retried == {first["occurrence"], second["occurrence"]}


def test_holiday_notice(api: Api) -> None:
    load(api)
    c, h = api.client, api.as_("training_officer")
    notice = {
        "days": [
            {"date": "2026-12-31", "working": False, "name": "元旦"},
            {"date": "2026-12-26", "working": True, "name": "调休上班"},
        ]
    }
    assert (
        c.put("/drills/holiday-notice/2026", json=notice, headers=api.as_("viewer")).status_code
        == 403
    )
    r = c.put("/drills/holiday-notice/2026", json=notice, headers=h)
    assert r.status_code == 200, r.text
    assert [d["date"] for d in r.json()["days"]] == ["2026-12-26", "2026-12-31"]
    wrong = {"days": [{"date": "2027-01-01", "working": False}]}
    r = c.put("/drills/holiday-notice/2026", json=wrong, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "days", "0", "date"]
    got = c.get("/drills/holiday-notice/2026", headers=api.as_("viewer")).json()
    assert len(got["days"]) == 2  # unchanged by the refused notice
    listed = c.get("/drills/calendar", params={"working": True}, headers=api.as_("viewer")).json()
    assert [d["date"] for d in listed["items"]] == ["2026-12-26"]
    # the schedule honours it: nothing on the holiday, possibly on the adjusted Saturday
    result = solve(api)
    draft = c.get(f"/drills/schedules/{result['schedule_id']}", headers=h).json()
    days = {dt.datetime.fromisoformat(x["start"]).date() for x in draft["sessions"]}
    assert dt.date(2026, 12, 31) not in days


def test_drill_jobs_are_for_drill_writers_and_cancellable_by_them(api: Api) -> None:
    load(api, days=92)
    c = api.client
    for role in ("viewer", "dispatcher"):
        assert (
            c.post("/drills/schedules/solve", json=SOLVE, headers=api.as_(role)).status_code == 403
        )
    body = {**SOLVE, "days": 92, "seconds": 300}
    job = c.post("/drills/schedules/solve", json=body, headers=api.as_("training_officer")).json()
    r = c.delete(f"/jobs/{job['id']}", headers=api.as_("viewer"))
    assert r.status_code == 403
    r = c.post(f"/jobs/{job['id']}/cancel", headers=api.as_("training_officer"))
    assert r.status_code == 200 and r.json()["cancel_requested"] is True
    done = wait_for(lambda: finished(api, job["id"]), seconds=120)
    assert done["status"] == "cancelled"


def test_a_training_officer_may_not_cancel_a_patrol_job(api: Api) -> None:
    from tests.api.test_api_jobs import tiny_roster

    tiny_roster(api)
    body = {"start": "2026-12-07", "days": 1, "seconds": 20, "workers": 1}
    job = api.client.post("/plans/patrol", json=body, headers=api.as_("commander")).json()
    r = api.client.delete(f"/jobs/{job['id']}", headers=api.as_("training_officer"))
    assert r.status_code == 403 and "patrol_plan" in r.json()["detail"]
    wait_for(lambda: finished(api, job["id"]))


@pytest.mark.parametrize("params", [{"limit": 0}, {"status": "planned"}, {"from": "yesterday"}])
def test_bad_session_filters_name_the_parameter(api: Api, params: dict) -> None:
    r = api.client.get("/drills/sessions", params=params, headers=api.as_("viewer"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"][:2] == ["query", next(iter(params))]


@pytest.mark.parametrize("role", ["viewer", "dispatcher"])
def test_read_only_roles_read_but_never_write_drills(api: Api, role: str) -> None:
    load(api)
    schedule_id = solve(api)["schedule_id"]
    c, h = api.client, api.as_(role)
    writes = [
        c.post("/drills/schedules/solve", json=SOLVE, headers=h),
        c.post(f"/drills/schedules/{schedule_id}/publish", headers=h),
        c.post("/drills/sessions/record", json={"session": "x", "status": "done"}, headers=h),
        c.put("/drills/holiday-notice/2026", json={"days": []}, headers=h),
    ]
    assert [r.status_code for r in writes] == [403] * 4
    assert all(r.headers["content-type"] == "application/problem+json" for r in writes)
    reads = ["/drills/schedules", f"/drills/schedules/{schedule_id}", "/drills/sessions"]
    reads += ["/drills/holiday-notice/2026", "/drills/reminders"]
    assert [c.get(path, headers=h).status_code for path in reads] == [200] * 5
    assert c.get("/drills/sessions").status_code == 401
    assert c.get("/drills/schedules/99999", headers=h).status_code == 404


def test_reminders_are_listed_per_unit(api: Api) -> None:
    from api import scheduler as sch
    from tests.api.conftest import api_settings

    load(api)
    publish(api, solve(api)["schedule_id"])
    first = min(dt.datetime.fromisoformat(s["start"]) for s in sessions(api))
    day = first.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    sch.context.engine, sch.context.settings = api.engine, api_settings(drill_reminder_days=7)
    try:
        ran = sch.drill_reminders(day=day)
    finally:
        sch.context.engine = sch.context.settings = None
    assert ran is not None and ran["units"]
    c, h = api.client, api.as_("viewer")
    everything = c.get("/drills/reminders", headers=h).json()
    assert everything["total"] == len(ran["units"])
    s1 = c.get("/drills/reminders", params={"unit": "S1", "day": day.isoformat()}, headers=h)
    items = s1.json()["items"]
    assert [r["unit"] for r in items] == ["S1"] and items[0]["days"] == 7
    week = sessions(api, unit="S1", to=(day + dt.timedelta(days=7)).isoformat())
    assert {x["id"] for x in items[0]["sessions"]} == {x["id"] for x in week}


def test_drill_settings_are_kept_and_used(api: Api) -> None:
    load(api)
    c, h = api.client, api.as_("training_officer")
    assert c.get("/drills/settings", headers=api.as_("viewer")).json()["start_times"] == [
        "08:00:00",
        "14:00:00",
    ]
    mornings = {"start_times": ["09:00:00"], "working_from": "08:00:00"}
    assert c.put("/drills/settings", json=mornings, headers=api.as_("viewer")).status_code == 403
    r = c.put("/drills/settings", json=mornings, headers=h)
    assert r.status_code == 200 and r.json()["start_times"] == ["09:00:00"]
    bad = {"working_from": "18:00:00", "working_until": "08:00:00"}
    r = c.put("/drills/settings", json=bad, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "working_until"]
    assert c.get("/drills/settings", headers=h).json()["start_times"] == ["09:00:00"]
    result = solve(api)
    draft = c.get(f"/drills/schedules/{result['schedule_id']}", headers=h).json()
    assert draft["sessions"] and {x["start"][11:] for x in draft["sessions"]} == {"09:00:00"}


def test_ics_per_unit_venue_and_all(api: Api) -> None:
    load(api)
    publish(api, solve(api)["schedule_id"])
    c, h = api.client, api.as_("viewer")
    every = sessions(api)
    r = c.get("/drills/sessions.ics", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    events = ics.sessions_from_ics(r.content)
    assert {e["uid"] for e in events} == {ics.session_uid(s["id"]) for s in every}
    by_start = {ics.session_uid(s["id"]): dt.datetime.fromisoformat(s["start"]) for s in every}
    assert all(e["start"] == by_start[e["uid"]] for e in events)
    s1 = ics.sessions_from_ics(
        c.get("/drills/sessions.ics", params={"unit": "S1"}, headers=h).content
    )
    assert {e["uid"] for e in s1} == {ics.session_uid(s["id"]) for s in every if "S1" in s["units"]}
    v1 = c.get("/drills/sessions.ics", params={"venue": "V1"}, headers=h)
    assert len(ics.sessions_from_ics(v1.content)) == len(every)
    assert 'filename="drills-V1.ics"' in v1.headers["content-disposition"]
    # a cancelled session stays in the file as cancelled, with a higher sequence
    before = {e["uid"]: e["sequence"] for e in events}
    gone = every[0]["id"]
    body = {"session": gone, "status": "cancelled"}
    assert (
        c.post("/drills/sessions/record", json=body, headers=api.as_("commander")).status_code
        == 200
    )
    after = ics.sessions_from_ics(c.get("/drills/sessions.ics", headers=h).content)
    changed = next(e for e in after if e["uid"] == ics.session_uid(gone))
    assert changed["status"] == "CANCELLED" and changed["sequence"] > before[changed["uid"]]
    assert c.get("/drills/sessions.ics").status_code == 401
