"""The CP-SAT variables of a patrol plan, in one place."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.patrol.instance import PatrolInstance

Key = tuple[int, int, int]  # (person, slot, task)
SCALE = 100  # objective weights are multiplied by this and rounded (CP-SAT is integral)
#: name of the constraints the LP relaxation (`relax.py`) leaves out: each is covered by an
#: implied aggregate row that is much lighter for the LP (dropping rows keeps the bound valid)
LP_SKIP = "~lp"


@dataclass
class PatrolVars:
    x: dict[Key, cp_model.IntVar]  # person does task in slot
    work: dict[tuple[int, int], cp_model.IntVar]  # person works in slot
    worked_day: dict[tuple[int, int], cp_model.IntVar | int]  # person works on day
    by_task: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]]  # (task, slot) → [(p, x)]
    # objective terms: name → [(weight, variable)], weights in objective units
    terms: dict[str, list[tuple[float, cp_model.IntVar]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # hard rules: name → enforcement literal (assumed true; named in infeasibility reports)
    enforcement: dict[str, cp_model.IntVar] = field(default_factory=dict)

    def term(self, name: str, weight: float, var: cp_model.IntVar) -> None:
        if weight:
            self.terms[name].append((weight, var))

    def literal(self, model: cp_model.CpModel, name: str) -> cp_model.IntVar:
        """The enforcement literal of a named hard rule (created on first use)."""
        if name not in self.enforcement:
            self.enforcement[name] = model.new_bool_var(f"rule:{name}")
        return self.enforcement[name]


def create_variables(model: cp_model.CpModel, inst: PatrolInstance) -> PatrolVars:
    x: dict[Key, cp_model.IntVar] = {}
    work: dict[tuple[int, int], cp_model.IntVar] = {}
    by_task: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)

    def var(pi: int, name: str) -> cp_model.IntVar:
        m = inst.size(pi)  # an aggregated person counts the identical people doing it
        return model.new_bool_var(name) if m == 1 else model.new_int_var(0, m, name)

    for (pi, si), tasks in inst.options.items():
        w = var(pi, f"w{pi}_{si}")
        work[pi, si] = w
        xs = []
        for ti in tasks:
            v = var(pi, f"x{pi}_{si}_{ti}")
            x[pi, si, ti] = v
            by_task[ti, si].append((pi, v))
            xs.append(v)
        model.add(sum(xs) == w)  # one task per worked slot
    worked_day: dict[tuple[int, int], cp_model.IntVar | int] = {}
    slots_by_day = defaultdict(list)
    for slot in inst.slots:
        slots_by_day[slot.day].append(slot.index)
    for pi in range(len(inst.people)):
        for day, sis in slots_by_day.items():
            ws = [work[pi, si] for si in sis if (pi, si) in work]
            if not ws:
                worked_day[pi, day] = 0
                continue
            d = var(pi, f"d{pi}_{day}")
            model.add(sum(ws) == d)  # at most one shift a day
            worked_day[pi, day] = d
    return PatrolVars(x, work, worked_day, by_task)
