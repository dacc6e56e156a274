"""Planning a group of people again (`reroster.py`): the group's sub-model is the patrol
model with everyone else fixed — its best plan is the whole model's best plan with the
others' assignments kept, on a crafted week with every kind of term, soft and hard labour
rules, fairness groups split by the group, residual cover, armed and skill needs."""

from __future__ import annotations

import random
import threading
import time

import pytest
from ortools.sat.python import cp_model

import optimizer.patrol.reroster as reroster_module
from optimizer.patrol import check_plan
from optimizer.patrol.evaluate import plan_objective
from optimizer.patrol.instance import PatrolInstance, build_instance
from optimizer.patrol.model import build_model
from optimizer.patrol.objective import FAIRNESS, fairness_group, fairness_groups
from optimizer.patrol.plans import assignments_of
from optimizer.patrol.relax import MipWorkers, Relaxation, solve_proto
from optimizer.patrol.reroster import (
    KINDS,
    OWN_POOL_SECONDS,
    SearchLimits,
    _Draw,
    _fairness_group,
    _group,
    _zone_group,
    machine_busy,
    machine_slowdown,
    others_load,
    reroster,
    search,
    search_workers,
    start_workers,
    sub_instance,
)
from optimizer.patrol.rounding import fill_plan
from optimizer.patrol.rules_labour import shift_caps
from optimizer.patrol.variables import SCALE, Key
from optimizer.scenario import Scenario, TaskKind
from rosters.demo_city import build_demo_city
from tests.optimizer.test_patrol_evaluate import random_plans, week


def mip_optimum(model: cp_model.CpModel) -> float:
    """The whole patrol model's optimum as HiGHS proves it (objective units); CP-SAT does not
    prove this week optimal on one worker within minutes."""
    mip = Relaxation(model, integral=True, light=False)
    assert mip.dropped == 0  # every constraint of the model is in the MIP
    out = mip.solve(120)
    assert out.detail.startswith("OPTIMAL") and out.objective is not None
    return out.objective / SCALE


def best_with_others_kept(s: Scenario, plan: set[Key], group: list[int]) -> float:
    """The whole model's optimum when everyone outside `group` keeps their assignments."""
    built = build_model(build_instance(s))
    for (pi, si, ti), x in built.vars.x.items():
        if pi not in group:
            built.model.add(x == int((pi, si, ti) in plan))
    return mip_optimum(built.model)


@pytest.mark.parametrize(("seed", "group"), [(0, [0, 3]), (1, [1, 2]), (2, [0, 1, 4])])
def test_the_group_gets_the_best_plan_with_the_others_kept(seed: int, group: list[int]) -> None:
    s = week(hard=False)
    inst = build_instance(s)
    plan = random_plans(s, 1, seed)[0]
    out = reroster(inst, plan, group, seconds=30)
    assert out is not None
    new, proved = out
    assert proved
    assert {k for k in new if k[0] not in group} == {k for k in plan if k[0] not in group}
    assert plan_objective(inst, new) == pytest.approx(best_with_others_kept(s, plan, group))
    assert plan_objective(inst, new) < plan_objective(inst, plan)


def test_everyone_at_once_is_the_optimum_and_keeps_the_hard_rules() -> None:
    s = week(hard=True)
    inst = build_instance(s)
    start = fill_plan(inst)
    out = reroster(inst, start, list(range(len(inst.people))), seconds=30)
    assert out is not None and out[1]
    assert check_plan(s, assignments_of(inst, out[0])) == []
    optimum = mip_optimum(build_model(inst).model)
    assert plan_objective(inst, out[0]) == pytest.approx(optimum)


def test_the_cover_left_to_the_group_keeps_each_missing_persons_price() -> None:
    s = week(hard=False)
    inst = build_instance(s)
    zone = next(ti for ti, t in enumerate(inst.tasks) if t.kind == "zone")
    si = next(si for (ti, si), d in inst.demand.items() if ti == zone and d.staff and d.risk)
    d = inst.demand[zone, si]
    others = [pi for pi in range(len(inst.people)) if zone in inst.options.get((pi, si), ())]
    keep, group = others[:1], [pi for pi in range(len(inst.people)) if pi not in others[:1]]
    sub = sub_instance(inst, {(keep[0], si, zone)}, group)
    left = sub.demand[zone, si]
    assert left.staff == d.staff - 1 and left.cap == d.cap - 1
    assert left.minimum == max(0, d.minimum - 1)
    per_person = s.weights.risk_uncovered * d.risk / d.staff
    assert left.under_weight == pytest.approx(per_person)
    # an armed officer outside the group holds the armed checkpoint's armed need
    post = next(ti for ti, t in enumerate(inst.tasks) if t.target == "P1")
    armed = next(pi for pi, p in enumerate(inst.people) if p.armed)
    sub = sub_instance(inst, {(armed, 0, post)}, [pi for pi in range(5) if pi != armed])
    assert sub.demand[post, 0].armed == inst.demand[post, 0].armed - 1
    assert sub.people == [p for pi, p in enumerate(inst.people) if pi != armed]


def test_search_never_worsens_and_stops_when_cancelled() -> None:
    s = week(hard=False)
    inst = build_instance(s)
    start = random_plans(s, 1, 7)[0]
    reported: list[float] = []
    better = search(inst, start, time.perf_counter() + 8, seed=3, improved=reported.append)
    assert plan_objective(inst, better) < plan_objective(inst, start)
    assert reported and reported[-1] == plan_objective(inst, better)
    assert reported == sorted(reported, reverse=True)
    cancel = threading.Event()
    cancel.set()
    assert search(inst, start, time.perf_counter() + 60, cancel) is start


def test_mip_workers_answer_as_highs_does_here() -> None:
    s = week(hard=True)
    model = build_model(build_instance(s)).model
    proto = Relaxation(model, integral=True, light=False).proto
    here = solve_proto(proto, True, 60, 0, False)
    workers = MipWorkers(2)
    try:
        answers = [workers.submit(proto, 60, 0, None) for _ in range(3)]
        got = [a.result(timeout=120) for a in answers]
    finally:
        workers.close()
    assert all(g[3] == "OPTIMAL" and g[2] == pytest.approx(here[2]) for g in got)
    assert all(child.poll() is not None for child in workers.children)


def test_groups_side_by_side_improve_the_demo_county_day() -> None:
    s = build_demo_city("small", days=1)
    inst = build_instance(s)
    start = fill_plan(inst)
    assert check_plan(s, assignments_of(inst, start)) == []
    # counted groups, not a deadline: the plan found does not hang on the machine's load
    limits = SearchLimits(groups=6, deterministic=True)
    better = search(inst, start, time.perf_counter() + 300, seed=1, workers=2, limits=limits)
    assert plan_objective(inst, better) < plan_objective(inst, start)
    assert check_plan(s, assignments_of(inst, better)) == []


def test_a_search_given_its_workers_uses_them_and_leaves_them_to_their_owner() -> None:
    s = build_demo_city("small", days=1)
    inst = build_instance(s)
    assert search_workers(inst, 1) is None  # one worker: groups are solved in-process
    assert search_workers(inst.of_people(list(range(40))), 2) is None  # too few people
    start = fill_plan(inst)
    pool = search_workers(inst, 2)
    assert pool is not None
    try:
        limits = SearchLimits(groups=4, deterministic=True)
        better = search(
            inst, start, time.perf_counter() + 300, seed=1, workers=2, pool=pool, limits=limits
        )
        assert plan_objective(inst, better) < plan_objective(inst, start)
        assert check_plan(s, assignments_of(inst, better)) == []
        assert all(child.poll() is None for child in pool.children)  # still serving
    finally:
        pool.close()
    assert all(child.poll() is not None for child in pool.children)


@pytest.fixture(scope="module")
def county_days() -> tuple[PatrolInstance, set[Key]]:
    inst = build_instance(build_demo_city("small", days=3))
    return inst, fill_plan(inst)


def _loads(inst: PatrolInstance, plan: set[Key], keep, per) -> dict[int, int]:  # type: ignore[no-untyped-def]
    worked = {(pi, si) for pi, si, _ in plan}
    return {
        pi: sum(per(s) for s in inst.slots if keep(s) and (pi, s.index) in worked)
        for pi in range(len(inst.people))
        if any(keep(s) and (pi, s.index) in inst.options for s in inst.slots)
    }


@pytest.mark.parametrize("seed", range(3))
def test_a_fairness_group_holds_everyone_at_a_maximum_and_lighter_peers(
    county_days: tuple[PatrolInstance, set[Key]], seed: int
) -> None:
    inst, plan = county_days
    draw = _Draw(inst, plan, inst.who_can_do(), shift_caps(inst), random.Random(seed), set())
    group = _fairness_group(draw, 30)
    assert 1 < len(group) <= 30 and len(set(group)) == len(group)
    peers = {fairness_group(inst, pi) for pi in group}
    assert len(peers) == 1  # one fairness group (force and county)
    members = fairness_groups(inst)[peers.pop()]
    found = False
    for _, keep, per in FAIRNESS:
        load = _loads(inst, plan, keep, per)
        top = max(load.get(pi, 0) for pi in members)
        at_top = {pi for pi in members if load.get(pi) == top}
        if (
            top
            and at_top <= set(group)
            and all(load.get(pi, top) < top or pi in at_top for pi in group)
        ):
            found = True
    assert found


@pytest.mark.parametrize("seed", range(3))
def test_a_zone_group_grows_from_someone_with_several_zones_through_shared_zones(
    county_days: tuple[PatrolInstance, set[Key]], seed: int
) -> None:
    inst, plan = county_days
    busy = set(range(0, len(inst.people), 7))
    draw = _Draw(inst, plan, inst.who_can_do(), shift_caps(inst), random.Random(seed), busy)
    group = _zone_group(draw, 30)
    zones: dict[int, set[int]] = {}
    for pi, _, ti in plan:
        if inst.tasks[ti].kind == TaskKind.ZONE:
            zones.setdefault(pi, set()).add(ti)
    assert group and len(group) <= 30 and not busy & set(group)
    assert len(zones[group[0]]) > 1
    for k, pi in enumerate(group[1:], 1):
        assert zones[pi] & set().union(*(zones[q] for q in group[:k]))


@pytest.mark.parametrize("seed", range(6))
def test_a_group_has_the_size_of_its_kind(
    county_days: tuple[PatrolInstance, set[Key]], seed: int
) -> None:
    inst, plan = county_days
    draw = _Draw(inst, plan, inst.who_can_do(), shift_caps(inst), random.Random(seed), set())
    sizes = {"need": 12, "fairness": 31, "zone": 20}
    group, kind = _group(draw, sizes)
    assert kind in KINDS
    assert len(group) == sizes[kind] and len(set(group)) == len(group)


def test_the_load_of_others_leaves_out_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # a machine on which only this process works (a thread of it spinning meanwhile)
    monkeypatch.setattr(reroster_module, "_machine_busy_seconds", time.process_time)
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(1000))

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        assert others_load(0.3) < 0.1
    finally:
        stop.set()
        spinner.join()
    # without /proc/stat: the load average less this process
    monkeypatch.setattr(reroster_module, "_machine_busy_seconds", lambda: None)
    monkeypatch.setattr(reroster_module.os, "getloadavg", lambda: (3.5, 2.0, 1.0))
    assert others_load() == pytest.approx(2.5)
    assert others_load(0.0) >= 0.0


def test_the_machine_is_busy_when_others_take_every_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reroster_module.os, "cpu_count", lambda: 2)
    assert not machine_busy(0.0) and not machine_busy(1.9) and machine_busy(2.0)
    assert machine_slowdown(0.0) == 1.0 and machine_slowdown(1.0) == 1.0
    assert machine_slowdown(8.0) == pytest.approx(4.5) and machine_slowdown(50.0) == 6.0


def test_workers_start_only_for_a_search_long_and_free_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reroster_module.os, "cpu_count", lambda: 2)
    inst = build_instance(build_demo_city("small", days=1))
    soon = time.perf_counter() + OWN_POOL_SECONDS / 2
    later = time.perf_counter() + 10 * OWN_POOL_SECONDS
    assert start_workers(inst, 2, soon, 0.0) is None  # start-up would take the search
    assert start_workers(inst, 2, later, 2.0) is None  # others take both cores
    assert start_workers(inst, 1, later, 0.0) is None
    for pool in (start_workers(inst, 2, later, 0.0), start_workers(inst, 2, soon, 5.0, True)):
        # (deterministic effort: as many processes whatever the clock and the load)
        assert pool is not None and len(pool.children) == 2
        pool.close()
