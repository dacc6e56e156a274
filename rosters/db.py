"""Engines, sessions and migrations. SQLite by default; PostgreSQL through the same URL
setting. The schema is managed by Alembic (`rosters/migrations`), never by create_all."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: execution option of a connection whose transactions take the SQLite write lock at BEGIN
WRITE_OPTION = "pingan_write"
#: keys of a SQLite connection's `info`: its number in this process, and its count of
#: changed rows when its transaction began (see `data_stamp`)
_CONNECTION_NO, _CHANGES_AT_BEGIN = "pingan_connection_no", "pingan_changes_at_begin"
_connection_numbers = itertools.count(1)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`. SQLite gets foreign keys, WAL, a busy timeout and real
    transactions (BEGIN emitted by us, so SAVEPOINTs work: the pysqlite recipe)."""
    if url.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", 30)
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
            conn.info[_CHANGES_AT_BEGIN] = conn.connection.dbapi_connection.total_changes

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the settings' database URL)."""
    if url is None:
        from rosters.settings import get_settings

        url = get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def write_session(engine: Engine) -> Session:
    """A session whose transactions take the SQLite write lock when they begin (BEGIN
    IMMEDIATE), so a writer waits for another instead of failing half-way when one wrote since
    it read. Like any session it takes a pooled connection only when first used. (The flag is
    an execution option of the connection, not `Connection.info`, which stays with the pooled
    connection and would make every later reader of it take the write lock.)"""
    return Session(engine, execution_options={WRITE_OPTION: True})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A `write_session`, committed on success, rolled back on any error."""
    with write_session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class Stamp(NamedTuple):
    """`version` changes whenever the data seen through `slot` may have changed."""

    slot: Hashable
    version: Hashable


def committed_view(snapshot: str) -> str:
    """A PostgreSQL snapshot (`xmin:xmax:xip,…`) with the newest transactions that are still
    in progress left out: a transaction that has begun writing moves `xmax` on and is listed
    in progress, yet it changes what the snapshot sees only when it commits, so both stamps
    must read the same (each write then outdates kept answers once, at its commit)."""
    xmin, xmax, xip = snapshot.split(":")
    running = {int(x) for x in xip.split(",") if x}
    top = int(xmax)
    while top - 1 in running:
        running.discard(top - 1)
        top -= 1
    return f"{xmin}:{top}:{','.join(map(str, sorted(running)))}"


def data_stamp(session: Session) -> Stamp | None:
    """A value that changes whenever committed data of the database may have changed: two
    reads of the same stamp see the same data (a cache of what was computed from the data
    after reading a stamp stays valid while the stamp reads the same). It changes on any
    change of any table, by any process. None when the session's transaction has written
    (its changes are not committed yet): then nothing read may be cached.

    PostgreSQL: the current snapshot (`pg_current_snapshot()`: transactions committed and in
    progress; equal snapshots see equal data). SQLite: the connection's number with SQLite's
    `data_version` (changes committed by any other connection) and the connection's own
    count of changed rows (`total_changes`); a stamp is only ever equal on one connection.
    Other databases: None. The stamp's `slot` says where it may be compared: the database,
    or on SQLite the connection."""
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        snapshot, clean = conn.execute(
            text("SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL")
        ).one()
        return Stamp("postgresql", committed_view(snapshot)) if clean else None
    if dialect == "sqlite":
        changes = conn.connection.dbapi_connection.total_changes  # type: ignore[union-attr]
        if conn.info.get(_CHANGES_AT_BEGIN) != changes:  # written, or not our engine
            return None
        if _CONNECTION_NO not in conn.info:
            conn.info[_CONNECTION_NO] = next(_connection_numbers)
        number = conn.info[_CONNECTION_NO]
        version = conn.exec_driver_sql("PRAGMA data_version").scalar_one()
        return Stamp(("sqlite", number), (version, changes))
    return None


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Bring the database schema up to date (Alembic upgrade)."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def newest_first(
    session: Session,
    model: Any,
    conditions: list[Any],
    limit: int,
    offset: int,
    columns: Sequence[str] = (),
) -> tuple[list[Any], int]:
    """A page of `model` rows meeting `conditions`, newest (highest id) first, and the total.
    With `columns`: only those, each row a dict (large columns a list does not show, e.g. a
    job's result, are not read); else the table objects."""
    from sqlalchemy import func, select

    table = model.__table__
    what = [table.c[name] for name in columns] if columns else [model]
    result = session.execute(
        select(*what).where(*conditions).order_by(table.c.id.desc()).offset(offset).limit(limit)
    )
    rows = (
        [dict(zip(columns, r, strict=True)) for r in result] if columns else list(result.scalars())
    )
    if len(rows) < limit and (rows or offset == 0):  # the last page: no count needed
        return rows, offset + len(rows)
    total = session.execute(select(func.count()).select_from(model).where(*conditions))
    return rows, int(total.scalar_one())


def published_is(column: Any, published: bool | None) -> list[Any]:
    """The condition "published" / "not published" on a `published_at` column (none: all)."""
    if published is None:
        return []
    return [column.is_not(None) if published else column.is_(None)]
