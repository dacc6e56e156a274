"""Cover rules: posts (staff, armed, skills), zones (minimum presence and risk target),
the standby floor (备勤), and squads working as a whole. Cover is soft with large weights
(slack variables), so a plan always exists and every gap is reported as a shortfall."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.variables import PatrolVars
from optimizer.scenario import TaskKind


def _slack(model: cp_model.CpModel, need: int, name: str) -> cp_model.IntVar:
    return model.new_int_var(0, max(0, need), name)


def add_post_cover(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    """Every manned hour of a post has its minimum staff (at most that many: more is waste)."""
    w = inst.scenario.weights
    for (ti, si), d in inst.demand.items():
        if inst.tasks[ti].kind != TaskKind.POST:
            continue
        xs = [x for _, x in v.by_task.get((ti, si), [])]
        short = _slack(model, d.staff, f"post_short{ti}_{si}")
        model.add(sum(xs) + short >= d.staff)
        model.add(sum(xs) <= d.cap)
        v.term(
            "unmet_post_cover",
            d.under_weight if d.under_weight is not None else w.unmet_post_cover,
            short,
        )


def add_over_cover(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    """A scenario cover with an `over_weight` pays it for every person beyond `required` on
    its post or zone in that shift (term `over_cover`). Covers without one keep the cap at
    `required` (over-staffing not allowed), so this adds nothing for them."""
    for (ti, si), d in inst.demand.items():
        if d.over_weight <= 0 or inst.tasks[ti].kind == TaskKind.STANDBY:
            continue
        xs = [x for _, x in v.by_task.get((ti, si), [])]
        if len(xs) <= d.staff:
            continue
        over = model.new_int_var(0, len(xs) - d.staff, f"over_cover{ti}_{si}")
        model.add(sum(xs) - over <= d.staff)
        v.term("over_cover", d.over_weight, over)


def add_armed_cover(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    """Armed checkpoints have at least their number of armed officers, and every task in
    every slot the armed count a scenario cover gives it (e.g. two armed on nights only)."""
    w = inst.scenario.weights
    for (ti, si), d in inst.demand.items():
        if d.armed <= 0:
            continue
        xs = [x for pi, x in v.by_task.get((ti, si), []) if inst.people[pi].armed]
        short = _slack(model, d.armed, f"armed_short{ti}_{si}")
        model.add(sum(xs) + short >= d.armed)
        v.term("unmet_armed", w.unmet_armed, short)


def add_skill_cover(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    """Posts needing skills (riot control, first aid…) get people whose certificate is valid
    on that day; a scenario cover sets these counts per day and shift, on any task. (A skill
    a post requires of everyone is no count: people without it have no option there.)"""
    w = inst.scenario.weights
    for (ti, si), d in inst.demand.items():
        day = inst.slots[si].day
        for skill, need in d.skills.items():
            xs = [
                x
                for pi, x in v.by_task.get((ti, si), [])
                if inst.skills_valid.get((pi, skill, day), False)
            ]
            short = _slack(model, need, f"skill_short{ti}_{si}_{skill}")
            model.add(sum(xs) + short >= need)
            v.term("unmet_skill", w.unmet_skill, short)


def add_zone_patrol(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    """Zones get their minimum presence, and patrol up to a target that follows the zone's
    risk in the slot; each missing patroller costs the risk it would have covered."""
    w = inst.scenario.weights
    for (ti, si), d in inst.demand.items():
        if inst.tasks[ti].kind != TaskKind.ZONE:
            continue
        xs = [x for _, x in v.by_task.get((ti, si), [])]
        n = sum(xs)
        model.add(n <= d.cap)
        if d.minimum > 0:
            short = _slack(model, d.minimum, f"presence_short{ti}_{si}")
            model.add(n + short >= d.minimum)
            v.term("unmet_zone_presence", w.unmet_zone_presence, short)
        if d.staff > 0 and d.risk > 0:
            short = _slack(model, d.staff, f"risk_short{ti}_{si}")
            model.add(n + short >= d.staff)
            per_person = d.risk / d.staff
            weight = d.under_weight if d.under_weight is not None else w.risk_uncovered * per_person
            v.term("risk_uncovered", weight, short)


def add_standby_floor(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    """At every shift each county keeps its floor of ready forces on standby, off posts."""
    w = inst.scenario.weights
    for (ti, si), d in inst.demand.items():
        if inst.tasks[ti].kind != TaskKind.STANDBY:
            continue
        xs = [x for _, x in v.by_task.get((ti, si), [])]
        short = _slack(model, d.staff, f"standby_short{ti}_{si}")
        model.add(sum(xs) + short >= d.staff)
        model.add(sum(xs) <= d.cap)
        v.term("unmet_standby", w.unmet_standby, short)


def add_squads_whole(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    """Squads of the forces in options.squads_whole work together: every present member of
    the squad does what its first present member does."""
    forces = set(inst.scenario.options.squads_whole)
    if not forces:
        return
    units = inst.scenario.by_id("units")
    members: dict[str, list[int]] = defaultdict(list)
    for pi, p in enumerate(inst.people):
        if p.unit_id and p.force in forces and units[p.unit_id].squad:
            members[p.unit_id].append(pi)
    name = "squads work whole"
    lit = v.literal(model, name)
    for group in members.values():
        for slot in inst.slots:
            present = [pi for pi in group if (pi, slot.index) in inst.options]
            if len(present) < 2:
                continue
            anchor = present[0]
            for pi in present[1:]:
                model.add(v.work[pi, slot.index] == v.work[anchor, slot.index]).only_enforce_if(lit)
                for ti in set(inst.options[anchor, slot.index]) | set(inst.options[pi, slot.index]):
                    mine, theirs = v.x.get((pi, slot.index, ti)), v.x.get((anchor, slot.index, ti))
                    model.add(
                        (mine if mine is not None else 0) == (theirs if theirs is not None else 0)
                    ).only_enforce_if(lit)
