"""The patrol optimiser's labour rules on the Curtois & Qu shift scheduling benchmark
(../shared/bench/shift): each instance is converted to a scenario, planned with plan_patrol,
and its plan scored again by the benchmark's own rules.

    .venv/bin/python benchmarks/bench_shift.py [--seconds 60] [--workers 2] [--instances 1-8]
                                               [--variant plan|fixed-rules|direct] [--repeat 1]

One row per instance: staff, days, shift types, status, seconds, objective (benchmark units,
recomputed from the plan), the solver's bound, gap, best known, match (`yes` = proven and
equal to best known, `=` = equal but not proven, `no` = above it), hard-rule violations (the
benchmark's and the patrol checker's) and the process's peak memory. Each instance runs in
its own process so its peak memory is its own. Horizons beyond the patrol model's limit
(28 days: Instance14 onwards) are planned in rolling windows (`shift_windows.py`): no bound,
the gap printed against best known.

Variants: `plan` (default) is plan_patrol as the product runs it — every hard rule under a
named enforcement literal passed to CP-SAT as an assumption, so an infeasible rule set can
be named. `fixed-rules` is a diagnostic: the same model, but the enforcement literals are
fixed to true instead of assumed (what that costs the search is the difference). `direct` is
the benchmark's rules modelled directly in CP-SAT (`shift_model.py`, no patrol scenario), any
horizon, planned by `shift_plan.plan_shifts`: a first roster built employee by employee
(`start`: its objective), then the whole horizon's model with it as hint (its bound is a bound
of the benchmark; up to `shift_plan.LP_LIMIT` booleans CP-SAT's `max_lp` is its full-problem
worker) or, beyond that model's size, a neighbourhood search; with the whole model (up to
84 days), column generation first (`shift_columns`: its Lagrangian bound, `bound_source`
"column generation", stops the whole model when a plan meets it, and its dive gives the
hint).
`above_best`: the objective's excess over best known. `load`: the load average when
the instance ends. `--repeat N` runs each instance N times, one row per run: with 2 workers
CP-SAT's runs are not repeatable and a single 60 s run of Instance5–10 says little."""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimizer.patrol import PatrolResult, SolveParams
    from optimizer.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".." / "shared" / "bench" / "shift"


def instances(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def known() -> dict[str, dict[str, str]]:
    with (BENCH / "best_known.csv").open(newline="") as f:
        return {r["instance"]: r for r in csv.DictReader(f)}


def fixed_rules(scenario: Scenario, params: SolveParams) -> PatrolResult:
    """The plan_patrol model with its hard-rule literals fixed to true, not assumed."""
    from optimizer.patrol.instance import build_instance
    from optimizer.patrol.model import build_model
    from optimizer.patrol.solve import _solve

    built = build_model(build_instance(scenario))
    built.model.clear_assumptions()
    for literal in built.vars.enforcement.values():
        built.model.add(literal == 1)
    return _solve(built, params, None, None)[0]


def windowed(b: object, seconds: float, workers: int) -> dict[str, object]:
    """A horizon beyond the patrol model's, planned in rolling windows (`shift_windows`):
    the roster scored and checked by the benchmark's own rules on the whole horizon; no
    bound (the windows' bounds hold only under their pacing)."""
    from optimizer.patrol.shift_benchmark import benchmark_penalty, benchmark_violations
    from optimizer.patrol.shift_windows import solve_in_windows

    t0 = time.perf_counter()
    plan = solve_in_windows(b, seconds, workers)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    return {
        "status": f"windows ({len(plan.windows)})" + ("" if plan.complete else ", some empty"),
        "seconds": round(wall, 1),
        "objective": benchmark_penalty(b, plan.roster).total,  # type: ignore[arg-type]
        "solver_objective": benchmark_penalty(b, plan.roster).total,  # type: ignore[arg-type]
        "bound": None,
        "gap": None,
        "violations": len(benchmark_violations(b, plan.roster)),  # type: ignore[arg-type]
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def direct(b: object, seconds: float, workers: int) -> dict[str, object]:
    """The direct model's planner (`shift_plan.plan_shifts`): a roster built employee by
    employee, then the whole-horizon model with it as hint (`max_lp` as its full-problem
    worker up to `LP_LIMIT` booleans), or (Instance13, 20 on) the neighbourhood search."""
    from optimizer.patrol.shift_benchmark import benchmark_violations
    from optimizer.patrol.shift_plan import plan_shifts

    r = plan_shifts(b, seconds, workers)  # type: ignore[arg-type]
    gap = None
    if r.objective is not None and r.bound is not None and r.objective > 0:
        gap = (r.objective - r.bound) / r.objective
    return {
        "status": f"{r.status} ({r.method})",
        "seconds": round(r.seconds, 1),
        "start": r.start_objective,
        "objective": r.objective,
        "solver_objective": r.objective,
        "bound": r.bound,
        "bound_source": r.bound_source or "",
        "gap": gap,
        "violations": len(benchmark_violations(b, r.roster)) if r.roster else None,  # type: ignore[arg-type]
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": round(os.getloadavg()[0], 1),
    }


def one(number: int, seconds: float, workers: int, variant: str) -> dict[str, object]:
    from optimizer.patrol import SolveParams, check_plan, plan_patrol
    from optimizer.patrol.instance import MAX_DAYS
    from optimizer.patrol.shift_benchmark import (
        benchmark_penalty,
        benchmark_violations,
        read_instance,
        roster_of,
        to_scenario,
    )

    b = read_instance(BENCH / f"Instance{number}.txt")
    row: dict[str, object] = {
        "instance": b.name,
        "staff": len(b.staff),
        "days": b.days,
        "shifts": len(b.shifts),
    }
    if variant == "direct":
        return {**row, **direct(b, seconds, workers)}
    if b.days > MAX_DAYS:
        return {**row, **windowed(b, seconds, workers)}
    scenario = to_scenario(b)
    t0 = time.perf_counter()
    params = SolveParams(time_limit=seconds, num_workers=workers)
    solve = plan_patrol if variant == "plan" else fixed_rules
    r = solve(scenario, params)
    wall = time.perf_counter() - t0
    objective = None
    violations = None
    if r.assignments:
        roster = roster_of(b, r.assignments)
        objective = benchmark_penalty(b, roster).total
        violations = len(benchmark_violations(b, roster)) + len(check_plan(scenario, r.assignments))
    return {
        **row,
        "status": r.status.value,
        "seconds": round(wall, 1),
        "first_feasible_s": r.first_feasible_seconds,
        "objective": objective,
        "solver_objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "violations": violations,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


COLS = [
    "instance",
    "staff",
    "days",
    "shifts",
    "status",
    "seconds",
    "first_feasible_s",
    "objective",
    "bound",
    "bound_source",
    "gap",
    "best_known",
    "above_best",
    "match",
    "violations",
    "peak_mb",
    "start",
    "load",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", default="1-8", help="e.g. 1-8 or 1,3,5-7")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--variant", choices=["plan", "fixed-rules", "direct"], default="plan")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each instance, one row each")
    ap.add_argument("--one", type=int, default=0)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.seconds, args.workers, args.variant)))
        return
    table = known()
    print(f"{args.variant}: time limit {args.seconds:g} s, {args.workers} workers")
    print("\t".join(COLS))
    all_match = True
    for number in [n for n in instances(args.instances) for _ in range(args.repeat)]:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(number),
                "--seconds",
                str(args.seconds),
                "--workers",
                str(args.workers),
                "--variant",
                args.variant,
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        r = json.loads(out.stdout)
        ref = table.get(str(r["instance"]), {})
        best = int(ref["best_known"]) if ref else None
        r["best_known"] = best
        if r.get("objective") is not None and best:
            r["above_best"] = f"{100 * (r['objective'] - best) / best:.1f}%"
        objective, bound = r.get("objective"), r.get("bound")
        if objective is None or best is None:
            r["match"] = "-"
        elif objective == best:
            r["match"] = "yes" if bound is not None and bound >= best - 1e-6 else "="
        else:
            r["match"] = "no" if objective > best else "BELOW BEST KNOWN"
        if r.get("objective") is not None and r.get("solver_objective") != r["objective"]:
            r["match"] += f" (solver says {r['solver_objective']})"
        all_match &= r["match"] == "yes"
        gap = r.get("gap")
        r["gap"] = "" if gap is None else f"{100 * gap:.1f}%"
        print("\t".join(str(r.get(c, "")) for c in COLS), flush=True)
    sys.exit(0 if all_match else 1)


if __name__ == "__main__":
    main()
