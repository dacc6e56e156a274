"""The demo province's patrol week on the job engine: Celery workers on RabbitMQ, parts in the
database, with 1 and then 2 worker processes (`pingan worker --concurrency 1` each).

Prints: the split (parts, time), for each run the wall time from enqueueing to the merged
result, the speed-up, every county part's time, the critical path (the largest part), the
peak memory of each worker process, the merged objective, bound and gap and the independent
checker's verdict on the merged plan; then the projected wall time on 8, 32 and 100 workers.

Projection: the part times measured in the first run are scheduled longest first, each on
the worker free first (LPT list scheduling, `optimizer.patrol.distributed.project_wall_time`),
plus the measured split (cutting the parts and serialising their input), enqueue and merge
times. `--time-factor F` gives each part F times its minimum
(`optimizer.patrol.budget.minimum_seconds`) instead of a fixed `--part-seconds`, with each
part's gap and peak memory printed: the run for the gap target. It assumes the parts scale
as measured here (one CP-SAT/HiGHS thread each) and that the database and broker are not the
bottleneck.

    .venv/bin/python benchmarks/bench_distributed.py --part-seconds 6
    (needs RabbitMQ: --broker-url, default amqp://guest:guest@127.0.0.1:5672//)

The machine is shared: the load average is printed with the figures."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def gap_text(gap: float | None) -> str:
    return "–" if gap is None else f"{100 * gap:.2f}"


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def start_worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from cli.main import app; app()", "worker"]
    cmd += [f"--queues={queue}", "--concurrency=1", "--loglevel=info"]
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=REPO,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


def drop_queue(settings: Any) -> None:
    """Delete the run's queue on the (shared) broker."""
    from api.job_engine.celery_app import configure

    with configure(settings).connection_for_write() as conn:
        conn.default_channel.queue_delete(settings.job_queue)


def run(
    workers: int, specs: list[Any], merge: dict[str, Any], url: str, broker: str, tmp: Path
) -> dict[str, Any]:
    from api.job_engine.parts import parts_of
    from api.job_engine.submit import submit_parts, wait
    from rosters.db import get_engine
    from rosters.settings import Settings

    queue = f"pingan-bench-{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=url, broker_url=broker, job_queue=queue)
    env = {
        **os.environ,
        "PINGAN_DATABASE_URL": url,
        "PINGAN_BROKER_URL": broker,
        "PINGAN_JOB_QUEUE": queue,
    }
    engine = get_engine(url)
    procs = [start_worker(env, queue, tmp / f"worker-{workers}-{i}.log") for i in range(workers)]
    before = load()
    try:
        deadline = time.monotonic() + 120  # the clock starts once every worker is ready
        while not all(
            " ready." in (tmp / f"worker-{workers}-{i}.log").read_text() for i in range(workers)
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers did not start: see {tmp}")
            time.sleep(0.2)
        t0 = time.perf_counter()
        job_id = submit_parts(
            engine, settings, "patrol_plan", {"bench": workers}, specs, merge, "bench"
        )
        enqueued = time.perf_counter() - t0
        last = [0.0]

        def show(p: dict[str, Any]) -> None:
            if time.perf_counter() - last[0] > 30:
                last[0] = time.perf_counter()
                print(
                    f"  [{workers} worker(s)] {p.get('parts_done')}/{p.get('parts')} parts done",
                    flush=True,
                )

        job = wait(engine, job_id, show, every=0.5)
        wall = time.perf_counter() - t0
    finally:
        stop(procs)
        drop_queue(settings)
    rows = parts_of(engine, job_id)
    by_worker: dict[str, float] = {}
    for r in rows:
        pid = r.solved_by.split(":")[1] if r.solved_by else "?"
        by_worker[pid] = max(by_worker.get(pid, 0.0), r.peak_rss_mb or 0.0)
    return {
        "workers": workers,
        "job": job_id,
        "status": job.status,
        "error": job.error,
        "wall_seconds": round(wall, 1),
        "enqueue_seconds": round(enqueued, 1),
        "merge_seconds": (job.result or {}).get("merge_seconds"),
        "parts": {r.key: r.seconds for r in rows},
        "part_gaps": {r.key: (r.result or {}).get("gap") for r in rows},
        "part_rss_mb": {r.key: r.peak_rss_mb for r in rows},
        "results": [r.result for r in rows],
        "peak_rss_mb_per_worker": by_worker,
        "objective": (job.result or {}).get("objective"),
        "bound": (job.result or {}).get("bound"),
        "gap": (job.result or {}).get("gap"),
        "load_before": before,
        "load_after": load(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cities", type=int, default=12)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--part-seconds", type=float, default=6.0, help="time limit of each part")
    ap.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    ap.add_argument(
        "--deterministic",
        action="store_true",
        help="count each part's work (its effort: --part-seconds) instead of timing it, with "
        "a clock of --clock-factor times that: every run does the same work",
    )
    ap.add_argument("--clock-factor", type=float, default=12.0)
    ap.add_argument(
        "--time-factor",
        type=float,
        default=0.0,
        help="instead of --part-seconds: each part's time limit is this many times its "
        "minimum (optimizer.patrol.budget.minimum_seconds: people × days)",
    )
    ap.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    ap.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672//")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "distributed.json")
    args = ap.parse_args()

    from api.job_engine.parts import PartSpec
    from optimizer.patrol import PatrolResult, SolveParams, budget, check_plan
    from optimizer.patrol.distributed import merge_parts, project_wall_time, split_patrol
    from rosters.db import get_engine, migrate
    from rosters.demo_city.province import build_province

    tmp = Path(tempfile.mkdtemp(prefix="pingan-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    migrate(get_engine(url))
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {load()}")
    t0 = time.perf_counter()
    scenario = build_province(cities=args.cities, days=args.days)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    solve = SolveParams(num_workers=1, random_seed=0, deterministic=args.deterministic)
    parts = split_patrol(scenario, solve, args.part_seconds)
    if args.time_factor > 0:
        for p in parts:
            limit = args.time_factor * budget.minimum_seconds(len(p.scenario.people), args.days)
            p.params = replace(p.params, time_limit=limit, effort_seconds=limit)
    specs = [PartSpec(p.key, p.to_json(), p.weight) for p in parts]  # the parts' input
    split = time.perf_counter() - t0
    if args.deterministic:
        for p in parts:
            p.params = replace(p.params, time_limit=args.part_seconds * args.clock_factor)
    print(
        f"province: {args.cities} cities, {len(scenario.people)} people, {len(parts)} county "
        f"parts, {args.days} days; built in {built:.1f} s, split in {split:.1f} s; "
        f"{args.part_seconds} s a part"
        + (
            f" of counted work (clock {parts[0].params.time_limit:.0f} s)"
            if args.deterministic
            else ""
        )
        + ", one CP-SAT/HiGHS thread a part"
        + (f" (limits: {args.time_factor} × each part's minimum)" if args.time_factor else "")
    )
    largest = max(parts, key=lambda p: p.weight)
    print(f"largest part {largest.key}: {len(largest.scenario.people)} people", flush=True)
    merge = {
        "name": scenario.name,
        "start": scenario.horizon.start.isoformat(),
        "days": args.days,
        "save": False,  # the province's roster is not in the benchmark's database
    }
    runs = []
    for k in [int(x) for x in args.workers.split(",")]:
        print(f"running with {k} worker process(es)…", flush=True)
        r = run(k, specs, merge, url, args.broker_url, tmp)
        whole = merge_parts(scenario.name, [PatrolResult.model_validate(x) for x in r["results"]])
        t0 = time.perf_counter()
        r["violations"] = len(check_plan(scenario, whole.assignments))
        r["check_seconds"] = round(time.perf_counter() - t0, 1)
        r["assignments"] = len(whole.assignments)
        runs.append(r)
        print(
            f"  {k} worker(s): {r['status']} in {r['wall_seconds']} s ({r['load_before']} → "
            f"{r['load_after']}); objective {r['objective']}, bound {r['bound']}, gap "
            f"{gap_text(r['gap'])} %; checker: "
            f"{r['violations']} violations in {r['assignments']} assignments",
            flush=True,
        )
    print(
        "\n| worker processes | wall s | speed-up | sum of parts s | largest part s "
        "| peak RSS per worker MB | gap % | checker |"
    )
    print("|---|---|---|---|---|---|---|---|")
    base = runs[0]["wall_seconds"]
    for r in runs:
        times = [t for t in r["parts"].values() if t is not None]
        print(
            f"| {r['workers']} | {r['wall_seconds']} | {base / r['wall_seconds']:.2f}× | "
            f"{sum(times):.0f} | {max(times):.1f} | "
            f"{', '.join(f'{v:.0f}' for v in r['peak_rss_mb_per_worker'].values())} | "
            f"{gap_text(r['gap'])} | {r['violations']} violations |"
        )
    one = runs[0]
    times = [t for t in one["parts"].values() if t is not None]
    gaps, rss = one["part_gaps"], one["part_rss_mb"]
    print(
        f"\nparts ({one['workers']} worker(s)), seconds / gap % / peak RSS MB: "
        + ", ".join(
            f"{k} {v:.1f} / {gap_text(gaps.get(k))} / {rss.get(k) or 0:.0f}"
            for k, v in sorted(one["parts"].items(), key=lambda kv: -(kv[1] or 0))
        )
    )
    worst = max((g for g in gaps.values() if g is not None), default=None)
    print(f"worst part gap {gap_text(worst)} %; largest peak RSS {max(rss.values() or [0])} MB")
    merge_s = float(one["merge_seconds"] or 0.0)
    enqueue_s = float(one["enqueue_seconds"] or 0.0)
    print(
        f"\nprojection (split {split:.0f} s + enqueue {enqueue_s:.0f} s + LPT of the "
        f"{len(times)} measured part times + merge {merge_s:.0f} s):"
    )
    print("| workers | projected wall s |")
    print("|---|---|")
    for k in (1, 2, 8, 32, 100):
        print(f"| {k} | {split + enqueue_s + project_wall_time(times, k, merge_s):.0f} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "split_seconds": split,
                "build_seconds": built,
                "runs": [{k: v for k, v in r.items() if k != "results"} for r in runs],
            },
            indent=1,
        )
    )
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
