"""The database's data stamp read from the event loop, without a worker thread or a pooled
connection (`rosters.db.data_stamp` reads it through a request's session).

A stamp changes whenever committed data of the database may have changed, by any process:
on PostgreSQL the current snapshot (`pg_current_snapshot()`), on SQLite the `data_version` of
a connection of the reader's own that never writes (so every commit is another connection's).
Equal stamps mean equal data (a transaction still under way changes nothing seen:
`rosters.db.committed_view`), so what was computed from the data after a stamp was read stays
valid while the stamp reads the same (`api.read_cache`).

PostgreSQL: one asynchronous connection a process, and concurrent readers share rounds: a
reader waits for the next query that starts after it asked (never one already under way, which
could miss a commit that finished just before the reader arrived), so fifty requests at once
cost one or two round trips, not fifty. SQLite: `PRAGMA data_version` is a read of the
connection's own file header in the process, microseconds; it is read in the loop.

Any failure (database down, busy) reads as None: the caller then goes the ordinary way."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine

from rosters.db import committed_view


class StampReader(Protocol):
    async def read(self) -> str | None: ...

    async def close(self) -> None: ...


class PostgresStamps:
    """`pg_current_snapshot()` on one autocommit connection, readers sharing rounds."""

    QUERY = "SELECT pg_current_snapshot()::text"

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._conn: object | None = None
        self._waiting: asyncio.Future[str | None] | None = None  # the round not yet started
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.queries = 0

    async def read(self) -> str | None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a connection serves the loop it was made in only
            self._loop, self._conn, self._waiting, self._running = loop, None, None, False
        round_ = self._waiting
        if round_ is None:
            round_ = self._waiting = loop.create_future()
            if not self._running:
                self._start()
        return await asyncio.shield(round_)

    def _start(self) -> None:
        round_, self._waiting = self._waiting, None
        assert round_ is not None
        self._running = True
        asyncio.get_running_loop().create_task(self._round(round_))

    async def _round(self, round_: asyncio.Future[str | None]) -> None:
        try:
            round_.set_result(await self._query())
        except Exception:  # a failed read is no stamp, never an error
            await self.close()
            round_.set_result(None)
        except BaseException:  # cancelled with its loop
            round_.cancel()
            raise
        finally:
            self._running = False
            if self._waiting is not None:
                self._start()

    async def _query(self) -> str | None:
        import psycopg

        if self._conn is None:
            self._conn = await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True, connect_timeout=2
            )
        conn: psycopg.AsyncConnection = self._conn  # type: ignore[assignment]
        self.queries += 1
        cursor = await conn.execute(self.QUERY, prepare=True)
        row = await cursor.fetchone()
        return None if row is None else committed_view(str(row[0]))

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken
                await conn.close()  # type: ignore[attr-defined]


class SqliteStamps:
    """`PRAGMA data_version` of a connection of its own (which never writes)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    async def read(self) -> str | None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(  # never creates the file
                    Path(self.path).absolute().as_uri() + "?mode=rw",
                    uri=True,
                    timeout=0.05,
                    isolation_level=None,
                    check_same_thread=False,
                )
            (version,) = self._conn.execute("PRAGMA data_version").fetchone()
            return str(version)
        except sqlite3.Error:
            await self.close()
            return None

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def stamp_reader(engine: Engine) -> StampReader | None:
    """The reader for `engine`'s database, or None where there is none (an in-memory SQLite
    database, which no other connection can open; other databases)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        plain = url.set(drivername="postgresql")
        return PostgresStamps(plain.render_as_string(hide_password=False))
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if not path or path == ":memory:" or path.startswith("file:") or url.query:
            return None
        return SqliteStamps(path)
    return None
