"""The drill section ⇄ database: round trip of every part, all-or-nothing loading, a county
export, drills as absences for the patrol plan (the same people the checker counts), and the
drill scheduler running on what the database holds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from optimizer.drill_format import DrillSession, SessionStatus
from optimizer.drills import DrillParams, check_schedule, schedule_drills
from optimizer.drills.check import _Roster
from optimizer.scenario import AbsenceKind, Scenario
from rosters.db import session_scope
from rosters.drill_db import drill_absences, participants
from rosters.models import Absence
from rosters.models.drills import DrillSession as SessionRow
from rosters.models.drills import DrillType
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.optimizer.drill_cases import START, drill_setup, scenario

LF_DAY = dt.datetime(2026, 12, 3, 8)  # a Thursday


def full_case() -> Scenario:
    """Every part of the drill section, with history and a published session."""
    setup = drill_setup(
        instructors=[
            {
                "id": "I1",
                "name": "教官甲",
                "skills": ["firearms_instructor"],
                "person_id": "Y1-0",
                "jurisdiction_id": "K1",
                "unavailable": [["2026-12-10T08:00:00", "2026-12-11T18:00:00"]],
            }
        ],
        blackouts=[
            {
                "id": "B1",
                "name": "重大活动安保",
                "start": "2026-12-20T00:00:00",
                "end": "2026-12-22T00:00:00",
                "kinds": ["live_fire"],
                "jurisdiction_ids": ["K1"],
            }
        ],
        calendar=[
            {"date": "2026-12-31", "working": False, "name": "元旦调休"},
            {"date": "2027-01-04", "working": True, "name": "调休上班"},
        ],
        settings={"start_times": ["08:00", "13:00"], "weights": {"spread": 3}},
        sessions=[
            {
                "id": "R1/2026-11/2",
                "occurrence": "R1/2026-11/2",
                "requirement_id": "R1",
                "drill_type_id": "LF",
                "unit_ids": ["S1"],
                "start": "2026-11-20T08:00:00",
                "end": "2026-11-20T12:00:00",
                "venue_id": "V1",
                "instructor_id": "I1",
                "participants": 10,
                "status": "done",
            },
            {
                "id": "R1/2026-12/1",
                "occurrence": "R1/2026-12/1",
                "requirement_id": "R1",
                "drill_type_id": "LF",
                "unit_ids": ["S1"],
                "start": LF_DAY.isoformat(),
                "end": (LF_DAY + dt.timedelta(hours=4)).isoformat(),
                "venue_id": "V1",
                "instructor_id": "I1",
                "participants": 10,
                "status": "scheduled",
                "note": "已发布",
            },
        ],
    )
    return scenario(drills=setup)


def _export(session: Session, case: Scenario, **kw: object) -> Scenario:
    return export_scenario(
        session, start=case.horizon.start, days=case.horizon.days, name=case.name, **kw
    )


def test_drill_section_round_trips(session: Session) -> None:
    case = full_case()
    counts = load_scenario_into_db(session, case)
    assert counts["drill_sessions"] == 2 and counts["calendar_days"] == 2
    back = _export(session, case, drill_absences=False)
    assert back.drills.model_dump() == case.drills.model_dump()
    assert back.drills.sessions[1].venue_id == "V1"  # references by code
    assert back.absences == case.absences == []


def test_scheduled_drills_block_their_participants(session: Session) -> None:
    case = full_case()
    load_scenario_into_db(session, case)
    patrol = _export(session, case)
    drills = [a for a in patrol.absences if a.kind == AbsenceKind.DRILL]
    published = case.drills.sessions[1]
    takes = _Roster(case).taking_part("S1", "LF")  # the checker's notion of who takes part
    assert participants(case, published) == takes
    # the squad's ten members, and the instructor (a member of Y1)
    assert sorted(a.person_id for a in drills) == sorted([*takes, "Y1-0"])
    assert {(a.start, a.end) for a in drills} == {(published.start, published.end)}
    assert drill_absences(patrol) == drills  # only the published one: the done one is past
    # a patrol scenario written back is not doubled: the generated absences are skipped
    with session.begin_nested():
        load_scenario_into_db(session, patrol, replace=True)
        n = session.execute(select(func.count()).select_from(Absence)).scalar_one()
    assert n == 0


def test_county_export_keeps_only_its_drills(session: Session) -> None:
    case = full_case()
    case.jurisdictions.append(case.jurisdictions[1].model_copy(update={"id": "K2", "name": "县二"}))
    load_scenario_into_db(session, case)
    other = export_scenario(session, start=START, days=31, county="K2", drill_absences=False)
    assert other.drills.requirements == [] and other.drills.sessions == []
    assert other.drills.venues == [] and other.drills.blackouts == []
    assert [t.id for t in other.drills.types] == ["LF"]  # the catalogue is shared
    own = export_scenario(session, start=START, days=31, county="K1", drill_absences=False)
    assert len(own.drills.sessions) == 2 and len(own.drills.requirements) == 2


def test_a_bad_drill_section_writes_nothing(fresh_engine: Engine) -> None:
    case = full_case()
    case.drills.sessions[1].status = SessionStatus.SCHEDULED
    case.drills.sessions.append(case.drills.sessions[1].model_copy(update={"unit_ids": ["S9"]}))
    with (
        pytest.raises(ValueError, match=r"drills\.sessions\[2\]\.unit_ids: unknown unit 'S9'"),
        session_scope(fresh_engine) as s,
    ):
        load_scenario_into_db(s, case)
    with Session(fresh_engine) as s:
        assert s.execute(select(func.count()).select_from(DrillType)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(SessionRow)).scalar_one() == 0


def test_drill_scheduler_runs_on_the_database(session: Session) -> None:
    case = full_case()
    load_scenario_into_db(session, case)
    sc = _export(session, case, drill_absences=False)
    result = schedule_drills(sc, DrillParams(time_limit=20, num_workers=1, random_seed=0))
    assert result.status.value in ("optimal", "feasible")
    assert check_schedule(sc, result.sessions) == []
    # R1 (2 a month, one published) and R2 (2 a month): three new drills and the published one
    assert len(result.sessions) == 4
    kept = next(x for x in result.sessions if x.id == "R1/2026-12/1")
    assert isinstance(kept, DrillSession) and kept.status == SessionStatus.SCHEDULED
