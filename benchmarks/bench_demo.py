"""Demo city benchmark: for each size, the time and peak memory to build the scenario, to
validate it as a file would be (JSON Schema + references), and to load it into a fresh
SQLite database; plus the people per force and level. Each size runs in its own process so
its peak memory is its own.

    .venv/bin/python benchmarks/bench_demo.py [small medium full]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one(size: str) -> dict[str, object]:
    from optimizer.scenario import parse_scenario, scenario_to_dict
    from rosters.db import make_engine, migrate, session_scope
    from rosters.demo_city import build_demo_city, force_counts
    from rosters.scenario_db import load_scenario_into_db

    t0 = time.perf_counter()
    scenario = build_demo_city(size)  # type: ignore[arg-type]
    build = time.perf_counter() - t0
    data = scenario_to_dict(scenario)
    t0 = time.perf_counter()
    parse_scenario(data)
    validate = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        t0 = time.perf_counter()
        with session_scope(engine) as session:
            load_scenario_into_db(session, scenario)
        load = time.perf_counter() - t0
        engine.dispose()
    return {
        "size": size,
        "build_s": round(build, 2),
        "validate_s": round(validate, 2),
        "load_sqlite_s": round(load, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "json_mb": round(len(json.dumps(data, ensure_ascii=False)) / 1e6, 1),
        "jurisdictions": len(scenario.jurisdictions),
        "units": len(scenario.units),
        "people": len(scenario.people),
        "posts": len(scenario.posts),
        "zones": len(scenario.zones),
        "forces": force_counts(scenario),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2]), ensure_ascii=False))
        return
    sizes = sys.argv[1:] or ["small", "medium", "full"]
    print(
        f"{'size':8} {'build s':>8} {'valid. s':>8} {'load s':>7} {'peak MB':>8} {'JSON MB':>8} "
        f"{'jurisd.':>8} {'units':>6} {'people':>7} {'posts':>6} {'zones':>6}"
    )
    results = []
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", size], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout)
        results.append(r)
        print(
            f"{r['size']:8} {r['build_s']:8} {r['validate_s']:8} {r['load_sqlite_s']:7} "
            f"{r['peak_mb']:8} {r['json_mb']:8} {r['jurisdictions']:8} {r['units']:6} "
            f"{r['people']:7} {r['posts']:6} {r['zones']:6}"
        )
    for r in results:
        print(f"\n{r['size']}: people per force and level")
        for row in r["forces"]:
            print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
