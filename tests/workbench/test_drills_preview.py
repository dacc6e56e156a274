"""The review page's preview of a publish (`api.workbench.drills.preview_publish`) says what
`rosters.drills.publish_schedule` then does: new, moved and cancelled sessions alike, and it
writes nothing."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from api.workbench.drills import preview_publish
from optimizer.drills import DrillParams, schedule_drills
from rosters.drills import list_sessions, publish_schedule, save_schedule, sessions_public
from rosters.scenario_db import export_scenario, load_scenario_into_db
from tests.optimizer.drill_cases import START, scenario

TZ = "Asia/Shanghai"


def _draft(session: Session, result: object, sc: object) -> int:
    row = save_schedule(
        session,
        result,  # type: ignore[arg-type]
        name="preview",
        start=START,
        days=31,
        requirements=[r.id for r in sc.drills.requirements],  # type: ignore[attr-defined]
    )
    return row.id  # type: ignore[return-value]


def _kinds(changes: list) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in changes:
        out.setdefault(c.kind, []).append(c.id)
    return {k: sorted(v) for k, v in out.items()}


def test_the_preview_says_what_publishing_does(session: Session) -> None:
    load_scenario_into_db(session, scenario())
    sc = export_scenario(session, start=START, days=31, tz=TZ, drill_absences=False)
    result = schedule_drills(sc, DrillParams(time_limit=20, num_workers=1, random_seed=0))
    first = _draft(session, result, sc)
    preview = _kinds(preview_publish(session, first, TZ))
    assert preview == {"added": sorted(s.id for s in result.sessions)}
    publish_schedule(session, first, tz=TZ)
    # a draft that moves one drill a week later and drops another
    moved, dropped = result.sessions[0], result.sessions[1]
    shifted = moved.model_copy(
        update={
            "start": moved.start + dt.timedelta(days=7),
            "end": moved.end + dt.timedelta(days=7),
        }
    )
    second = _draft(
        session, result.model_copy(update={"sessions": [shifted, *result.sessions[2:]]}), sc
    )
    before = sessions_public(session, list_sessions(session)[0])
    changes = preview_publish(session, second, TZ)
    assert sessions_public(session, list_sessions(session)[0]) == before  # nothing written
    preview = _kinds(changes)
    (move,) = [c for c in changes if c.kind == "moved"]
    assert move.before != move.after and f"{shifted.start:%m-%d %H:%M}" in move.after
    report = publish_schedule(session, second, tz=TZ)
    assert preview["moved"] == report.moved == [moved.id]
    assert preview["cancelled"] == report.cancelled == [dropped.id]
    assert preview["unchanged"] == sorted(report.unchanged)
    assert "added" not in preview and report.added == []
