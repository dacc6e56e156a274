"""A quick greedy plan, used as the solver's hint so CP-SAT starts from a good plan even on
large instances. Shift by shift, it fills the most important needs first (armed officers,
post staff, standby floors, minimum presence, then zones by risk) with the eligible people
who have worked least, respecting one shift a day, hard shift-count limits, minimum rest and
days off. It is only a hint: the solver checks and improves it."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.rules_labour import selected, shift_caps
from optimizer.scenario import DaysOffRule, MinRestRule, ShiftCountRule, TaskKind

Key = tuple[int, int, int]


def greedy_plan(inst: PatrolInstance) -> set[Key]:
    s = inst.scenario
    limits: list[tuple[set[int], set[str], int]] = []  # (people, shift ids or all, max)
    rest_hours = 0
    off: set[tuple[int, int]] = set()
    for rule in s.rules:
        if not rule.hard:
            continue
        if isinstance(rule, ShiftCountRule) and rule.max is not None:
            limits.append((set(selected(inst, rule.applies_to)), set(rule.shift_ids), rule.max))
        elif isinstance(rule, MinRestRule):
            rest_hours = max(rest_hours, rule.hours)
        elif isinstance(rule, DaysOffRule):
            for pi in selected(inst, rule.applies_to):
                for day, date in enumerate(s.horizon.dates):
                    if date in rule.dates or date.weekday() in rule.weekdays:
                        off.add((pi, day))
    days = max(1, s.horizon.days)
    count: dict[tuple[int, str], int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    worked_day: set[tuple[int, int]] = set()
    last_end: dict[int, dt.datetime] = {}
    by_slot_task: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (pi, si), tis in inst.options.items():
        for ti in tis:
            by_slot_task[ti, si].append(pi)
    chosen: set[Key] = set()
    rest = dt.timedelta(hours=rest_hours)
    # people who can hold scarce tasks (standby, armed posts) are kept for them: others go
    # first to zones and unarmed places
    scarce = {
        pi
        for pi, tis in enumerate(inst.eligible)
        if inst.people[pi].armed or any(inst.tasks[t].kind == TaskKind.STANDBY for t in tis)
    }

    caps = shift_caps(inst)

    # standby floors can only be held by their ready forces: outside standby each of them
    # works at most their share of the shifts the floors leave over
    standby_need: dict[int, int] = defaultdict(int)
    for (ti, _si), d in inst.demand.items():
        if inst.tasks[ti].kind == TaskKind.STANDBY:
            standby_need[ti] += d.staff
    spare: dict[int, float] = {}
    for ti, need in standby_need.items():
        ready = {pi for (t, _si), pis in by_slot_task.items() if t == ti for pi in pis}
        capacity = sum(caps[pi] for pi in ready)
        share = max(0.0, (capacity - need) / max(1, len(ready)))
        for pi in ready:
            spare[pi] = min(spare.get(pi, share), share)
    elsewhere: dict[int, int] = defaultdict(int)

    def can(pi: int, slot: object) -> bool:
        if (pi, slot.day) in worked_day or (pi, slot.day) in off:  # type: ignore[attr-defined]
            return False
        end = last_end.get(pi)
        if end is not None and slot.start - end < rest:  # type: ignore[attr-defined]
            return False
        sid = slot.shift.id  # type: ignore[attr-defined]
        day = slot.day  # type: ignore[attr-defined]
        for people, ids, cap in limits:
            if pi in people and (not ids or sid in ids):
                n = total[pi] if not ids else sum(count[pi, i] for i in ids)
                # paced: by the end of day d at most its share of the horizon's limit, so
                # the last days of the horizon keep people for them
                if n >= min(cap, math.ceil(cap * (day + 1) / days + 0.5)):
                    return False
        return True

    for slot in inst.slots:
        needs = []
        for (ti, si), d in inst.demand.items():
            if si != slot.index:
                continue
            kind = inst.tasks[ti].kind
            if d.armed > 0:  # armed checkpoints, and any task a cover asks armed officers of
                needs.append((0, ti, d.armed, True))
            if kind == TaskKind.POST:
                needs.append((1, ti, d.staff, False))
            elif kind == TaskKind.STANDBY:
                needs.append((2, ti, d.staff, False))
            else:
                needs.append((3, ti, d.minimum, False))
                needs.append((4 - d.risk / 1e6, ti, d.staff, False))
        filled: dict[int, int] = defaultdict(int)
        for _prio, ti, want, armed_only in sorted(needs, key=lambda n: n[0]):
            cap = inst.demand[ti, slot.index].cap
            kind = inst.tasks[ti].kind
            pool = [
                pi
                for pi in by_slot_task[ti, slot.index]
                if (not armed_only or inst.people[pi].armed)
                and can(pi, slot)
                and (kind == TaskKind.STANDBY or armed_only or elsewhere[pi] < spare.get(pi, days))
            ]
            if armed_only:
                reserve: set[int] = set()
            elif kind == TaskKind.STANDBY:  # standby needs no weapon: keep the armed for posts
                reserve = {pi for pi in pool if inst.people[pi].armed}
            else:
                reserve = scarce
            pool.sort(
                key=lambda pi: (pi in reserve, total[pi], inst.travel_minutes.get((pi, ti), 0.0))
            )
            have = (
                filled[ti]
                if not armed_only
                else sum(
                    1
                    for (p, si, t) in chosen
                    if si == slot.index and t == ti and inst.people[p].armed
                )
            )
            for pi in pool:
                if have >= want or filled[ti] >= cap:
                    break
                chosen.add((pi, slot.index, ti))
                filled[ti] += 1
                have += 1
                worked_day.add((pi, slot.day))
                total[pi] += 1
                count[pi, slot.shift.id] += 1
                if kind != TaskKind.STANDBY:
                    elsewhere[pi] += 1
                last_end[pi] = slot.end
    return chosen
