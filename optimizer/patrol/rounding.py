"""Plans by filling needs: assignments are taken best first while every hard "at most"
labour rule still holds (`PlanBuilder`).

`fill_plan(inst)` fills the open needs in order of what one more person there is worth net
of travel; `fill_plan(inst, lp=values)` lets the LP relaxation's solution decide between
people (it knows whom to keep for later days, which a greedy pass cannot), which turns the
nearly integral LP solution of a week into a plan within a few per cent of the LP bound.
Hard rules of the "at least" kind (minimum shifts, hours or runs) are not built here: a plan
that breaks one is caught by the independent checker and not used."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.rules_labour import selected, shift_caps, succession_pairs
from optimizer.patrol.variables import Key
from optimizer.scenario import (
    ConsecutiveWorkRule,
    DaysOffRule,
    ForbiddenSuccessionRule,
    HoursRule,
    MinRestRule,
    ShiftCountRule,
    TaskKind,
    WeekendRule,
)

_NONE: frozenset[int] = frozenset()


@dataclass
class _Limits:
    """The hard "at most" limits of one person."""

    counts: list[tuple[frozenset[str] | None, int]] = field(default_factory=list)
    hours: int | None = None
    run: int | None = None
    weekends: int | None = None

    def tighten(self, name: str, cap: int) -> None:
        now = getattr(self, name)
        setattr(self, name, cap if now is None else min(now, cap))


#: the `_Limits` field each kind of "at most" rule caps
_CAP: dict[type, str] = {HoursRule: "hours", ConsecutiveWorkRule: "run", WeekendRule: "weekends"}


class PlanBuilder:
    """A plan under construction that keeps the hard "at most" rules as it grows."""

    def __init__(self, inst: PatrolInstance) -> None:
        self.inst = inst
        self.plan: set[Key] = set()
        self.filled: dict[tuple[int, int], int] = defaultdict(int)  # (task, slot) → people
        self.armed: dict[tuple[int, int], int] = defaultdict(int)
        self.slots: dict[int, set[int]] = defaultdict(set)  # person → worked slots
        self.days: dict[int, set[int]] = defaultdict(set)  # person → worked days
        s = inst.scenario
        self.by_shift: dict[int, Counter[str]] = defaultdict(Counter)
        self.hours_worked: dict[int, int] = defaultdict(int)
        self._limits: dict[int, _Limits] = defaultdict(_Limits)  # person → their "at most"s
        self.conflicts: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.off: set[tuple[int, int]] = set()
        for rule in s.rules:
            if not rule.hard:
                continue
            people = set(selected(inst, rule.applies_to))
            if isinstance(rule, ShiftCountRule) and rule.max is not None:
                ids = frozenset(rule.shift_ids) or None
                for pi in people:
                    self._limits[pi].counts.append((ids, rule.max))
            elif isinstance(rule, HoursRule | ConsecutiveWorkRule | WeekendRule):
                if rule.max is not None:
                    for pi in people:
                        self._limits[pi].tighten(_CAP[type(rule)], rule.max)
            elif isinstance(rule, MinRestRule | ForbiddenSuccessionRule):
                pairs = succession_pairs(inst, rule)
                for pi in people:
                    for a, b in pairs:
                        self.conflicts[pi][a].add(b)
                        self.conflicts[pi][b].add(a)
            elif isinstance(rule, DaysOffRule):
                for pi in people:
                    for day, date in enumerate(s.horizon.dates):
                        if date in rule.dates or date.weekday() in rule.weekdays:
                            self.off.add((pi, day))
        self.week_of = {
            day: date.isocalendar()[1]
            for day, date in enumerate(s.horizon.dates)
            if date.weekday() >= 5
        }
        # the most shifts each person may work: checked first, as most people a search
        # asks about are at it
        self.cap = shift_caps(inst)

    def can(self, pi: int, si: int) -> bool:
        """May person `pi` work slot `si` on top of what they already work?"""
        days = self.days[pi]
        if len(days) >= self.cap[pi]:
            return False
        slot = self.inst.slots[si]
        day = slot.day
        if day in days or (pi, day) in self.off:
            return False
        if pi in self.conflicts and self.conflicts[pi].get(si, _NONE) & self.slots[pi]:
            return False
        if pi not in self._limits:
            return True
        limits = self._limits[pi]
        sid = slot.shift.id
        for ids, cap in limits.counts:
            if ids is None:
                n = len(self.slots[pi])
            elif sid in ids:
                n = sum(self.by_shift[pi][i] for i in ids)
            else:
                continue
            if n + 1 > cap:
                return False
        if limits.hours is not None and self.hours_worked[pi] + slot.shift.hours > limits.hours:
            return False
        if limits.run is not None and _longest_run(days, day) > limits.run:
            return False
        if limits.weekends is not None and day in self.week_of:
            weeks = {self.week_of[d] for d in days if d in self.week_of}
            if len(weeks | {self.week_of[day]}) > limits.weekends:
                return False
        return True

    def room(self, ti: int, si: int) -> bool:
        d = self.inst.demand.get((ti, si))
        return d is None or self.filled[ti, si] < d.cap

    def add(self, key: Key) -> bool:
        pi, si, ti = key
        if not self.room(ti, si) or not self.can(pi, si):
            return False
        self.plan.add(key)
        self.filled[ti, si] += 1
        if self.inst.people[pi].armed:
            self.armed[ti, si] += 1
        self.slots[pi].add(si)
        self.days[pi].add(self.inst.slots[si].day)
        self.by_shift[pi][self.inst.slots[si].shift.id] += 1
        self.hours_worked[pi] += self.inst.slots[si].shift.hours
        return True

    def remove(self, key: Key) -> None:
        pi, si, ti = key
        self.plan.discard(key)
        self.filled[ti, si] -= 1
        if self.inst.people[pi].armed:
            self.armed[ti, si] -= 1
        self.slots[pi].discard(si)
        self.days[pi].discard(self.inst.slots[si].day)
        self.by_shift[pi][self.inst.slots[si].shift.id] -= 1
        self.hours_worked[pi] -= self.inst.slots[si].shift.hours


def _longest_run(days: set[int], around: int) -> int:
    """The run of consecutive days through `around` if it were worked too."""
    lo = hi = around
    while lo - 1 in days:
        lo -= 1
    while hi + 1 in days:
        hi += 1
    return hi - lo + 1


#: objective units one unit of LP value is worth when a fill is guided by the LP solution:
#: enough to follow the LP between people of similar value, far below a need's own value
#: (a person the LP puts on a zone must not take an armed post's last place)
LP_WEIGHT = 300.0


def fill_plan(
    inst: PatrolInstance, builder: PlanBuilder | None = None, lp: dict[Key, float] | None = None
) -> set[Key]:
    """Top up the plan: every open need (post staff, armed officers, standby floors, zone
    presence and risk targets) in order of what one more person there is worth net of the
    travel it costs, plus LP_WEIGHT × the LP relaxation's value of the assignment when `lp`
    is given (the LP knows whom to keep for later days and which people only it can
    reach); each need takes people while it is short, and nobody is sent where the travel
    costs more than the need is worth."""
    builder = builder or PlanBuilder(inst)
    w = inst.scenario.weights
    lp = lp or {}
    wanted: list[tuple[float, Key]] = []
    # what one more person is worth, by (task, slot, armed); None where nobody is wanted
    # (most (task, slot) pairs of a planted or sparse demand: computed once, not per person)
    worth: dict[tuple[int, int, bool], float | None] = {}
    for (pi, si), tasks in inst.options.items():
        if si in builder.slots[pi]:
            continue
        armed = inst.people[pi].armed
        for ti in tasks:
            value = worth.get((ti, si, armed), 0.0)
            if value == 0.0:
                d = inst.demand.get((ti, si))
                wanted_here = d is not None and max(d.staff, d.minimum) > 0
                value = _value(inst, ti, si, armed) if wanted_here else None
                worth[ti, si, armed] = value
            if value is None:
                continue  # (never short: `_short` would turn everyone away)
            net = value - w.travel * inst.travel_minutes.get((pi, ti), 0.0)
            if net > 0:
                key = (pi, si, ti)
                wanted.append((net + LP_WEIGHT * lp.get(key, 0.0), key))
    wanted.sort(key=lambda v: -v[0])
    for _order, (pi, si, ti) in wanted:
        if _short(inst, builder, ti, si, inst.people[pi].armed):
            builder.add((pi, si, ti))
    return builder.plan


def cover_value(inst: PatrolInstance, ti: int, si: int) -> float:
    """What one more person below the staff wanted on task `ti` in slot `si` saves in the
    cover terms: the post's under-staffing weight, the standby weight, or the zone's risk per
    patroller (armed officers and zone presence come on top)."""
    d = inst.demand[ti, si]
    w = inst.scenario.weights
    kind = inst.tasks[ti].kind
    if kind == TaskKind.POST:
        return d.under_weight if d.under_weight is not None else w.unmet_post_cover
    if kind == TaskKind.STANDBY:
        return w.unmet_standby
    if d.staff > 0 and d.risk > 0:
        return d.under_weight if d.under_weight is not None else w.risk_uncovered * d.risk / d.staff
    return 0.0


def _value(inst: PatrolInstance, ti: int, si: int, armed: bool) -> float:
    """What one more person on task `ti` in slot `si` is worth while the task is short."""
    d = inst.demand.get((ti, si))
    if d is None:
        return 0.0
    w = inst.scenario.weights
    value = cover_value(inst, ti, si)
    if armed and d.armed:
        value += w.unmet_armed
    if inst.tasks[ti].kind == TaskKind.ZONE and d.minimum:
        value += w.unmet_zone_presence
    return value


def _short(inst: PatrolInstance, builder: PlanBuilder, ti: int, si: int, armed: bool) -> bool:
    d = inst.demand[ti, si]
    have = builder.filled[ti, si]
    if d.armed and not armed:
        # leave the places armed officers must hold to them
        return have < d.staff and have - builder.armed[ti, si] < d.staff - d.armed
    return have < max(d.staff, d.minimum)
