"""`pingan plan patrol`: plan patrols from a scenario file or the database and write the
plan as JSON (documented schema) and Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import database_engine, emit, fail, progress, state

plan_app = typer.Typer(help="Plans: patrol (and later drills).", no_args_is_help=True)


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
) -> None:
    """Plan who patrols which zone and mans which post, shift by shift."""
    from sqlmodel import Session

    from optimizer.patrol import PatrolInputError, SolveParams, plan_patrol
    from optimizer.patrol.plan_io import write_plan_json, write_plan_xlsx
    from optimizer.scenario import ScenarioError, load_scenario
    from rosters.scenario_db import ScenarioLoadError, export_scenario
    from rosters.settings import get_settings

    try:
        if scenario_file is not None:
            scenario = load_scenario(scenario_file)
        else:
            first = (
                dt.date.fromisoformat(start) if start else dt.date.today() + dt.timedelta(days=1)
            )
            with Session(database_engine()) as session:
                scenario = export_scenario(
                    session,
                    start=first,
                    days=days,
                    county=county or None,
                    tz=get_settings().timezone,
                )
        with progress(f"planning {scenario.name}: {scenario.horizon.days} day(s)"):
            result = plan_patrol(
                scenario, SolveParams(time_limit=seconds, num_workers=workers, random_seed=seed)
            )
    except (ScenarioError, ScenarioLoadError, PatrolInputError) as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(f"--start: {exc}")
    json_path = write_plan_json(scenario, result, out.with_suffix(".json"))
    xlsx_path = write_plan_xlsx(scenario, result, out.with_suffix(".xlsx"))
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
    summary = {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "bound_source": result.bound_source,
        "seconds": result.solve_seconds,
        "first_feasible_seconds": result.first_feasible_seconds,
        "assignments": len(result.assignments),
        "shortfalls": len(result.shortfalls),
        "conflicts": [c.rule for c in result.conflicts],
        "plan_json": str(json_path),
        "plan_xlsx": str(xlsx_path),
        "plan_id": plan_id,
        "message": result.message,
    }
    emit(summary, title="patrol plan")
    if result.shortfalls and not state.json_output:
        emit(
            [s.model_dump() for s in result.shortfalls[:20]],
            title="unmet requirements (first 20)",
            columns=["requirement", "target_id", "start", "missing", "reason"],
        )
    if result.status.value in ("infeasible", "model_invalid"):
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
