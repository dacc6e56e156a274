"""The data stamp read from the event loop (`api.stamp_reader`): every commit by another
connection changes it, concurrent readers share rounds, a failure reads as None."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url

from api.stamp_reader import PostgresStamps, stamp_reader
from rosters.db import committed_view, make_engine, session_scope
from rosters.models.geography import Jurisdiction
from tests.aio import run_in_new_loop


def test_every_commit_changes_the_stamp(fresh_engine: Engine) -> None:
    reader = stamp_reader(fresh_engine)
    assert reader is not None

    async def scenario() -> list[str | None]:
        seen = [await reader.read()]
        for n in range(3):
            with session_scope(fresh_engine) as session:
                session.add(Jurisdiction(code=f"J{n}", name="县", level="county"))
            seen.append(await reader.read())
        await reader.close()
        return seen

    seen = run_in_new_loop(scenario())
    assert None not in seen and len(set(seen)) == len(seen)


def test_sqlite_stamp_stays_while_nothing_is_committed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    reader = stamp_reader(engine)
    assert reader is not None

    async def scenario() -> tuple[str | None, str | None, str | None]:
        first, same = await reader.read(), await reader.read()
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        return first, same, await reader.read()

    first, same, after = run_in_new_loop(scenario())
    assert first is not None and first == same != after


def test_a_missing_sqlite_file_reads_as_no_stamp_and_is_not_made(tmp_path: Path) -> None:
    reader = stamp_reader(make_engine(f"sqlite:///{tmp_path}/no such dir/x.db"))
    assert reader is not None
    assert run_in_new_loop(reader.read()) is None
    assert not (tmp_path / "no such dir").exists()
    other = stamp_reader(make_engine(f"sqlite:///{tmp_path}/absent.db"))
    assert other is not None and run_in_new_loop(other.read()) is None
    assert not (tmp_path / "absent.db").exists()


def test_no_reader_for_an_in_memory_database() -> None:
    assert stamp_reader(make_engine("sqlite://")) is None
    assert stamp_reader(make_engine("sqlite:///:memory:")) is None


def test_concurrent_readers_share_rounds(fresh_engine: Engine) -> None:
    reader = stamp_reader(fresh_engine)
    if not isinstance(reader, PostgresStamps):
        pytest.skip("SQLite reads its stamp in the loop: no rounds to share")

    async def scenario() -> list[str | None]:
        got = await asyncio.gather(*(reader.read() for _ in range(50)))
        await reader.close()
        return list(got)

    got = run_in_new_loop(scenario())
    assert None not in got and 1 <= reader.queries <= 2


def test_a_database_that_cannot_be_reached_reads_as_no_stamp() -> None:
    url = make_url("postgresql+psycopg://nobody@127.0.0.1:1/none")
    reader = stamp_reader(make_engine(url.render_as_string(hide_password=False)))
    assert isinstance(reader, PostgresStamps)

    async def scenario() -> list[str | None]:
        return list(await asyncio.gather(*(reader.read() for _ in range(3))))

    assert run_in_new_loop(scenario()) == [None, None, None]


def test_a_transaction_under_way_changes_the_stamp_only_when_it_commits(
    fresh_engine: Engine,
) -> None:
    """On PostgreSQL another session's commit may move the stamp meanwhile (the snapshot is the
    server's): tried a few times, a run without one must show the write unseen until commit."""
    reader = stamp_reader(fresh_engine)
    assert reader is not None
    table = Jurisdiction.__table__  # type: ignore[attr-defined]

    async def scenario(n: int) -> tuple[str | None, str | None, str | None]:
        with fresh_engine.connect() as conn:
            before = await reader.read()
            conn.execute(table.insert().values(code=f"W{n}", name="县", level="county"))
            during = await reader.read()
            conn.commit()
        after = await reader.read()
        await reader.close()
        return before, during, after

    runs = [run_in_new_loop(scenario(n)) for n in range(5)]
    assert all(None not in run and run[1] != run[2] for run in runs)
    assert any(before == during for before, during, _ in runs)


def test_committed_view_leaves_out_the_newest_transactions_under_way() -> None:
    assert committed_view("100:100:") == "100:100:"
    assert committed_view("100:101:100") == "100:100:"  # 100 began writing
    assert committed_view("90:103:90,101,102") == "90:101:90"  # 101 and 102 under way
    assert committed_view("90:103:90,101") == "90:103:90,101"  # 102 done: 101 kept
