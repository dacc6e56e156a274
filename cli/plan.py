"""`pingan plan patrol` and `pingan plan drills`: plan patrols or schedule drills from a
scenario file or the database and write the result as JSON (documented schema), Excel and,
for drills, iCalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import database_engine, emit, fail, progress, state

if TYPE_CHECKING:
    from optimizer.scenario import Scenario

plan_app = typer.Typer(help="Plans: patrol and drills.", no_args_is_help=True)


def _first_day(start: str) -> dt.date:
    """--start as a date (default tomorrow); a bad one stops the command."""
    try:
        return dt.date.fromisoformat(start) if start else dt.date.today() + dt.timedelta(1)
    except ValueError:
        fail(f"--start: not a date (YYYY-MM-DD): {start!r}")


def _scenario(
    file: Path | None, start: str, days: int, county: str = "", drills: bool = False
) -> Scenario:
    """The scenario of a file, or the database's from `start` for `days` — for drills the
    drill scheduler's view (`rosters.drills.drill_scenario`); a bad file, date or county stops
    the command with the reason."""
    from sqlmodel import Session

    from optimizer.scenario import ScenarioError, load_scenario
    from rosters.drills import drill_scenario
    from rosters.scenario_db import ScenarioLoadError, export_scenario
    from rosters.settings import get_settings

    try:
        if file is not None:
            return load_scenario(file)
        first, tz = _first_day(start), get_settings().timezone
        with Session(database_engine()) as session:
            if drills:
                return drill_scenario(session, start=first, days=days, tz=tz, county=county or None)
            return export_scenario(session, start=first, days=days, county=county or None, tz=tz)
    except (ScenarioError, ScenarioLoadError) as exc:
        fail(str(exc))


@plan_app.command("patrol")
def patrol(
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="scenario JSON; default: the database")
    ] = None,
    start: Annotated[
        str, typer.Option(help="first day when planning from the database (default tomorrow)")
    ] = "",
    days: Annotated[int, typer.Option(min=1, max=28, help="days to plan from the database")] = 1,
    county: Annotated[str, typer.Option(help="only this county (database)")] = "",
    out: Annotated[
        Path, typer.Option(help="output file stem: writes STEM.json and STEM.xlsx")
    ] = Path("patrol-plan"),
    seconds: Annotated[float, typer.Option(min=1, help="time limit of the solve")] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers")] = 2,
    seed: Annotated[int, typer.Option(help="random seed (same seed and workers → same plan)")] = 0,
    save: Annotated[bool, typer.Option(help="store the plan in the database")] = False,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="count the solver's work instead of timing it: the same seed and workers "
            "give the same plan (the time limit still holds)",
        ),
    ] = False,
    distributed: Annotated[
        bool,
        typer.Option(
            "--distributed",
            help="enqueue the plan for `pingan worker` processes (PINGAN_BROKER_URL), one part "
            "per county, and wait for it printing progress",
        ),
    ] = False,
    part_seconds: Annotated[
        float | None,
        typer.Option(min=0.5, help="with --distributed: time limit of each county's part"),
    ] = None,
) -> None:
    """Plan who patrols which zone and mans which post, shift by shift."""
    if distributed:
        from cli.plan_distributed import plan_distributed

        plan_distributed(
            scenario_file, start, days, county, out, seconds, part_seconds, workers, seed
        )
        return
    from optimizer.patrol import PatrolInputError, SolveParams, plan_patrol
    from optimizer.patrol.plan_io import write_plan_json
    from rosters.plan_texts import bound_source_zh, note_zh, rule_zh
    from rosters.plan_workbook import write_plan_xlsx_zh

    try:
        scenario = _scenario(scenario_file, start, days, county)
        with progress(f"planning {scenario.name}: {scenario.horizon.days} day(s)"):
            params = SolveParams(time_limit=seconds, num_workers=workers, random_seed=seed)
            params.deterministic = deterministic or params.deterministic
            result = plan_patrol(scenario, params)
    except PatrolInputError as exc:
        fail(str(exc))
    json_path = write_plan_json(scenario, result, out.with_suffix(".json"))
    xlsx_path = write_plan_xlsx_zh(scenario, result, out.with_suffix(".xlsx"))
    plan_id = None
    if save:
        from rosters.db import session_scope
        from rosters.plans import save_plan

        with session_scope(database_engine()) as session:
            plan_id = save_plan(
                session,
                name=scenario.name,
                start=scenario.horizon.start,
                days=scenario.horizon.days,
                status=result.status.value,
                assignments=result.assignments,
                objective=result.objective,
                bound=result.bound,
                gap=result.gap,
                summary=result.model_dump(mode="json", exclude={"assignments"}),
            )
    zh = _lang() == "zh" and not state.json_output
    summary = {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "bound_source": bound_source_zh(result.bound_source) if zh else result.bound_source,
        "seconds": result.solve_seconds,
        "first_feasible_seconds": result.first_feasible_seconds,
        "assignments": len(result.assignments),
        "shortfalls": len(result.shortfalls),
        "conflicts": [rule_zh(c.rule) if zh else c.rule for c in result.conflicts],
        "plan_json": str(json_path),
        "plan_xlsx": str(xlsx_path),
        "plan_id": plan_id,
        "message": note_zh(result.message) if zh else result.message,
        "deterministic": result.deterministic,
        "effort": result.effort,
    }
    emit(summary, title="patrol plan")
    if result.shortfalls and not state.json_output:
        emit(
            [_patrol_gap(s) for s in result.shortfalls[:20]],
            title="unmet requirements (first 20)",
            columns=["requirement", "target_id", "start", "missing", "reason"],
        )
    if result.status.value in ("infeasible", "model_invalid"):
        raise typer.Exit(2)


@plan_app.command("drills")
def drills(
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="scenario JSON; default: the database")
    ] = None,
    start: Annotated[
        str, typer.Option(help="first day when scheduling from the database (default tomorrow)")
    ] = "",
    days: Annotated[
        int, typer.Option(min=1, max=366, help="days to schedule from the database")
    ] = 31,
    county: Annotated[str, typer.Option(help="only this county (database)")] = "",
    out: Annotated[
        Path, typer.Option(help="output file stem: writes STEM.json, STEM.xlsx and STEM.ics")
    ] = Path("drill-schedule"),
    seconds: Annotated[float, typer.Option(min=1, help="time limit of the solve")] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers")] = 2,
    seed: Annotated[int, typer.Option(help="random seed (same seed and workers → same plan)")] = 0,
    save: Annotated[bool, typer.Option(help="store the schedule in the database (draft)")] = False,
    publish: Annotated[
        bool, typer.Option(help="store and publish it (replaces the published drills)")
    ] = False,
) -> None:
    """Schedule the routine drills around patrol duty, venues, instructors and holidays."""
    from optimizer.drills import DrillInputError, DrillParams, schedule_drills
    from optimizer.drills.ics import sessions_to_ics
    from optimizer.drills.schedule_io import write_schedule_json, write_schedule_xlsx
    from optimizer.drills.texts import bound_source_zh, note_zh
    from optimizer.messages import reason_text, rule_text

    try:
        scenario = _scenario(scenario_file, start, days, county, drills=True)
        with progress(f"scheduling drills: {scenario.horizon.days} day(s)"):
            result = schedule_drills(
                scenario, DrillParams(time_limit=seconds, num_workers=workers, random_seed=seed)
            )
    except DrillInputError as exc:
        fail(str(exc))
    json_path = write_schedule_json(scenario, result, out.with_suffix(".json"))
    xlsx_path = write_schedule_xlsx(scenario, result, out.with_suffix(".xlsx"))
    ics_path = out.with_suffix(".ics")
    ics_path.write_bytes(sessions_to_ics(scenario, result.sessions))
    stored: dict[str, object] = {}
    if save or publish:
        if scenario_file is not None:
            fail("--save/--publish: only a schedule made from the database can be stored")
        stored = _store_drills(scenario, result, publish)
    emit(
        {
            **stored,
            "status": result.status.value,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "bound_source": bound_source_zh(result.bound_source)
            if _lang() == "zh"
            else result.bound_source,
            "seconds": result.solve_seconds,
            "drills_due": result.drills_due,
            "scheduled": len(result.sessions),
            "unmet": len(result.shortfalls),
            "conflicts": [rule_text(c, _lang()) for c in result.conflicts]
            if not state.json_output
            else [c.rule for c in result.conflicts],
            "warnings": [note_zh(w) for w in result.warnings]
            if _lang() == "zh"
            else result.warnings,
            "schedule_json": str(json_path),
            "schedule_xlsx": str(xlsx_path),
            "schedule_ics": str(ics_path),
        },
        title="drill schedule",
    )
    if result.shortfalls and not state.json_output:
        emit(
            [{**s.model_dump(), "reason": reason_text(s, _lang())} for s in result.shortfalls[:20]],
            title="unscheduled drills (first 20)",
            columns=["target_id", "start", "end", "reason"],
        )
    if result.status.value in ("infeasible", "model_invalid"):
        raise typer.Exit(2)


def _store_drills(scenario: Scenario, result: object, publish: bool) -> dict[str, object]:
    from rosters.db import session_scope
    from rosters.drills import DrillConflict, DrillError, store_schedule

    try:
        with session_scope(database_engine()) as session:
            return store_schedule(
                session,
                scenario,
                result,
                publish=publish,
                by="pingan plan drills",  # type: ignore[arg-type]
            )
    except (DrillError, DrillConflict) as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")


def _lang() -> str:
    """The language of tables; JSON output stays in English."""
    return "en" if state.json_output else state.lang


def _patrol_gap(s: Any) -> dict[str, Any]:
    from rosters.plan_texts import reason_zh
    from rosters.plan_workbook import requirement_zh

    row = s.model_dump()
    if _lang() == "zh":
        row["reason"] = reason_zh(s.reason)
        row["requirement"] = requirement_zh(s.requirement)
    return row
