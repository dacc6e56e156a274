"""Database fixtures shared by every test package.

Every database test runs on SQLite, and on PostgreSQL too when `PINGAN_TEST_POSTGRES` holds
a SQLAlchemy URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test). Each PostgreSQL
fixture works in a schema of its own, dropped afterwards, so runs never see each other.

- `engine`: one migrated database per backend for the whole run;
- `session`: a session inside a transaction that is rolled back after the test (commits in
  the test become SAVEPOINT releases), so tests never see each other's rows;
- `fresh_engine`: a brand-new migrated database for tests that need real commits from
  several connections (concurrency, all-or-nothing imports across sessions).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from rosters.db import make_engine, migrate

# The CLI's consoles (rich) fix their width at import when COLUMNS is set, as pytest-xdist's
# workers set it to 80: left unset, each CLI test's own COLUMNS (CliRunner's env) decides.
os.environ.pop("COLUMNS", None)

POSTGRES_URL = os.environ.get("PINGAN_TEST_POSTGRES", "").strip()
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


def _new_database(backend: str, tmp_dir: Path) -> tuple[Engine, object]:
    """A migrated, empty database; returns the engine and a cleanup callable."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_dir / f'pingan-{uuid.uuid4().hex[:8]}.db'}")
        migrate(engine)
        return engine, engine.dispose
    schema = f"pingan_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    migrate(engine)

    def cleanup() -> None:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return engine, cleanup


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng, cleanup = _new_database(backend, tmp_path_factory.mktemp("db"))
    yield eng
    cleanup()  # type: ignore[operator]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as sess:
        yield sess
    outer.rollback()
    connection.close()


@pytest.fixture
def fresh_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    eng, cleanup = _new_database(backend, tmp_path)
    yield eng
    cleanup()  # type: ignore[operator]
