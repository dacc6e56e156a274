"""The objective: a sum of named terms (each reported in the result).

Cover terms come from the rules (unmet_post_cover, unmet_armed, unmet_skill,
unmet_zone_presence, unmet_standby, risk_uncovered) with the scenario's `Weights`; this module
adds the lighter terms, in this order of importance by default weights:
- fairness_nights / fairness_weekends / fairness_hours: within each group of people of the same
  force and county, the most nights, weekend shifts and hours anyone works (minimising the
  maximum spreads the load evenly);
- travel: minutes from each person's home base (their unit's base, else their home) to the
  post or zone centroid;
- preferences: requests to work or not work a shift, each times its own weight;
- continuity: the number of different zones a person patrols in the horizon;
- change (re-planning): every published assignment dropped and every new one added."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from ortools.sat.python import cp_model

from optimizer.patrol.instance import PatrolInstance, Slot
from optimizer.patrol.rules_labour import shift_caps
from optimizer.patrol.variables import LP_SKIP, PatrolVars
from optimizer.scenario import Assignment, ShiftRequest, TaskKind

#: the fairness terms: (name = weight field, which slots count, what a slot counts for)
FAIRNESS: list[tuple[str, Callable[[Slot], bool], Callable[[Slot], int]]] = [
    ("fairness_nights", lambda s: s.shift.is_night(), lambda s: 1),
    ("fairness_weekends", lambda s: s.date.weekday() >= 5, lambda s: 1),
    ("fairness_hours", lambda s: True, lambda s: s.shift.hours),
]


def fairness_group(inst: PatrolInstance, pi: int) -> tuple[str, str | None]:
    """The group whose loads are spread evenly: (force, county)."""
    p = inst.people[pi]
    return p.force.value, inst.county_of.get(p.jurisdiction_id)


def fairness_groups(inst: PatrolInstance) -> dict[tuple[str, str | None], list[int]]:
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for pi in range(len(inst.people)):
        groups[fairness_group(inst, pi)].append(pi)
    return groups


def fairness_loads(
    inst: PatrolInstance,
    worked: set[tuple[int, int]],
    people: list[int],
    keep: Callable[[Slot], bool],
    per: Callable[[Slot], int],
) -> dict[int, int]:
    """Person → their load of a fairness term, from the (person, slot) pairs they work, for
    those of `people` who could work a counted slot at all."""
    counted = [s for s in inst.slots if keep(s)]
    return {
        pi: sum(per(s) for s in counted if (pi, s.index) in worked)
        for pi in people
        if any((pi, s.index) in inst.options for s in counted)
    }


def add_fairness(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    w = inst.scenario.weights
    for (force, county), members in fairness_groups(inst).items():
        for name, keep, per in FAIRNESS:
            weight = getattr(w, name)
            floor = inst.outside_loads.get((name, force, county))
            if not weight or (len(members) < 2 and floor is None):
                continue
            loads = []
            for pi in members:
                terms = [
                    v.work[pi, s.index] * per(s)
                    for s in inst.slots
                    if keep(s) and (pi, s.index) in v.work
                ]
                if terms:
                    loads.append((inst.size(pi), sum(terms)))
            if not loads:
                continue
            top = sum(per(s) for s in inst.slots if keep(s))
            most = model.new_int_var(min(floor or 0, top), top, f"{name}_{force}_{county}")
            for m, load in loads:  # (an aggregated person: the average of m people)
                row = model.add(load <= m * most)
                if not inst.count:  # one row a class is cheap and lifts the aggregated bound
                    row.with_name(LP_SKIP)
            # implied by the rows above (the average is at most the largest); the LP
            # relaxation of the exact model keeps only this one, solved many times faster
            model.add(sum(load for _, load in loads) <= sum(m for m, _ in loads) * most)
            v.term(name, weight, most)


def add_travel(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    w = inst.scenario.weights.travel
    if not w:
        return
    for (pi, _si, ti), x in v.x.items():
        minutes = inst.travel_minutes.get((pi, ti))
        if minutes:
            v.term("travel", w * round(minutes, 1), x)


def requested_slots(inst: PatrolInstance) -> Iterator[tuple[ShiftRequest, int, Slot]]:
    """(request, person, slot) for every slot a shift request covers that its person could
    work."""
    index = {p.id: pi for pi, p in enumerate(inst.people)}
    for r in inst.scenario.requests:
        pi = index.get(r.person_id)
        if pi is None:
            continue
        for s in inst.slots:
            if s.date != r.date or (r.shift_id is not None and s.shift.id != r.shift_id):
                continue
            if (pi, s.index) in inst.options:
                yield r, pi, s


def add_preferences(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    w = inst.scenario.weights.preferences
    for r, pi, s in requested_slots(inst):
        work = v.work[pi, s.index]
        if r.on:
            missed = model.new_int_var(0, inst.size(pi), f"req_on{pi}_{s.index}")
            model.add(missed == inst.size(pi) - work)
            v.term("preferences", w * r.weight, missed)
        else:
            v.term("preferences", w * r.weight, work)


def add_continuity(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    w = inst.scenario.weights.continuity
    if not w:
        return
    zones: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for (pi, _si, ti), x in v.x.items():
        if inst.tasks[ti].kind == TaskKind.ZONE:
            zones[pi, ti].append(x)
    caps = shift_caps(inst)
    for (pi, ti), xs in zones.items():
        m = inst.size(pi)
        used = (
            model.new_bool_var(f"zone_used{pi}_{ti}")
            if m == 1
            else model.new_int_var(0, m, f"zone_used{pi}_{ti}")
        )
        for x in xs:  # an aggregated person: at least as many used the zone as in any slot
            model.add(used >= x).with_name(LP_SKIP)
        # implied (nobody works more than their cap of shifts); what the LP relaxation keeps
        model.add(sum(xs) <= min(len(xs), max(1, caps[pi])) * used)
        v.term("continuity", w, used)


def published_keys(inst: PatrolInstance, plan: list[Assignment]) -> set[tuple[int, int, int]]:
    """(person, slot, task) of the published assignments that exist in this instance."""
    people = {p.id: pi for pi, p in enumerate(inst.people)}
    tasks = {(t.kind, t.target): ti for ti, t in enumerate(inst.tasks)}
    out = set()
    for a in plan:
        slot = inst.slot_of(a.date, a.shift_id)
        pi, ti = people.get(a.person_id), tasks.get((a.task, a.target_id))
        if slot is not None and pi is not None and ti is not None:
            out.add((pi, slot.index, ti))
    return out


def add_change_penalty(
    model: cp_model.CpModel,
    v: PatrolVars,
    inst: PatrolInstance,
    published: set[tuple[int, int, int]],
) -> None:
    """Re-planning: every published assignment dropped or new assignment added costs
    `weights.change`; the published plan is also the solver's hint."""
    w = inst.scenario.weights.change
    for key, x in v.x.items():
        if key in published:
            dropped = model.new_bool_var(f"drop{key}")
            model.add(dropped == 1 - x)
            v.term("change", w, dropped)
            model.add_hint(x, 1)
        else:
            v.term("change", w, x)
            model.add_hint(x, 0)
