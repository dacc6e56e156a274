"""Plans found outside CP-SAT: the named assignments of a plan, the vetting of heuristic
plans by the independent checker, and the plan and bound from the aggregated model's LP."""

from __future__ import annotations

import time
from dataclasses import dataclass

from optimizer.patrol.aggregate import aggregate, disaggregate
from optimizer.patrol.check import check_plan
from optimizer.patrol.evaluate import plan_terms
from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.model import Candidate, build_model
from optimizer.patrol.relax import Relaxation
from optimizer.patrol.rounding import fill_plan
from optimizer.patrol.variables import SCALE, Key
from optimizer.scenario import Assignment


def assignments_of(inst: PatrolInstance, plan: set[Key]) -> list[Assignment]:
    out = []
    for pi, si, ti in plan:
        slot, task = inst.slots[si], inst.tasks[ti]
        out.append(
            Assignment(
                person_id=inst.people[pi].id,
                date=slot.date,
                shift_id=slot.shift.id,
                task=task.kind,
                target_id=task.target,
            )
        )
    out.sort(key=lambda a: (a.date, a.shift_id, a.task, a.target_id, a.person_id))
    return out


def checked(inst: PatrolInstance, plan: set[Key], source: str) -> list[Candidate]:
    """A heuristic plan as a candidate when the independent checker finds no broken hard
    rule (the heuristics keep the "at most" rules; the checker sees the rest)."""
    if check_plan(inst.scenario, assignments_of(inst, plan)):
        return []
    return [Candidate(plan, source, plan_terms(inst, plan))]


@dataclass
class Guide:
    """The aggregated model's LP: a bound (objective units) and the plan it guided."""

    bound: float | None
    plan: set[Key] | None


AGGREGATED_SOURCE = "HiGHS LP of the aggregated model"


def aggregated_guide(inst: PatrolInstance, seconds: float) -> Guide:
    """Solve the LP of the aggregated model: its optimum is a valid bound (`aggregate.py`),
    and its class counts, handed to named people, guide a fill."""
    start = time.perf_counter()
    agg = aggregate(inst)
    built = build_model(agg.inst)
    relaxation = Relaxation(built.model)
    out = relaxation.solve(max(1.0, seconds - (time.perf_counter() - start)))
    plan = None
    if out.values is not None:
        counts = {key: out.values[x.index] for key, x in built.vars.x.items()}
        plan = fill_plan(inst, lp=dict.fromkeys(disaggregate(agg, inst, counts), 1.0))
    bound = out.bound / SCALE if out.bound is not None else None
    return Guide(bound, plan)
