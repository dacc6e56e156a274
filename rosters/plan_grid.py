"""A stored plan as the workbench shows it: two grids — post × shift and person × shift —
filtered (county, day, shift, search) and paged on the server, read straight from the
tables (no scenario is built: the first page of a whole city's week comes in milliseconds).

    plan_grid(session, plan, GridQuery(...)) -> Grid
    filtered_assignments(session, plan, query) -> [Assignment]   (what the grid shows)
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlmodel import Session

from optimizer.scenario import Assignment
from rosters.models import Jurisdiction, Person, Post, Unit, Zone
from rosters.models.planning import ShiftTemplate, StandbyFloor
from rosters.models.plans import Plan, PlanAssignment, PlanPin
from rosters.plans import target_counties

View = Literal["post", "person"]
PAGE_ROWS = 40


@dataclass(frozen=True)
class GridQuery:
    view: View = "post"
    county: str = ""
    day: dt.date | None = None
    shift: str = ""
    search: str = ""
    page: int = 1


@dataclass(frozen=True)
class Column:
    date: dt.date
    shift: str
    shift_name: str
    start: str


@dataclass(frozen=True)
class Cell:
    """One assignment in a grid cell."""

    row: int  # plan_assignment id
    badge: str
    name: str
    target: str
    target_name: str
    task: str
    pinned: bool
    override: bool


@dataclass
class GridRow:
    key: str  # target code (post view) or badge (person view)
    label: str
    detail: str  # kind (post view) or unit (person view)
    county: str
    county_name: str
    task: str = ""  # post view: the task the row's target is (post, zone, standby)
    cells: list[list[Cell]] = field(default_factory=list)


@dataclass
class Grid:
    query: GridQuery
    columns: list[Column]
    rows: list[GridRow]
    total: int
    pages: int
    counties: list[tuple[str, str]]  # (code, name) of the plan's counties
    shifts: list[tuple[str, str]]  # (code, name)
    dates: list[dt.date]
    assignments: int  # shown (after the filters)


@dataclass(frozen=True)
class _Row:
    id: int
    badge: str
    name: str
    unit: str
    date: dt.date
    shift: str
    task: str
    target: str


def _rows(session: Session, plan_id: int) -> list[_Row]:
    found = session.execute(
        select(
            PlanAssignment.id,
            Person.badge,
            Person.name,
            Unit.name,
            PlanAssignment.date,
            PlanAssignment.shift,
            PlanAssignment.task,
            PlanAssignment.target,
        )
        .join(Person, Person.id == PlanAssignment.person_id)  # type: ignore[arg-type]
        .outerjoin(Unit, Unit.id == Person.unit_id)  # type: ignore[arg-type]
        .where(PlanAssignment.plan_id == plan_id)  # type: ignore[arg-type]
    ).all()
    return [_Row(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], r[7]) for r in found]


def _names(session: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in (Jurisdiction, Zone, Post):
        out.update(dict(session.execute(select(table.code, table.name)).all()))  # type: ignore[attr-defined]
    return out


def _matches(q: GridQuery, county_of: dict[str, str], r: _Row) -> bool:
    return (
        (not q.county or county_of.get(r.target, r.target) == q.county)
        and (q.day is None or r.date == q.day)
        and (not q.shift or r.shift == q.shift)
    )


def _found(needle: str, *texts: str) -> bool:
    return not needle or any(needle in t.lower() for t in texts)


def filtered_assignments(session: Session, plan: Plan, q: GridQuery) -> list[Assignment]:
    """The plan's assignments the grid's filters keep (search: badge, name or place)."""
    county_of = target_counties(session)
    names = _names(session)
    needle = q.search.strip().lower()
    return [
        Assignment(
            person_id=r.badge, date=r.date, shift_id=r.shift, task=r.task, target_id=r.target
        )
        for r in _rows(session, plan.id)  # type: ignore[arg-type]
        if _matches(q, county_of, r)
        and _found(needle, r.badge, r.name, r.target, names.get(r.target, ""))
    ]


def plan_grid(session: Session, plan: Plan, q: GridQuery) -> Grid:
    """One page of the plan as the post × shift or person × shift grid."""
    plan_id: int = plan.id  # type: ignore[assignment]
    county_of = target_counties(session)
    names = _names(session)
    rows = _rows(session, plan_id)
    pins = {
        (p.person_id, p.date, p.shift, p.target): p.override_reason != ""
        for p in session.execute(
            select(PlanPin).where(PlanPin.plan_id == plan_id, PlanPin.keep == True)  # type: ignore[arg-type]  # noqa: E712
        ).scalars()
    }
    person_id = dict(session.execute(select(Person.badge, Person.id)).all())  # type: ignore[call-overload]
    shifts = [
        (s.code, s.name, s.start)
        for s in session.execute(select(ShiftTemplate).order_by(ShiftTemplate.start)).scalars()  # type: ignore[arg-type]
    ]
    dates = [plan.start + dt.timedelta(days=i) for i in range(plan.days)]
    columns = [
        Column(d, code, name, start)
        for d in dates
        if q.day is None or d == q.day
        for code, name, start in shifts
        if not q.shift or code == q.shift
    ]
    col_index = {(c.date, c.shift): i for i, c in enumerate(columns)}
    plan_counties = sorted({county_of.get(r.target, r.target) for r in rows})
    needle = q.search.strip().lower()
    shown = [r for r in rows if _matches(q, county_of, r) and (r.date, r.shift) in col_index]

    def cell(r: _Row) -> Cell:
        key = (person_id.get(r.badge), r.date, r.shift, r.target)
        return Cell(
            r.id, r.badge, r.name, r.target, names.get(r.target, r.target), r.task,
            key in pins, pins.get(key, False),
        )  # fmt: skip

    grouped: dict[str, list[_Row]] = defaultdict(list)
    out: list[GridRow] = []
    if q.view == "person":
        for r in shown:
            grouped[r.badge].append(r)
        for badge, mine in grouped.items():
            first = mine[0]
            county = county_of.get(first.target, first.target)
            if not _found(needle, badge, first.name, first.unit):
                continue
            out.append(GridRow(badge, first.name, first.unit, county, names.get(county, county)))
        out.sort(key=lambda g: (g.county, g.key))
    else:
        for r in shown:
            grouped[r.target].append(r)
        kinds = _targets(session, county_of, plan_counties)
        for target, (task, county) in kinds.items():
            if q.county and county != q.county:
                continue
            mine = grouped.get(target, [])
            if needle and not (
                _found(needle, target, names.get(target, ""))
                or any(_found(needle, r.badge, r.name) for r in mine)
            ):
                continue
            out.append(
                GridRow(
                    target, names.get(target, target), task, county, names.get(county, county), task
                )
            )
        order = {"post": 0, "zone": 1, "standby": 2}
        out.sort(key=lambda g: (g.county, order.get(g.detail, 3), g.key))
    total = len(out)
    pages = max(1, math.ceil(total / PAGE_ROWS))
    page = min(max(1, q.page), pages)
    visible = out[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    for g in visible:
        g.cells = [[] for _ in columns]
        for r in grouped.get(g.key, []):
            g.cells[col_index[r.date, r.shift]].append(cell(r))
        for c in g.cells:
            c.sort(key=lambda x: x.badge)
    return Grid(
        query=GridQuery(q.view, q.county, q.day, q.shift, q.search, page),
        columns=columns,
        rows=visible,
        total=total,
        pages=pages,
        counties=[(c, names.get(c, c)) for c in plan_counties],
        shifts=[(code, name) for code, name, _ in shifts],
        dates=dates,
        assignments=len(shown),
    )


def _targets(
    session: Session, county_of: dict[str, str], counties: list[str]
) -> dict[str, tuple[str, str]]:
    """Every post, zone and standby county of the plan's counties → (task, county)."""
    wanted = set(counties)
    out: dict[str, tuple[str, str]] = {}
    for table, task in ((Post, "post"), (Zone, "zone")):
        for (code,) in session.execute(select(table.code)).all():  # type: ignore[attr-defined]
            if county_of.get(code) in wanted:
                out[code] = (task, county_of[code])
    floors = session.execute(
        select(Jurisdiction.code).join(
            StandbyFloor, StandbyFloor.jurisdiction_id == Jurisdiction.id
        )  # type: ignore[arg-type]
    ).all()
    for (code,) in floors:
        if code in wanted:
            out[code] = ("standby", code)
    return out
