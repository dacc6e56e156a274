"""`pingan map situation|plan`: a map as one self-contained HTML file (every script, style and
font inlined), to open offline, e-mail or copy to a stick.

- situation: the wall map at a day and hour — from a scenario file (its published plan and
  incidents), or from the database (the roster of that day, its published plan, and the live
  unit status, open incidents and dispatches as they are now);
- plan: a plan with the shift slider — a stored plan (by id; default the latest published)
  or a plan JSON file (`pingan plan patrol` output) drawn on a scenario file or on the
  database's roster of the plan's days.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import database_engine, emit, fail

map_app = typer.Typer(help="Maps as standalone HTML files.", no_args_is_help=True)

LangOption = Annotated[str, typer.Option("--lang", help="label language: zh (default) or en")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="HTML file to write (default under the output dir)")
]
ScenarioOption = Annotated[
    Path | None, typer.Option("--scenario", help="scenario JSON; default: the database")
]


def _lang(lang: str) -> Any:
    from maps.labels import check_lang

    try:
        return check_lang(lang)
    except ValueError:
        fail(f"--lang: expected zh or en, got {lang!r}")


def _existing(path: Path | None, option: str) -> Path | None:
    if path is not None and not path.is_file():
        fail(f"{option}: no such file {str(path)!r}")
    return path


def _out(out: Path | None, name: str) -> Path:
    if out is not None:
        return out
    from rosters.settings import get_settings

    return Path(get_settings().output_dir) / name


def _moment(day: str, hour: int | None, default_day: dt.date, default_hour: int) -> dt.datetime:
    if hour is not None and not 0 <= hour <= 23:
        fail(f"--hour: expected 0–23, got {hour}")
    try:
        date = dt.date.fromisoformat(day) if day else default_day
    except ValueError:
        fail(f"--day: not a date (YYYY-MM-DD): {day!r}")
    return dt.datetime.combine(date, dt.time(default_hour if hour is None else hour))


def _load_scenario(path: Path) -> Any:
    from optimizer.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail(f"--scenario: {exc}")


def _write(m: Any, target: Path, report: dict[str, Any]) -> None:
    from maps.scenario_map import write_map

    path = write_map(m, target)
    emit({**report, "map": str(path), "bytes": path.stat().st_size}, title="pingan map")


@map_app.command("situation")
def situation(
    scenario_file: ScenarioOption = None,
    day: Annotated[str, typer.Option(help="YYYY-MM-DD (default: first day / today)")] = "",
    hour: Annotated[int | None, typer.Option(help="hour of the day 0–23 (default 8 / now)")] = None,
    coverage: Annotated[str, typer.Option(help="rings, heat or none")] = "rings",
    lang: LangOption = "zh",
    out: OutOption = None,
) -> None:
    """The wall map at one moment: zones by risk, posts with their staffing, units, incidents."""
    from maps.scenario_map import situation_map

    language = _lang(lang)
    if coverage not in ("rings", "heat", "none"):
        fail(f"--coverage: expected rings, heat or none, got {coverage!r}")
    target = _out(out, "situation-map.html")
    if _existing(scenario_file, "--scenario") is not None:
        scenario = _load_scenario(scenario_file)  # type: ignore[arg-type]
        at = _moment(day, hour, scenario.horizon.start, 8)
        if at.date() not in scenario.horizon.dates:
            fail(
                f"--day: {at.date()} is outside the scenario's horizon "
                f"{scenario.horizon.start} + {scenario.horizon.days} days"
            )
        m = situation_map(
            scenario, at=at, plan=scenario.published_plan, coverage=coverage, lang=language
        )
        _write(
            m,
            target,
            {
                "kind": "situation",
                "source": str(scenario_file),
                "at": at.isoformat(timespec="minutes"),
            },
        )
        return
    from sqlmodel import Session

    from dispatch.situation import live_situation, local_now
    from maps.scenario_layers import DispatchLine
    from rosters.settings import get_settings

    tz = get_settings().timezone
    now = local_now(tz)
    at = _moment(day, hour, now.date(), now.hour)
    with Session(database_engine()) as session:
        sit = live_situation(session, tz, at)
    incidents = {i.id for i in sit.scenario.incidents}
    lines = [
        DispatchLine(d.incident, d.unit, "dispatched", d.eta_minutes)
        for d in sit.dispatches
        if d.incident in incidents
    ]
    m = situation_map(
        sit.scenario,
        at=at,
        plan=sit.scenario.published_plan,
        unit_status=sit.unit_status,
        unit_positions=sit.unit_positions,
        dispatches=lines,
        coverage=coverage,  # type: ignore[arg-type]
        lang=language,
    )
    _write(
        m,
        target,
        {"kind": "situation", "source": "database", "at": at.isoformat(timespec="minutes")},
    )


@map_app.command("plan")
def plan(
    plan_id: Annotated[
        int | None, typer.Option("--plan-id", help="stored plan (default: latest published)")
    ] = None,
    plan_file: Annotated[
        Path | None, typer.Option("--plan-file", help="plan JSON from `pingan plan patrol`")
    ] = None,
    scenario_file: ScenarioOption = None,
    lang: LangOption = "zh",
    out: OutOption = None,
) -> None:
    """A plan through its shifts (slider), posts coloured by their staffing."""
    from maps.scenario_map import plan_map

    language = _lang(lang)
    if plan_id is not None and plan_file is not None:
        fail("--plan-id and --plan-file: give one of them")
    _existing(plan_file, "--plan-file")
    _existing(scenario_file, "--scenario")
    if plan_file is not None:
        start, days, assignments, source = _plan_from_file(plan_file)
    else:
        start, days, assignments, source = _plan_from_db(plan_id)
    scenario = _load_scenario(scenario_file) if scenario_file else _roster(start, days)
    try:
        m = plan_map(scenario, assignments, lang=language)
    except ValueError as exc:
        fail(f"plan: does not fit the roster: {exc}")
    name = f"plan-{plan_id}-map.html" if plan_id is not None else "plan-map.html"
    _write(
        m,
        _out(out, name),
        {
            "kind": "plan",
            "source": source,
            "start": start.isoformat(),
            "days": days,
            "rows": len(assignments),
        },
    )


def _plan_from_file(path: Path) -> tuple[dt.date, int, list[Any], str]:
    from pydantic import ValidationError

    from optimizer.patrol.plan_io import read_plan_json

    try:
        plan = read_plan_json(path)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(file)"
        fail(f"--plan-file: {where}: {first['msg']}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"--plan-file: {exc}")
    start = dt.date.fromisoformat(plan.horizon_start)
    return start, plan.horizon_days, plan.assignments, str(path)


def _plan_from_db(plan_id: int | None) -> tuple[dt.date, int, list[Any], str]:
    from sqlmodel import Session, select

    from rosters.models.plans import Plan
    from rosters.plans import load_assignments

    with Session(database_engine()) as session:
        if plan_id is None:
            row = session.exec(
                select(Plan)
                .where(Plan.published_at.is_not(None))  # type: ignore[union-attr]
                .order_by(Plan.published_at.desc(), Plan.id.desc())  # type: ignore[union-attr]
            ).first()
            if row is None:
                fail("--plan-id: no published plan in the database; give a plan id")
        else:
            row = session.get(Plan, plan_id)
            if row is None:
                fail(f"--plan-id: no plan {plan_id} in the database")
        return row.start, row.days, load_assignments(session, row.id), f"plan {row.id}"  # type: ignore[arg-type]


def _roster(start: dt.date, days: int) -> Any:
    from sqlmodel import Session

    from rosters.scenario_db import export_scenario
    from rosters.settings import get_settings

    with Session(database_engine()) as session:
        return export_scenario(session, start=start, days=days, tz=get_settings().timezone)


def register(app: typer.Typer) -> None:
    app.add_typer(map_app, name="map")
