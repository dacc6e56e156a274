"""Why a requirement is unmet: for each shortfall, who could have filled it and what
kept each of them away — absent (leave, sick, training…), busy on another task in that
shift, or off duty because a labour rule binds (a shift-count limit reached, minimum rest)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict

from optimizer.patrol.instance import PatrolInstance
from optimizer.result import Shortfall
from optimizer.scenario import Assignment, MinRestRule, Person, ShiftCountRule, TaskKind

LABELS = {
    "post_cover": "people",
    "armed": "armed officers",
    "zone_presence": "patrollers",
    "standby": "ready officers on standby",
}


def _fits(p: Person, requirement: str, day: dt.date, required: list[str]) -> bool:
    """Whether `p` could meet `requirement` on `day` on a task that requires the skills
    `required` of everyone on it."""
    if not all(p.has_skill(skill, day) for skill in required):
        return False
    if requirement == "armed":
        return p.armed
    if requirement.startswith("skill:"):
        return p.has_skill(requirement.split(":", 1)[1], day)
    return True


#: the task kind a shortfall's requirement is about (armed officers and skills: any kind)
_KINDS = {"post_cover": ("post",), "zone_presence": ("zone",), "standby": ("standby",)}


class _Limits:
    """The hard labour rules that can keep an idle person off a shift, each rule's people and
    every person's shift counts in the plan, computed once."""

    def __init__(self, inst: PatrolInstance, plan: list[Assignment]) -> None:
        from optimizer.patrol.rules_labour import rule_name, selected

        self.counts: dict[str, Counter] = defaultdict(Counter)  # person → shift → count
        for a in plan:
            self.counts[a.person_id][a.shift_id] += 1
        self.worked: dict[tuple[str, int], int] = {}
        self.rules = [  # in the scenario's order: the first that binds is named
            (rule_name(rule), rule, set(selected(inst, rule.applies_to)))
            for rule in inst.scenario.rules
            if rule.hard
            and (
                (isinstance(rule, ShiftCountRule) and rule.max is not None)
                or isinstance(rule, MinRestRule)
            )
        ]

    def binding(self, pi: int, p: Person, shift_id: str, rested: bool) -> str | None:
        """The labour rule that keeps idle person `pi` off this shift, if one binds."""
        for k, (name, rule, people) in enumerate(self.rules):
            if isinstance(rule, MinRestRule):
                if rested:
                    return name
                continue
            assert isinstance(rule, ShiftCountRule)
            if rule.shift_ids and shift_id not in rule.shift_ids:
                continue
            if pi in people and self._worked(p.id, k, rule) >= (rule.max or 0):
                return name
        return None

    def _worked(self, person_id: str, k: int, rule: ShiftCountRule) -> int:
        """The shifts `person_id` works that rule `k` counts (each person and rule once)."""
        if (person_id, k) not in self.worked:
            mine = self.counts.get(person_id, {})
            self.worked[person_id, k] = sum(
                c for sid, c in mine.items() if not rule.shift_ids or sid in rule.shift_ids
            )
        return self.worked[person_id, k]


#: the reason given to shortfalls left unexplained when the explanations' time is up
UNEXPLAINED = "not explained: the time limit was reached first"


def explain_shortfalls(
    inst: PatrolInstance,
    plan: list[Assignment],
    shortfalls: list[Shortfall],
    deadline: float | None = None,
) -> list[Shortfall]:
    """Each shortfall with its reason; those still to explain at `deadline` (perf_counter)
    keep the reason `UNEXPLAINED`."""
    busy = {(a.person_id, a.date, a.shift_id) for a in plan}
    limits = _Limits(inst, plan)
    task_index = {(t.kind.value, t.target): ti for ti, t in enumerate(inst.tasks)}
    shifts = inst.scenario.by_id("shifts")
    # each person's worked shifts as (start, end, date), computed once
    by_person: dict[str, list[tuple[dt.datetime, dt.datetime, dt.date]]] = defaultdict(list)
    for a in plan:
        by_person[a.person_id].append((*shifts[a.shift_id].interval(a.date), a.date))
    jur = inst.scenario.by_id("jurisdictions")
    posts = inst.scenario.by_id("posts")
    slots = {s.start: s for s in inst.slots}
    able: dict[int, list[int]] = defaultdict(list)  # task → who may do it at all
    for pi, tis in enumerate(inst.eligible):
        for ti in tis:
            able[ti].append(pi)
    rest_hours = max(
        (r.hours for r in inst.scenario.rules if isinstance(r, MinRestRule) and r.hard),
        default=0,
    )
    rest = dt.timedelta(hours=rest_hours)
    out = []
    for sf in shortfalls:
        if deadline is not None and time.perf_counter() > deadline:
            out.append(sf.model_copy(update={"reason": UNEXPLAINED}))
            continue
        slot = slots.get(dt.datetime.fromisoformat(sf.start or ""))
        kinds = _KINDS.get(sf.requirement, ("post", "zone", "standby"))
        ti = next(
            (task_index[k, sf.target_id] for k in kinds if (k, sf.target_id) in task_index), None
        )
        if slot is None or ti is None:
            out.append(sf)
            continue
        task = inst.tasks[ti]
        county = jur[task.county].name if task.county in jur else task.county
        post = posts.get(task.target) if task.kind == TaskKind.POST else None
        required = post.required_skills if post is not None else []
        # eligible in principle: anyone for whom the task is an option in any slot
        candidates = [
            pi for pi in able[ti] if _fits(inst.people[pi], sf.requirement, slot.date, required)
        ]
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
            rested = False
            for b0, b1, date in by_person.get(p.id, []):
                if (
                    (slot.start >= b1 and slot.start - b1 < rest)
                    or (b0 >= slot.end and b0 - slot.end < rest)
                    or date == slot.date
                ):
                    rested = True
                    break
            why = limits.binding(pi, p, slot.shift.id, rested)
            if why:
                limited += 1
                rules[why] += 1
            else:
                free += 1
        what = LABELS.get(sf.requirement, f"people with {sf.requirement.split(':', 1)[-1]}")
        if required:  # only people holding the post's required skills may stand there
            what += " holding " + ", ".join(required)
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
