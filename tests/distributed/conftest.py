"""A real RabbitMQ (127.0.0.1:5672, guest/guest) and real `pingan worker` processes for the
job-engine tests. Each test run gets a virtual host of its own (or, without rabbitmqctl, a
queue of its own) so that runs on a shared broker do not take each other's tasks. Workers
and API servers (`pingan serve`) are started in a process group of their own and stopped (or
killed, `kill -9`) by that PID."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from rosters.db import make_engine, migrate
from rosters.settings import Settings
from tests.api.conftest import api_settings
from tests.conftest import BACKENDS, POSTGRES_URL

__all__ = ["BACKENDS"]

BROKER_HOST, BROKER_PORT = "127.0.0.1", 5672
REPO = Path(__file__).resolve().parents[2]


def _reachable() -> bool:
    try:
        with socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=2):
            return True
    except OSError:
        return False


def _ctl(*args: str) -> bool:
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        return False
    done = subprocess.run([ctl, "-q", *args], capture_output=True, timeout=60)
    return done.returncode == 0


@dataclass
class Broker:
    url: str
    queue: str


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    if not _reachable():
        pytest.skip(f"RabbitMQ is not reachable at {BROKER_HOST}:{BROKER_PORT}")
    run = uuid.uuid4().hex[:8]
    vhost = f"pingan-test-{run}"
    own = _ctl("add_vhost", vhost) and _ctl(
        "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"
    )
    path = vhost if own else ""
    yield Broker(f"amqp://guest:guest@{BROKER_HOST}:{BROKER_PORT}/{path}", f"pingan-test-{run}")
    if own:
        _ctl("delete_vhost", vhost)


@dataclass
class Procs:
    """Processes of one test (`pingan worker`, `pingan serve`), each in its own process
    group, stopped or killed by that PID."""

    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def spawn(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-c", "from cli.main import app; app()", *args]
        proc = subprocess.Popen(
            cmd,
            env=self.env,
            cwd=REPO,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        self.logs.append(log)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """kill -9 of the process and its children (its process group)."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)

    def log_text(self) -> str:
        return "\n".join(
            f"--- {log}\n{log.read_text(errors='replace')[-4000:]}" for log in self.logs
        )


@dataclass
class Workers(Procs):
    """`pingan worker` processes taking parts from the test's queue."""

    queue: str = ""

    def start(self, log_dir: Path, concurrency: int = 1) -> subprocess.Popen[bytes]:
        args = ["worker", f"--queues={self.queue}", f"--concurrency={concurrency}"]
        log = log_dir / f"worker-{len(self.procs)}.log"
        return self.spawn([*args, "--loglevel=info"], log)

    def owner(self, pid: int) -> subprocess.Popen[bytes] | None:
        """The worker whose process group holds process `pid` (a pool child)."""
        try:
            group = os.getpgid(pid)
        except ProcessLookupError:
            return None
        return next((p for p in self.procs if p.pid == group), None)


@dataclass
class Servers(Procs):
    """`pingan serve` processes (the HTTP API), one at a time on a port of their own."""

    def start(self, log_dir: Path, port: int) -> subprocess.Popen[bytes]:
        log = log_dir / f"server-{len(self.procs)}.log"
        proc = self.spawn(["serve", f"--port={port}", "--log-level=warning"], log)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{self.log_text()}")
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Engine_:
    engine: Engine
    url: str
    settings: Settings


def _postgres_schema() -> tuple[str, Callable[[], None]]:
    """A schema of its own on the test PostgreSQL; its URL (the workers connect to it too)."""
    schema = f"pingan_jobs_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    joiner = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}", drop


@pytest.fixture
def job_db(request: pytest.FixtureRequest, tmp_path: Path, broker: Broker) -> Iterator[Engine_]:
    """A migrated database the test and its workers share: SQLite by default, PostgreSQL
    for tests parametrized with `indirect=["job_db"]` over `BACKENDS`."""
    backend = getattr(request, "param", "sqlite")
    drop: Callable[[], None] | None = None
    if backend == "postgres":
        url, drop = _postgres_schema()
    else:
        url = f"sqlite:///{tmp_path / 'jobs.db'}"
    engine = make_engine(url)
    migrate(engine)
    queue = f"{broker.queue}-{uuid.uuid4().hex[:6]}"
    settings = api_settings(database_url=url, broker_url=broker.url, job_queue=queue)
    yield Engine_(engine, url, settings)
    engine.dispose()
    if drop is not None:
        drop()


def _env(job_db: Engine_) -> dict[str, str]:
    return {
        **os.environ,
        "PINGAN_DATABASE_URL": job_db.url,
        "PINGAN_BROKER_URL": job_db.settings.broker_url,
        "PINGAN_JOB_QUEUE": job_db.settings.job_queue,
        "PINGAN_SETTINGS_FILE": "/nonexistent",
        "PINGAN_SECRET_KEY": job_db.settings.secret_key,
        "PINGAN_SCHEDULER_ENABLED": "false",
        "PINGAN_STANDARDS_FILE": "",
    }


@pytest.fixture
def workers(job_db: Engine_) -> Iterator[Workers]:
    w = Workers(_env(job_db), queue=job_db.settings.job_queue)
    try:
        yield w
    finally:
        w.stop_all()


@pytest.fixture
def servers(job_db: Engine_) -> Iterator[Servers]:
    s = Servers(_env(job_db))
    try:
        yield s
    finally:
        s.stop_all()
