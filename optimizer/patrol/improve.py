"""Local search on a plan: move people to where they are worth more.

`improve(inst, plan, deadline)` repeats, most valuable first, for every need still short
(post staff, armed officers, standby, zone presence and risk targets):
- add an eligible person who is free and may still work that slot;
- or move one who is blocked (working that day, resting, or at a limit) off an assignment
  worth less to them, then give the need they left to the best free person.
Moves are valued by the cover terms and travel (the objective's dominant terms); the plan
is returned only if its objective, recomputed in full (`evaluate.plan_objective`), is lower,
and the hard "at most" rules hold throughout (`rounding.PlanBuilder`)."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import islice

from optimizer.patrol.evaluate import plan_objective
from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.rounding import PlanBuilder, cover_value
from optimizer.patrol.variables import Key
from optimizer.scenario import TaskKind


class _Values:
    """What one more (or one fewer) person on a task in a slot changes in the cover terms
    and travel, given what the plan has there now."""

    def __init__(self, inst: PatrolInstance, builder: PlanBuilder) -> None:
        self.inst, self.b = inst, builder
        self.w = inst.scenario.weights

    def gain(self, pi: int, si: int, ti: int) -> float:
        """Objective decrease if `pi` joins task `ti` in slot `si` (negative: it costs)."""
        d = self.inst.demand.get((ti, si))
        travel = self.w.travel * self.inst.travel_minutes.get((pi, ti), 0.0)
        if d is None:
            return -travel
        n = self.b.filled[ti, si]
        out = cover_value(self.inst, ti, si) if n < d.staff else -d.over_weight
        if n < d.minimum:
            out += self.w.unmet_zone_presence
        if d.armed and self.inst.people[pi].armed and self.b.armed[ti, si] < d.armed:
            out += self.w.unmet_armed
        return out - travel

    def loss(self, pi: int, si: int, ti: int) -> float:
        """Objective increase if `pi` (on task `ti` in slot `si`) leaves it."""
        d = self.inst.demand.get((ti, si))
        travel = self.w.travel * self.inst.travel_minutes.get((pi, ti), 0.0)
        if d is None:
            return -travel
        n = self.b.filled[ti, si]
        out = cover_value(self.inst, ti, si) if n <= d.staff else -d.over_weight
        if n <= d.minimum:
            out += self.w.unmet_zone_presence
        if d.armed and self.inst.people[pi].armed and self.b.armed[ti, si] <= d.armed:
            out += self.w.unmet_armed
        if d.skills:
            out += self.w.unmet_skill * len(d.skills)  # keep skilled posts as they are
        return out - travel


def improve(
    inst: PatrolInstance,
    plan: set[Key],
    deadline: float,
    cancel: threading.Event | None = None,
) -> set[Key]:
    """The plan after local search until `deadline` (or `cancel`), if better; else `plan`."""
    builder = PlanBuilder(inst)
    for key in plan:
        if not builder.add(key):
            return plan  # not a plan the builder can hold (an over-full task): leave it
    values = _Values(inst, builder)
    can_do = inst.who_can_do()  # (task, slot) → people
    # who may do each task, armed and unarmed apart, nearest first: a free person's gain
    # differs from another's only by travel and the armed bonus
    nearest: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    for (ti, si), people in can_do.items():
        ranked = sorted(people, key=lambda pi: inst.travel_minutes.get((pi, ti), 0.0))
        nearest[ti, si] = (
            [pi for pi in ranked if inst.people[pi].armed],
            [pi for pi in ranked if not inst.people[pi].armed],
        )
    doing: dict[int, dict[int, int]] = defaultdict(dict)  # person → slot → task
    for pi, si, ti in plan:
        doing[pi][si] = ti
    moved = True

    def stopped() -> bool:
        return time.perf_counter() > deadline or (cancel is not None and cancel.is_set())

    while moved and not stopped():
        moved = False
        short = [
            (cover_value(inst, ti, si), ti, si)
            for (ti, si), d in inst.demand.items()
            if builder.filled[ti, si] < max(d.staff, d.minimum)
        ]
        short.sort(reverse=True)
        for _, ti, si in short:
            if stopped():
                break
            d = inst.demand[ti, si]
            if builder.filled[ti, si] >= max(d.staff, d.minimum):
                continue
            if _fill_one(inst, builder, values, can_do, doing, ti, si, nearest):
                moved = True
    while not stopped() and _swap_zones(inst, builder, doing, stopped):
        pass
    better = builder.plan
    if plan_objective(inst, better) < plan_objective(inst, plan) - 1e-6:
        return set(better)
    return plan


def _fill_one(
    inst: PatrolInstance,
    builder: PlanBuilder,
    values: _Values,
    can_do: dict[tuple[int, int], list[int]],
    doing: dict[int, dict[int, int]],
    ti: int,
    si: int,
    nearest: dict[tuple[int, int], tuple[list[int], list[int]]],
) -> bool:
    """One more person on (ti, si): a free one, or one moved from a less valuable place
    whose place is then refilled. True when the plan got better."""
    best: tuple[float, int, int | None] | None = None  # (gain, person, slot they leave)
    # (slot, task) → the two nearest free people of each list: whether others may work a
    # slot does not change while the moves of one person are tried
    free: dict[tuple[int, int], list[list[int]]] = {}

    def refill(pi: int, sj: int, tj: int) -> tuple[float, int] | None:
        """The best free person for the place `pi` leaves, and what they bring."""
        if (sj, tj) not in free:
            free[sj, tj] = [
                list(islice((r for r in ranked if sj not in doing[r] and builder.can(r, sj)), 2))
                for ranked in nearest[tj, sj]  # the armed, then the others, nearest first
            ]
        found = []
        for two in free[sj, tj]:
            r = next((r for r in two if r != pi), None)
            if r is not None:
                found.append((values.gain(r, sj, tj), r))
        return max(found, default=None)

    for pi in can_do[ti, si]:
        if si in doing[pi] and doing[pi][si] == ti:
            continue
        gain = values.gain(pi, si, ti)
        if gain <= 0:
            continue
        if si not in doing[pi] and builder.can(pi, si):
            if best is None or gain > best[0]:
                best = (gain, pi, None)
            continue
        for sj, tj in doing[pi].items():
            net = gain - values.loss(pi, sj, tj)
            if net + values.loss(pi, sj, tj) <= (best[0] if best else 0):
                continue  # even a perfect refill would not make it the best move
            builder.remove((pi, sj, tj))
            ok = builder.can(pi, si)
            if ok:
                back = refill(pi, sj, tj)
                # the refill's gain is counted once the place is empty: loss + its gain
                net += max(0.0, back[0]) if back else 0.0
            builder.add((pi, sj, tj))
            if ok and net > (best[0] if best else 0):
                best = (net, pi, sj)
    if best is None:
        return False
    _, pi, sj = best
    if sj is not None:
        tj = doing[pi].pop(sj)
        builder.remove((pi, sj, tj))
    builder.add((pi, si, ti))
    doing[pi][si] = ti
    if sj is not None:  # refill the place left
        free.clear()
        back = refill(pi, sj, tj)
        if back is not None and back[0] > 0:
            builder.add((back[1], sj, tj))
            doing[back[1]][sj] = tj
    return True


def _swap_zones(
    inst: PatrolInstance,
    builder: PlanBuilder,
    doing: dict[int, dict[int, int]],
    stopped: Callable[[], bool],
) -> bool:
    """Two people patrolling different zones in the same slot trade zones when that lowers
    travel plus the zones each patrols over the horizon (cover stays as it is). True when
    any pair traded."""
    w = inst.scenario.weights
    zones: dict[int, Counter[int]] = defaultdict(Counter)  # person → zone task → slots
    on: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pi, slots in doing.items():
        for si, ti in slots.items():
            if inst.tasks[ti].kind == TaskKind.ZONE:
                zones[pi][ti] += 1
                on[si][ti].append(pi)  # slot → zone task → people

    def cost(pi: int, ti: int, gone: int | None, new: int | None) -> float:
        """Travel to `ti` plus continuity change when `pi` leaves zone `gone` for `new`."""
        travel = w.travel * inst.travel_minutes.get((pi, ti), 0.0)
        change = 0
        if gone is not None and zones[pi][gone] == 1:
            change -= 1
        if new is not None and zones[pi][new] == 0:
            change += 1
        return travel + w.continuity * change

    def best_partner(p: int, si: int, a: int) -> tuple[float, int, int] | None:
        best = None
        for b in inst.options[p, si]:
            if b == a or b not in on[si]:
                continue
            for q in on[si][b]:
                if a not in inst.options[q, si]:
                    continue
                gain = (
                    cost(p, a, None, None)
                    + cost(q, b, None, None)
                    - cost(p, b, a, b)
                    - cost(q, a, b, a)
                )
                if gain > 1e-9 and (best is None or gain > best[0]):
                    best = (gain, q, b)
        return best

    traded = False
    for si in list(on):
        if stopped():
            break
        for a in list(on[si]):
            for p in list(on[si][a]):
                if doing[p].get(si) != a:
                    continue
                found = best_partner(p, si, a)
                if found is None:
                    continue
                _, q, b = found
                builder.remove((p, si, a))
                builder.remove((q, si, b))
                for who, old, new in ((p, a, b), (q, b, a)):
                    builder.add((who, si, new))  # same slot, same counts: always fits
                    doing[who][si] = new
                    zones[who][old] -= 1
                    zones[who][new] += 1
                    on[si][old].remove(who)
                    on[si][new].append(who)
                traded = True
    return traded
