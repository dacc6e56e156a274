"""Drill schedules and sessions in the database: a draft, publishing (ids kept, moved
sessions get a new revision, dropped ones are cancelled), recording done / missed /
cancelled (a missed drill is due again on the next solve), listing, the holiday notice, and
refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from optimizer.drill_format import CalendarDay, SessionStatus
from optimizer.drills import DrillParams, DrillResult, check_schedule, schedule_drills
from optimizer.scenario import Scenario
from rosters.drills import (
    DrillConflict,
    DrillError,
    DrillNotFound,
    holiday_notice,
    list_sessions,
    load_holiday_notice,
    publish_schedule,
    record_session,
    save_schedule,
    sessions_public,
)
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.optimizer.drill_cases import START, scenario

TZ = "Asia/Shanghai"
PARAMS = DrillParams(time_limit=20, num_workers=1, random_seed=0)
#: a time after every drill of the cases (a drill can be recorded done only once it started)
LATER = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)


def _solve(session: Session, days: int = 31) -> tuple[Scenario, DrillResult]:
    sc = export_scenario(session, start=START, days=days, tz=TZ, drill_absences=False)
    result = schedule_drills(sc, PARAMS)
    assert check_schedule(sc, result.sessions) == []
    return sc, result


def _save(session: Session, sc: Scenario, result: DrillResult) -> int:
    row = save_schedule(
        session,
        result,
        name="十二月演练",
        start=START,
        days=sc.horizon.days,
        requirements=[r.id for r in sc.drills.requirements],
        created_by="training_officer",
    )
    return row.id  # type: ignore[return-value]


@pytest.fixture
def loaded(session: Session) -> Session:
    load_scenario_into_db(session, scenario())
    return session


def test_publish_keeps_ids_and_cancels_what_the_new_schedule_drops(loaded: Session) -> None:
    session = loaded
    sc, first = _solve(session)
    assert len(first.sessions) == 4  # two duties, twice a month
    report = publish_schedule(session, _save(session, sc, first), tz=TZ, by="commander")
    assert report.revision == 1 and sorted(report.added) == sorted(s.id for s in first.sessions)
    rows, total = list_sessions(session)
    assert total == 4 and {r.status for r in rows} == {"scheduled"}
    # the published sessions are kept by the next solve (same ids, same times)
    sc2, second = _solve(session)
    assert {s.id for s in second.sessions} == {s.id for s in first.sessions}
    again = publish_schedule(session, _save(session, sc2, second), tz=TZ)
    assert again.revision == 2 and again.added == [] and again.cancelled == []
    assert sorted(again.unchanged) == sorted(s.id for s in first.sessions)
    # a schedule that moves one drill and drops another
    moved, dropped = second.sessions[0], second.sessions[1]
    shifted = moved.model_copy(
        update={
            "start": moved.start + dt.timedelta(days=7),
            "end": moved.end + dt.timedelta(days=7),
        }
    )
    third = second.model_copy(update={"sessions": [shifted, *second.sessions[2:]]})
    rep = publish_schedule(session, _save(session, sc2, third), tz=TZ, by="commander")
    assert rep.moved == [moved.id] and rep.cancelled == [dropped.id]
    by_id = {p["id"]: p for p in sessions_public(session, list_sessions(session)[0])}
    assert by_id[dropped.id]["status"] == "cancelled" and by_id[dropped.id]["revision"] == 1
    assert by_id[moved.id]["revision"] == 1
    start = by_id[moved.id]["start"].astimezone(ZoneInfo(TZ)).replace(tzinfo=None)
    assert start == shifted.start
    # publishing twice is refused
    with pytest.raises(DrillConflict):
        publish_schedule(session, rep.schedule_id, tz=TZ)


def test_a_missed_drill_is_due_again(loaded: Session) -> None:
    session = loaded
    sc, result = _solve(session)
    publish_schedule(session, _save(session, sc, result), tz=TZ)
    first = result.sessions[0]
    row = record_session(session, first.id, SessionStatus.MISSED, note="暴雨", by="commander")
    assert row.status == "missed" and row.note == "暴雨" and row.revision == 1
    _, again = _solve(session)
    retry = [s for s in again.sessions if s.occurrence == first.occurrence]
    assert len(retry) == 1 and retry[0].id == f"{first.occurrence}#2"
    # done ⇄ missed may be corrected; cancelled is final; unknown sessions are 404s
    assert record_session(session, first.id, SessionStatus.DONE, now=LATER).status == "done"
    second = result.sessions[1]
    record_session(session, second.id, SessionStatus.CANCELLED)
    with pytest.raises(DrillConflict, match="is cancelled"):
        record_session(session, second.id, SessionStatus.DONE)
    with pytest.raises(DrillNotFound):
        record_session(session, "NOPE", SessionStatus.DONE)


def test_a_drill_in_the_future_cannot_be_recorded_done(loaded: Session) -> None:
    session = loaded
    sc, result = _solve(session)
    publish_schedule(session, _save(session, sc, result), tz=TZ)
    first = min(result.sessions, key=lambda s: s.start)
    starts = first.start.replace(tzinfo=ZoneInfo(TZ))
    before = sessions_public(session, list_sessions(session, code=first.id)[0])
    with pytest.raises(DrillConflict, match="in the future cannot be recorded done"):
        record_session(session, first.id, SessionStatus.DONE, now=starts - dt.timedelta(minutes=1))
    assert sessions_public(session, list_sessions(session, code=first.id)[0]) == before
    # once it has started, it may be recorded done
    row = record_session(session, first.id, SessionStatus.DONE, now=starts)
    assert row.status == "done"


def test_listing_by_unit_venue_window_and_status(loaded: Session) -> None:
    session = loaded
    sc, result = _solve(session)
    publish_schedule(session, _save(session, sc, result), tz=TZ)
    s1 = [s for s in result.sessions if "S1" in s.unit_ids]
    rows, total = list_sessions(session, unit="S1")
    assert total == len(s1) == 2 and {r.code for r in rows} == {s.id for s in s1}
    assert list_sessions(session, unit="Y1")[1] == 0
    assert list_sessions(session, venue="V1")[1] == 4
    assert list_sessions(session, venue="NOPE")[1] == 0
    zone = ZoneInfo(TZ)
    first = min(result.sessions, key=lambda s: s.start)
    window = list_sessions(
        session,
        since=first.start.replace(tzinfo=zone),
        until=first.end.replace(tzinfo=zone),
    )[0]
    assert [r.code for r in window] == [first.id]
    page, total = list_sessions(session, limit=2, offset=1)
    assert total == 4 and len(page) == 2
    record_session(session, first.id, SessionStatus.DONE, now=LATER)
    done = list_sessions(session, status=[SessionStatus.DONE])[0]
    assert [r.code for r in done] == [first.id]


def test_a_stale_draft_is_refused_and_changes_nothing(loaded: Session) -> None:
    session = loaded
    sc, result = _solve(session)
    publish_schedule(session, _save(session, sc, result), tz=TZ)
    stale = _save(session, sc, result)
    record_session(session, result.sessions[0].id, SessionStatus.DONE, now=LATER)
    before = sessions_public(session, list_sessions(session)[0])
    with pytest.raises(DrillError) as err:
        publish_schedule(session, stale, tz=TZ)
    assert err.value.problems[0][0] == "sessions.0.id" and "already done" in str(err.value)
    assert sessions_public(session, list_sessions(session)[0]) == before


def test_a_draft_naming_unknown_records_is_refused(loaded: Session) -> None:
    sc, result = _solve(loaded)
    bad = result.sessions[0].model_copy(update={"venue_id": "V9", "unit_ids": ["S1", "Q"]})
    with pytest.raises(DrillError) as err:
        _save(loaded, sc, result.model_copy(update={"sessions": [bad]}))
    fields = [f for f, _ in err.value.problems]
    assert fields == ["sessions.0.venue_id", "sessions.0.unit_ids"]


def test_holiday_notice_replaces_its_year(loaded: Session) -> None:
    session = loaded
    notice = [
        CalendarDay(date=dt.date(2027, 1, 1), working=False, name="元旦"),
        CalendarDay(date=dt.date(2027, 2, 7), working=True, name="春节调休上班"),
    ]
    assert load_holiday_notice(session, 2027, notice) == 2
    load_holiday_notice(session, 2026, [CalendarDay(date=dt.date(2026, 10, 1), working=False)])
    assert holiday_notice(session, 2027) == notice
    assert load_holiday_notice(session, 2027, notice[:1]) == 1
    assert holiday_notice(session, 2027) == notice[:1]
    assert len(holiday_notice(session, 2026)) == 1
    with pytest.raises(DrillError) as err:
        wrong_year = CalendarDay(date=dt.date(2026, 5, 1), working=False)
        load_holiday_notice(session, 2027, [notice[0], wrong_year, notice[0]])
    assert [f for f, _ in err.value.problems] == ["days.1.date", "days.2.date"]
    assert holiday_notice(session, 2027) == notice[:1]
    # the scheduler reads it: a loaded holiday is not a working day
    sc = export_scenario(session, start=START, days=31, tz=TZ, drill_absences=False)
    assert {c.date for c in sc.drills.calendar} == {
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
    }


def test_a_done_drill_renews_its_certificate(session: Session) -> None:
    from sqlmodel import select

    from optimizer.scenario import Certification
    from rosters.models.forces import Certification as CertificationRow
    from rosters.models.forces import Person
    from tests.optimizer.drill_cases import drill_setup, live_fire

    aid = {
        "id": "FA",
        "name": "急救",
        "kind": "first_aid",
        "hours": 4,
        "renews": "first_aid",
        "renews_days": 365,
        "forces": ["patrol_swat"],
    }
    reqs = [{"id": "A1", "drill_type_id": "FA", "unit_ids": ["S1"], "per": "month"}]
    s = scenario(drills=drill_setup(types=[live_fire(), aid], requirements=reqs))
    for p in s.people:
        if p.id == "S1-0":
            p.skills = [Certification(skill="first_aid", expires=dt.date(2026, 12, 20))]
    load_scenario_into_db(session, s)
    sc, result = _solve(session)
    publish_schedule(session, _save(session, sc, result), tz=TZ)
    (drill,) = result.sessions
    record_session(session, drill.id, SessionStatus.DONE, by="training_officer", now=LATER)
    certs = {
        badge: expires
        for badge, expires in session.exec(
            select(Person.badge, CertificationRow.expires)
            .join(CertificationRow, CertificationRow.person_id == Person.id)
            .where(CertificationRow.skill == "first_aid")
        ).all()
    }
    until = drill.end.date() + dt.timedelta(days=365)
    assert certs == {f"S1-{i}": until for i in range(10)}  # renewed for the squad, not S2
