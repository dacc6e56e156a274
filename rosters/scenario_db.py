"""Database rows ⇄ scenario. `load_scenario_into_db` writes a whole scenario in one
transaction (all or nothing, bulk inserts so the full city loads quickly);
`export_scenario` reads the roster back as a scenario for a horizon, optionally for one
county and its subtree.

The database keeps the roster and its planning settings (shift templates, standby floors,
labour rules); per-solve parts of a scenario (requests, cover overrides, weights, options,
travel, incidents, the published plan) are not roster data and come back as defaults.
The drill section is kept too (`rosters.drill_db`); the drills scheduled in the horizon come
back as absences of kind `drill` of the people taking part, so a patrol plan leaves them
free (`drill_absences=False` leaves them out: the drill scheduler's own view)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session, SQLModel

from optimizer import scenario as sc
from rosters.drill_db import DRILL_TABLES, RosterIds, export_drills, is_generated
from rosters.drill_db import drill_absences as _drill_absences
from rosters.drill_db import load_drills as _load_drills
from rosters.models import (
    Absence,
    Certification,
    Jurisdiction,
    LabourRule,
    Person,
    Post,
    ShiftTemplate,
    StandbyFloor,
    Unit,
    Vehicle,
    Zone,
)
from rosters.models.plans import Plan, PlanAssignment

_RULES = TypeAdapter(sc.LabourRule)
#: every roster table, children before parents (the order to delete in)
ROSTER_TABLES: tuple[type[SQLModel], ...] = (
    *DRILL_TABLES,
    PlanAssignment,
    Plan,
    Absence,
    Certification,
    Vehicle,
    Person,
    StandbyFloor,
    Post,
    Zone,
    Unit,
    LabourRule,
    ShiftTemplate,
    Jurisdiction,
)


class ScenarioLoadError(ValueError):
    """The scenario cannot be written into this database (nothing was written)."""


def _ll(point: Sequence[float] | None) -> tuple[float | None, float | None]:
    return (point[0], point[1]) if point is not None else (None, None)


def _insert(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], key: str = "code"
) -> dict[str, int]:
    """Bulk insert; returns code → new row id (when the table has a code column)."""
    if not rows:
        return {}
    table = model.__table__  # type: ignore[attr-defined]
    if key in table.c:
        result = session.execute(insert(table).returning(table.c.id, table.c[key]), rows)
        return {code: rid for rid, code in result}
    session.execute(insert(table), rows)
    return {}


def _link_parents(
    session: Session, model: type[SQLModel], ids: dict[str, int], parents: dict[str, str | None]
) -> None:
    """Set parent_id after the rows exist (rows are inserted in the scenario's order)."""
    table = model.__table__  # type: ignore[attr-defined]
    rows = [
        {"_id": ids[code], "_parent": ids[parent]} for code, parent in parents.items() if parent
    ]
    if rows:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(parent_id=bindparam("_parent"))
        )
        session.connection().execute(stmt, rows)


def _roster_is_empty(session: Session) -> bool:
    return session.exec(select(Jurisdiction.id).limit(1)).first() is None  # type: ignore[call-overload]


def clear_roster(session: Session) -> None:
    for model in ROSTER_TABLES:
        session.execute(delete(model))


def load_scenario_into_db(
    session: Session, scenario: sc.Scenario, *, replace: bool = False, tz: str | None = None
) -> dict[str, int]:
    """Write the scenario's roster into the database; returns row counts per table.

    With `replace`, the existing roster (and its plans) is removed first; otherwise the
    database must hold no roster yet. Runs inside the caller's transaction: on any error
    nothing is written once the caller rolls back (`session_scope` does)."""
    problems = sc.check_references(scenario)
    if problems:
        raise sc.ScenarioError(problems)
    if replace:
        clear_roster(session)
    elif not _roster_is_empty(session):
        raise ScenarioLoadError("the database already holds a roster: load with replace=True")
    zone = ZoneInfo(tz or scenario.timezone)
    session_ids = {x.id for x in scenario.drills.sessions}
    jur_ids = _insert(
        session,
        Jurisdiction,
        [
            {
                "code": j.id,
                "name": j.name,
                "level": j.level.value,
                "population": j.population,
                "migrants": j.migrants,
                "urban": j.urban,
                "centroid_lon": _ll(j.centroid)[0],
                "centroid_lat": _ll(j.centroid)[1],
                "boundary": j.boundary,
            }
            for j in scenario.jurisdictions
        ],
    )
    _link_parents(
        session, Jurisdiction, jur_ids, {j.id: j.parent_id for j in scenario.jurisdictions}
    )
    unit_ids = _insert(
        session,
        Unit,
        [
            {
                "code": u.id,
                "name": u.name,
                "force": u.force.value,
                "squad": u.squad,
                "jurisdiction_id": jur_ids[u.jurisdiction_id],
                "base_lon": _ll(u.base)[0],
                "base_lat": _ll(u.base)[1],
                "phone": u.phone,
            }
            for u in scenario.units
        ],
    )
    _link_parents(session, Unit, unit_ids, {u.id: u.parent_id for u in scenario.units})
    person_ids = _insert(
        session,
        Person,
        [
            {
                "badge": p.id,
                "name": p.name,
                "force": p.force.value,
                "role": p.role,
                "rank": p.rank,
                "armed": p.armed,
                "unit_id": unit_ids.get(p.unit_id or ""),
                "jurisdiction_id": jur_ids[p.jurisdiction_id],
                "home_lon": _ll(p.home)[0],
                "home_lat": _ll(p.home)[1],
                "phone": p.phone,
            }
            for p in scenario.people
        ],
        key="badge",
    )
    _insert(
        session,
        Certification,
        [
            {"person_id": person_ids[p.id], "skill": c.skill, "expires": c.expires}
            for p in scenario.people
            for c in p.skills
        ],
    )
    _insert(
        session,
        Vehicle,
        [
            {"code": v.id, "kind": v.kind, "seats": v.seats, "unit_id": unit_ids[v.unit_id]}
            for v in scenario.vehicles
        ],
    )
    _insert(
        session,
        Absence,
        [
            {
                "person_id": person_ids[a.person_id],
                "kind": a.kind.value,
                "note": a.note,
                "start_at": _aware(a.start, zone),
                "end_at": _aware(a.end, zone),
            }
            for a in scenario.absences
            if not is_generated(a, session_ids)
        ],
    )
    _insert(
        session,
        Zone,
        [
            {
                "code": z.id,
                "name": z.name,
                "jurisdiction_id": jur_ids[z.jurisdiction_id],
                "geometry": z.geometry,
                "risk": z.risk,
                "min_presence": z.min_presence,
                "forces": [f.value for f in z.forces],
                "centroid_lon": _ll(z.centroid)[0],
                "centroid_lat": _ll(z.centroid)[1],
            }
            for z in scenario.zones
        ],
    )
    _insert(
        session,
        Post,
        [
            {
                "code": p.id,
                "name": p.name,
                "kind": p.kind.value,
                "jurisdiction_id": jur_ids[p.jurisdiction_id],
                "lon": p.location[0],
                "lat": p.location[1],
                "hours": [list(h) for h in p.hours],
                "min_staff": p.min_staff,
                "min_armed": p.min_armed,
                "skills": p.skills,
                "forces": [f.value for f in p.forces],
                "required_skills": list(p.required_skills) or None,
            }
            for p in scenario.posts
        ],
    )
    _insert(
        session,
        ShiftTemplate,
        [
            {
                "code": t.id,
                "name": t.name,
                "start": t.start.strftime("%H:%M"),
                "hours": t.hours,
                "night": t.night,
            }
            for t in scenario.shifts
        ],
    )
    _insert(
        session,
        StandbyFloor,
        [
            {
                "jurisdiction_id": jur_ids[f.jurisdiction_id],
                "forces": [x.value for x in f.forces],
                "min_share": f.min_share,
                "min_count": f.min_count,
            }
            for f in scenario.standby
        ],
    )
    _insert(
        session,
        LabourRule,
        [{"code": r.id, "kind": r.kind, "body": r.model_dump(mode="json")} for r in scenario.rules],
    )
    drills = _load_drills(session, scenario.drills, RosterIds(jur_ids, unit_ids, person_ids), zone)
    session.flush()
    return {
        "jurisdictions": len(scenario.jurisdictions),
        "units": len(scenario.units),
        "people": len(scenario.people),
        "vehicles": len(scenario.vehicles),
        "absences": len(scenario.absences),
        "zones": len(scenario.zones),
        "posts": len(scenario.posts),
        "shifts": len(scenario.shifts),
        "standby": len(scenario.standby),
        "rules": len(scenario.rules),
        **drills,
    }


def _aware(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone).replace(tzinfo=None)


def _pt(lon: float | None, lat: float | None) -> tuple[float, float] | None:
    return None if lon is None or lat is None else (lon, lat)


def _subtree(rows: Iterable[Jurisdiction], root_code: str) -> tuple[set[int], set[int]]:
    """Ids of the jurisdiction's subtree, and of its ancestors."""
    rows = list(rows)
    root = next((j for j in rows if j.code == root_code), None)
    if root is None:
        raise ScenarioLoadError(f"county: unknown jurisdiction '{root_code}'")
    children: dict[int | None, list[Jurisdiction]] = {}
    for j in rows:
        children.setdefault(j.parent_id, []).append(j)
    keep: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        keep.add(node.id)  # type: ignore[arg-type]
        stack.extend(children.get(node.id, []))
    by_id = {j.id: j for j in rows}
    ancestors: set[int] = set()
    parent = root.parent_id
    while parent is not None:
        ancestors.add(parent)
        parent = by_id[parent].parent_id
    return keep, ancestors


def export_scenario(
    session: Session,
    *,
    start: dt.date,
    days: int,
    county: str | None = None,
    name: str = "",
    tz: str = "Asia/Shanghai",
    drill_absences: bool = True,
) -> sc.Scenario:
    """The roster as a scenario planning `days` days from `start`; with `county`, only that
    jurisdiction's subtree (and its ancestors), its people, units, posts and zones. The
    drills scheduled in the horizon are absences of their participants unless
    `drill_absences` is False."""
    zone = ZoneInfo(tz)
    jurs = list(session.exec(select(Jurisdiction).order_by(Jurisdiction.id)).scalars())  # type: ignore[call-overload]
    # rows of the subtree; the ancestors only as jurisdictions, so the tree stays rooted
    keep, ancestors = _subtree(jurs, county) if county else ({j.id for j in jurs}, set())
    tree = keep | ancestors
    jcode = {j.id: j.code for j in jurs}
    units = [
        u
        for u in session.exec(select(Unit).order_by(Unit.id)).scalars()  # type: ignore[call-overload]
        if u.jurisdiction_id in keep
    ]
    ucode = {u.id: u.code for u in units}
    people = [
        p
        for p in session.exec(select(Person).order_by(Person.id)).scalars()  # type: ignore[call-overload]
        if p.jurisdiction_id in keep and p.active
    ]
    pcode = {p.id: p.badge for p in people}
    certs: dict[int, list[sc.Certification]] = {}
    for c in session.exec(select(Certification).order_by(Certification.id)).scalars():  # type: ignore[call-overload]
        if c.person_id in pcode:
            certs.setdefault(c.person_id, []).append(
                sc.Certification(skill=c.skill, expires=c.expires)
            )
    horizon_start = dt.datetime.combine(start, dt.time(0))
    horizon_end = horizon_start + dt.timedelta(days=days)
    absences = []
    for a in session.exec(select(Absence).order_by(Absence.id)).scalars():  # type: ignore[call-overload]
        begin, end = _local(a.start_at, zone), _local(a.end_at, zone)
        if a.person_id in pcode and begin < horizon_end and end > horizon_start:
            absences.append(
                sc.Absence(
                    person_id=pcode[a.person_id], start=begin, end=end, kind=a.kind, note=a.note
                )
            )
    rules = [
        _RULES.validate_python(r.body)
        for r in session.exec(select(LabourRule).order_by(LabourRule.id)).scalars()
    ]  # type: ignore[call-overload]
    drills = export_drills(
        session,
        jurisdictions={k: jcode[k] for k in tree},
        units=ucode,
        people=pcode,
        start=horizon_start,
        end=horizon_end,
        zone=zone,
    )
    scenario = sc.Scenario(
        name=name or (f"roster-{county}" if county else "roster"),
        timezone=tz,
        horizon=sc.Horizon(start=start, days=days),
        jurisdictions=[
            sc.Jurisdiction(
                id=j.code,
                name=j.name,
                level=j.level,
                parent_id=jcode.get(j.parent_id) if j.parent_id in tree else None,
                population=j.population,
                migrants=j.migrants,
                urban=j.urban,
                centroid=_pt(j.centroid_lon, j.centroid_lat),
                boundary=j.boundary,
            )
            for j in jurs
            if j.id in tree
        ],
        units=[
            sc.Unit(
                id=u.code,
                name=u.name,
                force=u.force,
                jurisdiction_id=jcode[u.jurisdiction_id],
                parent_id=ucode.get(u.parent_id) if u.parent_id else None,
                squad=u.squad,
                base=_pt(u.base_lon, u.base_lat),
                phone=u.phone,
            )
            for u in units
        ],
        people=[
            sc.Person(
                id=p.badge,
                name=p.name,
                force=p.force,
                unit_id=ucode.get(p.unit_id) if p.unit_id else None,
                jurisdiction_id=jcode[p.jurisdiction_id],
                role=p.role,
                rank=p.rank,
                armed=p.armed,
                skills=certs.get(p.id, []),  # type: ignore[arg-type]
                home=_pt(p.home_lon, p.home_lat),
                phone=p.phone,
            )
            for p in people
        ],
        vehicles=[
            sc.Vehicle(id=v.code, kind=v.kind, unit_id=ucode[v.unit_id], seats=v.seats)
            for v in session.exec(select(Vehicle).order_by(Vehicle.id)).scalars()  # type: ignore[call-overload]
            if v.unit_id in ucode
        ],
        absences=absences,
        shifts=[
            sc.ShiftTemplate(
                id=t.code,
                name=t.name,
                start=dt.time.fromisoformat(t.start),
                hours=t.hours,
                night=t.night,
            )
            for t in session.exec(select(ShiftTemplate).order_by(ShiftTemplate.id)).scalars()  # type: ignore[call-overload]
        ],
        posts=[
            sc.Post(
                id=p.code,
                name=p.name,
                kind=p.kind,
                jurisdiction_id=jcode[p.jurisdiction_id],
                location=(p.lon, p.lat),
                hours=[tuple(h) for h in p.hours],
                min_staff=p.min_staff,
                min_armed=p.min_armed,
                skills=p.skills,
                forces=p.forces if p.forces is not None else list(sc.SWORN_FORCES),
                required_skills=p.required_skills or [],
            )
            for p in session.exec(select(Post).order_by(Post.id)).scalars()  # type: ignore[call-overload]
            if p.jurisdiction_id in keep
        ],
        zones=[
            sc.Zone(
                id=z.code,
                name=z.name,
                jurisdiction_id=jcode[z.jurisdiction_id],
                geometry=z.geometry,
                centroid=_pt(z.centroid_lon, z.centroid_lat),
                risk=z.risk,
                min_presence=z.min_presence,
                forces=z.forces if z.forces is not None else list(sc.Force),
            )
            for z in session.exec(select(Zone).order_by(Zone.id)).scalars()  # type: ignore[call-overload]
            if z.jurisdiction_id in keep
        ],
        standby=[
            sc.StandbyFloor(
                jurisdiction_id=jcode[f.jurisdiction_id],
                forces=f.forces,
                min_share=f.min_share,
                min_count=f.min_count,
            )
            for f in session.exec(select(StandbyFloor).order_by(StandbyFloor.id)).scalars()  # type: ignore[call-overload]
            if f.jurisdiction_id in keep
        ],
        rules=_rules_for(rules, set(pcode.values()), set(ucode.values()), {jcode[k] for k in tree}),
        drills=drills,
    )
    if drill_absences:
        scenario.absences = [*scenario.absences, *_drill_absences(scenario)]
    return scenario


def _rules_for(rules: list[Any], people: set[str], units: set[str], jurs: set[str]) -> list[Any]:
    """Rules with their selectors restricted to what the exported subtree holds; a rule
    whose selector named only things outside it is dropped."""
    out = []
    for rule in rules:
        sel = rule.applies_to
        if sel.is_everyone():
            out.append(rule)
            continue
        narrowed = sel.model_copy(
            update={
                "people": [p for p in sel.people if p in people],
                "units": [u for u in sel.units if u in units],
                "jurisdictions": [j for j in sel.jurisdictions if j in jurs],
            }
        )
        if narrowed.is_everyone():
            continue
        out.append(rule.model_copy(update={"applies_to": narrowed}))
    return out
