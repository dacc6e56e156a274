"""Dispatch benchmarks: reinforcement-suggestion latency (p50/p95/p99, end to end in-process,
alternatives included) for the medium city, backfill latency, and a simulated week.

    .venv/bin/python benchmarks/bench_dispatch.py [--incidents 300] [--days 7]

Uses the demo city (`rosters.demo_city.build_demo_city("medium")`) with a synthetic duty plan,
else the synthetic city of `optimizer.reinforcement.synthetic` (about 2,000 units)."""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from collections import Counter

import numpy as np

from dispatch.simulation import SimulationOptions, sample_incidents, simulate
from optimizer.reinforcement import build_instance, suggest_reinforcement
from optimizer.reinforcement.backfill import suggest_backfill
from optimizer.reinforcement.synthetic import synthetic_city, synthetic_plan
from optimizer.scenario import Scenario


def medium_city(days: int) -> tuple[Scenario, str]:
    if "--synthetic" in sys.argv:
        return synthetic_city(days=days), "synthetic medium"
    from rosters.demo_city import build_demo_city

    city = build_demo_city("medium", days=days)
    city.published_plan = synthetic_plan(city)
    return city, "demo city medium + synthetic duty plan"


def pct(values: list[float]) -> str:
    a = np.asarray(values) * 1000
    return (
        " ".join(
            f"{p}={np.percentile(a, q):.1f}ms" for p, q in (("p50", 50), ("p95", 95), ("p99", 99))
        )
        + f" max={a.max():.1f}ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--incidents", type=int, default=300)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--synthetic", action="store_true", help="synthetic city instead of the demo")
    args = ap.parse_args()

    t = time.perf_counter()
    scenario, source = medium_city(args.days)
    print(
        f"city: {source}: {len(scenario.units)} units, {len(scenario.people)} people, "
        f"{len(scenario.zones)} zones, {len(scenario.posts)} posts "
        f"({time.perf_counter() - t:.2f} s to build)"
    )
    start = dt.datetime.combine(scenario.horizon.start, dt.time())
    at = start + dt.timedelta(hours=10)

    t = time.perf_counter()
    inst = build_instance(scenario, at)
    print(
        f"instance (states from plan, cap groups): {(time.perf_counter() - t) * 1000:.0f} ms, "
        f"{int(inst.eligible.sum())} dispatchable units, {len(inst.groups)} cap groups"
    )

    options = SimulationOptions(incidents_per_day=args.incidents, seed=args.seed)
    incidents = sample_incidents(scenario, at, 1, options)[: args.incidents]
    incidents = [i.model_copy(update={"reported_at": at}) for i in incidents]
    for inc in incidents[:5]:  # warm-up
        suggest_reinforcement(inst, inc)
    latency, candidates, statuses, backfill = [], [], Counter(), []
    for inc in incidents:
        t = time.perf_counter()
        result = suggest_reinforcement(inst, inc)
        latency.append(time.perf_counter() - t)
        candidates.append(result.candidates)
        statuses[result.status.value] += 1
    print(f"suggestion ({len(incidents)} incidents, 2 alternatives each): {pct(latency)}")
    print(
        f"  candidates solved on: median {int(np.median(candidates))}, max {max(candidates)}; "
        f"status {dict(statuses)}"
    )
    for inc in incidents[:50]:
        result = suggest_reinforcement(inst, inc)
        gone = [u.unit_id for u in result.best.units] if result.best else []
        t = time.perf_counter()
        suggest_backfill(inst, gone)
        backfill.append(time.perf_counter() - t)
    print(f"backfill ({len(backfill)} dispatches): {pct(backfill)}")

    week = sample_incidents(scenario, start, args.days, SimulationOptions(seed=args.seed))
    t = time.perf_counter()
    report = simulate(scenario, week)
    print(
        f"simulation: {args.days} days, {report.incidents} incidents in "
        f"{time.perf_counter() - t:.1f} s; first unit within 1/3/5 min "
        f"{report.within_first}; all needs within {report.within_full}; "
        f"unmet {report.unmet_incidents}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
