"""Read endpoints under concurrent load: uvicorn in a subprocess on 127.0.0.1 over the small
demo city (SQLite, or PostgreSQL with --database-url), 50 concurrent httpx.AsyncClient
clients; prints requests/s and latency percentiles per endpoint. Bounded in count and time.

    .venv/bin/python benchmarks/bench_api.py [--clients 50] [--requests 4000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = [
    "/people?limit=50",
    "/units?limit=50&force=patrol_swat",
    "/jurisdictions?level=township",
    "/posts?limit=20",
    "/unit-status",
    "/plans",
    "/health",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str) -> None:
    from api.auth import create_user
    from rosters.db import make_engine, migrate, session_scope
    from rosters.demo_city import build_demo_city
    from rosters.scenario_db import load_scenario_into_db

    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        load_scenario_into_db(session, build_demo_city("small"), replace=True)
        create_user(session, f"bench{os.getpid()}", "bench-password", "viewer")
    engine.dispose()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def load(base: str, token: str, clients: int, total: int, seconds: float) -> None:
    latencies: dict[str, list[float]] = {e: [] for e in ENDPOINTS}
    errors = 0
    issued = 0
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(i: int) -> None:
        nonlocal errors, issued
        async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as http:
            while issued < total and time.monotonic() < deadline:
                endpoint = ENDPOINTS[issued % len(ENDPOINTS)]
                issued += 1
                t0 = time.perf_counter()
                r = await http.get(endpoint, timeout=30)
                latencies[endpoint].append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.perf_counter() - t0
    every = [v for vs in latencies.values() for v in vs]
    print(
        f"{len(every)} requests, {clients} clients, {wall:.1f} s: {len(every) / wall:.0f} req/s, "
        f"errors {errors}"
    )
    print(f"{'endpoint':40} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for endpoint, vs in latencies.items():
        if vs:
            print(
                f"{endpoint:40} {len(vs):5d} {pct(vs, 0.5):8.1f} {pct(vs, 0.95):8.1f} "
                f"{pct(vs, 0.99):8.1f} {statistics.fmean(vs) * 1000:8.1f}"
            )
    print(
        f"{'all':40} {len(every):5d} {pct(every, 0.5):8.1f} {pct(every, 0.95):8.1f} "
        f"{pct(every, 0.99):8.1f} {statistics.fmean(every) * 1000:8.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn processes (PostgreSQL)")
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        prepare(url)
        port = free_port()
        env = {
            **os.environ,
            "PINGAN_DATABASE_URL": url,
            "PINGAN_SECRET_KEY": "bench-secret-key-bench-secret-key",
            "PINGAN_SCHEDULER_ENABLED": "false",
        }
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(args.workers),
        ]
        server = subprocess.Popen(cmd, cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start")
                time.sleep(0.1)
            r = httpx.post(
                f"{base}/auth/token",
                data={"username": f"bench{os.getpid()}", "password": "bench-password"},
            )
            r.raise_for_status()
            print(f"server: uvicorn x{args.workers} on {url.split(':')[0]}, demo city small")
            asyncio.run(
                load(base, r.json()["access_token"], args.clients, args.requests, args.seconds)
            )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
