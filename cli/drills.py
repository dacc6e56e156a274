"""`pingan drills …`: what became of the drills (done, missed, cancelled) and the drills of a
unit or venue, from the database. Scheduling itself is `pingan plan drills`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import database_engine, emit, fail, state

drills_app = typer.Typer(help="Drill sessions: record, list, calendar.", no_args_is_help=True)


@drills_app.command("record")
def record(
    session_id: Annotated[str, typer.Argument(help="the session's id, e.g. LF-S1/2026-12/1")],
    status: Annotated[str, typer.Argument(help="done, missed or cancelled")],
    note: Annotated[str, typer.Option(help="a remark kept with the session")] = "",
) -> None:
    """Record a drill as done, missed or cancelled (a missed or cancelled drill is due
    again at the next schedule; a done drill renews the certificate it trains)."""
    from optimizer.drill_format import SessionStatus
    from rosters.db import session_scope
    from rosters.drills import DrillConflict, DrillError, DrillNotFound, record_session

    try:
        wanted = SessionStatus(status)
    except ValueError:
        fail(f"status: expected done, missed or cancelled, got {status!r}")
    try:
        with session_scope(database_engine()) as session:
            row = record_session(session, session_id, wanted, note=note or None, by="pingan")
            emit({"session": row.code, "status": row.status, "revision": row.revision})
    except DrillNotFound as exc:
        fail(str(exc))
    except (DrillConflict, DrillError) as exc:
        fail(str(exc))


@drills_app.command("list")
def list_(
    unit: Annotated[str, typer.Option(help="only this unit's drills (code)")] = "",
    venue: Annotated[str, typer.Option(help="only this venue's drills (code)")] = "",
    days: Annotated[int, typer.Option(min=1, max=366, help="from today, this many days")] = 31,
    ics: Annotated[Path | None, typer.Option(help="also write them to this .ics file")] = None,
) -> None:
    """The drills of the next days (of a unit or a venue), as a table or an .ics file."""
    from sqlmodel import Session

    from optimizer.drills.ics import sessions_to_ics
    from rosters.drills import calendar_names, calendar_sequence, find_sessions
    from rosters.settings import get_settings

    tz = get_settings().timezone
    since = dt.datetime.now(dt.UTC)
    with Session(database_engine()) as session:
        sessions = find_sessions(
            session,
            tz,
            unit=unit or None,
            venue=venue or None,
            since=since,
            until=since + dt.timedelta(days=days),
        )
        if ics is not None:
            names = calendar_names(session, tz)
            ics.write_bytes(sessions_to_ics(names, sessions, revision=calendar_sequence(session)))
    emit(
        [
            {
                "id": x.id,
                "start": x.start,
                "drill": x.drill_type_id,
                "units": ",".join(x.unit_ids),
                "venue": x.venue_id or "",
                "status": x.status.value,
            }
            for x in sessions
        ],
        title=f"未来 {days} 天的演练" if state.lang == "zh" else f"drills of the next {days} days",
        columns=["id", "start", "drill", "units", "venue", "status"],
    )


def register(app: typer.Typer) -> None:
    app.add_typer(drills_app, name="drills")
