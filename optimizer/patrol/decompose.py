"""Decomposition by county: when people work only inside their own county
(options.patrol_within_jurisdiction), the counties are independent problems. Each is solved
on its own; the plan is their union, the objective their sum, and the sum of their bounds is
a valid bound of the whole (each county's bound is a lower bound of its part)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from optimizer.patrol.result import PatrolResult
from optimizer.result import SolveStatus, relative_gap
from optimizer.scenario import LEVEL_ORDER, Cover, Level, Scenario

T = TypeVar("T")

ORDER = [
    SolveStatus.MODEL_INVALID,
    SolveStatus.INFEASIBLE,
    SolveStatus.CANCELLED,
    SolveStatus.UNKNOWN,
    SolveStatus.FEASIBLE,
    SolveStatus.OPTIMAL,
]


def county_index(s: Scenario) -> dict[str, str | None]:
    """The county of every jurisdiction (`Scenario.county_of`), in one walk of the tree: each
    jurisdiction's path upwards is followed only until a node already known."""
    nodes = s.by_id("jurisdictions")
    known: dict[str, str | None] = {}
    for start in nodes:
        path: list[str] = []
        node, found = nodes.get(start), None
        while node is not None:
            if node.id in known:
                found = known[node.id]
                break
            path.append(node.id)
            if node.level == Level.COUNTY:
                found = node.id
                break
            if LEVEL_ORDER[node.level] < LEVEL_ORDER[Level.COUNTY]:
                break
            node = nodes.get(node.parent_id) if node.parent_id else None
        for jid in path:
            known[jid] = found
    return known


def _by(items: Iterable[T], key: Callable[[T], str | None]) -> dict[str | None, list[T]]:
    groups: dict[str | None, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def county_parts(s: Scenario) -> list[Scenario]:
    """One scenario per county (its subtree, people, units, posts, zones, standby, rules);
    people of the city level are left out: they have no county tasks. Every list of the
    scenario is read once (grouped by county), so a province of many counties splits in
    time linear in its size."""
    counties = [j.id for j in s.jurisdictions if j.level == Level.COUNTY]
    if len(counties) < 2 or not s.options.patrol_within_jurisdiction:
        return [s]
    of = county_index(s)
    person_of = {p.id: of[p.jurisdiction_id] for p in s.people}
    unit_of = {u.id: of[u.jurisdiction_id] for u in s.units}
    target_of: dict[str, set[str | None]] = defaultdict(set)
    for c in counties:
        target_of[c].add(c)
    for item in (*s.posts, *s.zones):
        target_of[item.id].add(of[item.jurisdiction_id])
    cities = [(i, j) for i, j in enumerate(s.jurisdictions) if j.level == Level.CITY]
    jurs = _by(
        ((i, j) for i, j in enumerate(s.jurisdictions) if j.level != Level.CITY),
        lambda ij: of[ij[1].id],
    )
    people = _by(s.people, lambda p: person_of[p.id])
    units = _by(s.units, lambda u: unit_of[u.id])
    vehicles = _by(s.vehicles, lambda v: unit_of.get(v.unit_id))
    absences = _by(s.absences, lambda a: person_of.get(a.person_id))
    requests = _by(s.requests, lambda r: person_of.get(r.person_id))
    published = _by(s.published_plan, lambda a: person_of.get(a.person_id))
    posts = _by(s.posts, lambda p: of[p.jurisdiction_id])
    zones = _by(s.zones, lambda z: of[z.jurisdiction_id])
    standby = _by(s.standby, lambda f: f.jurisdiction_id)
    covers: dict[str | None, list[Cover]] = defaultdict(list)
    for x in s.covers:
        for c in target_of.get(x.target_id, ()):
            covers[c].append(x)
    rule_people = [_by(r.applies_to.people, lambda p: person_of.get(p)) for r in s.rules]
    rule_units = [_by(r.applies_to.units, lambda u: unit_of.get(u)) for r in s.rules]
    parts = []
    for c in counties:
        rules = []
        for r, by_person, by_unit in zip(s.rules, rule_people, rule_units, strict=True):
            sel = r.applies_to
            if sel.people or sel.units:
                sel = sel.model_copy(
                    update={"people": by_person.get(c, []), "units": by_unit.get(c, [])}
                )
                if sel.is_everyone():
                    continue
            rules.append(r.model_copy(update={"applies_to": sel}))
        if not (posts.get(c) or zones.get(c) or standby.get(c)):
            continue
        parts.append(
            s.model_copy(
                update={
                    "name": f"{s.name}/{c}",
                    "jurisdictions": [j for _, j in sorted([*cities, *jurs.get(c, [])])],
                    "people": people.get(c, []),
                    "units": units.get(c, []),
                    "vehicles": vehicles.get(c, []),
                    "absences": absences.get(c, []),
                    "posts": posts.get(c, []),
                    "zones": zones.get(c, []),
                    "standby": standby.get(c, []),
                    "rules": rules,
                    "requests": requests.get(c, []),
                    "covers": covers.get(c, []),
                    "published_plan": published.get(c, []),
                }
            )
        )
    return parts


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
