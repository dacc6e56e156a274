"""Lower bounds for the drill schedule, and where they come from.

CP-SAT's own bound stays weak on a year of drills: the cumulative and no-overlap rules give
its LP little to hold on to. Two relaxations do better, both valid because they only drop
constraints:

- **resource-free**: every drill at its cheapest allowed start (or left out when cheaper),
  ignoring readiness, venues, instructors and gaps between drills;
- **partition**: split the drills by the month of their ideal date and solve each part on
  its own with every rule, dropping only the rules that couple two parts (two drills of
  different months sharing a venue hour, an instructor or a readiness floor). Each part is
  small, so CP-SAT proves it quickly; the sum of the parts' bounds bounds the whole. Where the
  crowding is local (the days around a blackout) this bound is tight, and the part solutions
  together often are an optimal schedule.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.drills.greedy import greedy_schedule
from optimizer.drills.instance import Drill, DrillInstance
from optimizer.drills.model import Placement, absent_cost, add_hints, build_model, start_cost


def relaxation_bound(inst: DrillInstance, drills: list[Drill]) -> int:
    """Resource-free relaxation, in objective units."""
    total = 0
    for d in drills:
        best = absent_cost(inst, d)
        for t in d.allowed():
            best = min(best, start_cost(inst, d, t))
        total += best
    return total


@dataclass
class PartitionBound:
    bound: int  # objective units
    proven_parts: int
    parts: int
    placements: dict[int, Placement]  # the parts' schedules, together (a hint)


@dataclass
class _Part:
    drills: list[Drill]
    bound: int
    placements: dict[int, Placement]
    proven: bool
    hint: dict[int, Placement]


def partition_bound(
    inst: DrillInstance, drills: list[Drill], seconds: float, workers: int, seed: int = 0
) -> PartitionBound:
    by_month: dict[str, list[Drill]] = defaultdict(list)
    for d in drills:
        by_month[d.occ.ideal.strftime("%Y-%m")].append(d)
    parts = []
    for _, group in sorted(by_month.items()):
        greedy = greedy_schedule(inst, group)
        relaxed = relaxation_bound(inst, group)
        done = schedule_cost(inst, group, greedy) <= relaxed  # the greedy schedule is optimal
        parts.append(_Part(group, relaxed, greedy, done, greedy))
    deadline = time.perf_counter() + seconds
    # two passes: a short solve of every open part, then the time left to those still open
    for quick in (True, False):
        todo = [p for p in parts if not p.proven]
        for k, part in enumerate(todo):
            left = deadline - time.perf_counter()
            if left <= 0.05:
                break
            share = left / (len(todo) - k)
            _solve_part(inst, part, min(share, 2.0) if quick else share, workers, seed)
    return PartitionBound(
        sum(p.bound for p in parts),
        sum(p.proven for p in parts),
        len(parts),
        {i: pl for p in parts for i, pl in p.placements.items()},
    )


def _solve_part(inst: DrillInstance, part: _Part, seconds: float, workers: int, seed: int) -> None:
    dm = build_model(inst, part.drills)
    add_hints(dm, part.hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    code = solver.solve(dm.model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    part.proven = code == cp_model.OPTIMAL
    part.bound = max(part.bound, math.ceil(solver.best_objective_bound - 1e-6))
    v = dm.vars
    part.placements = {
        d.index: Placement(
            solver.value(v.start[d.index]),
            next((x for x in d.venues if solver.boolean_value(v.venue[d.index, x])), None),
            next(
                (x for x in d.instructors if solver.boolean_value(v.instructor[d.index, x])), None
            ),
        )
        for d in part.drills
        if solver.boolean_value(v.present[d.index])
    }
    part.hint = part.placements


def schedule_cost(inst: DrillInstance, drills: list[Drill], placed: dict[int, Placement]) -> int:
    """The objective of a schedule (objective units), drills not placed counted as unmet."""
    return sum(
        start_cost(inst, d, placed[d.index].start) if d.index in placed else absent_cost(inst, d)
        for d in drills
    )


def _cheapest(inst: DrillInstance, d: Drill) -> int:
    return min((start_cost(inst, d, t) for t in d.allowed()), default=absent_cost(inst, d))
