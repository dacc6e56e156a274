"""`pingan standards`: the staffing-standards report of the roster in the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import database_engine, emit, fail, state


def standards(
    level: Annotated[
        str, typer.Option(help="only this level: city, county, township, village, grid")
    ] = "",
    thresholds: Annotated[
        Path | None, typer.Option(help="JSON file overriding the thresholds")
    ] = None,
    strict: Annotated[bool, typer.Option(help="exit 2 when there is any shortfall")] = False,
) -> None:
    """Check every jurisdiction against the staffing standards; list each shortfall."""
    from sqlmodel import Session

    from optimizer.scenario import Level
    from rosters.scenario_db import export_scenario
    from rosters.settings import get_settings
    from rosters.standards import StandardsError, load_standards, standards_report

    settings = get_settings()
    try:
        st = load_standards(thresholds or settings.standards_file or None)
    except StandardsError as exc:
        fail(str(exc))
    try:
        levels = [Level(level)] if level else None
    except ValueError:
        fail(f"--level: expected one of {', '.join(lv.value for lv in Level)}, got {level!r}")
    with Session(database_engine()) as session:
        scenario = export_scenario(session, start=dt.date.today(), days=1, tz=settings.timezone)
    if not scenario.jurisdictions:
        fail("the database holds no roster: run `pingan demo` or `pingan import` first")
    rows = [s.model_dump(mode="json") for s in standards_report(scenario, st, levels)]
    if state.json_output:
        emit(rows)
    elif rows:
        from cli.labels import code_label

        lang = state.lang
        for row in rows:
            row["level"] = code_label("level", row["level"], lang)
            row["standard"] = code_label("standard", row["standard"], lang)
        emit(
            rows,
            title=f"{len(rows)} 处未达到配备标准"
            if lang == "zh"
            else f"{len(rows)} shortfalls against the staffing standards",
            columns=[
                "jurisdiction_id",
                "jurisdiction",
                "level",
                "standard",
                "required",
                "actual",
                "missing",
                "source",
            ],
        )
    else:
        emit(
            {"jurisdictions checked": len(scenario.jurisdictions), "shortfalls": 0},
            title="every jurisdiction meets the staffing standards",
        )
    if strict and rows:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("standards")(standards)
