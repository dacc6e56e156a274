"""Exact reinforcement selection: the units that together meet every need of an incident.

Objective, lexicographic (each term only breaks ties of the ones before):
1. shortfall — need units (people, armed people, skilled people, vehicles) left unmet;
2. arrival — when the last chosen unit arrives (whole seconds): the response is complete;
3. units — how many units are sent;
4. tier sum — prefer the incident's own township, then its county, then the city;
5. travel — the sum of the chosen units' ETAs.

Hard rules: no unit beyond the escalation tier; never the last cover of a 24-hour post;
never a zone below its min presence or a county below its standby floor (cap groups, see
`instance.py`).

**Pruning keeps the optimum.** Candidates are the eligible units of the tier sorted by ETA;
the model is solved on a prefix P of that order that is closed under ties (it holds every
unit whose ETA is ≤ the largest ETA in P). Suppose the optimum on P has no shortfall and
arrival A ≤ max ETA in P. Any solution over all units that is at least as good has no
shortfall and arrival ≤ A, so all its units have ETA ≤ A and lie in P: it is a solution on P
too. Hence the lexicographic optimum on P is the global one. When P's optimum still has a
shortfall, P is doubled and the model re-solved, up to the whole tier; the tier is raised
(escalation) only when even the whole tier leaves a shortfall. P starts as the shortest
prefix whose units hold `coverage_factor` (K) times every need, and at least
`min_candidates` units. Alternatives come from the same model with a no-good cut on each
earlier answer; an alternative is exactly the next best globally when its arrival is within P
(always true when it has no shortfall, by the same argument).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from optimizer.cpsat import status_of
from optimizer.reinforcement.explain import describe_suggestion
from optimizer.reinforcement.forces import TIERS
from optimizer.reinforcement.instance import (
    CapGroup,
    DispatchInstance,
    ReinforcementOptions,
    build_instance,
    need_vector,
)
from optimizer.reinforcement.results import ReinforcementResult, Suggestion
from optimizer.result import Shortfall, SolveStatus
from optimizer.scenario import Incident, Level, Scenario

INT_LIMIT = 2**62


@dataclass
class _Vars:
    take: list[cp_model.IntVar]
    slack: dict[str, cp_model.IntVar]
    arrival: cp_model.IntVar
    slack_ub: int


@dataclass
class _Prefix:
    """The candidate units (instance indices) and their data for one solve."""

    idx: np.ndarray
    eta_s: np.ndarray
    tier: np.ndarray
    res: dict[str, np.ndarray]


def add_needs(model: cp_model.CpModel, v: _Vars, p: _Prefix, needs: dict[str, int]) -> None:
    """Each need is met by the chosen units, or its slack (the shortfall) says by how much not."""
    for dim, amount in needs.items():
        coeffs = p.res[dim]
        terms = [int(c) * x for c, x in zip(coeffs, v.take, strict=True) if c > 0]
        model.add(sum(terms) + v.slack[dim] >= amount)


def _add_cap_groups(
    model: cp_model.CpModel, v: _Vars, p: _Prefix, groups: list[CapGroup], kind: str
) -> None:
    where = {int(i): k for k, i in enumerate(p.idx)}
    for group in groups:
        if group.kind != kind:
            continue
        inside = [
            (where[i], w) for i, w in zip(group.members, group.weights, strict=True) if i in where
        ]
        if sum(w for _, w in inside) > group.cap:  # otherwise the cap cannot bind
            model.add(sum(w * v.take[k] for k, w in inside) <= group.cap)


def add_last_post_cover(
    model: cp_model.CpModel, v: _Vars, p: _Prefix, groups: list[CapGroup]
) -> None:
    """Never take the last unit covering a 24-hour post."""
    _add_cap_groups(model, v, p, groups, "post_last_cover")


def add_zone_presence(
    model: cp_model.CpModel, v: _Vars, p: _Prefix, groups: list[CapGroup]
) -> None:
    """Never drop a zone below its min presence of patrolling people."""
    _add_cap_groups(model, v, p, groups, "zone_presence")


def add_standby_floor(
    model: cp_model.CpModel, v: _Vars, p: _Prefix, groups: list[CapGroup]
) -> None:
    """Never drop a county below its standby floor."""
    _add_cap_groups(model, v, p, groups, "standby_floor")


def add_arrival(model: cp_model.CpModel, v: _Vars, p: _Prefix) -> None:
    """Arrival is at least the ETA of every chosen unit."""
    for eta, x in zip(p.eta_s, v.take, strict=True):
        if eta > 0:
            model.add(v.arrival >= int(eta)).only_enforce_if(x)


def _objective_terms(
    v: _Vars, p: _Prefix, travel_step: int = 1
) -> list[tuple[cp_model.LinearExprT, int]]:
    """The lexicographic terms with an upper bound each, most important first. Travel is
    counted in steps of `travel_step` seconds (1 unless the key would overflow 62 bits)."""
    n = len(v.take)
    travel = [int(e) // travel_step for e in p.eta_s]
    return [
        (sum(v.slack.values()), v.slack_ub),
        (v.arrival, int(p.eta_s.max(initial=0))),
        (sum(v.take), n),
        (sum(int(t) * x for t, x in zip(p.tier, v.take, strict=True) if t), int(p.tier.sum())),
        (sum(t * x for t, x in zip(travel, v.take, strict=True) if t), sum(travel)),
    ]


def _lexicographic_weights(terms: list[tuple[cp_model.LinearExprT, int]]) -> list[int] | None:
    weights = [1]
    for _, ub in reversed(terms[1:]):
        weights.append(weights[-1] * (ub + 1))
    weights.reverse()
    return None if weights[0] * (terms[0][1] + 1) >= INT_LIMIT else weights


def _solver(options: ReinforcementOptions) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = options.num_workers
    solver.parameters.random_seed = options.random_seed
    solver.parameters.max_time_in_seconds = options.time_limit_seconds
    solver.parameters.cp_model_presolve = options.presolve
    return solver


class _Model(cp_model.CpModel):
    """A CpModel without the camelCase aliases OR-Tools adds to every instance (~5 ms each,
    a tenth of the latency budget)."""

    def _add_pre_pep8_methods(self) -> None:
        return None


class _PrefixModel:
    """The CP-SAT model on one candidate prefix; re-solvable with no-good cuts."""

    def __init__(
        self,
        inst: DispatchInstance,
        p: _Prefix,
        needs: dict[str, int],
        options: ReinforcementOptions,
    ) -> None:
        self.p = p
        self.options = options
        m = _Model()
        take = [m.new_bool_var(f"take_{inst.units[int(i)].id}") for i in p.idx]
        slack = {d: m.new_int_var(0, a, f"short_{d}") for d, a in needs.items()}
        arrival = m.new_int_var(0, int(p.eta_s.max(initial=0)), "arrival")
        self.v = _Vars(take, slack, arrival, sum(needs.values()))
        add_needs(m, self.v, p, needs)
        add_last_post_cover(m, self.v, p, inst.groups)
        add_zone_presence(m, self.v, p, inst.groups)
        add_standby_floor(m, self.v, p, inst.groups)
        add_arrival(m, self.v, p)
        self.model = m
        step = 1
        while True:
            terms = _objective_terms(self.v, p, step)
            weights = _lexicographic_weights(terms)
            if weights is not None:
                break
            step *= 10
        m.minimize(sum(w * e for (e, _), w in zip(terms, weights, strict=True)))

    def solve(self) -> tuple[SolveStatus, list[int], float]:
        """Chosen positions in the prefix (lexicographic optimum), status, seconds."""
        t0 = time.perf_counter()
        solver = _solver(self.options)
        status = status_of(solver.solve(self.model))
        chosen: list[int] = []
        if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            chosen = [k for k, x in enumerate(self.v.take) if solver.boolean_value(x)]
        return status, chosen, time.perf_counter() - t0

    def exclude(self, chosen: list[int]) -> None:
        """No-good cut: never this exact set (or a superset) again."""
        self.model.add(sum(self.v.take[k] for k in chosen) <= len(chosen) - 1)


def _prefix(
    inst: DispatchInstance,
    order: np.ndarray,
    eta_s: np.ndarray,
    tier: np.ndarray,
    needs: dict[str, int],
    size: int,
) -> _Prefix:
    size = min(size, len(order))
    if 0 < size < len(order):  # close under ties
        last = eta_s[order[size - 1]]
        while size < len(order) and eta_s[order[size]] == last:
            size += 1
    idx = order[:size]
    return _Prefix(
        idx=idx,
        eta_s=eta_s[idx],
        tier=tier[idx],
        res={d: inst.resource(d)[idx] for d in needs},
    )


def _first_size(
    inst: DispatchInstance, order: np.ndarray, needs: dict[str, int], options: ReinforcementOptions
) -> int:
    size = min(options.min_candidates, len(order))
    for dim, amount in needs.items():
        cum = np.cumsum(inst.resource(dim)[order])
        k = int(np.searchsorted(cum, options.coverage_factor * amount))  # first index reaching it
        size = max(size, k + 1)
    return min(size, len(order))


def _key(p: _Prefix, chosen: list[int], needs: dict[str, int]) -> list[float]:
    short = sum(max(0, a - int(p.res[d][chosen].sum())) for d, a in needs.items())
    return [
        float(short),
        float(p.eta_s[chosen].max(initial=0)),
        float(len(chosen)),
        float(p.tier[chosen].sum()),
        float(p.eta_s[chosen].sum()),
    ]


def suggest_reinforcement(
    source: DispatchInstance | Scenario,
    incident: Incident,
    *,
    escalation: Level | None = None,
    exclude: frozenset[str] | set[str] = frozenset(),
    options: ReinforcementOptions | None = None,
) -> ReinforcementResult:
    """Suggest the units to send to `incident`, best first, with alternatives and reasons.

    `source` is a prebuilt instance (fast: reuse it while unit states do not change) or a
    scenario (its published plan gives the states at the incident's time). `escalation`
    overrides the tier the incident's severity allows; `exclude` names units the commander
    does not want."""
    t0 = time.perf_counter()
    if isinstance(source, Scenario):
        inst = build_instance(source, incident.reported_at, options=options)
    else:
        inst = source
    opts = options or inst.options
    needs = need_vector(incident.needs)
    eta_min = inst.eta_minutes(incident.location)
    eta_s = np.rint(eta_min * 60.0).astype(np.int64)
    tier = inst.tiers(incident)
    ok = inst.eligible.copy()
    for uid in exclude:
        if uid in inst.index:
            ok[inst.index[uid]] = False
    start = inst.start_tier(incident, escalation)
    top = TIERS.index(opts.max_level) if opts.max_level in TIERS else len(TIERS) - 1
    start = min(start, top)
    escalations: list[str] = []
    if start > 0:
        escalations.append(
            f"severity {incident.severity} allows {TIERS[start].value} forces from the start"
            if escalation is None
            else f"escalation level set to {TIERS[start].value}"
        )

    level = start
    status, chosen, model, p = SolveStatus.OPTIMAL, [], None, None
    eligible_count = 0
    while True:
        mask = ok & (tier <= level)
        eligible_count = int(mask.sum())
        cand = np.flatnonzero(mask)
        order = cand[np.argsort(eta_s[cand], kind="stable")]
        totals = {d: int(inst.resource(d)[order].sum()) for d in needs}
        lacking = [f"{d} {totals[d]}/{a}" for d, a in needs.items() if totals[d] < a]
        if lacking and level < top:
            escalations.append(
                f"{TIERS[level].value} forces cannot meet {', '.join(lacking)}: "
                f"escalated to {TIERS[level + 1].value}"
            )
            level += 1
            continue
        if not needs or len(order) == 0:
            p = _prefix(inst, order, eta_s, tier, needs, 0)
            chosen = []
            break
        size = _first_size(inst, order, needs, opts)
        while True:
            p = _prefix(inst, order, eta_s, tier, needs, size)
            model = _PrefixModel(inst, p, needs, opts)
            status, chosen, _ = model.solve()
            solved = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
            short = _key(p, chosen, needs)[0] if solved else 1.0
            if short == 0 or len(p.idx) >= len(order) or not solved:
                break
            size = 2 * len(p.idx)
        if short > 0 and level < top:
            escalations.append(
                f"{TIERS[level].value} forces cannot meet every need without breaking a cover "
                f"or floor rule: escalated to {TIERS[level + 1].value}"
            )
            level += 1
            continue
        break

    assert p is not None
    suggestions: list[Suggestion] = []
    keys: list[list[float]] = []
    if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        suggestions.append(describe_suggestion(inst, p, chosen, needs, eta_min, tier, mask, 1))
        keys.append(_key(p, chosen, needs))
        if model is not None and keys[0][0] == 0:
            for rank in range(2, opts.alternatives + 2):
                model.exclude(chosen)
                alt_status, alt, _ = model.solve()
                if alt_status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
                    break
                if _key(p, alt, needs)[0] > 0:
                    break
                chosen = alt
                suggestions.append(
                    describe_suggestion(inst, p, alt, needs, eta_min, tier, mask, rank)
                )
                keys.append(_key(p, alt, needs))

    best = suggestions[0] if suggestions else None
    shortfalls = []
    if best is not None:
        for need in best.needs:
            if need.provided < need.requested:
                shortfalls.append(
                    Shortfall(
                        requirement=f"incident_{need.need}",
                        target_id=incident.id,
                        missing=need.requested - need.provided,
                        unit="vehicles" if need.need == "vehicles" else "people",
                        reason=need.note,
                    )
                )
    objective = best.arrival_minutes if best is not None else None
    first_status = status if suggestions or not needs else SolveStatus.INFEASIBLE
    return ReinforcementResult(
        status=first_status,
        objective=objective,
        bound=objective if first_status == SolveStatus.OPTIMAL else None,
        gap=0.0 if first_status == SolveStatus.OPTIMAL else None,
        bound_source="CP-SAT on the ETA prefix (exact by the prefix argument)",
        objective_terms=(
            dict(
                zip(
                    ("shortfall", "arrival_seconds", "units", "tier_sum", "travel_seconds"),
                    keys[0],
                    strict=True,
                )
            )
            if keys
            else {}
        ),
        solve_seconds=time.perf_counter() - t0,
        first_feasible_seconds=None,
        num_workers=opts.num_workers,
        shortfalls=shortfalls,
        incident_id=incident.id,
        level=TIERS[level],
        escalations=escalations,
        suggestions=suggestions,
        eligible_units=eligible_count,
        candidates=len(p.idx),
        pruning=f"{len(p.idx)} nearest of {eligible_count} eligible units (ETA prefix closed "
        f"under ties, K={opts.coverage_factor})",
    )
