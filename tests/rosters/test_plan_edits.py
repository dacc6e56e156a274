"""Manual edits of a draft plan: each kind's changes and pins, a swap, the checker's verdict
with the rule's name, refusals that change nothing, and a re-plan stored over the draft."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlmodel import Session

from optimizer.patrol.result import PatrolResult
from optimizer.result import SolveStatus
from optimizer.scenario import Assignment, TaskKind, parse_scenario
from rosters.models import Person
from rosters.models.plans import Plan, PlanAssignment
from rosters.plan_edits import (
    Edit,
    EditRefused,
    apply_edit,
    check_edit,
    eligible_people,
    load_pins,
    plan_workspace,
    store_replan,
)
from rosters.plans import load_assignments, publish_plan, save_plan
from rosters.scenario_db import load_scenario_into_db
from tests.api.city import DAY, city_data


def _a(person: str, shift: str, target: str) -> Assignment:
    return Assignment(
        person_id=person, date=DAY, shift_id=shift, task=TaskKind.POST, target_id=target
    )


@pytest.fixture
def plan(session: Session) -> Plan:
    scenario = parse_scenario(city_data())
    load_scenario_into_db(session, scenario, replace=True)
    plan_id = save_plan(
        session, name="p", start=DAY, days=1, status="feasible", assignments=scenario.published_plan
    )
    return session.get(Plan, plan_id)  # type: ignore[return-value]


def _row(session: Session, plan: Plan, badge: str) -> int:
    return session.execute(
        select(PlanAssignment.id)
        .join(Person, Person.id == PlanAssignment.person_id)
        .where(PlanAssignment.plan_id == plan.id, Person.badge == badge)
    ).scalar_one()


def test_replacing_with_someone_on_another_post_of_the_shift_swaps_them(
    session: Session, plan: Plan
) -> None:
    ws = plan_workspace(session, plan, "Asia/Shanghai")
    edit = Edit(kind="replace", row=_row(session, plan, "K1-0"), person="K1-2")
    verdict = apply_edit(session, ws, plan, edit, by="c")
    assert verdict.legal
    assert sorted(verdict.added, key=str) == sorted(
        [_a("K1-2", "day", "K1-A"), _a("K1-0", "day", "K1-B")], key=str
    )
    after = load_assignments(session, plan.id)  # type: ignore[arg-type]
    assert _a("K1-2", "day", "K1-A") in after and _a("K1-0", "day", "K1-B") in after
    pins = {
        (p.assignment.person_id, p.assignment.target_id, p.keep)
        for _, p in load_pins(session, plan.id)
    }  # type: ignore[arg-type]
    assert pins == {
        ("K1-2", "K1-A", True),
        ("K1-0", "K1-B", True),
        ("K1-0", "K1-A", False),
        ("K1-2", "K1-B", False),
    }
    assert plan.summary["edited"] and "objective_terms" in plan.summary


def test_a_breaking_edit_names_the_rule_and_needs_a_reason(session: Session, plan: Plan) -> None:
    ws = plan_workspace(session, plan, "Asia/Shanghai")
    edit = Edit(kind="add", person="K1-0", date=DAY, shift="night", target="K1-A")
    verdict = check_edit(session, ws, plan, edit)
    assert [(b.zh, b.en) for b in verdict.broken] == [("每天至多一班", "one shift a day")]
    assert verdict.broken[0].detail_zh == "K1-0 在 2025-05-05 上 2 个班"
    with pytest.raises(EditRefused, match="reason"):
        apply_edit(session, ws, plan, edit, by="c")
    assert len(load_assignments(session, plan.id)) == 5  # type: ignore[arg-type]
    apply_edit(session, ws, plan, edit, by="c", reason="活动加岗")
    (pin,) = [p for p, _ in load_pins(session, plan.id)]  # type: ignore[arg-type]
    assert pin.override_reason == "活动加岗" and pin.broken == ["K1-0 works 2 shifts on 2025-05-05"]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (Edit(kind="add", person="NOBODY", date=DAY, shift="day", target="K1-A"), "person"),
        (Edit(kind="add", person="K1-0", date=DAY, shift="day", target="NOWHERE"), "target"),
        (
            Edit(
                kind="add",
                person="K1-0",
                date=DAY + dt.timedelta(days=3),
                shift="day",
                target="K1-A",
            ),
            "date",
        ),
        (Edit(kind="remove", row=999_999), "row"),
        (Edit(kind="move", row=None, target="K1-B"), "row"),
    ],
)
def test_bad_edits_are_refused_naming_the_field(
    session: Session, plan: Plan, edit: Edit, field: str
) -> None:
    ws = plan_workspace(session, plan, "Asia/Shanghai")
    with pytest.raises(EditRefused, match=f"^{field}"):
        check_edit(session, ws, plan, edit)


def test_the_picker_lists_eligible_people_nearest_first(session: Session, plan: Plan) -> None:
    ws = plan_workspace(session, plan, "Asia/Shanghai")
    current = load_assignments(session, plan.id)  # type: ignore[arg-type]
    people = eligible_people(ws, DAY, "day", "K1-A", current)
    assert {c.badge for c in people} == {"K1-2"}  # K1-0, K1-1 are on it; K2 is another county
    assert people[0].busy == "K1-B"
    night = eligible_people(ws, DAY, "night", "K1-A", current)
    assert [c.minutes for c in night] == sorted(c.minutes for c in night)
    assert all(c.works_that_day for c in night)


def test_published_plans_are_not_edited_nor_replanned(session: Session, plan: Plan) -> None:
    ws = plan_workspace(session, plan, "Asia/Shanghai")
    publish_plan(session, plan.id, by="c")  # type: ignore[arg-type]
    with pytest.raises(EditRefused, match="published"):
        apply_edit(session, ws, plan, Edit(kind="remove", row=_row(session, plan, "K1-0")), by="c")
    result = PatrolResult(status=SolveStatus.FEASIBLE, assignments=[_a("K1-0", "day", "K1-A")])
    with pytest.raises(EditRefused, match="published"):
        store_replan(session, plan.id, result)  # type: ignore[arg-type]
