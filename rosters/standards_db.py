"""What the staffing-standards report counts, read straight from the database: the
jurisdiction tree, the active people counted by home jurisdiction and force, and the
volunteer squads with their members (the database groups and counts; no person is built).
GET /standards reads this on every request, so the rows, which the database already holds
valid, are not validated again (`model_construct`), and the counts are kept while the
database's `data_stamp` stays the same (one entry per stamp slot: the database, or on SQLite
each pooled connection)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session

from optimizer import scenario as sc
from optimizer.scenario import Force
from rosters.db import data_stamp
from rosters.models import Jurisdiction, Person, Unit
from rosters.standards import StaffCounts, staff_counts

#: slots kept an engine (SQLite: one a pooled connection)
MAX_SLOTS = 64

_cache: weakref.WeakKeyDictionary[Engine, dict[Hashable, tuple[Hashable, StaffCounts]]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def read_staff_counts(session: Session) -> StaffCounts:
    """The counts as `rosters.standards.scenario_counts` gives them for the exported
    scenario (same ids, same order of jurisdictions and squads)."""
    J, U, P = Jurisdiction, Unit, Person
    jurs = session.execute(
        select(J.id, J.code, J.name, J.level, J.parent_id, J.population, J.urban).order_by(J.id)  # type: ignore[arg-type]
    ).all()
    jcode = {j.id: j.code for j in jurs}
    people = session.execute(
        select(P.jurisdiction_id, P.force, func.count())
        .where(P.active)  # type: ignore[arg-type]
        .group_by(P.jurisdiction_id, P.force)
    ).all()
    home = aliased(J)
    squads = session.execute(
        select(U.code, U.name, home.code, func.count(P.id))  # type: ignore[arg-type]
        .join(home, home.id == U.jurisdiction_id)  # type: ignore[arg-type]
        .outerjoin(P, and_(P.unit_id == U.id, P.active))  # type: ignore[arg-type]
        .where(U.force == Force.VOLUNTEER.value, U.squad)  # type: ignore[arg-type]
        .group_by(U.id, U.code, U.name, home.code)
        .order_by(U.id)  # type: ignore[arg-type]
    ).all()
    return staff_counts(
        [
            sc.Jurisdiction.model_construct(
                id=j.code,
                name=j.name,
                level=j.level,
                parent_id=jcode.get(j.parent_id),
                population=j.population,
                urban=j.urban,
            )
            for j in jurs
        ],
        [(jcode[j], Force(force), n) for j, force, n in people],
        [
            (
                sc.Unit.model_construct(
                    id=code, name=name, force=Force.VOLUNTEER, jurisdiction_id=j, squad=True
                ),
                n,
            )
            for code, name, j, n in squads
        ],
    )


def staff_counts_now(session: Session) -> StaffCounts:
    """`read_staff_counts`, from the cache when the database has not changed since (the
    stamp is read before the rows, so what is kept is never older than its stamp)."""
    stamp = data_stamp(session)
    if stamp is None:
        return read_staff_counts(session)
    engine, (slot, version) = session.get_bind().engine, stamp
    with _lock:
        found = _cache.get(engine, {}).get(slot)
    if found is not None and found[0] == version:
        return found[1]
    counts = read_staff_counts(session)
    with _lock:
        slots = _cache.setdefault(engine, {})
        slots.pop(slot, None)
        if len(slots) >= MAX_SLOTS:
            slots.pop(next(iter(slots)))
        slots[slot] = (version, counts)
    return counts
