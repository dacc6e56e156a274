"""The objective of a plan, recomputed from its assignments alone.

`plan_terms(inst, plan)` gives the same named terms as the model's objective (`PatrolVars.terms`)
for any plan given as (person, slot, task) keys of the instance, without building or solving a
CP-SAT model: a plan found outside CP-SAT (the greedy plan, a plan put together from parts)
gets its objective this way, and the tests hold it against the solver's own value.

Every term follows the definition in the rule that adds it (`rules_cover`, `rules_labour`,
`objective`): shortfalls below a requirement, soft labour rules per unit of violation, the
largest load in each fairness group, travel, requests, zones per person, changes. Weights are
rounded as the model rounds them (to 1/SCALE)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.objective import (
    FAIRNESS,
    fairness_groups,
    fairness_loads,
    requested_slots,
)
from optimizer.patrol.rules_labour import SOFT_TERM, selected, succession_pairs
from optimizer.patrol.variables import SCALE, Key
from optimizer.scenario import (
    ConsecutiveOffRule,
    ConsecutiveWorkRule,
    DaysOffRule,
    ForbiddenSuccessionRule,
    HoursRule,
    MinRestRule,
    ShiftCountRule,
    TaskKind,
    WeekendRule,
)


def _w(weight: float) -> float:
    return round(weight * SCALE) / SCALE


class _Terms:
    def __init__(self) -> None:
        self.terms: dict[str, float] = defaultdict(float)

    def add(self, name: str, weight: float, amount: float) -> None:
        if weight:  # a term the model has is listed even when it is 0
            self.terms[name] += _w(weight) * amount


def plan_terms(
    inst: PatrolInstance, plan: Iterable[Key], published: set[Key] | None = None
) -> dict[str, float]:
    """Objective terms of `plan` (objective units, rounded to 3 decimals)."""
    plan = set(plan)
    out = _Terms()
    _cover(inst, plan, out)
    _labour(inst, plan, out)
    _fairness(inst, plan, out)
    _light(inst, plan, out, published)
    return {k: round(v, 3) for k, v in out.terms.items()}


def plan_objective(
    inst: PatrolInstance, plan: Iterable[Key], published: set[Key] | None = None
) -> float:
    return round(sum(plan_terms(inst, plan, published).values()), 3)


def _cover(inst: PatrolInstance, plan: set[Key], out: _Terms) -> None:
    w = inst.scenario.weights
    staffed: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pi, si, ti in plan:
        staffed[ti, si].append(pi)
    for (ti, si), d in inst.demand.items():
        people = staffed.get((ti, si), [])
        n = len(people)
        kind = inst.tasks[ti].kind
        if kind == TaskKind.POST:
            under = d.under_weight if d.under_weight is not None else w.unmet_post_cover
            out.add("unmet_post_cover", under, max(0, d.staff - n))
        elif kind == TaskKind.ZONE:
            if d.minimum > 0:
                out.add("unmet_zone_presence", w.unmet_zone_presence, max(0, d.minimum - n))
            if d.staff > 0 and d.risk > 0:
                weight = (
                    d.under_weight
                    if d.under_weight is not None
                    else w.risk_uncovered * d.risk / d.staff
                )
                out.add("risk_uncovered", weight, max(0, d.staff - n))
        else:
            out.add("unmet_standby", w.unmet_standby, max(0, d.staff - n))
        if d.over_weight > 0 and kind != TaskKind.STANDBY:
            out.add("over_cover", d.over_weight, max(0, n - d.staff))
        if d.armed > 0:
            armed = sum(1 for pi in people if inst.people[pi].armed)
            out.add("unmet_armed", w.unmet_armed, max(0, d.armed - armed))
        day = inst.slots[si].day
        for skill, need in d.skills.items():
            have = sum(1 for pi in people if inst.skills_valid.get((pi, skill, day), False))
            out.add("unmet_skill", w.unmet_skill, max(0, need - have))


def _labour(inst: PatrolInstance, plan: set[Key], out: _Terms) -> None:
    """Soft labour rules, per unit of violation as `rules_labour._bound` counts it."""
    worked = {(pi, si) for pi, si, _ in plan}
    days = inst.scenario.horizon.days
    on_day = {(pi, inst.slots[si].day) for pi, si in worked}
    can_day = {(pi, inst.slots[si].day) for pi, si in inst.options}

    def day_flags(pi: int) -> list[int]:
        return [int((pi, d) in on_day) for d in range(days)]

    for rule in inst.scenario.rules:
        if rule.hard:
            continue
        people = selected(inst, rule.applies_to)
        amount = 0
        if isinstance(rule, ShiftCountRule | HoursRule):
            ids = set(getattr(rule, "shift_ids", []))
            for pi in people:
                slots = [s for s in inst.slots if (pi, s.index) in inst.options]
                if isinstance(rule, HoursRule):
                    value = sum(s.shift.hours for s in slots if (pi, s.index) in worked)
                else:
                    keep = [s for s in slots if not ids or s.shift.id in ids]
                    if not keep and not rule.min:
                        continue
                    value = sum(1 for s in keep if (pi, s.index) in worked)
                amount += _outside(value, rule.min, rule.max)
        elif isinstance(rule, ConsecutiveWorkRule):
            for pi in people:
                d = day_flags(pi)
                if rule.max is not None and days > rule.max:
                    for start in range(days - rule.max):
                        amount += max(0, sum(d[start : start + rule.max + 1]) - rule.max)
                if rule.min is not None and rule.min > 1:
                    amount += _run_starts(d, rule.min)
        elif isinstance(rule, ConsecutiveOffRule):
            for pi in people:
                amount += _run_starts([1 - f for f in day_flags(pi)], rule.min)
        elif isinstance(rule, WeekendRule):
            weeks: dict[int, list[int]] = defaultdict(list)
            for day, date in enumerate(inst.scenario.horizon.dates):
                if date.weekday() >= 5:
                    weeks[date.isocalendar()[1]].append(day)
            for pi in people:
                flags = [
                    any((pi, d) in on_day for d in ds)
                    for ds in weeks.values()
                    if any((pi, d) in can_day for d in ds)
                ]
                if flags:
                    amount += max(0, sum(flags) - rule.max)
        elif isinstance(rule, MinRestRule | ForbiddenSuccessionRule):
            pairs = succession_pairs(inst, rule)
            for pi in people:
                amount += sum(1 for a, b in pairs if (pi, a) in worked and (pi, b) in worked)
        elif isinstance(rule, DaysOffRule):
            off = [
                day
                for day, date in enumerate(inst.scenario.horizon.dates)
                if date in set(rule.dates) or date.weekday() in set(rule.weekdays)
            ]
            for pi in people:
                amount += sum(1 for day in off if (pi, day) in on_day)
        out.add(SOFT_TERM, rule.weight, amount)


def _outside(value: int, lo: int | None, hi: int | None) -> int:
    return (max(0, lo - value) if lo is not None else 0) + (
        max(0, value - hi) if hi is not None else 0
    )


def _run_starts(flags: list[int], minimum: int) -> int:
    """Violations of "a run that starts on `day` lasts `minimum` days": one per (day, k) with
    flags[day] ∧ ¬flags[day-1] ∧ ¬flags[day+k] (runs touching the horizon's start exempt)."""
    n = 0
    for day in range(1, len(flags)):
        for k in range(1, minimum):
            if day + k >= len(flags):
                break
            n += max(0, flags[day] - flags[day - 1] - flags[day + k])
    return n


def _fairness(inst: PatrolInstance, plan: set[Key], out: _Terms) -> None:
    weights = inst.scenario.weights
    worked = {(pi, si) for pi, si, _ in plan}
    for members in fairness_groups(inst).values():
        if len(members) < 2:
            continue
        for name, keep, per in FAIRNESS:
            weight = getattr(weights, name)
            loads = fairness_loads(inst, worked, members, keep, per)
            if loads:
                out.add(name, weight, max(loads.values()))


def _light(inst: PatrolInstance, plan: set[Key], out: _Terms, published: set[Key] | None) -> None:
    w = inst.scenario.weights
    for pi, _si, ti in plan:
        minutes = inst.travel_minutes.get((pi, ti))
        if minutes:
            out.add("travel", w.travel * round(minutes, 1), 1)
    worked = {(pi, si) for pi, si, _ in plan}
    for r, pi, s in requested_slots(inst):
        out.add("preferences", w.preferences * r.weight, int(r.on != ((pi, s.index) in worked)))
    zones = {(pi, ti) for pi, _si, ti in plan if inst.tasks[ti].kind == TaskKind.ZONE}
    out.add("continuity", w.continuity, len(zones))
    if published is not None:
        out.add("change", w.change, sum(1 for key in published ^ plan if _in_options(inst, key)))


def _in_options(inst: PatrolInstance, key: Key) -> bool:
    pi, si, ti = key
    return ti in inst.options.get((pi, si), ())
