"""Who holds each post in one shift of a plan, and whether that is enough.

A plan is the scenario's own list of `Assignment` (person, date, shift, task, target). A
caller without a plan can pass a plain mapping ``post_id → (assigned, required)`` instead.

Status of a post in a shift:
- ``closed``: the post is not manned during the shift (its daily windows miss it) and nobody
  is assigned;
- ``unmanned``: someone is required and nobody is assigned;
- ``short``: fewer people than required, or fewer armed officers than ``min_armed``;
- ``manned``: everything required is there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from optimizer.scenario import Assignment, Person, Post, Scenario, ShiftTemplate, TaskKind

Status = Literal["manned", "short", "unmanned", "closed"]


@dataclass(frozen=True)
class PostStaffing:
    post_id: str
    assigned: int
    required: int
    armed: int = 0
    armed_required: int = 0
    people: tuple[Person, ...] = field(default_factory=tuple)
    until: dt.datetime | None = None

    @property
    def status(self) -> Status:
        if self.required == 0 and self.armed_required == 0:
            return "manned" if self.assigned else "closed"
        if self.assigned == 0:
            return "unmanned"
        if self.assigned < self.required or self.armed < self.armed_required:
            return "short"
        return "manned"


def shift_hours(shift: ShiftTemplate) -> list[int]:
    """Hours of the day (0–23) a shift touches, wrapping past midnight."""
    start = shift.start.hour
    extra = 1 if shift.start.minute else 0
    return [(start + i) % 24 for i in range(shift.hours + extra)]


def post_open(post: Post, shift: ShiftTemplate) -> bool:
    return any(post.manned_at(h) for h in shift_hours(shift))


def required_staff(
    scenario: Scenario, post: Post, date: dt.date, shift: ShiftTemplate
) -> tuple[int, int]:
    """(people, armed) the post needs in this shift, read as the optimiser reads it: for each
    count, the last `Cover` of the scenario that matches the post, the day and the shift and
    gives that count wins (the scenario format's rule); else the post's own minimum while it
    is open."""
    staff: int | None = None
    armed: int | None = None
    for cover in scenario.covers:
        if cover.target_id != post.id:
            continue
        if cover.date not in (None, date) or cover.shift_id not in (None, shift.id):
            continue
        staff = cover.required if cover.required is not None else staff
        armed = cover.armed if cover.armed is not None else armed
    if staff is None and armed is None and not post_open(post, shift):
        return 0, 0
    people = staff if staff is not None else post.min_staff if post_open(post, shift) else 0
    return people, min(armed if armed is not None else post.min_armed, people)


def staffing_for_shift(
    scenario: Scenario,
    plan: Sequence[Assignment],
    date: dt.date,
    shift_id: str,
) -> dict[str, PostStaffing]:
    """Staffing of every post in one shift of a plan."""
    shifts = scenario.by_id("shifts")
    if shift_id not in shifts:
        raise ValueError(f"shift_id: unknown shift {shift_id!r}")
    shift: ShiftTemplate = shifts[shift_id]
    people: dict[str, Person] = scenario.by_id("people")
    on_post: dict[str, list[Person]] = {}
    for a in plan:
        if a.task == TaskKind.POST and a.date == date and a.shift_id == shift_id:
            person = people.get(a.person_id)
            if person is None:
                raise ValueError(f"plan: unknown person {a.person_id!r}")
            on_post.setdefault(a.target_id, []).append(person)
    _, until = shift.interval(date)
    out = {}
    for post in scenario.posts:
        holders = on_post.get(post.id, [])
        required, armed_required = required_staff(scenario, post, date, shift)
        out[post.id] = PostStaffing(
            post_id=post.id,
            assigned=len(holders),
            required=required,
            armed=sum(1 for p in holders if p.armed),
            armed_required=armed_required,
            people=tuple(holders),
            until=until,
        )
    return out


def staffing_from_counts(counts: Mapping[str, tuple[int, int]]) -> dict[str, PostStaffing]:
    """Staffing from a plain ``post_id → (assigned, required)`` mapping."""
    return {
        post_id: PostStaffing(post_id=post_id, assigned=assigned, required=required)
        for post_id, (assigned, required) in counts.items()
    }


def plan_shifts(scenario: Scenario, plan: Sequence[Assignment]) -> list[tuple[dt.date, str]]:
    """The (date, shift) steps of a plan in time order: every shift of the horizon that the
    plan uses, or every shift of the horizon when the plan is empty."""
    used = {(a.date, a.shift_id) for a in plan}
    shifts = scenario.by_id("shifts")
    steps = [
        (day, s.id)
        for day in scenario.horizon.dates
        for s in scenario.shifts
        if not used or (day, s.id) in used
    ]
    return sorted(steps, key=lambda step: shifts[step[1]].interval(step[0])[0])
