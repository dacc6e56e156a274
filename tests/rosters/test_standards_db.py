"""The standards report from the counts the database gives (`read_staff_counts`) equals the
report from the full `export_scenario`, on the demo city with the default thresholds and with
thresholds so high that every jurisdiction and squad falls short (every rule and level is
compared); the kept counts (`staff_counts_now`) follow every committed change."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.models import Role  # noqa: F401  (every table is known to the metadata)
from rosters.db import data_stamp, make_engine, session_scope
from rosters.demo_city import build_demo_city
from rosters.models import Person
from rosters.scenario_db import export_scenario, load_scenario_into_db
from rosters.standards import Standards, shortfalls, standards_report
from rosters.standards_db import read_staff_counts, staff_counts_now

DAY = dt.date(2026, 3, 2)
#: every count checked falls short (the police need follows each township's population)
HIGH = Standards(
    **{name: 10_000 for name in Standards.model_fields if not name.startswith("police")},
    police_per_10k=1_000,
    police_per_10k_from_population=0,
)


def report_of_export(session: Session) -> list:
    return standards_report(export_scenario(session, start=DAY, days=1), HIGH)


def test_the_counts_give_the_same_report(session: Session) -> None:
    load_scenario_into_db(session, build_demo_city("small"), replace=True)
    session.flush()
    full = export_scenario(session, start=DAY, days=1)
    counts = read_staff_counts(session)
    for st in (Standards(), HIGH):
        assert shortfalls(counts, st) == standards_report(full, st)
    assert len(shortfalls(counts, HIGH)) > len(shortfalls(counts, Standards()))
    assert {s.standard for s in shortfalls(counts, HIGH)} >= {
        "city_patrol_swat", "county_response", "township_force", "village_volunteers",
        "volunteer_group_min", "urban_grid_workers",
    }  # fmt: skip


def test_nothing_is_kept_while_the_transaction_has_written(session: Session) -> None:
    load_scenario_into_db(session, build_demo_city("small"), replace=True)
    session.flush()
    assert data_stamp(session) is None
    before = shortfalls(staff_counts_now(session), HIGH)
    first = session.execute(select(func.min(Person.id))).scalar_one()
    session.execute(update(Person).where(Person.id == first).values(active=False))
    after = shortfalls(staff_counts_now(session), HIGH)
    assert after != before and after == report_of_export(session)


def test_the_kept_counts_follow_every_commit(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as s:
        load_scenario_into_db(s, build_demo_city("small"), replace=True)
    with Session(fresh_engine) as s:
        badges = s.execute(select(Person.badge).order_by(Person.id)).scalars().all()
    with Session(fresh_engine) as reader:
        if fresh_engine.dialect.name == "postgresql":  # one snapshot for the whole session
            reader.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        first = staff_counts_now(reader)
        assert staff_counts_now(reader) is first  # same snapshot: kept
        with session_scope(fresh_engine) as writer:  # another connection commits
            writer.execute(
                update(Person).where(Person.badge == badges[0]).values(force="volunteer")
            )
        assert staff_counts_now(reader) is first  # not seen by this snapshot: still right
        assert shortfalls(first, HIGH) == report_of_export(reader)
    # SQLite: the changes come from another engine, as from another process
    sqlite = fresh_engine.dialect.name == "sqlite"
    elsewhere = make_engine(str(fresh_engine.url)) if sqlite else fresh_engine
    changes = [
        f"UPDATE person SET active = false WHERE badge = '{badges[1]}'",
        "UPDATE jurisdiction SET population = population + 100000 WHERE level = 'township'",
        "UPDATE unit SET squad = false WHERE force = 'volunteer' AND squad",
        "INSERT INTO person (badge, name, force, jurisdiction_id, role, rank, armed, active, "
        "phone) SELECT 'NEW-1', '新人', 'patrol_swat', id, 'member', '', false, true, '' "
        "FROM jurisdiction WHERE level = 'city'",
        "DELETE FROM person WHERE badge = 'NEW-1'",
    ]
    for sql in changes:
        with Session(fresh_engine) as reader:
            before = shortfalls(staff_counts_now(reader), HIGH)
        with session_scope(elsewhere) as writer:
            writer.execute(text(sql))
        for _ in range(3):  # on SQLite each pooled connection keeps its own entry
            with Session(fresh_engine) as reader:
                now = shortfalls(staff_counts_now(reader), HIGH)
                assert now == report_of_export(reader), sql
        assert now != before, sql
    if sqlite:
        elsewhere.dispose()
