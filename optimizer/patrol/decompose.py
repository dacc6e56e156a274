"""Decomposition by county: when people work only inside their own county
(options.patrol_within_jurisdiction), the counties are independent problems. Each is solved
on its own; the plan is their union, the objective their sum, and the sum of their bounds is
a valid bound of the whole (each county's bound is a lower bound of its part)."""

from __future__ import annotations

from optimizer.patrol.result import PatrolResult
from optimizer.result import SolveStatus, relative_gap
from optimizer.scenario import Level, Scenario

ORDER = [
    SolveStatus.MODEL_INVALID,
    SolveStatus.INFEASIBLE,
    SolveStatus.CANCELLED,
    SolveStatus.UNKNOWN,
    SolveStatus.FEASIBLE,
    SolveStatus.OPTIMAL,
]


def county_parts(s: Scenario) -> list[Scenario]:
    """One scenario per county (its subtree, people, units, posts, zones, standby, rules);
    people of the city level are left out: they have no county tasks."""
    counties = [j.id for j in s.jurisdictions if j.level == Level.COUNTY]
    if len(counties) < 2 or not s.options.patrol_within_jurisdiction:
        return [s]
    of = {j.id: s.county_of(j.id) for j in s.jurisdictions}
    parts = []
    for c in counties:
        jur = [j for j in s.jurisdictions if of[j.id] == c or j.level == Level.CITY]
        people = [p for p in s.people if of[p.jurisdiction_id] == c]
        ids = {p.id for p in people}
        units = [u for u in s.units if of[u.jurisdiction_id] == c]
        unit_ids = {u.id for u in units}
        rules = []
        for r in s.rules:
            sel = r.applies_to
            if sel.people or sel.units:
                sel = sel.model_copy(
                    update={
                        "people": [p for p in sel.people if p in ids],
                        "units": [u for u in sel.units if u in unit_ids],
                    }
                )
                if sel.is_everyone():
                    continue
            rules.append(r.model_copy(update={"applies_to": sel}))
        posts = [p for p in s.posts if of[p.jurisdiction_id] == c]
        zones = [z for z in s.zones if of[z.jurisdiction_id] == c]
        # covers of the county's posts and zones, and of its standby floor (1.2)
        targets = {p.id for p in posts} | {z.id for z in zones} | {c}
        parts.append(
            s.model_copy(
                update={
                    "name": f"{s.name}/{c}",
                    "jurisdictions": jur,
                    "people": people,
                    "units": units,
                    "vehicles": [v for v in s.vehicles if v.unit_id in unit_ids],
                    "absences": [a for a in s.absences if a.person_id in ids],
                    "posts": posts,
                    "zones": zones,
                    "standby": [f for f in s.standby if f.jurisdiction_id == c],
                    "rules": rules,
                    "requests": [r for r in s.requests if r.person_id in ids],
                    "covers": [x for x in s.covers if x.target_id in targets],
                    "published_plan": [a for a in s.published_plan if a.person_id in ids],
                }
            )
        )
    return [p for p in parts if p.posts or p.zones or p.standby]


def merge(name: str, results: list[PatrolResult]) -> PatrolResult:
    if not results:  # cancelled before the first county was planned
        return PatrolResult(
            status=SolveStatus.CANCELLED,
            scenario_name=name,
            message="cancelled before a plan was found",
        )
    statuses = [r.status for r in results]
    status = min(statuses, key=ORDER.index)
    solved = all(r.objective is not None for r in results)
    objective = round(sum(r.objective or 0 for r in results), 3) if solved else None
    # a part without a bound of its own counts 0 (every objective term is ≥ 0): still valid
    bounded = [r for r in results if r.bound is not None]
    bound = round(sum(r.bound or 0 for r in bounded), 3) if bounded else None
    missing = len(bounded) < len(results)
    terms: dict[str, float] = {}
    for r in results:
        for k, val in r.objective_terms.items():
            terms[k] = round(terms.get(k, 0) + val, 3)
    # parts are solved one after another: the whole has a plan once the last part has one
    firsts = [r.first_feasible_seconds for r in results]
    first = (
        round(sum(r.solve_seconds for r in results[:-1]) + (firsts[-1] or 0.0), 3)
        if results and all(f is not None for f in firsts)
        else None
    )
    return PatrolResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        bound_source="sum of county bounds ("
        + ", ".join(sorted({r.bound_source for r in bounded if r.bound_source}))
        + (f"; 0 for {len(results) - len(bounded)} without one" if missing else "")
        + ")",
        objective_terms=terms,
        solve_seconds=round(sum(r.solve_seconds for r in results), 3),
        first_feasible_seconds=first,
        num_workers=results[0].num_workers if results else 1,
        shortfalls=[x for r in results for x in r.shortfalls],
        conflicts=[x for r in results for x in r.conflicts],
        message="; ".join(f"{r.scenario_name}: {r.message}" for r in results if r.message),
        scenario_name=name,
        assignments=[a for r in results for a in r.assignments],
        model_size={
            k: sum(r.model_size.get(k, 0) for r in results)
            for k in ("variables", "constraints", "assignment_vars")
        },
    )
