"""Re-planning the rest of a plan around assignments pinned by hand.

    replan_around_pins(scenario, pins, params, progress=None, cancel=None) -> PatrolResult

`scenario.published_plan` is the plan as it stands (a draft with its manual edits); every
assignment changed from it costs the change penalty (`objective.add_change_penalty`), so
the re-plan moves as little as it can. A pin is a hard equality in the model
(`add_pins`): a kept pin fixes its assignment to 1, a pin "off" (a removed assignment)
fixes it to 0, each under an enforcement literal named after the pin so that pins that
cannot all hold are named in the result's conflicts. An override pin (saved by hand although
it breaks a hard rule, which the model cannot hold) and a kept pin the model has no variable
for stay outside the model: the person is kept off every other task of that slot, and the
pin is added to the plan as it is; the independent checker reports what it breaks.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.patrol import objective as obj
from optimizer.patrol.instance import PatrolInstance, build_instance, validate_for_patrol
from optimizer.patrol.model import build_model
from optimizer.patrol.result import PatrolResult, PlanDiff
from optimizer.patrol.solve import SolveParams, _solve
from optimizer.patrol.variables import PatrolVars
from optimizer.result import ProgressCallback
from optimizer.scenario import Assignment, Scenario


@dataclass(frozen=True)
class Pin:
    """An assignment fixed by hand: done (``keep``) or not done."""

    assignment: Assignment
    keep: bool = True
    override: bool = False  # saved although it breaks a hard rule

    @property
    def name(self) -> str:
        a = self.assignment
        verb = "pinned" if self.keep else "pinned off"
        return f"{verb}: {a.person_id} {a.date.isoformat()} {a.shift_id} {a.target_id}"


def add_pins(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, pins: Sequence[Pin]
) -> list[Pin]:
    """Fix each pinned assignment (hard, under the pin's named enforcement literal, itself
    fixed true as `build_model` fixes the other rules'); returns the kept pins left outside
    the model (overrides, and pins the model has no variable for), whose people are kept
    off the rest of their slot."""
    outside = []
    people = {p.id: pi for pi, p in enumerate(inst.people)}
    for pin in pins:
        key = next(iter(obj.published_keys(inst, [pin.assignment])), None)
        x = v.x.get(key) if key is not None and not pin.override else None
        if x is None:
            if pin.keep:
                outside.append(pin)
                _keep_off_slot(model, v, inst, people, pin)
            continue  # "off" holds already: the model cannot assign it
        lit = v.literal(model, pin.name)
        model.add(x == int(pin.keep)).only_enforce_if(lit)
        model.proto.variables[lit.index].domain[0] = 1
    return outside


def _keep_off_slot(
    model: cp_model.CpModel,
    v: PatrolVars,
    inst: PatrolInstance,
    people: dict[str, int],
    pin: Pin,
) -> None:
    """The person of a pin outside the model does nothing else in that slot."""
    a = pin.assignment
    slot, pi = inst.slot_of(a.date, a.shift_id), people.get(a.person_id)
    if slot is None or pi is None:
        return
    for ti in inst.options.get((pi, slot.index), []):
        x = v.x.get((pi, slot.index, ti))
        if x is not None:
            model.add(x == 0)


def _key(a: Assignment) -> tuple[str, str, str, str, str]:
    return (a.person_id, a.date.isoformat(), a.shift_id, a.task.value, a.target_id)


def replan_around_pins(
    scenario: Scenario,
    pins: Sequence[Pin],
    params: SolveParams | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PatrolResult:
    """Plan `scenario` again keeping every pin and as much of `scenario.published_plan` as
    possible; the result carries the diff against that plan. Never raises for an
    infeasible or timed-out problem (pins that cannot hold together are its conflicts)."""
    params = params or SolveParams()
    validate_for_patrol(scenario)
    inst = build_instance(scenario)
    current = obj.published_keys(inst, scenario.published_plan)
    built = build_model(inst, current)
    outside = add_pins(built.model, built.vars, inst, pins)
    result, assignments = _solve(built, params, progress, cancel)
    if not assignments:
        return result
    plan = {_key(a): a for a in assignments}
    for pin in outside:
        plan[_key(pin.assignment)] = pin.assignment
    result.assignments = sorted(
        plan.values(), key=lambda a: (a.date, a.shift_id, a.task, a.target_id, a.person_id)
    )
    old = {_key(a): a for a in scenario.published_plan}
    result.diff = PlanDiff(
        added=[plan[k] for k in sorted(plan.keys() - old.keys())],
        removed=[old[k] for k in sorted(old.keys() - plan.keys())],
    )
    if outside:
        result.message += f"; {len(outside)} pin(s) kept outside the model (overrides)"
    return result
