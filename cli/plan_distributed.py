"""`pingan plan patrol --distributed`: the patrol plan as a job of the job engine — split by
county, the parts solved by `pingan worker` processes (on this machine or others), merged
when the last is done — enqueued, waited for with its progress printed, then written as
`pingan plan patrol` writes it. From a scenario file the parts are made here; from the
database a worker exports and splits the roster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli.common import console, database_engine, emit, fail, state


def _print_progress(p: dict[str, Any]) -> None:
    if state.json_output or not p:
        return
    gap = p.get("gap")
    console.print(
        f"parts {p.get('parts_done', 0)}/{p.get('parts', '?')} done, "
        f"{p.get('parts_running', 0)} running; objective {p.get('objective')} "
        f"bound {p.get('bound')} gap {'–' if gap is None else f'{gap:.2%}'}"
    )


def plan_distributed(
    scenario_file: Path | None,
    start: str,
    days: int,
    county: str,
    out: Path,
    seconds: float,
    part_seconds: float | None,
    workers: int,
    seed: int,
) -> None:
    from api.job_engine.parts import PartSpec, parts_of
    from api.job_engine.submit import submit_job, submit_parts, wait
    from api.solves import PatrolPlanRequest
    from optimizer.patrol import PatrolInputError, PatrolResult, SolveParams
    from optimizer.patrol.distributed import merge_parts, split_patrol
    from optimizer.patrol.plan_io import write_plan_json
    from optimizer.scenario import ScenarioError, load_scenario
    from rosters.plan_workbook import write_plan_xlsx_zh
    from rosters.settings import get_settings

    settings = get_settings()
    if not settings.broker_url:
        fail("--distributed: set PINGAN_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//)")
    engine = database_engine()
    solve = SolveParams(time_limit=seconds, num_workers=workers, random_seed=seed)
    if scenario_file is not None:
        try:
            scenario = load_scenario(scenario_file)
            parts = split_patrol(scenario, solve, part_seconds)
        except (ScenarioError, PatrolInputError, ValueError) as exc:
            fail(str(exc))
        job_id = submit_parts(
            engine,
            settings,
            "patrol_plan",
            {"scenario_file": str(scenario_file), "seconds": seconds, "seed": seed},
            [PartSpec(p.key, p.to_json(), p.weight) for p in parts],
            {
                "name": scenario.name,
                "start": scenario.horizon.start.isoformat(),
                "days": scenario.horizon.days,
                "save": False,  # the roster of a file is not in the database
            },
            "pingan plan",
        )
    else:
        from cli.plan import _first_day

        try:
            req = PatrolPlanRequest(
                start=_first_day(start),
                days=days,
                county=county or None,
                seconds=seconds,
                part_seconds=part_seconds,
                workers=workers,
                seed=seed,
            )
        except ValueError as exc:
            fail(str(exc))
        job_id = submit_job(
            engine, settings, "patrol_plan", req.model_dump(mode="json"), "pingan plan"
        )
    if not state.json_output:
        console.print(f"job {job_id} enqueued; waiting for the workers (Ctrl-C leaves it running)")
    job = wait(engine, job_id, _print_progress)
    if job.status != "succeeded":
        fail(f"job {job_id} {job.status}: {job.error}")
    result_json = job.result or {}
    rows = parts_of(engine, job_id)
    result = merge_parts(
        result_json.get("summary", {}).get("scenario_name", ""),
        [PatrolResult.model_validate(p.result) for p in rows],
    )
    if scenario_file is None:
        from cli.plan import _scenario

        scenario = _scenario(None, start, days, county)
    json_path = write_plan_json(scenario, result, out.with_suffix(".json"))
    xlsx_path = write_plan_xlsx_zh(scenario, result, out.with_suffix(".xlsx"))
    emit(
        {
            "job": job_id,
            "status": result.status.value,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "bound_source": result.bound_source,
            "parts": len(rows),
            "longest_part_seconds": max((p.seconds or 0.0 for p in rows), default=0.0),
            "assignments": len(result.assignments),
            "plan_id": result_json.get("plan_id"),
            "plan_json": str(json_path),
            "plan_xlsx": str(xlsx_path),
        },
        title="patrol plan (distributed)",
    )
