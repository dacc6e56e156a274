"""Drill schedule benchmark on the demo city: time, first-feasible time, objective, bound
(and where it comes from), gap, drills due / scheduled / unmet, hard-rule violations found
by the independent checker, peak memory.

    .venv/bin/python benchmarks/bench_drills.py [--seconds 60] [--workers 2] [CASE ...]

Cases: small-month, small-year (one county), medium-month, medium-year (whole city). The
patrol plan of the first day is not published here; drills are fitted around leave and the
readiness floor. Each case runs in its own process so its peak memory is its own."""

from __future__ import annotations

import argparse
import json
import resource
import time

from harness import percent, print_row, run_case

CASES = {
    "small-month": ("small", 31),
    "small-year": ("small", 365),
    "medium-month": ("medium", 31),
    "medium-year": ("medium", 365),
}


def one(case: str, seconds: float, workers: int) -> dict[str, object]:
    from optimizer.drills import DrillParams, check_schedule, schedule_drills
    from rosters.demo_city import build_demo_city

    size, days = CASES[case]
    scenario = build_demo_city(size, days=1)  # type: ignore[arg-type]
    scenario.horizon.days = days
    t0 = time.perf_counter()
    r = schedule_drills(scenario, DrillParams(time_limit=seconds, num_workers=workers))
    wall = time.perf_counter() - t0
    return {
        "case": case,
        "status": r.status.value,
        "wall_s": round(wall, 1),
        "first_feasible_s": None
        if r.first_feasible_seconds is None
        else round(r.first_feasible_seconds, 2),
        "objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "bound_source": r.bound_source,
        "workers": workers,
        "groups": r.groups,
        "due": r.drills_due,
        "scheduled": len(r.sessions),
        "unmet": len(r.shortfalls),
        "violations": len(check_schedule(scenario, r.sessions)),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="*", default=list(CASES))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--one", default="")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.seconds, args.workers)))
        return
    cols = [
        "case",
        "status",
        "wall_s",
        "first_feasible_s",
        "objective",
        "bound",
        "gap",
        "workers",
        "groups",
        "due",
        "scheduled",
        "unmet",
        "violations",
        "peak_mb",
    ]
    print("\t".join(cols))
    sources = set()
    for case in args.cases:
        r = run_case(
            __file__, case, ["--seconds", str(args.seconds), "--workers", str(args.workers)]
        )
        sources.add(r["bound_source"])
        r["gap"] = percent(r["gap"])
        print_row(r, cols)
    for s in sorted(sources):
        print(f"bound: {s}")


if __name__ == "__main__":
    main()
