"""Re-planning some days of the published patrol plan (after leave, sickness, a person
deactivated): the roster of one county for those days as a scenario whose published plan is
what is published now, so the optimiser's `replan_patrol` changes as little as it can; the
result is stored as a new plan of those days holding the re-planned county and, unchanged,
everyone else's assignments (a plan covers whole days: publishing it replaces those days).

The solve itself runs as a job (`patrol_replan` in api/solves.py); this module prepares its
input and stores its output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from optimizer.patrol.result import PatrolResult
from optimizer.scenario import Assignment, Scenario
from rosters.models import Jurisdiction, Person
from rosters.plans import published_assignments, save_plan
from rosters.scenario_db import export_scenario


class ReplanError(ValueError):
    """Days that cannot be re-planned (nothing published for them)."""


@dataclass
class ReplanInputs:
    scenario: Scenario
    #: shifts starting before this stay as published
    since: dt.datetime
    #: published assignments of people outside the re-planned county, kept as they are
    untouched: list[Assignment]
    start: dt.date
    days: int


def county_of(session: Session, badge: str) -> str | None:
    """The code of the county (or the highest level below the city) the person belongs to."""
    rows = {j.id: j for j in session.execute(select(Jurisdiction)).scalars()}
    jid = session.execute(select(Person.jurisdiction_id).where(Person.badge == badge)).scalar()
    chain = []
    while jid is not None and jid in rows:
        chain.append(rows[jid])
        jid = rows[jid].parent_id
    county = next((j for j in chain if j.level == "county"), None)
    if county is None and len(chain) >= 2:
        county = chain[-2]
    return county.code if county else None


def _people_under(session: Session, county: str | None) -> set[str]:
    """Badges of every person (active or not) in the county's subtree (all without one)."""
    people = session.execute(select(Person.badge, Person.jurisdiction_id)).all()
    if county is None:
        return {b for b, _ in people}
    parents = dict(session.execute(select(Jurisdiction.id, Jurisdiction.parent_id)).all())
    root = session.execute(select(Jurisdiction.id).where(Jurisdiction.code == county)).scalar()

    def under(jid: int | None) -> bool:
        seen = 0
        while jid is not None and seen < 64:
            if jid == root:
                return True
            jid, seen = parents.get(jid), seen + 1
        return False

    return {b for b, j in people if under(j)}


def replan_inputs(
    session: Session,
    *,
    start: dt.date,
    days: int,
    county: str | None,
    tz: str,
    now: dt.datetime,
    name: str = "",
) -> ReplanInputs:
    """The scenario re-planning [start, start+days) of ``county`` (None: every county), its
    published plan that of those days; ``now`` is local: shifts that began are kept."""
    published = published_assignments(session, start, days)
    if not published:
        raise ReplanError(f"start: no published plan covers {start.isoformat()} (+{days - 1} days)")
    scenario = export_scenario(
        session,
        start=start,
        days=days,
        county=county,
        tz=tz,
        name=name or f"re-plan {start.isoformat()}",
    )
    scope = _people_under(session, county)
    scenario.published_plan = [a for a in published if a.person_id in scope]
    since = max(now, dt.datetime.combine(start, dt.time(0)))
    untouched = [a for a in published if a.person_id not in scope]
    return ReplanInputs(scenario, since, untouched, start, days)


def save_replan(
    session: Session, inputs: ReplanInputs, result: PatrolResult, *, created_by: str
) -> dict[str, Any]:
    """Store the re-planned days as a new (unpublished) plan; the job's result JSON, with
    the diff: who loses and who gains a shift."""
    diff = result.diff.model_dump(mode="json") if result.diff is not None else None
    summary = result.model_dump(mode="json", exclude={"assignments"})
    plan_id = None
    if result.assignments:
        plan_id = save_plan(
            session,
            name=inputs.scenario.name,
            start=inputs.start,
            days=inputs.days,
            status=result.status.value,
            assignments=[*result.assignments, *inputs.untouched],
            objective=result.objective,
            bound=result.bound,
            gap=result.gap,
            summary={**summary, "replan": True},
            created_by=created_by,
        )
    return {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": result.solve_seconds,
        "plan_id": plan_id,
        "assignments": len(result.assignments) + len(inputs.untouched),
        "diff": diff,
        "message": result.message,
    }
