"""Identical people, counted once: the aggregated instance behind the patrol bound.

People who have the same options in every slot (availability, eligible tasks), the same
force, armed qualification, valid certificates of every skill a task asks for, labour rules,
unit (so the same home base and travel) and no personal requests are interchangeable: the
model can count how many of them do each task in each slot instead of naming them. The
aggregated model (`variables.create_variables` and every rule honour `PatrolInstance.count`)
is a relaxation of the exact one — each person's linear constraint summed over the class,
soft violations summed, maxima bounded by averages — so the optimum of its LP (or MIP) is a
valid lower bound of the patrol objective, found on a model 3–5× smaller. Its solution
guides the plan for the named people (`rounding.fill_plan(lp=…)`, each member getting the
class's value divided by its size).

Squad members of a force that works in whole squads, people with requests, and people
without a unit keep a class of their own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.rules_labour import selected
from optimizer.patrol.variables import Key


@dataclass
class Aggregated:
    inst: PatrolInstance  # one person per class, `count` people each
    members: list[list[int]]  # class → person indices of the exact instance

    def spread(self, values: dict[Key, float]) -> dict[Key, float]:
        """Per-person values of the exact instance from class values (each member gets the
        class's value divided by the class size)."""
        out: dict[Key, float] = {}
        for (ci, si, ti), value in values.items():
            if value <= 0:
                continue
            share = value / len(self.members[ci])
            for pi in self.members[ci]:
                out[pi, si, ti] = share
        return out


def aggregate(inst: PatrolInstance) -> Aggregated:
    s = inst.scenario
    needed = {skill for d in inst.demand.values() for skill in d.skills}
    rules = [set(selected(inst, r.applies_to)) for r in s.rules]
    asking = {r.person_id for r in s.requests} | {a.person_id for a in s.published_plan}
    squads = set(s.options.squads_whole)
    slots_of: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    for (pi, si), tasks in sorted(inst.options.items()):
        slots_of[pi].append((si, tuple(tasks)))
    days = range(s.horizon.days)
    classes: dict[tuple, list[int]] = defaultdict(list)
    for pi, p in enumerate(inst.people):
        alone = p.id in asking or p.unit_id is None or p.force in squads
        key = (
            p.id if alone else None,
            p.unit_id,
            p.force,
            inst.county_of.get(p.jurisdiction_id),
            p.armed,
            tuple(slots_of[pi]),
            tuple(
                (skill, tuple(inst.skills_valid.get((pi, skill, d), False) for d in days))
                for skill in sorted(needed)
            ),
            tuple(pi in r for r in rules),
        )
        classes[key].append(pi)
    members = list(classes.values())
    reps = [group[0] for group in members]
    return Aggregated(inst.of_people(reps, count=[len(group) for group in members]), members)


def disaggregate(agg: Aggregated, exact: PatrolInstance, values: dict[Key, float]) -> set[Key]:
    """Named assignments from class counts: slot by slot in time order, each class's count
    on each task (rounded) goes to the members who have worked least so far and may work the
    slot (their hard "at most" rules kept). The result guides `fill_plan`."""
    from optimizer.patrol.rounding import PlanBuilder

    builder = PlanBuilder(exact)
    by_slot: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for (ci, si, ti), value in values.items():
        k = int(value + 0.5)
        if k > 0:
            by_slot[si].append((ci, ti, k))
    for si in sorted(by_slot):
        for ci, ti, k in sorted(by_slot[si], key=lambda c: -c[2]):
            group = sorted(agg.members[ci], key=lambda pi: len(builder.slots[pi]))
            for pi in group:
                if k == 0:
                    break
                if si not in builder.slots[pi] and builder.add((pi, si, ti)):
                    k -= 1
    return builder.plan
