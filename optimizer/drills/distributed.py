"""A drill schedule solved in parts on many machines: pure functions, no job engine.

    split_drills(scenario, params) -> list[DrillPart]   (one part per independent group)
    merge_drills(results) -> DrillResult                 (sessions united, sums, gap)

The groups are `solve.components`: drills that share no county readiness, venue, instructor
or duty. Each part is the scenario with only its group's duties and their past sessions (the
duties whose every occurrence is unschedulable go with the first part, which reports them),
solved by `schedule_drills`; the merged objective and bound are the sums of the parts'."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.drills.instance import build_instance
from optimizer.drills.result import DrillResult
from optimizer.drills.solve import DrillParams, components
from optimizer.parts import ScenarioPart
from optimizer.patrol.decompose import ORDER
from optimizer.result import relative_gap
from optimizer.scenario import Scenario


@dataclass
class DrillPart(ScenarioPart):
    params: DrillParams
    params_type = DrillParams


def split_drills(scenario: Scenario, params: DrillParams | None = None) -> list[DrillPart]:
    """One part per independent group of drills, each with the whole time limit (the parts
    run side by side, and a group stops at its proven optimum; shares of the limit, as the
    one-process solve gives its groups one after another, left the larger groups short);
    a scenario of one group (or none) is one part, "all"."""
    params = params or DrillParams()
    if scenario.drills is None:
        raise ValueError("drills: the scenario has no drill duties")
    groups = components(build_instance(scenario))
    requirements = scenario.drills.requirements
    if len(groups) <= 1:
        return [DrillPart("all", scenario, params, float(max(1, len(requirements))))]
    ids = [{d.occ.requirement.id for d in g} for g in groups]
    grouped = set().union(*ids)
    ids[0] |= {r.id for r in requirements if r.id not in grouped}
    parts = []
    for k, (group, wanted) in enumerate(zip(groups, ids, strict=True)):
        drills = scenario.drills.model_copy(
            update={
                "requirements": [r for r in requirements if r.id in wanted],
                "sessions": [x for x in scenario.drills.sessions if x.requirement_id in wanted],
            }
        )
        parts.append(
            DrillPart(
                key=f"group-{k + 1:03d}",
                scenario=scenario.model_copy(
                    update={"name": f"{scenario.name}/group-{k + 1}", "drills": drills}
                ),
                params=DrillParams(**params.__dict__),
                weight=float(len(group)),
            )
        )
    return parts


def merge_drills(results: list[DrillResult]) -> DrillResult:
    """The whole schedule from its parts: sessions united (by start), objective, bound,
    terms and drills due summed, the worst status, the gap recomputed."""
    if len(results) == 1:
        return results[0]
    status = min((r.status for r in results), key=ORDER.index)
    solved = all(r.objective is not None for r in results)
    objective = sum(r.objective or 0.0 for r in results) if solved else None
    bound = sum(r.bound or 0.0 for r in results) if solved else None
    terms: dict[str, float] = {}
    for r in results:
        for name, value in r.objective_terms.items():
            terms[name] = terms.get(name, 0.0) + value
    firsts = [r.first_feasible_seconds for r in results if r.first_feasible_seconds is not None]
    warnings = list(dict.fromkeys(w for r in results for w in r.warnings))
    return DrillResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        bound_source=f"sum over {len(results)} parts solved apart: "
        + "; ".join(sorted({r.bound_source for r in results if r.bound_source})),
        objective_terms=terms,
        solve_seconds=round(max(r.solve_seconds for r in results), 3),
        first_feasible_seconds=max(firsts) if len(firsts) == len(results) else None,
        num_workers=results[0].num_workers,
        shortfalls=[s for r in results for s in r.shortfalls],
        conflicts=[c for r in results for c in r.conflicts],
        message="; ".join(warnings),
        sessions=sorted((s for r in results for s in r.sessions), key=lambda s: (s.start, s.id)),
        drills_due=sum(r.drills_due for r in results),
        groups=sum(r.groups for r in results),
        warnings=warnings,
        calendar_sources={k: v for r in results for k, v in r.calendar_sources.items()},
    )
