"""`pingan demo`: the main job on the embedded default. Builds the demo city into the
database and runs what the product does for it each day — the staffing-standards check, the
patrol plan for tomorrow, the drill schedule for the next month, the wall map — writing
every output under the output directory."""

from __future__ import annotations

import datetime as dt
import importlib.util
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import console, database_engine, emit, fail, progress, state

DEMO_SEED = 2026
#: who the demo's plan and drill schedule are by (the program's name reads the same in
#: Chinese and English pages)
DEMO_ACTOR = "pingan"


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def demo(
    size: Annotated[
        str,
        typer.Option(help="small (one county), medium (whole city), full, province (12 cities)"),
    ] = "medium",
    seed: Annotated[int, typer.Option(help="random seed of the synthetic city")] = DEMO_SEED,
    start: Annotated[
        str, typer.Option(help="first planned day, YYYY-MM-DD (default tomorrow)")
    ] = "",
    out: Annotated[
        Path | None, typer.Option(help="output directory (default settings.output_dir)")
    ] = None,
    plan_seconds: Annotated[float, typer.Option(help="time limit of the patrol solve")] = 60.0,
) -> None:
    """Build the demo city in the database and run the main job on it."""
    from optimizer.scenario import dump_scenario
    from rosters.db import session_scope
    from rosters.demo_city import SIZES, build_demo_city, force_counts
    from rosters.scenario_db import load_scenario_into_db
    from rosters.settings import get_settings

    if size == "province":
        from cli.demo_province import demo_province

        try:
            first = dt.date.fromisoformat(start) if start else dt.date.today() + dt.timedelta(1)
        except ValueError:
            fail(f"--start: not a date (YYYY-MM-DD): {start!r}")
        folder = Path(out or get_settings().output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        demo_province(seed, first, folder)
        return
    if size not in SIZES:
        fail(f"--size: expected one of {', '.join(SIZES)}, got {size!r}")
    try:
        first = dt.date.fromisoformat(start) if start else dt.date.today() + dt.timedelta(days=1)
    except ValueError:
        fail(f"--start: not a date (YYYY-MM-DD): {start!r}")
    out_dir = Path(out or get_settings().output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"size": size, "seed": seed, "start": first.isoformat()}

    t0 = time.perf_counter()
    with progress(f"building the {size} demo city") as advance:
        scenario = build_demo_city(size, seed=seed, start=first, days=7)  # type: ignore[arg-type]
        advance()
    report["build_seconds"] = round(time.perf_counter() - t0, 2)
    engine = database_engine()
    t0 = time.perf_counter()
    with progress("writing the roster into the database"), session_scope(engine) as session:
        counts = load_scenario_into_db(session, scenario, replace=True)
    report["load_seconds"] = round(time.perf_counter() - t0, 2)
    report["database"] = engine.url.render_as_string(hide_password=True)
    report["roster"] = counts
    scenario_file = dump_scenario(scenario, out_dir / f"demo-{size}-scenario.json")
    report["scenario_file"] = str(scenario_file)
    if not state.json_output:
        _emit_force_counts(scenario.name, force_counts(scenario))

    for step in STEPS:
        step(scenario, engine, out_dir, report, plan_seconds)
    if state.json_output:
        emit(report)
        return
    emit(_flat(report), title="pingan demo")
    emit(report["roster"], title="roster written to the database")
    for part in ("patrol_plan", "drill_schedule"):
        if part in report:
            emit(_shown(report[part]), title=part.replace("_", " "))


def _flat(report: dict[str, Any]) -> dict[str, Any]:
    """The report's plain values as the table shows them (the size by its label)."""
    from cli.labels import SIZES

    out = {
        k: v for k, v in report.items() if not isinstance(v, list | dict) and not k.startswith("_")
    }
    if out.get("size") in SIZES:
        out["size"] = SIZES[out["size"]][0 if state.lang == "zh" else 1]
    return out


def _shown(part: dict[str, Any]) -> dict[str, Any]:
    """A plan's or a schedule's summary as the table shows it (the bound's source in the
    table's language)."""
    from rosters.plan_texts import bound_source_zh

    if state.lang == "zh" and isinstance(part.get("bound_source"), str):
        return {**part, "bound_source": bound_source_zh(part["bound_source"])}
    return part


def _emit_force_counts(city: str, rows: list[dict[str, Any]]) -> None:
    """People per force and level, forces and levels by their labels."""
    from cli.labels import code_label, word

    lang = state.lang
    shown = [
        {
            (code_label("level", k, lang) if k not in ("force", "total") else word(k, lang)): (
                code_label("force", v, lang) if k == "force" else v
            )
            for k, v in row.items()
        }
        for row in rows
    ]
    title = (
        f"演示城市 {city}：各力量、各级人数"
        if lang == "zh"
        else f"demo city {city}: people per force and level"
    )
    emit(shown, title=title)


def _plan_tomorrow(
    scenario: Any, engine: Any, out_dir: Path, report: dict[str, Any], seconds: float
) -> None:
    from optimizer.patrol import SolveParams, plan_patrol
    from optimizer.patrol.plan_io import write_plan_json
    from rosters.db import session_scope
    from rosters.plan_workbook import write_plan_xlsx_zh
    from rosters.plans import publish_plan, save_plan

    first_day = scenario.model_copy(
        update={"horizon": scenario.horizon.model_copy(update={"days": 1})}
    )
    with progress(f"planning patrols for {first_day.horizon.start} ({seconds:.0f} s)"):
        result = plan_patrol(first_day, SolveParams(time_limit=seconds, num_workers=2))
    with session_scope(engine) as session:
        plan_id = save_plan(
            session,
            name=f"{scenario.name} {first_day.horizon.start}",
            start=first_day.horizon.start,
            days=1,
            status=result.status.value,
            assignments=result.assignments,
            objective=result.objective,
            bound=result.bound,
            gap=result.gap,
            summary=result.model_dump(mode="json", exclude={"assignments"}),
            created_by=DEMO_ACTOR,
        )
        if result.assignments:
            publish_plan(session, plan_id, by=DEMO_ACTOR)
    report["patrol_plan"] = {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": None if result.gap is None else round(result.gap, 4),
        "bound_source": result.bound_source,
        "seconds": result.solve_seconds,
        "assignments": len(result.assignments),
        "shortfalls": len(result.shortfalls),
        "plan_id": plan_id,
        "json": str(write_plan_json(first_day, result, out_dir / "demo-patrol-plan.json")),
        "xlsx": str(write_plan_xlsx_zh(first_day, result, out_dir / "demo-patrol-plan.xlsx")),
    }
    report["_plan"] = (first_day, result.assignments)


def _standards(scenario: Any, _engine: Any, _out: Path, report: dict[str, Any], _s: float) -> None:
    from rosters.standards import standards_report

    report["standards_shortfalls"] = len(standards_report(scenario))


def _write_map(
    scenario: Any, engine: Any, out_dir: Path, report: dict[str, Any], _seconds: float
) -> None:
    from maps.scenario_map import plan_map, situation_map, write_map

    with progress("drawing the wall map"):
        planned = report.pop("_plan", None)
        plan = planned[1] if planned else None
        m = plan_map(planned[0], plan) if plan else situation_map(scenario)
        path = write_map(m, out_dir / "demo-map.html")
    report["map_file"] = str(path)


def _schedule_drills(
    scenario: Any, _engine: Any, out_dir: Path, report: dict[str, Any], seconds: float
) -> None:
    """The drill schedule of the next month (31 days from the first planned day), around
    tomorrow's published patrol plan."""
    from optimizer.drills import DrillParams, check_schedule, schedule_drills
    from optimizer.drills.ics import sessions_to_ics
    from optimizer.drills.schedule_io import write_schedule_json, write_schedule_xlsx

    planned = report.get("_plan")
    month = scenario.model_copy(
        update={
            "horizon": scenario.horizon.model_copy(update={"days": 31}),
            "published_plan": planned[1] if planned else [],
        }
    )
    with progress(f"scheduling the drills of the next month ({seconds:.0f} s)"):
        result = schedule_drills(month, DrillParams(time_limit=seconds, num_workers=2))
    from rosters.db import session_scope
    from rosters.drills import store_schedule

    stored: dict[str, Any] = {}
    if result.sessions:
        with session_scope(_engine) as session:
            stored = store_schedule(session, month, result, publish=True, by=DEMO_ACTOR)
    ics = out_dir / "demo-drills.ics"
    ics.write_bytes(sessions_to_ics(month, result.sessions))
    report["drill_schedule"] = {
        **stored,
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": None if result.gap is None else round(result.gap, 4),
        "seconds": result.solve_seconds,
        "drills_due": result.drills_due,
        "scheduled": len(result.sessions),
        "unmet": len(result.shortfalls),
        "rule_violations": len(check_schedule(month, result.sessions)),
        "json": str(write_schedule_json(month, result, out_dir / "demo-drills.json")),
        "xlsx": str(write_schedule_xlsx(month, result, out_dir / "demo-drills.xlsx")),
        "ics": str(ics),
    }


STEPS: list[Any] = [_standards, _plan_tomorrow, _schedule_drills, _write_map]


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    _ = console  # rich console shared with the other commands
