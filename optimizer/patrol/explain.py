"""Why a requirement is unmet: for each shortfall, who could have filled it and what
kept each of them away — absent (leave, sick, training…), busy on another task in that
shift, or off duty because a labour rule binds (a shift-count limit reached, minimum rest)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from optimizer.patrol.instance import PatrolInstance
from optimizer.result import Shortfall
from optimizer.scenario import Assignment, MinRestRule, Person, ShiftCountRule

LABELS = {
    "post_cover": "people",
    "armed": "armed officers",
    "zone_presence": "patrollers",
    "standby": "ready officers on standby",
}


def _fits(p: Person, requirement: str, day: dt.date) -> bool:
    if requirement == "armed":
        return p.armed
    if requirement.startswith("skill:"):
        return p.has_skill(requirement.split(":", 1)[1], day)
    return True


def _limit(
    inst: PatrolInstance, p: Person, shift_id: str, counts: Counter, rested: set[str]
) -> str | None:
    """The labour rule that keeps an idle person off this shift, if one binds."""
    from optimizer.patrol.rules_labour import rule_name, selected

    for rule in inst.scenario.rules:
        if not rule.hard:
            continue
        if (
            isinstance(rule, ShiftCountRule)
            and rule.max is not None
            and (not rule.shift_ids or shift_id in rule.shift_ids)
        ):
            n = sum(
                c
                for (pid, sid), c in counts.items()
                if pid == p.id and (not rule.shift_ids or sid in rule.shift_ids)
            )
            if n >= rule.max and inst.people.index(p) in selected(inst, rule.applies_to):
                return rule_name(rule)
        if isinstance(rule, MinRestRule) and p.id in rested:
            return rule_name(rule)
    return None


def explain_shortfalls(
    inst: PatrolInstance, plan: list[Assignment], shortfalls: list[Shortfall]
) -> list[Shortfall]:
    busy = {(a.person_id, a.date, a.shift_id): a for a in plan}
    counts: Counter = Counter((a.person_id, a.shift_id) for a in plan)
    task_index = {(t.kind.value, t.target): ti for ti, t in enumerate(inst.tasks)}
    by_person: dict[str, list[Assignment]] = defaultdict(list)
    for a in plan:
        by_person[a.person_id].append(a)
    shifts = inst.scenario.by_id("shifts")
    jur = inst.scenario.by_id("jurisdictions")
    out = []
    for sf in shortfalls:
        start = dt.datetime.fromisoformat(sf.start or "")
        slot = next((s for s in inst.slots if s.start == start), None)
        kind = (
            "post"
            if sf.requirement in ("post_cover", "armed") or sf.requirement.startswith("skill:")
            else ("zone" if sf.requirement == "zone_presence" else "standby")
        )
        ti = task_index.get((kind, sf.target_id))
        if slot is None or ti is None:
            out.append(sf)
            continue
        task = inst.tasks[ti]
        county = jur[task.county].name if task.county in jur else task.county
        # eligible in principle: anyone for whom the task is an option in any slot
        candidates = {pi for pi, tis in enumerate(inst.eligible) if ti in tis}
        candidates = {pi for pi in candidates if _fits(inst.people[pi], sf.requirement, slot.date)}
        rest_hours = max(
            (r.hours for r in inst.scenario.rules if isinstance(r, MinRestRule) and r.hard),
            default=0,
        )
        absent = on_task = limited = free = 0
        rules: Counter = Counter()
        for pi in candidates:
            p = inst.people[pi]
            if (pi, slot.index) not in inst.options:
                absent += 1
                continue
            if (p.id, slot.date, slot.shift.id) in busy:
                on_task += 1
                continue
            rested = set()
            for a in by_person.get(p.id, []):
                b0, b1 = shifts[a.shift_id].interval(a.date)
                if (
                    (slot.start >= b1 and slot.start - b1 < dt.timedelta(hours=rest_hours))
                    or (b0 >= slot.end and b0 - slot.end < dt.timedelta(hours=rest_hours))
                    or a.date == slot.date
                ):
                    rested.add(p.id)
            why = _limit(inst, p, slot.shift.id, counts, rested)
            if why:
                limited += 1
                rules[why] += 1
            else:
                free += 1
        what = LABELS.get(sf.requirement, f"people with {sf.requirement.split(':', 1)[-1]}")
        who = f"{what} of {county} who may take it"
        if not candidates:
            reason = f"no {who.replace(' who may take it', '')} may take {sf.target_id} at all"
        else:
            parts = [f"{absent} absent", f"{on_task} on other tasks"]
            if limited:
                parts.append(
                    f"{limited} at labour-rule limits ("
                    + ", ".join(f"{n} × {r}" for r, n in rules.most_common(3))
                    + ")"
                )
            if free:
                parts.append(f"{free} free but not sent: the rest of the plan weighs more")
            reason = f"{slot.label}: of {len(candidates)} {who}, " + ", ".join(parts)
        out.append(sf.model_copy(update={"reason": reason}))
    return out
