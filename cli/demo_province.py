"""`pingan demo --size province`: the demo province (twelve cities, 75 counties, ~135,000
people with the volunteers) built into the database and written as a scenario file — the
roster for planning on many machines (`pingan plan patrol --distributed`). The daily steps of
the city demo (plan, drills, map) are left to those commands at this size."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from cli.common import console, database_engine, emit, progress, state


def demo_province(seed: int, first: dt.date, out_dir: Path) -> None:
    from optimizer.scenario import dump_scenario
    from rosters.db import session_scope
    from rosters.demo_city import force_counts
    from rosters.demo_city.province import build_province
    from rosters.scenario_db import load_scenario_into_db

    report: dict[str, Any] = {"size": "province", "seed": seed, "start": first.isoformat()}
    t0 = time.perf_counter()
    with progress("building the demo province (12 cities)"):
        scenario = build_province(seed=seed, start=first, days=7)
    report["build_seconds"] = round(time.perf_counter() - t0, 1)
    engine = database_engine()
    t0 = time.perf_counter()
    with progress("writing the roster into the database"), session_scope(engine) as session:
        report["roster"] = load_scenario_into_db(session, scenario, replace=True)
    report["load_seconds"] = round(time.perf_counter() - t0, 1)
    report["database"] = engine.url.render_as_string(hide_password=True)
    path = dump_scenario(scenario, out_dir / "demo-province-scenario.json")
    report["scenario_file"] = str(path)
    if not state.json_output:
        emit(force_counts(scenario), title=f"{scenario.name}: people per force and level")
        console.print(
            f"plan its week on the workers: pingan plan patrol --scenario {path} --distributed"
        )
    emit(report if state.json_output else {k: v for k, v in report.items() if k != "roster"})
