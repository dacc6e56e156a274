"""Patrol plan benchmark on the demo city: time, first-feasible time, objective, bound (and
where it comes from), gap, peak memory, model size.

    .venv/bin/python benchmarks/bench_patrol.py [--seconds S] [--workers 2] [CASE ...]

Cases: small-1d, small-7d (one county, ~650 people), medium-1d, medium-7d (whole city,
decomposed by county), full-7d (whole city with every village's volunteers). Each case runs in
its own process; peak_mb is the peak resident memory of that process and its HiGHS child
processes together (the exact MIP beside CP-SAT, the local search's MIPs side by side),
sampled every 0.25 s."""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import time

from harness import TreeMemory, percent, print_row, run_case

# case → (demo city size, days, the time target in seconds)
CASES = {
    "small-1d": ("small", 1, 30),
    "small-7d": ("small", 7, 30),
    "medium-1d": ("medium", 1, 120),
    "medium-7d": ("medium", 7, 120),
    "full-7d": ("full", 7, 600),
}


def one(
    case: str,
    seconds: float,
    workers: int,
    deterministic: bool = False,
    seed: int = 0,
    effort: float | None = None,
) -> dict[str, object]:
    from optimizer.patrol import SolveParams, check_plan, plan_patrol
    from rosters.demo_city import build_demo_city

    size, days, _ = CASES[case]
    scenario = build_demo_city(size, days=days)  # type: ignore[arg-type]
    with TreeMemory() as memory:
        t0 = time.perf_counter()
        params = SolveParams(
            time_limit=seconds,
            num_workers=workers,
            random_seed=seed,
            deterministic=deterministic,
            effort_seconds=effort,
        )
        r = plan_patrol(scenario, params)
        wall = time.perf_counter() - t0
    violations = check_plan(scenario, r.assignments)
    return {
        "case": case,
        "status": r.status.value,
        "wall_s": round(wall, 1),
        "solve_s": r.solve_seconds,
        "first_feasible_s": r.first_feasible_seconds,
        "objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "bound_source": r.bound_source,
        "workers": workers,
        # groups planned again / that improved the plan / proven optimal / no longer fitting
        "groups": "/".join(
            str(r.effort.get(k, 0))
            for k in ("groups", "improving_groups", "proven_groups", "clashing_groups")
        ),
        "plan_digest": _digest(r.assignments),
        "assignments": len(r.assignments),
        "shortfalls": len(r.shortfalls),
        "hard_rule_violations": len(violations),
        "options": r.model_size.get("assignment_vars"),
        "peak_mb": max(
            memory.peak_mb, round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        ),
    }


def _digest(assignments: list) -> str:
    """A short fingerprint of a plan: two runs with the same digest made the same plan."""
    text = "\n".join(
        f"{a.person_id} {a.date} {a.shift_id} {a.task} {a.target_id}" for a in assignments
    )
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="*", default=["small-1d", "small-7d"])
    ap.add_argument("--seconds", type=float, default=None, help="default: the case's target")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--deterministic", action="store_true", help="count work, not time")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--effort", type=float, default=None, help="deterministic: seconds the work is counted for"
    )
    ap.add_argument("--one", default="")
    args = ap.parse_args()
    if args.one:
        row = one(args.one, args.seconds, args.workers, args.deterministic, args.seed, args.effort)
        print(json.dumps(row))
        return
    cols = [
        "case",
        "status",
        "wall_s",
        "first_feasible_s",
        "objective",
        "bound",
        "gap",
        "bound_source",
        "workers",
        "groups",
        "plan_digest",
        "shortfalls",
        "hard_rule_violations",
        "options",
        "peak_mb",
    ]
    print("\t".join(cols))
    for case in args.cases:
        r = run_case(
            __file__,
            case,
            [
                "--seconds",
                str(args.seconds or CASES[case][2]),
                "--workers",
                str(args.workers),
                "--seed",
                str(args.seed),
                *(["--deterministic"] if args.deterministic else []),
                *(["--effort", str(args.effort)] if args.effort else []),
            ],
        )
        r["gap"] = percent(r["gap"])
        print_row(r, cols)


if __name__ == "__main__":
    main()
