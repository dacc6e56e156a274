"""Large-neighbourhood search on a plan: free a group of people, plan them again exactly.

The local search of `improve.py` moves one assignment at a time; a person whose shifts are
placed so that no further shift fits between them (rest, weekend and weekly limits) stays
short of work, and the risk their shift would cover stays uncovered; a fairness maximum
falls only when everyone at it gives up a shift at once; a person patrols fewer zones only
if others take theirs. Here a group of people — around a need still short, around a
fairness maximum, or around people with several zones (`_group`) — is taken out of the plan
and planned again, their whole horizon at once, on the patrol model itself
(`model.build_model`) restricted to them:

- every person-level rule (labour rules, requests, travel, zone continuity) is exact, as
  the group's people are whole;
- the cover of each task and slot is what the rest of the plan leaves to do (staff, zone
  presence and risk target, armed officers, skills, cap), each missing person priced as in
  the full model;
- the fairness maxima start from the largest load of the group's peers outside it.

So the group's objective differs from the whole plan's by a constant. HiGHS solves it as a
MIP (every constraint of the model kept, `relax.Relaxation(light=False)`), starting from the
group's current plan: on these covering and assignment models it proves a group of 25
optimal in a second or two where CP-SAT on one worker does not improve the start. A new plan
is kept only when its objective, recomputed in full (`evaluate.plan_objective`), is lower.

    reroster(inst, plan, group, seconds, seed) -> (plan, proved optimal) | None
    search(inst, plan, deadline, cancel=None, seed=0) -> plan
"""

from __future__ import annotations

import os
import pickle
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, replace

from ortools.math_opt import model_pb2

from optimizer.patrol.budget import GROUP_NODES
from optimizer.patrol.evaluate import plan_objective
from optimizer.patrol.granularity import meets
from optimizer.patrol.instance import Demand, PatrolInstance
from optimizer.patrol.model import BuiltModel, build_model, complete
from optimizer.patrol.objective import FAIRNESS, fairness_group, fairness_groups, fairness_loads
from optimizer.patrol.relax import MipWorkers, relaxation_proto, solve_proto
from optimizer.patrol.rounding import cover_value
from optimizer.patrol.rules_labour import shift_caps
from optimizer.patrol.variables import Key
from optimizer.scenario import TaskKind

#: people planned again together at first; each kind's size follows how fast its groups
#: solve (two more after a group proven optimal, five fewer after one that ran out of time)
GROUP_SIZE = 25
GROUP_MIN, GROUP_MAX = 10, 80
#: HiGHS' time for one group, seconds (one worker: also the longest a cancel waits). On the
#: county week (two workers, 30 s): 25 people at 2.5 s 0.41–0.43 % in 11 of 14 runs (0.62 %
#: in the others); 30 at 4 s 0.55–0.62 %, 25 at 3 s 0.51–0.52 %, 25 at 2 s 0.51–0.60 %, 20 at
#: 4 s 0.63 %
GROUP_SECONDS = 2.5
#: a search starts HiGHS processes of its own only with this much time left (their start-up
#: takes a second or more; with less, its groups are solved here, one at a time)
OWN_POOL_SECONDS = 4.0
#: with deterministic effort a group's HiGHS stops at its node limit; this many seconds only
#: guard against a group that would take the whole search (a run it stops says so)
DETERMINISTIC_GROUP_SECONDS = 20.0
#: how long the search watches the machine before it decides how many processes to use
LOAD_SAMPLE_SECONDS = 0.2
#: groups in a row that find nothing better before the search stops
STALL_GROUPS = 20


def _residual(inst: PatrolInstance, d: Demand, ti: int, si: int, others: list[int]) -> Demand:
    """What is left of demand `d` once `others` (people of the plan outside the group) do it;
    each missing person keeps the weight it has in the full model."""
    n = len(others)
    under = d.under_weight
    if under is None and inst.tasks[ti].kind == TaskKind.ZONE and d.staff > 0:
        under = inst.scenario.weights.risk_uncovered * d.risk / d.staff
    day = inst.slots[si].day
    return replace(
        d,
        staff=max(0, d.staff - n),
        minimum=max(0, d.minimum - n),
        cap=max(0, d.cap - n),
        armed=max(0, d.armed - sum(1 for pi in others if inst.people[pi].armed)),
        skills={
            skill: max(0, need - sum(1 for pi in others if inst.skills_valid.get((pi, skill, day))))
            for skill, need in d.skills.items()
        },
        under_weight=under,
    )


def _outside_loads(
    inst: PatrolInstance, plan: set[Key], group: set[int]
) -> dict[tuple[str, str, str | None], int]:
    """(fairness term, force, county) → the largest load among that fairness group's people
    outside `group`, for the groups the group's people belong to."""
    worked = {(pi, si) for pi, si, _ in plan}
    mine = {fairness_group(inst, pi) for pi in group}
    out: dict[tuple[str, str, str | None], int] = {}
    for (force, county), people in fairness_groups(inst).items():
        if (force, county) not in mine or len(people) < 2:
            continue
        outside = [pi for pi in people if pi not in group]
        for name, keep, per in FAIRNESS:
            out[name, force, county] = max(
                fairness_loads(inst, worked, outside, keep, per).values(), default=0
            )
    return out


def sub_instance(inst: PatrolInstance, plan: set[Key], group: list[int]) -> PatrolInstance:
    """The instance of `group` alone, with the cover the rest of `plan` leaves to do."""
    chosen = set(group)
    reachable = {
        (ti, si) for (pi, si), tasks in inst.options.items() if pi in chosen for ti in tasks
    }
    staffed: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pi, si, ti in plan:
        if pi not in chosen and (ti, si) in reachable:
            staffed[ti, si].append(pi)
    return inst.of_people(
        group,
        demand={
            key: _residual(inst, d, key[0], key[1], staffed.get(key, []))
            for key, d in inst.demand.items()
            if key in reachable
        },
        count=[],
        outside_loads=_outside_loads(inst, plan, chosen),
    )


@dataclass
class _Job:
    """A group's sub-model, ready for HiGHS."""

    group: list[int]
    built: BuiltModel
    proto: model_pb2.ModelProto
    start: list[int] | None  # every variable's value in the current plan: the MIP start
    kind: str = ""  # which kind of group (`KINDS`)


def _prepare(inst: PatrolInstance, plan: set[Key], group: list[int], seconds: float) -> _Job | None:
    built = build_model(sub_instance(inst, plan, group))
    index = {pi: k for k, pi in enumerate(group)}
    mine = {(index[pi], si, ti) for pi, si, ti in plan if pi in index}
    start = complete(built, mine, seconds)
    proto, dropped = relaxation_proto(built.model, integral=True, light=False)
    if dropped:  # a constraint HiGHS cannot take: the MIP would not be the model
        return None
    return _Job(group, built, proto, start)


def _merged(
    inst: PatrolInstance, plan: set[Key], job: _Job, values: list[float]
) -> set[Key] | None:
    """`plan` with the group's new assignments; None when, as another group changed the plan
    meanwhile, a task would be over its cap."""
    chosen = set(job.group)
    new = {
        (job.group[k], si, ti)
        for (k, si, ti), x in job.built.vars.x.items()
        if values[x.index] > 0.5
    }
    out = {key for key in plan if key[0] not in chosen} | new
    filled: dict[tuple[int, int], int] = defaultdict(int)
    for _, si, ti in out:
        filled[ti, si] += 1
    for _, si, ti in new:
        d = inst.demand.get((ti, si))
        if d is not None and filled[ti, si] > d.cap:
            return None
    return out


def reroster(
    inst: PatrolInstance, plan: set[Key], group: list[int], seconds: float, seed: int = 0
) -> tuple[set[Key], bool] | None:
    """`plan` with `group` planned again (from their current assignments), and whether the
    group's plan is proven optimal; None when no plan for the group was found in time."""
    started = time.perf_counter()
    job = _prepare(inst, plan, group, seconds / 4)
    if job is None:
        return None
    left = max(0.1, seconds - (time.perf_counter() - started))
    _, values, _, detail = solve_proto(job.proto, True, left, seed, False, job.start)
    merged = _merged(inst, plan, job, values) if values is not None else None
    return None if merged is None else (merged, detail.startswith("OPTIMAL"))


@dataclass
class _Draw:
    """What the next group is drawn from: the plan, who may do each task in each slot, each
    person's most shifts, the random source, and the people in groups under way."""

    inst: PatrolInstance
    plan: set[Key]
    can_do: dict[tuple[int, int], list[int]]
    caps: list[int]
    rng: random.Random
    busy: set[int]


def _group(ctx: _Draw, sizes: dict[str, int]) -> tuple[list[int], str]:
    """The next group to plan again and its kind, one of three in turn (each drawn at
    random, `sizes` people of that kind): around a need still short (`_need_group`),
    around the people at a fairness maximum (`_fairness_group`), around the zones of people
    who patrol several (`_zone_group`). People in groups under way are left out."""
    free = [pi for pi in range(len(ctx.inst.people)) if pi not in ctx.busy]
    first = ctx.rng.randrange(len(KINDS))
    order = list(KINDS[first:] + KINDS[:first])
    group: list[int] = []
    for name in order:
        size = sizes[name]
        if len(free) <= size:
            return free, name
        group = _KIND[name](ctx, size)
        if group:
            break
    if len(group) < size:  # (too few fit the kind: people at random make up the rest)
        rest = [pi for pi in free if pi not in set(group)]
        group += ctx.rng.sample(rest, min(len(rest), size - len(group)))
    return group[:size], name


def _need_group(ctx: _Draw, size: int) -> list[int]:
    """Half the group: people who could fill a need still short (drawn by what it is worth),
    those with the most shifts to spare under their cap first (ties, and differences of one
    shift, broken at random); the other half: people who could take over what those do now,
    so that a chain of moves (one fills the need, another takes the place they leave…) fits
    inside the group. Measured on the county week over 60 s from the same plan (4 seeds):
    spare-first seeds 93 119 on average, seeds at random 93 372."""
    inst, can_do, rng = ctx.inst, ctx.can_do, ctx.rng
    filled: dict[tuple[int, int], int] = defaultdict(int)
    doing: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pi, si, ti in ctx.plan:
        filled[ti, si] += 1
        doing[pi].append((ti, si))
    short = [
        (key, cover_value(inst, *key))
        for key, d in inst.demand.items()
        if filled[key] < max(d.staff, d.minimum) and can_do[key]
    ]
    if not short:
        return []
    key, _ = rng.choices(short, weights=[max(1.0, v) for _, v in short])[0]
    first = [pi for pi in can_do[key] if pi not in ctx.busy]
    spare = {pi: ctx.caps[pi] - len(doing[pi]) + 2 * rng.random() for pi in first}
    first = sorted(first, key=lambda pi: -spare[pi])[: size // 2]
    taken = set(first) | ctx.busy
    others = sorted({r for pi in first for key in doing[pi] for r in can_do[key]} - taken)
    rng.shuffle(others)  # who could take over something `first` do now
    return first + others[: size - len(first)]


def _fairness_group(ctx: _Draw, size: int) -> list[int]:
    """Everyone at the maximum load of a fairness term (most nights, say) in a fairness
    group where the load could be spread lower, and the people of that group with the
    lightest loads of that term who could take a counted shift: a fairness maximum falls
    only when all who are at it are planned again at once."""
    inst, busy = ctx.inst, ctx.busy
    weights = inst.scenario.weights
    worked = {(pi, si) for pi, si, _ in ctx.plan}
    choices = []
    for people in fairness_groups(inst).values():
        for name, keep, per in FAIRNESS:
            if not getattr(weights, name):
                continue
            load = fairness_loads(inst, worked, people, keep, per)
            able = list(load)
            top = max(load.values(), default=0)
            at_top = [pi for pi in able if load[pi] == top]
            light = [pi for pi in able if load[pi] < top and pi not in busy]
            if (
                top == 0
                or len(at_top) > size // 2
                or busy.intersection(at_top)
                or sum(load.values()) >= top * len(able)  # (the average is at the maximum)
                or not light
            ):
                continue
            light.sort(key=lambda pi: load[pi] + ctx.rng.random())
            choices.append(at_top + light[: size - len(at_top)])
    return ctx.rng.choice(choices) if choices else []


def _zone_group(ctx: _Draw, size: int) -> list[int]:
    """People who patrol several zones, grown from one of them (drawn by how many) through
    the zones they share: planned again together, they can each keep to fewer zones."""
    zones: dict[int, set[int]] = defaultdict(set)
    for pi, _, ti in ctx.plan:
        if pi not in ctx.busy and ctx.inst.tasks[ti].kind == TaskKind.ZONE:
            zones[pi].add(ti)
    many = [pi for pi, z in zones.items() if len(z) > 1]
    if not many:
        return []
    patrols: dict[int, list[int]] = defaultdict(list)
    for pi in sorted(zones):
        for ti in zones[pi]:
            patrols[ti].append(pi)
    seed = ctx.rng.choices(many, weights=[len(zones[pi]) for pi in many])[0]
    group, seen_zones = [seed], set()
    frontier = [seed]
    while frontier and len(group) < size:
        pi = frontier.pop(0)
        for ti in sorted(zones[pi] - seen_zones):
            seen_zones.add(ti)
            peers = [r for r in patrols[ti] if r not in group]
            ctx.rng.shuffle(peers)
            peers.sort(key=lambda r: -len(zones[r]))  # those with several zones first
            for r in peers[: size - len(group)]:
                group.append(r)
                frontier.append(r)
    return group


#: the kinds of group, drawn in turn; each keeps its own size (fairness groups of 30 or more
#: are proven in under a second where need and zone groups of that size run out of time)
KINDS = ("need", "fairness", "zone")
_KIND = {"need": _need_group, "fairness": _fairness_group, "zone": _zone_group}


def _whole_squads(inst: PatrolInstance, group: list[int], busy: set[int]) -> list[int]:
    """`group` with the rest of every squad of its people that works whole."""
    squads = set(inst.scenario.options.squads_whole)
    units = {inst.people[pi].unit_id for pi in group if inst.people[pi].force in squads}
    if not units:
        return group
    chosen = set(group) | busy
    return group + [
        pi
        for pi, p in enumerate(inst.people)
        if p.unit_id in units and p.force in squads and pi not in chosen
    ]


@dataclass
class SearchStats:
    """What a group search did: groups planned again, and those that made the plan better."""

    groups: int = 0
    improved: int = 0
    proved: int = 0  # groups HiGHS proved optimal (the others ran out of time or nodes)
    clashed: int = 0  # group plans that no longer fitted the plan others had changed
    stopped_at_bound: bool = False
    stopped_by_clock: bool = False


@dataclass
class SearchLimits:
    """When a group search stops besides its deadline and a cancel: at `bound` (a plan this
    good is proven optimal), after `groups` groups (deterministic effort), and whether each
    group's HiGHS is limited by `nodes` (deterministic) instead of the clock."""

    bound: float | None = None
    groups: int | None = None
    deterministic: bool = False
    nodes: int = GROUP_NODES


def search(
    inst: PatrolInstance,
    plan: set[Key],
    deadline: float,
    cancel: threading.Event | None = None,
    seed: int = 0,
    workers: int = 1,
    improved: Callable[[float], None] | None = None,
    pool: MipWorkers | None = None,
    limits: SearchLimits | None = None,
    stats: SearchStats | None = None,
    others: float | None = None,
) -> set[Key]:
    """Plan groups of people again until `deadline` (or `cancel`, or what `limits` says); the
    best plan found (each better one's objective is passed to `improved`). With several
    workers, as many disjoint groups are solved at once, each by HiGHS in a process of its
    own (`pool`, from `start_workers`, else started here; with one worker, a cancel waits
    for the group under way). `others`: the cores other processes keep busy, when the
    caller has measured it (`others_load`).

    Groups are drawn in rounds: as many disjoint groups as there are workers, from the same
    plan, and their results merged in the order they were drawn once all are back — so a
    seed and a worker count give the same groups and the same plan whatever the timing,
    when each group's HiGHS is limited by nodes rather than seconds
    (`limits.deterministic`). Without it, a worker that finishes takes the next group at
    once (no waiting for the slower one), and groups run on HiGHS' time limit."""
    limits = limits or SearchLimits()
    stats = stats if stats is not None else SearchStats()
    rng = random.Random(seed)
    best, best_value = plan, plan_objective(inst, plan)
    sizes, stalled = dict.fromkeys(KINDS, GROUP_SIZE), 0
    caps = shift_caps(inst)
    can_do = inst.who_can_do()
    done_all = meets(best_value, limits.bound)
    stats.stopped_at_bound = done_all
    # (deterministic: neither the group's seconds nor the processes hang on the machine)
    if others is None:
        others = 0.0 if limits.deterministic or done_all else others_load()
    slowdown = machine_slowdown(others)  # (a group's seconds stretch with the machine's load)
    own = pool is None
    if own and not done_all:
        pool = start_workers(inst, workers, deadline, others, limits.deterministic)
    width = len(pool.children) if pool else 1
    running: dict[Future, _Job] = {}
    order: list[Future] = []  # (deterministic rounds: the order the groups were drawn)

    def out_of_groups() -> bool:
        return limits.groups is not None and stats.groups + len(running) >= limits.groups

    try:
        while True:
            # a deterministic round starts only once the last one is merged
            may_draw = not running or not limits.deterministic
            while may_draw and not done_all and len(running) < width and not out_of_groups():
                left = deadline - time.perf_counter()
                if left < 1.0 or (cancel is not None and cancel.is_set()) or not inst.people:
                    done_all = True
                    stats.stopped_by_clock = left < 1.0
                    break
                busy = {pi for job in running.values() for pi in job.group}
                group, kind = _group(_Draw(inst, best, can_do, caps, rng, busy), sizes)
                group = _whole_squads(inst, group, busy)
                if not group:
                    break
                if limits.deterministic:  # nodes limit the work; the clock only guards it
                    seconds, nodes = min(left - 0.5, DETERMINISTIC_GROUP_SECONDS), limits.nodes
                else:
                    seconds, nodes = min(GROUP_SECONDS * slowdown, left - 0.5), None
                job = _prepare(inst, best, sorted(group), min(GROUP_SECONDS, seconds) / 4)
                if job is None:
                    done_all = True
                    break
                job.kind = kind
                if pool is not None:
                    future = pool.submit(job.proto, seconds, seed, job.start, nodes)
                else:  # one worker, or a part too small to share: solved here and now
                    future = Future()
                    future.set_result(
                        solve_proto(job.proto, True, seconds, seed, False, job.start, nodes)
                    )
                running[future] = job
                order.append(future)
            if not running or time.perf_counter() > deadline:
                stats.stopped_by_clock = stats.stopped_by_clock or bool(running)
                break  # (a group still being solved is left: its time would overrun)
            if limits.deterministic:
                wait(list(running), timeout=max(0.0, deadline - time.perf_counter()))
                if any(not f.done() for f in running):
                    stats.stopped_by_clock = True
                    break
                finished = list(order)
                order.clear()
            else:
                finished, _ = wait(list(running), timeout=0.1, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                try:
                    _, values, _, detail = future.result()
                except (OSError, EOFError, pickle.UnpicklingError):  # a worker has died
                    done_all = True
                    continue
                stats.groups += 1
                proved = detail.startswith("OPTIMAL")
                stats.proved += proved
                if limits.deterministic and detail.startswith("TIME"):
                    stats.stopped_by_clock = True  # (the clock, not the nodes, ended it)
                size = sizes[job.kind]
                sizes[job.kind] = min(GROUP_MAX, size + 2) if proved else max(GROUP_MIN, size - 5)
                stalled += 1
                merged = _merged(inst, best, job, values) if values is not None else None
                stats.clashed += values is not None and merged is None
                if merged is not None:
                    value = plan_objective(inst, merged)
                    if value < best_value - 1e-6:
                        best, best_value, stalled = merged, value, 0
                        stats.improved += 1
                        if improved is not None:
                            improved(value)
                if meets(best_value, limits.bound):
                    done_all = stats.stopped_at_bound = True  # proven optimal: nothing to gain
                if (proved and len(job.group) == len(inst.people)) or stalled >= STALL_GROUPS:
                    done_all = True  # the best plan for everyone at once, or nothing new
            if out_of_groups() and not running:
                break
            if cancel is not None and cancel.is_set():
                break
    finally:
        if own and pool is not None:
            pool.close()
    return best


def others_load(seconds: float = LOAD_SAMPLE_SECONDS) -> float:
    """How many cores other processes keep busy now: the machine's busy time over `seconds`
    (`/proc/stat`) less this process's own CPU time, per second. The load average is no
    guide here: it counts this process, and for a minute after it the solve that ran
    before (on a quiet box a second county week started at load 2.3 and solved its groups
    one at a time, 0.52 % against 0.46 % with two HiGHS processes). Where `/proc/stat`
    cannot be read: the load average over the last minute less one (this process)."""
    first, own = _machine_busy_seconds(), time.process_time()
    if first is None:
        try:
            return max(0.0, os.getloadavg()[0] - 1)
        except OSError:  # (no load average on this platform)
            return 0.0
    began = time.perf_counter()
    time.sleep(seconds)
    last = _machine_busy_seconds()
    wall = time.perf_counter() - began
    if last is None or wall <= 0:
        return 0.0
    return max(0.0, (last - first - (time.process_time() - own)) / wall)


def _machine_busy_seconds() -> float | None:
    """Seconds every core of the machine has spent busy since it started (steal counted as
    busy: the time went to another machine), from `/proc/stat`; None where it is absent."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal (guest time is counted in user)
    ticks = [int(x) for x in fields[1:9]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def machine_busy(others: float) -> bool:
    """Whether other processes (`others_load`) take every core already. Then the group
    search solves its groups one at a time in this process: measured on the shared 2-core
    box at load 12, two HiGHS processes got no more groups done than one (4 and 4 in 15 s on
    the county week) while their start-up (a second or more each) and groups drawn from a
    plan another group is changing cost the plan (county week 0.64-0.67 % with two workers
    against 0.58-0.64 % with one)."""
    return others >= (os.cpu_count() or 1)


def machine_slowdown(others: float) -> float:
    """How many times slower than on an idle machine a solve runs here: the processes that
    want a core (the others and this one) per core, at least 1 (at most 6). GROUP_SECONDS
    were tuned on a quiet box; on the shared box at load 9 (4.5 a core) groups of 2.5 s
    found one gain in 7-10 groups per county week (0.64 %), while the same groups run to
    their node limit found 4 in 4 (0.58 %)."""
    return min(6.0, max(1.0, (others + 1) / (os.cpu_count() or 1)))


def start_workers(
    inst: PatrolInstance, workers: int, deadline: float, others: float, deterministic: bool = False
) -> MipWorkers | None:
    """The group search's HiGHS processes (`search_workers`), unless the search is too short
    for their start-up (`OWN_POOL_SECONDS`) or other processes (`others`, `others_load`) take
    every core. With deterministic effort as many processes whatever the clock and the load,
    so that the same groups are solved side by side. Started before the one-move search, their
    start-up overlaps it (on the county week it took 1.7 s of one core, the other idle)."""
    if not deterministic and (
        deadline - time.perf_counter() <= OWN_POOL_SECONDS or machine_busy(others)
    ):
        return None
    return search_workers(inst, workers)


def search_workers(inst: PatrolInstance, workers: int) -> MipWorkers | None:
    """The HiGHS processes the group search on `inst` solves its groups in, side by side:
    None with one worker, or when the part is too small to hold two groups."""
    if workers > 1 and len(inst.people) > 2 * GROUP_SIZE:
        return MipWorkers(workers)
    return None
