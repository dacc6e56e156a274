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


def partition_bound(
    inst: DrillInstance, drills: list[Drill], seconds: float, workers: int, seed: int = 0
) -> PartitionBound:
    parts: dict[str, list[Drill]] = defaultdict(list)
    for d in drills:
        parts[d.occ.ideal.strftime("%Y-%m")].append(d)
    deadline = time.perf_counter() + seconds
    total, proven = 0, 0
    placements: dict[int, Placement] = {}
    for k, (_, part) in enumerate(sorted(parts.items())):
        left = deadline - time.perf_counter()
        if left <= 0.05:
            total += sum(
                min(absent_cost(inst, d), _cheapest(inst, d))
                for p in list(parts.values())[k:]
                for d in p
            )
            break
        greedy = greedy_schedule(inst, part)
        relaxed = relaxation_bound(inst, part)
        if schedule_cost(inst, part, greedy) <= relaxed:  # the greedy schedule is optimal
            total += relaxed
            proven += 1
            placements.update(greedy)
            continue
        dm = build_model(inst, part)
        add_hints(dm, greedy)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left / (len(parts) - k)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        code = solver.solve(dm.model)
        if code == cp_model.OPTIMAL:
            proven += 1
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            total += max(
                math.ceil(solver.best_objective_bound - 1e-6), relaxation_bound(inst, part)
            )
            v = dm.vars
            for d in part:
                if solver.boolean_value(v.present[d.index]):
                    placements[d.index] = Placement(
                        solver.value(v.start[d.index]),
                        next(
                            (x for x in d.venues if solver.boolean_value(v.venue[d.index, x])), None
                        ),
                        next(
                            (
                                x
                                for x in d.instructors
                                if solver.boolean_value(v.instructor[d.index, x])
                            ),
                            None,
                        ),
                    )
        else:
            total += relaxation_bound(inst, part)
    return PartitionBound(total, proven, len(parts), placements)


def schedule_cost(inst: DrillInstance, drills: list[Drill], placed: dict[int, Placement]) -> int:
    """The objective of a schedule (objective units), drills not placed counted as unmet."""
    return sum(
        start_cost(inst, d, placed[d.index].start) if d.index in placed else absent_cost(inst, d)
        for d in drills
    )


def _cheapest(inst: DrillInstance, d: Drill) -> int:
    return min((start_cost(inst, d, t) for t in d.allowed()), default=absent_cost(inst, d))
