"""Labour rules, one `add_<rule>` per kind. A hard rule is enforced under a literal named
after the rule (so an infeasible set can name the rules in conflict); a soft rule pays its
weight per unit of violation in the objective term `labour rules`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import combinations
from typing import Any

from ortools.sat.python import cp_model

from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.variables import PatrolVars
from optimizer.scenario import (
    ConsecutiveOffRule,
    ConsecutiveWorkRule,
    DaysOffRule,
    ForbiddenSuccessionRule,
    HoursRule,
    MinRestRule,
    Person,
    Selector,
    ShiftCountRule,
    WeekendRule,
)

SOFT_TERM = "labour rules"


def selected(inst: PatrolInstance, sel: Selector) -> list[int]:
    if sel.is_everyone():
        return list(range(len(inst.people)))
    people, units, forces = set(sel.people), set(sel.units), set(sel.forces)
    jurs = set(sel.jurisdictions)

    index = inst.scenario.by_id("jurisdictions")

    def inside(p: Person) -> bool:
        node = index.get(p.jurisdiction_id)
        while node is not None:
            if node.id in jurs:
                return True
            node = index.get(node.parent_id) if node.parent_id else None
        return False

    return [
        pi
        for pi, p in enumerate(inst.people)
        if p.id in people or p.unit_id in units or p.force in forces or (jurs and inside(p))
    ]


def shift_caps(inst: PatrolInstance) -> list[int]:
    """The most shifts each person may work in the horizon: one a day, and the hard limits
    on shifts of every type."""
    caps = [inst.scenario.horizon.days] * len(inst.people)
    for rule in inst.scenario.rules:
        if (
            isinstance(rule, ShiftCountRule)
            and rule.hard
            and rule.max is not None
            and not rule.shift_ids
        ):
            for pi in selected(inst, rule.applies_to):
                caps[pi] = min(caps[pi], rule.max)
    return caps


def rule_name(rule: Any) -> str:
    return rule.name or f"{rule.kind} {rule.id}"


def _bound(
    model: cp_model.CpModel,
    v: PatrolVars,
    rule: Any,
    expr: Any,
    lo: int | None,
    hi: int | None,
    tag: str,
    m: int = 1,
) -> None:
    """lo ≤ expr ≤ hi, hard under the rule's literal or soft with its weight. For an
    aggregated person standing for `m` identical people the bounds are m·lo and m·hi (each
    person's constraint, summed: a relaxation, as are the summed violations of a soft rule)."""
    lo = None if lo is None else lo * m
    hi = None if hi is None else hi * m
    if rule.hard:
        lit = v.literal(model, rule_name(rule))
        if lo is not None:
            model.add(expr >= lo).only_enforce_if(lit)
        if hi is not None:
            model.add(expr <= hi).only_enforce_if(lit)
        return
    big = 10_000
    if lo is not None:
        under = model.new_int_var(0, big, f"under_{tag}")
        model.add(expr + under >= lo)
        v.term(SOFT_TERM, rule.weight, under)
    if hi is not None:
        over = model.new_int_var(0, big, f"over_{tag}")
        model.add(expr - over <= hi)
        v.term(SOFT_TERM, rule.weight, over)


def _works(v: PatrolVars, inst: PatrolInstance, pi: int, keep: Callable[[Any], bool]) -> list[Any]:
    return [v.work[pi, s.index] for s in inst.slots if (pi, s.index) in v.work and keep(s)]


def add_shift_count(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: ShiftCountRule
) -> None:
    """Min/max shifts in the horizon (of the listed shift types, or all)."""
    ids = set(rule.shift_ids)
    for pi in selected(inst, rule.applies_to):
        ws = _works(v, inst, pi, lambda s: not ids or s.shift.id in ids)
        if ws or rule.min:
            _bound(model, v, rule, sum(ws), rule.min, rule.max, f"{rule.id}_{pi}", inst.size(pi))


def add_hours(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: HoursRule
) -> None:
    for pi in selected(inst, rule.applies_to):
        expr = sum(
            v.work[pi, s.index] * s.shift.hours for s in inst.slots if (pi, s.index) in v.work
        )
        _bound(model, v, rule, expr, rule.min, rule.max, f"{rule.id}_{pi}", inst.size(pi))


def add_consecutive_work(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: ConsecutiveWorkRule
) -> None:
    """At most `max` working days in a row; runs of at least `min` (runs touching the
    horizon's ends are exempt from `min`)."""
    days = inst.scenario.horizon.days
    for pi in selected(inst, rule.applies_to):
        d = [v.worked_day[pi, day] for day in range(days)]
        if rule.max is not None and days > rule.max:
            for start in range(days - rule.max):
                _bound(
                    model,
                    v,
                    rule,
                    sum(d[start : start + rule.max + 1]),
                    None,
                    rule.max,
                    f"{rule.id}_{pi}_{start}",
                    inst.size(pi),
                )
        if rule.min is not None and rule.min > 1:
            for day in range(1, days):
                for k in range(1, rule.min):
                    if day + k >= days:
                        break
                    # a run starting on `day` continues for min days: d[day] ∧ ¬d[day-1] → d[day+k]
                    _implies_start(
                        model, v, rule, d[day], d[day - 1], d[day + k], f"{rule.id}_{pi}_{day}_{k}"
                    )


def _implies_start(
    model: cp_model.CpModel, v: PatrolVars, rule: Any, now: Any, before: Any, later: Any, tag: str
) -> None:
    """now ∧ ¬before → later, as the linear  now − before − later ≤ 0."""
    if isinstance(now, int) and now == 0:
        return
    _bound(model, v, rule, now - before - later, None, 0, tag)


def add_consecutive_off(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: ConsecutiveOffRule
) -> None:
    """A stretch of days off lasts at least `min` days (stretches touching the ends exempt)."""
    days = inst.scenario.horizon.days
    for pi in selected(inst, rule.applies_to):
        off = [inst.size(pi) - v.worked_day[pi, day] for day in range(days)]
        for day in range(1, days):
            for k in range(1, rule.min):
                if day + k >= days:
                    break
                _implies_start(
                    model,
                    v,
                    rule,
                    off[day],
                    off[day - 1],
                    off[day + k],
                    f"{rule.id}_{pi}_{day}_{k}",
                )


def add_weekends(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: WeekendRule
) -> None:
    """At most `max` weekends with any shift (Saturday or Sunday)."""
    weekends: dict[int, list[int]] = {}
    for day, date in enumerate(inst.scenario.horizon.dates):
        if date.weekday() >= 5:
            weekends.setdefault(date.isocalendar()[1], []).append(day)
    if not weekends:
        return
    for pi in selected(inst, rule.applies_to):
        flags = []
        for week, days in weekends.items():
            worked = [v.worked_day[pi, d] for d in days if not isinstance(v.worked_day[pi, d], int)]
            if not worked:
                continue
            m = inst.size(pi)
            if m == 1:
                flag = model.new_bool_var(f"wkend{pi}_{week}")
                model.add_max_equality(flag, worked)
            else:  # at least as many people worked the weekend as worked any day of it
                flag = model.new_int_var(0, m, f"wkend{pi}_{week}")
                for w in worked:
                    model.add(flag >= w)
            flags.append(flag)
        if flags:
            _bound(model, v, rule, sum(flags), None, rule.max, f"{rule.id}_{pi}", inst.size(pi))


def forbidden_pairs(inst: PatrolInstance, rest_hours: float) -> list[tuple[int, int]]:
    out = []
    for a in inst.slots:
        for b in inst.slots:
            if (
                b.start >= a.end
                and (b.start - a.end) < dt.timedelta(hours=rest_hours)
                and a.day != b.day
            ):
                out.append((a.index, b.index))
    return out


def add_min_rest(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: MinRestRule
) -> None:
    """At least `hours` between the end of one shift and the start of the next."""
    _add_succession(model, v, inst, rule)


def add_forbidden_succession(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: ForbiddenSuccessionRule
) -> None:
    """Shift `first` on one day may not be followed by shift `then` the next day."""
    _add_succession(model, v, inst, rule)


def _add_succession(
    model: cp_model.CpModel,
    v: PatrolVars,
    inst: PatrolInstance,
    rule: MinRestRule | ForbiddenSuccessionRule,
) -> None:
    """Nobody works both slots of a forbidden pair. A hard rule is written as cliques
    (`succession_cliques`): one row per set of slots of which a person can work at most one,
    which implies every pair and is much tighter in the LP — for identical people counted
    together it is what lets their summed plan split into personal plans. A soft rule keeps
    one row per pair: each broken pair pays once."""
    pairs = succession_pairs(inst, rule)
    groups = succession_cliques(inst, pairs) if rule.hard else [list(p) for p in pairs]
    for pi in selected(inst, rule.applies_to):
        for group in groups:
            ws = [v.work[pi, si] for si in group if (pi, si) in v.work]
            if len(ws) > 1:
                tag = f"{rule.id}_{pi}_{'_'.join(map(str, group))}"
                _bound(model, v, rule, sum(ws), None, 1, tag, inst.size(pi))


def succession_cliques(inst: PatrolInstance, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The maximal sets of slots of which a person may work at most one, given the pairs
    nobody may work both of and that nobody works two slots of a day: for each two days, the
    maximal bicliques (earlier-day slots × later-day slots, every pair forbidden), found by
    closing each set of earlier slots under "forbidden with all of"."""
    day = [s.day for s in inst.slots]
    after: dict[tuple[int, int], dict[int, set[int]]] = {}
    for a, b in pairs:
        after.setdefault((day[a], day[b]), {}).setdefault(a, set()).add(b)
    out: set[tuple[int, ...]] = set()
    for graph in after.values():
        firsts = sorted(graph)
        for size in range(1, len(firsts) + 1):
            for chosen in combinations(firsts, size):
                later = set.intersection(*(graph[a] for a in chosen))
                if later:
                    closed = [a for a in firsts if later <= graph[a]]
                    out.add((*closed, *sorted(later)))
    return [list(c) for c in sorted(out)]


def succession_pairs(
    inst: PatrolInstance, rule: MinRestRule | ForbiddenSuccessionRule
) -> list[tuple[int, int]]:
    """(slot, slot) pairs nobody may work both of under a rest or succession rule."""
    if isinstance(rule, MinRestRule):
        return forbidden_pairs(inst, rule.hours)
    firsts = {s.day: s.index for s in inst.slots if s.shift.id == rule.first}
    thens = {s.day: s.index for s in inst.slots if s.shift.id == rule.then}
    return [(a, thens[day + 1]) for day, a in firsts.items() if day + 1 in thens]


def add_days_off(
    model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance, rule: DaysOffRule
) -> None:
    """No shift on the listed dates or weekdays."""
    dates, weekdays = set(rule.dates), set(rule.weekdays)
    for pi in selected(inst, rule.applies_to):
        for day, date in enumerate(inst.scenario.horizon.dates):
            if (date in dates or date.weekday() in weekdays) and not isinstance(
                v.worked_day[pi, day], int
            ):
                _bound(model, v, rule, v.worked_day[pi, day], None, 0, f"{rule.id}_{pi}_{day}")


RULES: dict[type, Callable[..., None]] = {
    ShiftCountRule: add_shift_count,
    HoursRule: add_hours,
    ConsecutiveWorkRule: add_consecutive_work,
    ConsecutiveOffRule: add_consecutive_off,
    WeekendRule: add_weekends,
    MinRestRule: add_min_rest,
    ForbiddenSuccessionRule: add_forbidden_succession,
    DaysOffRule: add_days_off,
}


def add_labour_rules(model: cp_model.CpModel, v: PatrolVars, inst: PatrolInstance) -> None:
    for rule in inst.scenario.rules:
        RULES[type(rule)](model, v, inst, rule)
