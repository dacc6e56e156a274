"""`pingan simulate`: replay incidents (from the scenario, or sampled from the zones' risk)
against a plan and report response times and the 1-3-5 minute rings; compare two plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import emit, fail
from dispatch.simulation import SimulationOptions, compare, sample_incidents, simulate
from optimizer.scenario import ScenarioError, load_scenario


def simulate_command(
    scenario: Annotated[Path, typer.Argument(help="scenario JSON (with a published plan)")],
    compare_with: Annotated[
        Path | None, typer.Option("--compare", help="a second scenario/plan to compare")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=31)] = 7,
    per_day: Annotated[float, typer.Option(help="sampled incidents a day")] = 60.0,
    seed: int = 0,
    historical: Annotated[
        bool, typer.Option(help="replay the scenario's own incidents instead of sampling")
    ] = False,
) -> None:
    """Simulate the response to a stream of incidents."""
    try:
        first = load_scenario(scenario)
        second = load_scenario(compare_with) if compare_with else None
    except ScenarioError as exc:
        fail(str(exc))
    options = SimulationOptions(incidents_per_day=per_day, seed=seed)
    start = dt.datetime.combine(first.horizon.start, dt.time())
    incidents = first.incidents if historical else sample_incidents(first, start, days, options)
    a = simulate(first, incidents, options=options, name=scenario.stem)
    if second is None:
        emit(a.model_dump(mode="json", exclude={"outcomes"}), title="simulation")
        return
    b = simulate(second, incidents, options=options, name=compare_with.stem)  # type: ignore[union-attr]
    emit(compare(a, b), title="comparison")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
