"""The objective's granularity: every plan's objective is a whole multiple of the greatest
common divisor of the weights of the terms that can be non-zero (each term is its weight
times a whole count: people missing, the most nights, minutes' worth of travel…). So a lower
bound can be rounded up to the next multiple: a bound of 389 999.61 with every weight a
multiple of 10 000 proves 390 000, and a plan of 390 000 is then optimal.

    granularity(inst, published=None) -> step in objective units, or None
    round_up(bound, step) -> the bound rounded up to the step
    meets(objective, bound) -> whether the plan is proven optimal by the bound

The weights are read from the instance as the model (`model.build_model`) writes them; a
weight that may be present but is not is harmless (the divisor only gets smaller). The model
multiplies each weight by `variables.SCALE` and rounds; when a weight is not a whole number
of those units the objective has no usable step and the granularity is None."""

from __future__ import annotations

import math
from collections.abc import Iterator

from optimizer.patrol.instance import PatrolInstance
from optimizer.patrol.objective import FAIRNESS
from optimizer.patrol.variables import SCALE
from optimizer.scenario import TaskKind


def _weights(inst: PatrolInstance, published: bool) -> Iterator[float]:
    """The weight of every term of the model that can be non-zero (and maybe a few more)."""
    w = inst.scenario.weights
    for (ti, _si), d in inst.demand.items():
        kind = inst.tasks[ti].kind
        if d.over_weight > 0 and kind != TaskKind.STANDBY:
            yield d.over_weight
        if any(need > 0 for need in d.skills.values()):
            yield w.unmet_skill
        if d.armed > 0:  # posts, and any task a cover asks armed officers of
            yield w.unmet_armed
        if kind == TaskKind.POST:
            if d.staff > 0:
                yield d.under_weight if d.under_weight is not None else w.unmet_post_cover
        elif kind == TaskKind.ZONE:
            if d.minimum > 0:
                yield w.unmet_zone_presence
            if d.staff > 0 and d.risk > 0:
                yield (
                    d.under_weight
                    if d.under_weight is not None
                    else w.risk_uncovered * d.risk / d.staff
                )
        elif d.staff > 0:
            yield w.unmet_standby
    for name, _, _ in FAIRNESS:
        yield getattr(w, name)
    if w.travel:
        for minutes in set(inst.travel_minutes.values()):
            yield w.travel * round(minutes, 1)
    for r in inst.scenario.requests:
        yield w.preferences * r.weight
    if any(t.kind == TaskKind.ZONE for t in inst.tasks):
        yield w.continuity
    for rule in inst.scenario.rules:
        if not rule.hard:
            yield rule.weight
    if published:
        yield w.change


def granularity(inst: PatrolInstance, published: bool = False) -> float | None:
    """The step of the objective (objective units), or None when a weight is not a whole
    number of the model's units (1 / SCALE) or no term can be non-zero. `published`: the
    re-planning model's change term counts too."""
    step = 0
    for weight in _weights(inst, published):
        scaled = weight * SCALE
        units = round(scaled)
        if units == 0:
            if weight:
                return None  # a weight the model rounds away: the evaluator still counts it
            continue
        if abs(scaled - units) > 1e-6 * max(1.0, abs(scaled)):
            return None
        step = math.gcd(step, units)
        if step == 1:
            break  # (it cannot get smaller)
    return step / SCALE if step else None


def round_up(bound: float | None, step: float | None) -> float | None:
    """`bound` rounded up to the next multiple of `step` (unchanged without a step). A bound
    within the solvers' tolerance (10⁻⁶ relative) above a multiple counts as that multiple,
    so the result never exceeds the true optimum; it is never lowered either."""
    if bound is None or step is None:
        return bound
    slack = max(1e-6 * max(1.0, abs(bound)), 1e-4 * step)
    # (a step finer than the solvers' tolerance cannot lift the bound: it stays as it is)
    return max(bound, round(math.ceil((bound - slack) / step) * step, 6))


def meets(objective: float | None, bound: float | None) -> bool:
    """Whether a plan of `objective` is proven optimal by `bound` (both objective units;
    objectives are reported to 3 decimals)."""
    if objective is None or bound is None:
        return False
    return objective <= bound + 1e-3 + 1e-9 * abs(bound)
