"""The CP-SAT model of a patrol plan, built rule by rule, and the candidate plans it is
compared with.

    build_model(inst, published=None, frozen_before=None) -> BuiltModel
    complete(built, plan, seconds) -> every variable's value with the assignments fixed
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.patrol import objective as obj
from optimizer.patrol import rules_cover as cover
from optimizer.patrol.evaluate import plan_terms
from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.rules_labour import add_labour_rules
from optimizer.patrol.variables import SCALE, Key, PatrolVars, create_variables


@dataclass
class Candidate:
    """A complete plan, where it came from, and its objective recomputed from the plan
    (`evaluate.plan_terms`, objective units)."""

    plan: set[Key]
    source: str
    terms: dict[str, float]

    @property
    def objective(self) -> float:
        return round(sum(self.terms.values()), 3)


@dataclass
class BuiltModel:
    model: cp_model.CpModel
    vars: PatrolVars
    inst: PatrolInstance
    published: set[Key] | None = None  # re-planning: the published plan's keys
    hint: Candidate | None = None  # the heuristic plan (CP-SAT's hint when it fits the model)
    started: float | None = None  # perf_counter when planning began (model building included)
    hint_seconds: float | None = None  # seconds from `started` to the heuristic plan

    def candidate(self, plan: set[Key], source: str) -> Candidate:
        return Candidate(plan, source, plan_terms(self.inst, plan, self.published))


def build_model(
    inst: PatrolInstance,
    published: set[tuple[int, int, int]] | None = None,
    frozen_before: dt.datetime | None = None,
) -> BuiltModel:
    model = cp_model.CpModel()
    v = create_variables(model, inst)
    cover.add_post_cover(model, v, inst)
    cover.add_over_cover(model, v, inst)
    cover.add_armed_cover(model, v, inst)
    cover.add_skill_cover(model, v, inst)
    cover.add_zone_patrol(model, v, inst)
    cover.add_standby_floor(model, v, inst)
    cover.add_squads_whole(model, v, inst)
    add_labour_rules(model, v, inst)
    obj.add_fairness(model, v, inst)
    obj.add_travel(model, v, inst)
    obj.add_preferences(model, v, inst)
    obj.add_continuity(model, v, inst)
    if published is not None:
        obj.add_change_penalty(model, v, inst, published)
        if frozen_before is not None:  # what already happened stays as published
            for (pi, si, ti), x in v.x.items():
                if inst.slots[si].start < frozen_before:
                    model.add(x == int((pi, si, ti) in published))
    model.minimize(sum(round(w * SCALE) * var for terms in v.terms.values() for w, var in terms))
    # hard rules hold: their literals are fixed true (as assumptions they would slow the
    # search many times over); `_conflicts` frees them to name the rules of an infeasible set
    for lit in v.enforcement.values():
        model.proto.variables[lit.index].domain[0] = 1  # domain [0, 1] → [1, 1]
    return BuiltModel(model, v, inst, published)


def complete(built: BuiltModel, plan: set[Key], seconds: float) -> list[int] | None:
    """Every model variable's value with the assignments fixed to `plan` (hinted, with
    CP-SAT told to fix hinted variables; it completes slacks, fairness…); None when the plan
    breaks a hard rule or the time runs out. Leaves the model without hints."""
    model = built.model
    model.clear_hints()
    hint = model.proto.solution_hint  # (in bulk: `add_hint` one by one took longer)
    hint.vars.extend([x.index for x in built.vars.x.values()])
    hint.values.extend([int(key in plan) for key in built.vars.x])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.fix_variables_to_their_hinted_value = True
    code = solver.solve(model)
    model.clear_hints()
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution)
