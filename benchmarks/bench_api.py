"""The HTTP API under concurrent load: `pingan serve`'s app in uvicorn subprocesses on
127.0.0.1 over the small demo city with 60 incidents, SQLite (default) or PostgreSQL (a
database made for the run and dropped after it, from `--postgres URL`).

Two parts, each bounded in time:
1. reads: `--clients` concurrent keep-alive clients cycle through the main read endpoints;
   prints requests/s, errors and p50/p95/p99 per endpoint and overall;
2. flood: one admin reads alone, then again while 50 clients post `POST /incidents` with
   guessed API keys and forged tokens; prints the admin's p95 without and with the flood,
   the flood's status codes and its p95.

    .venv/bin/python benchmarks/bench_api.py [--clients 50] [--seconds 20] [--workers 1]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--skip-flood]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = [
    "/incidents?limit=50",
    "/units?limit=50",
    "/people?limit=50",
    "/plans",
    "/jobs",
    "/drills/sessions?limit=50",
    "/unit-status",
    "/standards",
]
USER, PASSWORD = "bench-admin", "bench-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str) -> list[tuple[str, float, float]]:
    """The small demo city, 60 incidents and an admin in a fresh database; returns the code
    and base of 20 units (where the writer reports positions)."""
    sys.path.insert(0, str(ROOT))
    from api.auth import create_user
    from dispatch.lifecycle import report_incident
    from optimizer.scenario import IncidentNeeds
    from rosters.db import make_engine, migrate, session_scope
    from rosters.demo_city import build_demo_city
    from rosters.scenario_db import load_scenario_into_db

    engine = make_engine(url)
    migrate(engine)
    city = build_demo_city("small", start=dt.date.today(), days=1)
    with session_scope(engine) as session:
        load_scenario_into_db(session, city, replace=True)
        create_user(session, USER, PASSWORD, "admin")
        for i, unit in enumerate(city.units[:60]):
            report_incident(
                session,
                code=f"B-{i:03d}",
                kind="violent",
                location=(unit.base[0], unit.base[1]),
                needs=IncidentNeeds(headcount=2),
                actor=USER,
            )
    engine.dispose()
    return [(u.id, u.base[0], u.base[1]) for u in city.units if u.base][:20]


@contextmanager
def database(postgres: str, tmp: str) -> Iterator[str]:
    """A SQLite file, or a PostgreSQL database of this run (dropped after)."""
    if not postgres:
        yield f"sqlite:///{tmp}/bench.db"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"pingan_bench_{os.getpid()}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(url: str, workers: int) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "PINGAN_DATABASE_URL": url,
        "PINGAN_SECRET_KEY": secrets.token_urlsafe(48),
        "PINGAN_SCHEDULER_ENABLED": "false",
        "PINGAN_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
    }
    cmd = [str(Path(sys.executable).parent / "pingan"), "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # workers import the whole app
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of `root` and every process below it, from /proc."""
    parent: dict[int, int] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)], stats[int(entry)] = int(fields[1]), fields
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, ppid in parent.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    ticks = sum(int(stats[p][11]) + int(stats[p][12]) for p in tree if p in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def row(name: str, values: list[float]) -> str:
    return (
        f"{name:28} {len(values):6d} {pct(values, 0.5):8.1f} {pct(values, 0.95):8.1f} "
        f"{pct(values, 0.99):8.1f} {statistics.fmean(values) * 1000 if values else 0:8.1f}"
    )


class Http:
    """A lean HTTP/1.1 keep-alive client over one asyncio connection (the load generator
    shares the server's cores: httpx spends about a millisecond of CPU a request, this a
    tenth of that). Responses must carry Content-Length (every JSON answer of the API does)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        lines = [f"Host: {host}:{port}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
        self.fixed = ("\r\n".join(lines) + "\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.hits = 0  # answers the server sent from its read cache

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        if body:
            extra += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self.fixed + extra.encode() + b"\r\n"
        try:
            self.writer.write(head + body)
            raw = await self.reader.readuntil(b"\r\n\r\n")
            status = int(raw[9:12])
            length, close = 0, False
            for line in raw.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
                elif name == b"x-pingan-cache":
                    self.hits += 1
            data = await self.reader.readexactly(length) if length else b""
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            await self.close()
            raise
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


ClientError = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def writer(
    base: str, token: str, per_second: float, deadline: float, units: list[tuple[str, float, float]]
) -> tuple[list[float], Counter[int]]:
    """A dispatcher's position reports, `per_second` of them (each a commit: every process's
    read cache is outdated by it)."""
    http = Http(base, {"Authorization": f"Bearer {token}"})
    took: list[float] = []
    statuses: Counter[int] = Counter()
    n, start = 0, time.monotonic()
    while time.monotonic() < deadline:
        code, lon, lat = units[n % len(units)]
        body = json.dumps({"lon": lon + 0.001 * (n % 7), "lat": lat}).encode()
        t0 = time.perf_counter()
        status, _ = await http.request("POST", f"/units/{code}/position", body)
        took.append(time.perf_counter() - t0)
        statuses[status] += 1
        n += 1
        await asyncio.sleep(max(0.0, start + n / per_second - time.monotonic()))
    await http.close()
    return took, statuses


async def reads(
    base: str,
    token: str,
    clients: int,
    seconds: float,
    pid: int,
    writes: float = 0.0,
    units: list[tuple[str, float, float]] | None = None,
) -> None:
    latencies: dict[str, list[float]] = {e: [] for e in ENDPOINTS}
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + seconds
    hits = 0

    async def client(i: int) -> None:
        nonlocal hits
        http = Http(base, {"Authorization": f"Bearer {token}"})
        n = i
        while time.monotonic() < deadline:
            endpoint = ENDPOINTS[n % len(ENDPOINTS)]
            n += 1
            t0 = time.perf_counter()
            try:
                status, _ = await http.request("GET", endpoint)
                statuses[status] += 1
            except ClientError:
                statuses[0] += 1
                continue
            latencies[endpoint].append(time.perf_counter() - t0)
        hits += http.hits
        await http.close()

    t0, cpu0, mine0 = time.perf_counter(), tree_cpu_seconds(pid), client_cpu_seconds()
    written: list[Any] = await asyncio.gather(
        *(client(i) for i in range(clients)),
        *([writer(base, token, writes, deadline, units or [])] if writes else []),
    )
    wall, cpu = time.perf_counter() - t0, tree_cpu_seconds(pid) - cpu0
    mine = client_cpu_seconds() - mine0
    every = [v for vs in latencies.values() for v in vs]
    errors = sum(n for s, n in statuses.items() if s != 200)
    n = max(1, len(every))
    print(
        f"reads: {len(every)} requests, {clients} clients, {wall:.1f} s: "
        f"{len(every) / wall:.0f} req/s, errors {errors} {dict(statuses)}; server CPU "
        f"{cpu:.1f} s = {1000 * cpu / n:.2f} ms a request; client CPU {mine:.1f} s = "
        f"{1000 * mine / n:.2f} ms a request"
    )
    print(f"answered from the server's read cache: {hits} ({100 * hits / n:.1f} %)")
    print(f"{'endpoint':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for endpoint, vs in latencies.items():
        print(row(endpoint, vs))
    print(row("all", every))
    if writes:
        took, codes = written[-1]
        print(row(f"writes ({writes:g}/s)", took), dict(codes))


async def admin_reads(base: str, token: str, seconds: float) -> list[float]:
    out: list[float] = []
    deadline = time.monotonic() + seconds
    http = Http(base, {"Authorization": f"Bearer {token}"})
    n = 0
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        status, data = await http.request("GET", ENDPOINTS[n % 2])
        out.append(time.perf_counter() - t0)
        assert status == 200, data
        n += 1
    await http.close()
    return out


async def flood(base: str, token: str, seconds: float) -> None:
    alone = await admin_reads(base, token, seconds)
    codes: Counter[int] = Counter()
    posts: list[float] = []
    stop = time.monotonic() + seconds

    async def guesser(i: int) -> None:
        http = Http(base)
        n = 0
        while time.monotonic() < stop:
            n += 1
            headers = (
                {"X-API-Key": f"pak_{secrets.token_hex(6)}_{secrets.token_urlsafe(16)}"}
                if (i + n) % 2
                else {"Authorization": f"Bearer forged.{i}.{n}"}
            )
            body = {"code": f"F{i}-{n}", "kind": "fire", "lon": 100.45, "lat": 38.93}
            t0 = time.perf_counter()
            try:
                status, _ = await http.request(
                    "POST", "/incidents", json.dumps(body).encode(), headers
                )
                codes[status] += 1
            except ClientError:
                codes[0] += 1
            posts.append(time.perf_counter() - t0)
        await http.close()

    during, *_ = await asyncio.gather(
        admin_reads(base, token, seconds), *(guesser(i) for i in range(50))
    )
    print(f"flood: 50 clients posting without valid credentials, {seconds:.0f} s")
    print(f"{'':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    print(row("admin alone", alone))
    print(row("admin during flood", during))
    print(row("flood POSTs", posts))
    change = pct(during, 0.95) / max(1e-9, pct(alone, 0.95)) - 1
    print(f"flood statuses: {dict(codes)}; admin p95 change {100 * change:+.0f} %")


def run(coro: Any) -> None:
    try:
        import uvloop

        uvloop.run(coro)
    except ImportError:
        asyncio.run(coro)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn processes (PostgreSQL)")
    ap.add_argument("--postgres", default="", help="PostgreSQL URL (default: SQLite)")
    ap.add_argument("--skip-flood", action="store_true")
    ap.add_argument(
        "--writes", type=float, default=0.0, help="position reports a second beside the reads"
    )
    ap.add_argument("--py-spy", default="", help="record the server's stacks (collapsed) here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres, tmp) as url:
        units = prepare(url)
        with server(url, args.workers) as (base, pid):
            r = httpx.post(f"{base}/auth/token", data={"username": USER, "password": PASSWORD})
            r.raise_for_status()
            token = r.json()["access_token"]
            load = os.getloadavg()
            print(
                f"server: pingan serve --workers {args.workers} on {url.split(':')[0]}, "
                f"demo city small; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
                f"{os.cpu_count()} CPUs"
            )
            spy = None
            if args.py_spy:  # py-spy is not a dependency: `pip install py-spy` to profile
                spy_args = ["--pid", str(pid), "--subprocesses", "--format", "raw"]
                spy_args += ["--output", args.py_spy, "--duration", str(int(args.seconds))]
                spy = subprocess.Popen(
                    [str(Path(sys.executable).parent / "py-spy"), "record", *spy_args],
                    stdout=subprocess.DEVNULL,
                )
            run(reads(base, token, args.clients, args.seconds, pid, args.writes, units))
            if spy is not None:
                spy.wait()
            if not args.skip_flood:
                run(flood(base, token, args.seconds / 2))


if __name__ == "__main__":
    main()
