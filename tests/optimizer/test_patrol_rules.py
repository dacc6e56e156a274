"""Labour rules, named conflicts, squads, re-planning, bad input and cancellation."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from ortools.sat.python import cp_model

from optimizer.patrol import PatrolInputError, SolveParams, check_plan, plan_patrol, replan_patrol
from optimizer.patrol.instance import build_instance
from optimizer.patrol.model import build_model
from optimizer.patrol.rules_labour import forbidden_pairs, succession_cliques
from optimizer.result import SolveStatus
from optimizer.scenario import Absence
from tests.optimizer.patrol_cases import DAY, person, post, scenario

REST = {"id": "rest", "kind": "min_rest", "hours": 11}
FAST = SolveParams(time_limit=20, num_workers=1, random_seed=1)


def solve(s):  # type: ignore[no-untyped-def]
    r = plan_patrol(s, FAST)
    assert check_plan(s, r.assignments) == []
    return r


def short(r, requirement: str = "post_cover") -> float:  # type: ignore[no-untyped-def]
    return sum(x.missing for x in r.shortfalls if x.requirement == requirement)


def test_max_shifts_rule_limits_and_is_named_in_the_reason() -> None:
    # 2 days × 3 shifts of one post, 3 people allowed 1 shift each: 3 short
    rule = {"id": "max1", "name": "每人最多1班", "kind": "shift_count", "max": 1}
    s = scenario([person(f"p{i}") for i in range(3)], [post("P1")], days=2, rules=[rule])
    r = solve(s)
    assert short(r) == 3
    assert any("每人最多1班" in x.reason for x in r.shortfalls)


def test_night_limit_counts_only_night_shifts() -> None:
    rule = {"id": "n", "kind": "shift_count", "max": 0, "shift_ids": ["N"]}
    s = scenario([person(f"p{i}") for i in range(3)], [post("P1")], rules=[rule])
    r = solve(s)
    assert short(r) == 1 and all(a.shift_id != "N" for a in r.assignments)


def test_min_rest_forbids_evening_then_night() -> None:
    # one person; the post needs E on day 1 and N on day 2 only: 0 h rest between them
    s = scenario(
        [person("a")],
        [post("P1", hours=[[0, 8], [16, 24]])],
        days=2,
        rules=[{"id": "rest", "kind": "min_rest", "hours": 11}],
    )
    r = solve(s)
    worked = {(a.date, a.shift_id) for a in r.assignments}
    assert not ({(DAY, "E"), (DAY + dt.timedelta(days=1), "N")} <= worked)
    assert check_plan(s, r.assignments) == []


def test_forbidden_succession_and_days_off() -> None:
    rules = [
        {"id": "fs", "kind": "forbidden_succession", "first": "D", "then": "D"},
        {"id": "off", "kind": "days_off", "weekdays": [1]},
    ]  # no Tuesdays
    s = scenario([person("a")], [post("P1", hours=[[8, 16]])], days=3, rules=rules)
    r = solve(s)
    days = sorted(a.date for a in r.assignments)
    assert DAY + dt.timedelta(days=1) not in days
    assert all((b - a).days > 1 for a, b in itertools.pairwise(days))


def test_max_consecutive_days_and_weekends() -> None:
    rules = [
        {"id": "run", "kind": "consecutive_work_days", "max": 2},
        {"id": "wk", "kind": "weekends", "max": 0},
    ]
    s = scenario([person("a")], [post("P1", hours=[[8, 16]])], days=7, rules=rules)
    r = solve(s)
    days = sorted(a.date for a in r.assignments)
    assert all(d.weekday() < 5 for d in days)
    assert len(days) == 4  # Mon Tue, Thu Fri: runs of at most two on weekdays
    assert check_plan(s, r.assignments) == []


def test_soft_rule_is_paid_for_not_enforced() -> None:
    rule = {"id": "max1", "kind": "shift_count", "max": 1, "hard": False, "weight": 1}
    s = scenario([person("a")], [post("P1")], days=2, rules=[rule])
    r = solve(s)
    assert len(r.assignments) == 2  # one a day; the second costs 1, far less than a gap
    assert r.objective_terms["labour rules"] == 1


def test_conflicting_hard_rules_are_named() -> None:
    rules = [
        {"id": "min3", "name": "每人至少3班", "kind": "shift_count", "min": 3},
        {"id": "max1", "name": "每人最多1班", "kind": "shift_count", "max": 1},
        {"id": "rest", "name": "休息11小时", "kind": "min_rest", "hours": 11},
    ]
    s = scenario([person("a")], [post("P1")], days=3, rules=rules)
    r = plan_patrol(s, FAST)
    assert r.status == SolveStatus.INFEASIBLE
    names = {c.rule for c in r.conflicts}
    assert {"每人至少3班", "每人最多1班"} <= names and "休息11小时" not in names
    assert "每人至少3班" in r.message


def test_squads_work_as_a_whole() -> None:
    people = [person(f"s{i}", force="patrol_swat", armed=True, unit="U1") for i in range(3)]
    s = scenario(
        people, [post("P1", hours=[[8, 16]], staff=3)], options={"squads_whole": ["patrol_swat"]}
    )
    r = solve(s)
    assert {(a.shift_id, a.target_id) for a in r.assignments} == {("D", "P1")}
    assert len(r.assignments) == 3


def test_replanning_changes_only_what_it_must() -> None:
    s = scenario([person(f"p{i}") for i in range(7)], [post("P1", staff=2)], days=2)
    first = solve(s)
    sick = first.assignments[-1].person_id
    day2 = DAY + dt.timedelta(days=1)
    s.published_plan = first.assignments
    s.absences.append(
        Absence(
            person_id=sick,
            start=dt.datetime.combine(day2, dt.time(0)),
            end=dt.datetime.combine(day2, dt.time(23, 59)),
            kind="sick",
        )
    )
    r = replan_patrol(s, since=dt.datetime.combine(day2, dt.time(0)), params=FAST)
    assert check_plan(s, r.assignments) == []
    assert r.diff is not None
    assert [a.person_id for a in r.diff.removed] == [sick]
    assert len(r.diff.added) == 1 and r.diff.added[0].person_id != sick
    kept = {(a.person_id, a.date, a.shift_id) for a in r.assignments}
    assert all(
        (a.person_id, a.date, a.shift_id) in kept for a in first.assignments if a.person_id != sick
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.horizon.__setattr__("days", 29), "horizon.days"),
        (lambda s: s.people.clear(), "people: the roster is empty"),
        (lambda s: s.shifts.clear(), "shifts"),
    ],
)
def test_bad_input_is_refused_before_solving(change, message: str) -> None:  # type: ignore[no-untyped-def]
    s = scenario([person("a")], [post("P1")])
    change(s)
    with pytest.raises(PatrolInputError, match=message):
        plan_patrol(s, FAST)


def test_cancelled_solve_says_so() -> None:
    cancel = threading.Event()
    cancel.set()
    s = scenario([person(f"p{i}") for i in range(4)], [post("P1", staff=2)])
    r = plan_patrol(s, FAST, cancel=cancel)
    assert r.status == SolveStatus.CANCELLED


def _slot_names(inst, slots):  # type: ignore[no-untyped-def]
    return sorted((inst.slots[si].day, inst.slots[si].shift.id) for si in slots)


def test_rest_cliques_hold_every_forbidden_pair_and_only_conflicting_slots() -> None:
    inst = build_instance(scenario([person("a")], [post("P1")], days=3))
    pairs = forbidden_pairs(inst, 11)
    cliques = succession_cliques(inst, pairs)
    # after an evening nothing the next morning or night; after a day shift no night
    assert sorted(_slot_names(inst, c) for c in cliques) == [
        [(0, "D"), (0, "E"), (1, "N")],
        [(0, "E"), (1, "D"), (1, "N")],
        [(1, "D"), (1, "E"), (2, "N")],
        [(1, "E"), (2, "D"), (2, "N")],
    ]
    forbidden = set(pairs) | {(b, a) for a, b in pairs}
    assert all(any(a in c and b in c for c in cliques) for a, b in pairs)
    for c in cliques:  # a person may work at most one slot of each
        for a, b in itertools.combinations(c, 2):
            assert inst.slots[a].day == inst.slots[b].day or (a, b) in forbidden


def test_hard_rest_lets_identical_people_counted_together_split_into_personal_plans() -> None:
    # two identical people counted once (a class of 2): whoever works the evening of day 1
    # can work neither shift of day 2 that follows too soon, so the class cannot have the
    # evening of day 1 and both the day and night shifts of day 2 — the pairs alone allowed
    # it (evening + day = 2, evening + night = 2)
    s = scenario([person("a")], [post("P1", staff=2)], days=2, rules=[REST])
    inst = build_instance(s)
    slot = {(x.day, x.shift.id): x.index for x in inst.slots}

    def feasible(worked: list[tuple[int, str]]) -> bool:
        built = build_model(inst.of_people([0], count=[2]))
        for key in worked:
            built.model.add(built.vars.work[0, slot[key]] == 1)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        return solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    assert feasible([(0, "E"), (1, "D")]) and feasible([(0, "E"), (1, "E"), (1, "N")])
    assert not feasible([(0, "E"), (1, "D"), (1, "N")])
