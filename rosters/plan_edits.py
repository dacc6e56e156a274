"""Editing a draft patrol plan by hand: move, swap, add or remove an assignment, each
checked at once by the independent checker (`optimizer.patrol.check`: hard rules) with its
effect on the objective terms (`optimizer.patrol.evaluate`); the people a slot may take,
nearest first; the pins an edit leaves (`PlanPin`) and the re-plan that keeps them.

    plan_workspace(session, plan, tz)            -> Workspace (the plan's scenario, cached)
    check_edit(session, ws, plan, edit)          -> Verdict (broken rules, terms before/after)
    apply_edit(session, ws, plan, edit, by, reason) -> Verdict (stored, pinned)
    eligible_people(ws, date, shift, task, target, plan) -> [Candidate] nearest first
    store_replan(session, plan_id, result)       -> the re-planned assignments stored

An edit that breaks a hard rule is refused unless it comes with a reason (an override,
kept on its pins and audited by the caller)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from optimizer.patrol.check import check_plan, plan_shortfalls
from optimizer.patrol.evaluate import plan_terms
from optimizer.patrol.explain import explain_shortfalls
from optimizer.patrol.instance import PatrolInstance, build_instance
from optimizer.patrol.objective import published_keys
from optimizer.patrol.pins import Pin
from optimizer.scenario import Assignment, Scenario, TaskKind
from rosters.models import Person
from rosters.models.plans import Plan, PlanAssignment, PlanPin
from rosters.plan_texts import violation_zh
from rosters.plans import PlanError, load_assignments, target_counties

EditKind = Literal["add", "remove", "move", "replace", "pin"]
EDIT_KINDS: tuple[str, ...] = ("add", "remove", "move", "replace", "pin")
#: seconds a plan's scenario and instance stay cached between edits
WORKSPACE_SECONDS = 300.0


class EditRefused(PlanError):
    """An edit that cannot be made (bad input, or a broken hard rule without a reason)."""


@dataclass(frozen=True)
class Edit:
    """One manual change of a plan.

    - add: ``person`` does ``task``/``target`` in the slot ``date``/``shift``;
    - remove: the assignment ``row`` goes;
    - move: the assignment ``row`` goes to ``target`` (same person, same slot);
    - replace: ``person`` takes the assignment ``row`` (when ``person`` already works in that
      slot, the two swap their tasks);
    - pin: the assignment ``row`` stays as it is in a re-plan.
    """

    kind: EditKind
    row: int | None = None
    person: str = ""
    date: dt.date | None = None
    shift: str = ""
    task: TaskKind | None = None
    target: str = ""


@dataclass(frozen=True)
class BrokenRule:
    """A hard rule an edit breaks: its name (Chinese, English) and the checker's words."""

    zh: str
    en: str
    detail: str
    detail_zh: str = ""


@dataclass
class Verdict:
    """What an edit does: the plan's changes, the rules it breaks, the objective terms."""

    added: list[Assignment]
    removed: list[Assignment]
    broken: list[BrokenRule]
    before: dict[str, float]
    after: dict[str, float]
    pins: list[Pin] = field(default_factory=list)

    @property
    def legal(self) -> bool:
        return not self.broken

    @property
    def deltas(self) -> list[tuple[str, float, float, float]]:
        """(term, before, after, change) of every term, the changed ones first."""
        names = sorted(self.before.keys() | self.after.keys())
        rows = [
            (n, self.before.get(n, 0.0), self.after.get(n, 0.0)) for n in names if n != "change"
        ]
        out = [(n, b, a, round(a - b, 3)) for n, b, a in rows]
        return sorted(out, key=lambda r: (r[3] == 0, r[0]))

    @property
    def objective_change(self) -> float:
        return round(sum(self.after.values()) - sum(self.before.values()), 3)


# --- the plan's scenario -------------------------------------------------------------------


@dataclass
class Workspace:
    """A plan's scenario (the roster of its horizon) and its instance (built on first use)."""

    scenario: Scenario
    made: float
    _inst: PatrolInstance | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    _terms: dict[frozenset[tuple[int, int, int]], dict[str, float]] = field(default_factory=dict)

    @property
    def inst(self) -> PatrolInstance:
        with self._lock:
            if self._inst is None:
                self._inst = build_instance(self.scenario)
            return self._inst

    def terms(self, plan: Sequence[Assignment]) -> dict[str, float]:
        """The plan's objective terms (the last few plans' kept: an edit's "after" is the
        next edit's "before")."""
        keys = frozenset(published_keys(self.inst, list(plan)))
        with self._lock:
            found = self._terms.get(keys)
        if found is None:
            found = plan_terms(self.inst, keys)
            with self._lock:
                if len(self._terms) >= 8:
                    self._terms.pop(next(iter(self._terms)))
                self._terms[keys] = found
        return found


#: (plan id, engine, created at, start, days) → its workspace: a plan of another database
#: (tests) or a plan re-created under the same id never finds another's
_Key = tuple[int, int, dt.datetime, dt.date, int]
_cache: dict[_Key, Workspace] = {}
_cache_lock = threading.Lock()
_building: dict[_Key, threading.Lock] = {}


def plan_workspace(session: Session, plan: Plan, tz: str) -> Workspace:
    """The plan's scenario: the roster of the plan's horizon (only its county when the plan
    covers one), kept a few minutes for the edits that follow."""
    from rosters.scenario_db import export_scenario

    key = (plan.id or 0, id(session.get_bind()), plan.created_at, plan.start, plan.days)
    with _cache_lock:
        for k in [k for k, w in _cache.items() if time.monotonic() - w.made > WORKSPACE_SECONDS]:
            del _cache[k]
        building = _building.setdefault(key, threading.Lock())
    with building:  # one build a plan: a request waits for the warm-up under way
        with _cache_lock:
            found = _cache.get(key)
        if found is not None:
            return found
        counties = plan_counties(session, plan.id or 0)
        scenario = export_scenario(
            session,
            start=plan.start,
            days=plan.days,
            county=next(iter(counties)) if len(counties) == 1 else None,
            name=plan.name,
            tz=tz,
        )
        ws = Workspace(scenario, time.monotonic())
        with _cache_lock:
            _cache[key] = ws
        return ws


def warm_workspace(engine: Engine, plan_id: int, tz: str) -> threading.Thread:
    """Build the plan's workspace — its scenario and the checker's instance, seconds on a
    city — in a thread of its own, so that the commander's first edit does not wait for it
    (an edit arriving meanwhile waits for this build instead of starting another)."""

    def build() -> None:
        try:
            with Session(engine) as session:
                plan = session.get(Plan, plan_id)
                if plan is not None:
                    plan_workspace(session, plan, tz).inst  # noqa: B018 (built on first use)
        except Exception:  # a warm-up only: the edit that needs it builds it again and says why
            logging.getLogger(__name__).exception("plan %s: workspace warm-up failed", plan_id)

    thread = threading.Thread(target=build, name=f"pingan-workspace-{plan_id}", daemon=True)
    thread.start()
    return thread


def cached_workspace(engine: Engine, plan_id: int) -> Workspace | None:
    """The plan's workspace if one is kept."""
    with _cache_lock:
        return next((w for k, w in _cache.items() if k[0] == plan_id and k[1] == id(engine)), None)


def forget_workspace(plan_id: int) -> None:
    with _cache_lock:
        for k in [k for k in _cache if k[0] == plan_id]:
            del _cache[k]


def plan_counties(session: Session, plan_id: int) -> set[str]:
    """The counties where the plan has assignments."""
    county_of = target_counties(session)
    targets = session.execute(
        select(PlanAssignment.target)  # type: ignore[call-overload]
        .where(PlanAssignment.plan_id == plan_id)
        .distinct()
    ).scalars()
    return {county_of.get(t, t) for t in targets}


# --- edits ---------------------------------------------------------------------------------


def _row(session: Session, plan_id: int, row: int | None) -> tuple[PlanAssignment, Assignment]:
    if row is None:
        raise EditRefused("row: which assignment to change")
    found = session.execute(
        select(PlanAssignment, Person.badge)
        .join(Person, Person.id == PlanAssignment.person_id)  # type: ignore[arg-type]
        .where(PlanAssignment.id == row, PlanAssignment.plan_id == plan_id)  # type: ignore[arg-type]
    ).first()
    if found is None:
        raise EditRefused(f"row: assignment {row} is not in plan {plan_id}")
    pa, badge = found
    return pa, Assignment(
        person_id=badge, date=pa.date, shift_id=pa.shift, task=pa.task, target_id=pa.target
    )


def _target_task(scenario: Scenario, target: str, task: TaskKind | None) -> TaskKind:
    kinds = {
        **{f.jurisdiction_id: TaskKind.STANDBY for f in scenario.standby},
        **{z.id: TaskKind.ZONE for z in scenario.zones},
        **{p.id: TaskKind.POST for p in scenario.posts},
    }
    if target not in kinds:
        raise EditRefused(f"target: unknown post, zone or standby county {target!r}")
    if task is not None and kinds[target] != task:
        raise EditRefused(f"task: {target} is a {kinds[target].value}, not a {task.value}")
    return kinds[target]


def changes_of(
    session: Session, ws: Workspace, plan: Plan, edit: Edit, current: Sequence[Assignment]
) -> tuple[list[Assignment], list[Assignment], list[Pin]]:
    """(added, removed, pins) of an edit, bad input refused with the field named."""
    s = ws.scenario
    plan_id: int = plan.id  # type: ignore[assignment]
    if edit.kind == "add":
        if edit.date is None or not edit.shift or not edit.target or not edit.person:
            raise EditRefused("add: person, date, shift and target are needed")
        if edit.person not in s.by_id("people"):
            raise EditRefused(f"person: unknown person {edit.person!r}")
        if edit.shift not in s.by_id("shifts"):
            raise EditRefused(f"shift: unknown shift {edit.shift!r}")
        if edit.date not in s.horizon.dates:
            raise EditRefused(f"date: {edit.date} is not a day of the plan")
        task = _target_task(s, edit.target, edit.task)
        new = Assignment(
            person_id=edit.person,
            date=edit.date,
            shift_id=edit.shift,
            task=task,
            target_id=edit.target,
        )
        if new in current:
            raise EditRefused("add: the person already does this")
        return [new], [], [Pin(new)]
    _, old = _row(session, plan_id, edit.row)
    if edit.kind == "remove":
        return [], [old], [Pin(old, keep=False)]
    if edit.kind == "pin":
        return [], [], [Pin(old)]
    if edit.kind == "move":
        task = _target_task(s, edit.target, edit.task)
        new = old.model_copy(update={"task": task, "target_id": edit.target})
        if new == old:
            raise EditRefused("target: the assignment is there already")
        return [new], [old], [Pin(new), Pin(old, keep=False)]
    if edit.kind == "replace":
        if edit.person not in s.by_id("people"):
            raise EditRefused(f"person: unknown person {edit.person!r}")
        if edit.person == old.person_id:
            raise EditRefused("person: the assignment is theirs already")
        new = old.model_copy(update={"person_id": edit.person})
        theirs = [
            a
            for a in current
            if a.person_id == edit.person and a.date == old.date and a.shift_id == old.shift_id
        ]
        added, removed = [new], [old]
        pins = [Pin(new), Pin(old, keep=False)]
        for a in theirs:  # a swap: the old person takes over what the new one did
            swapped = a.model_copy(update={"person_id": old.person_id})
            added.append(swapped)
            removed.append(a)
            pins += [Pin(swapped), Pin(a, keep=False)]
        return added, removed, pins
    raise EditRefused(f"kind: one of {', '.join(EDIT_KINDS)}")


def _squad_mates(s: Scenario, people: set[str]) -> set[str]:
    forces = set(s.options.squads_whole)
    if not forces:
        return people
    by_id = s.by_id("people")
    units = {by_id[p].unit_id for p in people if p in by_id and by_id[p].unit_id}
    return people | {p.id for p in s.people if p.unit_id in units}


def _violations(s: Scenario, plan: Sequence[Assignment], people: set[str]) -> Counter[str]:
    """The checker's violations of these people's assignments (the scenario cut to them,
    so an edit is checked in milliseconds on a whole city)."""
    cut = s.model_copy(update={"people": [p for p in s.people if p.id in people]})
    return Counter(check_plan(cut, [a for a in plan if a.person_id in people]))


def check_edit(session: Session, ws: Workspace, plan: Plan, edit: Edit) -> Verdict:
    """What the edit would do, without storing anything."""
    current = load_assignments(session, plan.id)  # type: ignore[arg-type]
    added, removed, pins = changes_of(session, ws, plan, edit, current)
    after = [a for a in current if a not in removed] + added
    s = ws.scenario
    people = _squad_mates(s, {a.person_id for a in [*added, *removed]})
    new = _violations(s, after, people) - _violations(s, current, people)
    return Verdict(
        added=added,
        removed=removed,
        broken=[rule_of(s, message) for message in sorted(new)],
        before=ws.terms(current),
        after=ws.terms(after),
        pins=pins,
    )


def apply_edit(
    session: Session, ws: Workspace, plan: Plan, edit: Edit, *, by: str, reason: str = ""
) -> Verdict:
    """Check and store the edit in the caller's transaction, with its pins; an edit that
    breaks a hard rule needs ``reason`` (the override's, kept on its pins)."""
    if plan.published_at is not None:
        raise EditRefused(f"plan {plan.id} is published: edit a draft")
    verdict = check_edit(session, ws, plan, edit)
    reason = reason.strip()
    if not verdict.legal and not reason:
        names = "; ".join(b.en for b in verdict.broken)
        raise EditRefused(f"reason: the edit breaks {names}; an override needs a reason")
    if len(reason) > 500:
        raise EditRefused("reason: at most 500 characters")
    plan_id: int = plan.id  # type: ignore[assignment]
    ids = _person_ids(session, {a.person_id for a in [*verdict.added, *verdict.removed]})
    for a in verdict.removed:
        session.execute(
            delete(PlanAssignment).where(
                PlanAssignment.plan_id == plan_id,  # type: ignore[arg-type]
                PlanAssignment.person_id == ids[a.person_id],  # type: ignore[arg-type]
                PlanAssignment.date == a.date,  # type: ignore[arg-type]
                PlanAssignment.shift == a.shift_id,  # type: ignore[arg-type]
                PlanAssignment.task == a.task.value,  # type: ignore[arg-type]
                PlanAssignment.target == a.target_id,  # type: ignore[arg-type]
            )
        )
    if verdict.added:
        session.execute(
            insert(PlanAssignment), [_row_values(plan_id, ids, a) for a in verdict.added]
        )
    broken = [b.detail for b in verdict.broken]
    store_pins(session, plan_id, ids, verdict.pins, by=by, reason=reason, broken=broken)
    after = load_assignments(session, plan_id)
    plan.objective = round(sum(verdict.after.values()), 3)
    plan.summary = {
        **(plan.summary or {}),
        "objective_terms": verdict.after,
        "shortfalls": [
            s.model_dump(mode="json")
            for s in explain_shortfalls(ws.inst, after, plan_shortfalls(ws.scenario, after))
        ],
        "edited": True,
    }
    session.add(plan)
    session.flush()
    return verdict


def _person_ids(session: Session, badges: set[str]) -> dict[str, int]:
    ids = dict(
        session.execute(select(Person.badge, Person.id).where(Person.badge.in_(badges))).all()  # type: ignore[attr-defined]
    )
    missing = badges - ids.keys()
    if missing:
        raise EditRefused(f"person: unknown people {', '.join(sorted(missing))}")
    return ids


def _row_values(plan_id: int, ids: dict[str, int], a: Assignment) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "person_id": ids[a.person_id],
        "date": a.date,
        "shift": a.shift_id,
        "task": a.task.value,
        "target": a.target_id,
    }


def store_pins(
    session: Session,
    plan_id: int,
    ids: dict[str, int],
    pins: Sequence[Pin],
    *,
    by: str,
    reason: str = "",
    broken: Sequence[str] = (),
) -> None:
    """Add the pins (a pin on the same assignment as an older one replaces it)."""
    for pin in pins:
        a = pin.assignment
        session.execute(
            delete(PlanPin).where(
                PlanPin.plan_id == plan_id,  # type: ignore[arg-type]
                PlanPin.person_id == ids[a.person_id],  # type: ignore[arg-type]
                PlanPin.date == a.date,  # type: ignore[arg-type]
                PlanPin.shift == a.shift_id,  # type: ignore[arg-type]
                PlanPin.target == a.target_id,  # type: ignore[arg-type]
            )
        )
        session.add(
            PlanPin(
                plan_id=plan_id,
                person_id=ids[a.person_id],
                date=a.date,
                shift=a.shift_id,
                task=a.task.value,
                target=a.target_id,
                keep=pin.keep,
                override_reason=reason if pin.keep else "",
                broken=list(broken) if pin.keep else [],
                created_by=by,
            )
        )
    session.flush()


def load_pins(session: Session, plan_id: int) -> list[tuple[PlanPin, Pin]]:
    rows = session.execute(
        select(PlanPin, Person.badge)
        .join(Person, Person.id == PlanPin.person_id)  # type: ignore[arg-type]
        .where(PlanPin.plan_id == plan_id)  # type: ignore[arg-type]
        .order_by(PlanPin.id)  # type: ignore[arg-type]
    ).all()
    return [
        (
            p,
            Pin(
                Assignment(
                    person_id=badge, date=p.date, shift_id=p.shift, task=p.task, target_id=p.target
                ),
                keep=p.keep,
                override=p.override_reason != "",
            ),
        )
        for p, badge in rows
    ]


def store_replan(session: Session, plan_id: int, result: Any) -> Plan:
    """Replace a draft plan's assignments with a re-plan's (its pins stay)."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanError(f"plan {plan_id}: no such plan")
    if plan.published_at is not None:
        raise EditRefused(f"plan {plan_id} was published meanwhile: not re-planned")
    ids = _person_ids(session, {a.person_id for a in result.assignments})
    session.execute(delete(PlanAssignment).where(PlanAssignment.plan_id == plan_id))  # type: ignore[arg-type]
    if result.assignments:
        session.execute(
            insert(PlanAssignment), [_row_values(plan_id, ids, a) for a in result.assignments]
        )
    plan.objective, plan.bound, plan.gap = result.objective, result.bound, result.gap
    plan.status = result.status.value
    plan.summary = {
        **result.model_dump(mode="json", exclude={"assignments"}),
        "replanned": True,
    }
    session.add(plan)
    session.flush()
    forget_workspace(plan_id)
    return plan


# --- the picker ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person who may take a slot's task: how far they are, and what they do then."""

    badge: str
    name: str
    unit: str
    minutes: float
    busy: str  # their task in that slot ("" when free)
    works_that_day: bool


def eligible_people(
    ws: Workspace,
    date: dt.date,
    shift: str,
    target: str,
    plan: Sequence[Assignment],
    *,
    search: str = "",
    limit: int = 30,
) -> list[Candidate]:
    """The people whose force, county and certificates let them do ``target`` in the slot
    (and who are not absent then), nearest first; those already on it are left out."""
    inst = ws.inst
    slot = inst.slot_of(date, shift)
    if slot is None:
        raise EditRefused(f"slot: {date} {shift} is not in the plan")
    ti = next((i for i, t in enumerate(inst.tasks) if t.target == target), None)
    if ti is None:
        raise EditRefused(f"target: unknown post, zone or standby county {target!r}")
    there = {a.person_id for a in plan if a.date == date and a.shift_id == shift}
    doing = {
        a.person_id: a.target_id
        for a in plan
        if a.date == date and a.shift_id == shift and a.target_id != target
    }
    on_it = there - doing.keys()
    that_day = {a.person_id for a in plan if a.date == date}
    units = ws.scenario.by_id("units")
    needle = search.strip().lower()
    out = []
    for (pi, si), tasks in inst.options.items():
        if si != slot.index or ti not in tasks:
            continue
        p = inst.people[pi]
        if p.id in on_it:
            continue
        unit = units[p.unit_id].name if p.unit_id and p.unit_id in units else ""
        if needle and needle not in f"{p.id} {p.name} {unit}".lower():
            continue
        out.append(
            Candidate(
                badge=p.id,
                name=p.name,
                unit=unit,
                minutes=round(inst.travel_minutes.get((pi, ti), 0.0), 1),
                busy=doing.get(p.id, ""),
                works_that_day=p.id in that_day,
            )
        )
    out.sort(key=lambda c: (c.minutes, c.badge))
    return out[:limit]


# --- rule names ----------------------------------------------------------------------------

#: the checker's sentences → the name of the hard rule they break (Chinese, English)
_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r" has \d+ tasks on "), "每班一项任务", "one task per shift"),
    (re.compile(r" works \d+ shifts on "), "每天至多一班", "one shift a day"),
    (re.compile(r" is absent during "), "请假期间不排班", "no duty while absent"),
    (re.compile(r" may not (man|patrol) "), "警种与岗位相符", "force fits the task"),
    (
        re.compile(r"^volunteer .* on armed checkpoint"),
        "志愿者不上武装卡点",
        "no volunteers on armed checkpoints",
    ),
    (re.compile(r" in another county$"), "本县执勤", "duty in one's own county"),
    (re.compile(r" away from home$"), "志愿者不出乡镇", "volunteers stay in their township"),
    (re.compile(r" may not be on standby "), "备勤资格", "standby eligibility"),
    (re.compile(r"^squad .* split "), "整建制出勤", "squads stay whole"),
    (re.compile(r" without the required "), "卡点所需技能", "the post's required skills"),
    (re.compile(r"^unknown "), "人员与班次有效", "known person, shift and date"),
]


def rule_of(s: Scenario, message: str) -> BrokenRule:
    """The named hard rule behind one of the checker's sentences (labour rules by the name
    the scenario gives them)."""
    names = frozenset(rule.name or rule.id for rule in s.rules)
    detail_zh = violation_zh(message, names)
    for name in names:
        if message.startswith(f"{name}: "):
            return BrokenRule(name, name, message, detail_zh)
    for pattern, zh, en in _RULES:
        if pattern.search(message):
            return BrokenRule(zh, en, message, detail_zh)
    return BrokenRule("硬性规则", "hard rule", message, detail_zh)
