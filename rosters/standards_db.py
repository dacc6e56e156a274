"""The rows the staffing-standards report counts, read straight from the database: the
jurisdiction tree, the units and the active people (what `rosters.standards.standards_report`
looks at), without the boundaries, skills, absences, drills, posts and zones a full
`export_scenario` builds. GET /standards reads this on every request, so the rows, which
the database already holds valid, are not validated again (`model_construct`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from optimizer import scenario as sc
from rosters.models import Jurisdiction, Person, Unit


def standards_scenario(session: Session, day: dt.date, tz: str = "Asia/Shanghai") -> sc.Scenario:
    """A scenario holding only what the standards count (same ids as `export_scenario`)."""
    J, U, P = Jurisdiction, Unit, Person
    jurs = session.execute(
        select(
            J.id, J.code, J.name, J.level, J.parent_id, J.population, J.migrants, J.urban
        ).order_by(J.id)  # type: ignore[arg-type]
    ).all()
    jcode = {j.id: j.code for j in jurs}
    units = session.execute(
        select(U.id, U.code, U.name, U.force, U.jurisdiction_id, U.parent_id, U.squad).order_by(
            U.id
        )  # type: ignore[arg-type]
    ).all()
    ucode = {u.id: u.code for u in units}
    people = session.execute(
        select(P.badge, P.name, P.force, P.unit_id, P.jurisdiction_id)
        .where(P.active)  # type: ignore[arg-type]
        .order_by(P.id)  # type: ignore[arg-type]
    ).all()
    return sc.Scenario.model_construct(
        name="standards",
        timezone=tz,
        horizon=sc.Horizon.model_construct(start=day, days=1),
        jurisdictions=[
            sc.Jurisdiction.model_construct(
                id=j.code,
                name=j.name,
                level=j.level,
                parent_id=jcode.get(j.parent_id),
                population=j.population,
                migrants=j.migrants,
                urban=j.urban,
            )
            for j in jurs
        ],
        units=[
            sc.Unit.model_construct(
                id=u.code,
                name=u.name,
                force=u.force,
                jurisdiction_id=jcode[u.jurisdiction_id],
                parent_id=ucode.get(u.parent_id),
                squad=u.squad,
            )
            for u in units
        ],
        people=[
            sc.Person.model_construct(
                id=p.badge,
                name=p.name,
                force=p.force,
                unit_id=ucode.get(p.unit_id),
                jurisdiction_id=jcode[p.jurisdiction_id],
                skills=[],  # given: pydantic's default factory is slow to call
            )
            for p in people
        ],
    )
