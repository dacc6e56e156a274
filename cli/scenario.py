"""`pingan scenario export|load|validate`: the scenario file ⇄ the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import database_engine, emit, fail

scenario_app = typer.Typer(
    help="Scenario files: export from the database, load, validate.", no_args_is_help=True
)


def _summary(path: Path, scenario: object) -> dict[str, object]:
    s = scenario
    return {
        "file": str(path),
        "name": s.name,
        "version": s.version,  # type: ignore[attr-defined]
        "horizon": f"{s.horizon.start} + {s.horizon.days} days",  # type: ignore[attr-defined]
        "jurisdictions": len(s.jurisdictions),
        "units": len(s.units),  # type: ignore[attr-defined]
        "people": len(s.people),
        "posts": len(s.posts),
        "zones": len(s.zones),  # type: ignore[attr-defined]
    }


@scenario_app.command("validate")
def validate(file: Path) -> None:
    """Check a scenario file against the schema and its cross-references."""
    from optimizer.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(file)
    except ScenarioError as exc:
        fail(str(exc))
    emit(_summary(file, scenario), title="valid scenario")


@scenario_app.command("export")
def export(
    file: Path,
    start: Annotated[str, typer.Option(help="first day, YYYY-MM-DD (default tomorrow)")] = "",
    days: Annotated[int, typer.Option(min=1, max=366, help="days in the horizon")] = 7,
    county: Annotated[str, typer.Option(help="only this jurisdiction's subtree")] = "",
) -> None:
    """Write the roster in the database as a scenario file."""
    from sqlmodel import Session

    from optimizer.scenario import dump_scenario
    from rosters.scenario_db import ScenarioLoadError, export_scenario
    from rosters.settings import get_settings

    try:
        first = dt.date.fromisoformat(start) if start else dt.date.today() + dt.timedelta(days=1)
    except ValueError:
        fail(f"--start: not a date (YYYY-MM-DD): {start!r}")
    with Session(database_engine()) as session:
        try:
            scenario = export_scenario(
                session, start=first, days=days, county=county or None, tz=get_settings().timezone
            )
        except ScenarioLoadError as exc:
            fail(str(exc))
    if not scenario.jurisdictions:
        fail("the database holds no roster: run `pingan demo` or `pingan import` first")
    dump_scenario(scenario, file)
    emit(_summary(file, scenario), title="scenario written")


@scenario_app.command("load")
def load(
    file: Path,
    replace: Annotated[
        bool, typer.Option(help="replace the roster already in the database")
    ] = False,
) -> None:
    """Load a scenario file's roster into the database (all or nothing)."""
    from optimizer.scenario import ScenarioError, load_scenario
    from rosters.db import session_scope
    from rosters.scenario_db import ScenarioLoadError, load_scenario_into_db

    try:
        scenario = load_scenario(file)
        with session_scope(database_engine()) as session:
            counts = load_scenario_into_db(session, scenario, replace=replace)
    except (ScenarioError, ScenarioLoadError) as exc:
        fail(str(exc))
    emit(counts, title=f"loaded {file}")


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")
