"""The drill schedule as a CP-SAT model, rule by rule.

Each drill due is an optional interval on the hourly axis whose start may only take the start
times its filters allow. Rules: hard duties must be met (named literals), the minimum gap
between two drills of one duty, venue choice and capacity, instructor choice and no double
booking, and each county's readiness floor (a cumulative over the ready people drills take,
against the ready people free above the floor at each hour). Objective terms: unmet drills,
distance from the evenly spread date beyond a tolerance, non-preferred weekdays, and moves of
published drills.

`disabled` switches named rules off; the conflict search uses it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.drills.instance import Drill, DrillInstance

SCALE = 24  # objective units per weight unit: spread weights are per day, the axis is hourly


def required_rule(d: Drill) -> str:
    r = d.occ.requirement
    return f"duty {r.id}: {d.occ.dtype.name} ×{r.count}/{r.per} must be met"


def gap_rule(d: Drill) -> str:
    r = d.occ.requirement
    return f"min gap {r.min_gap_days} d between drills of duty {r.id}"


def venue_rule(name: str, capacity: int) -> str:
    return f"venue {name} holds {capacity} people at once"


def instructor_rule(name: str) -> str:
    return f"instructor {name} teaches one drill at a time"


def readiness_rule(county_name: str, floor: int) -> str:
    return f"readiness floor {county_name}: {floor} ready people free of drills"


@dataclass
class DrillVars:
    present: dict[int, cp_model.IntVar] = field(default_factory=dict)
    start: dict[int, cp_model.IntVar] = field(default_factory=dict)
    interval: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    venue: dict[tuple[int, str], cp_model.IntVar] = field(default_factory=dict)
    instructor: dict[tuple[int, str], cp_model.IntVar] = field(default_factory=dict)
    terms: dict[str, list[tuple[int, cp_model.LinearExprT]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    enforcement: dict[str, cp_model.IntVar] = field(default_factory=dict)

    def literal(self, model: cp_model.CpModel, name: str) -> cp_model.IntVar:
        if name not in self.enforcement:
            self.enforcement[name] = model.new_bool_var(f"rule:{name}")
        return self.enforcement[name]


@dataclass(frozen=True)
class Placement:
    """Where and with whom a drill takes place (a hint, or a greedy schedule's entry)."""

    start: int
    venue: str | None
    instructor: str | None


@dataclass
class DrillModel:
    model: cp_model.CpModel
    vars: DrillVars
    drills: list[Drill]


def create_variables(
    model: cp_model.CpModel, inst: DrillInstance, drills: list[Drill], disabled: frozenset[str]
) -> DrillVars:
    v = DrillVars()
    for d in drills:
        allowed = d.allowed(disabled)
        present = model.new_bool_var(f"p{d.index}")
        if allowed:
            start = model.new_int_var_from_domain(
                cp_model.Domain.from_values(allowed), f"s{d.index}"
            )
        else:
            model.add(present == 0)
            start = model.new_constant(d.candidates[0] if d.candidates else 0)
        v.present[d.index] = present
        v.start[d.index] = start
        v.interval[d.index] = model.new_optional_fixed_size_interval_var(
            start, d.hours, present, f"i{d.index}"
        )
    return v


def add_required_duties(
    model: cp_model.CpModel, v: DrillVars, drills: list[Drill], disabled: frozenset[str]
) -> None:
    for d in drills:
        if d.occ.requirement.hard and required_rule(d) not in disabled:
            model.add(v.present[d.index] == 1).only_enforce_if(v.literal(model, required_rule(d)))


def add_min_gap(
    model: cp_model.CpModel, v: DrillVars, drills: list[Drill], disabled: frozenset[str]
) -> None:
    """Two drills of one duty start at least min_gap_days apart (in the order of their
    windows); pairs whose windows are far enough apart need no constraint."""
    by_req: dict[str, list[Drill]] = defaultdict(list)
    for d in drills:
        by_req[d.occ.requirement.id].append(d)
    for group in by_req.values():
        r = group[0].occ.requirement
        if len(group) < 2 or gap_rule(group[0]) in disabled:
            continue
        gap = r.min_gap_days * 24
        group.sort(key=lambda d: (d.occ.ideal, d.key))
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if min(b.candidates, default=0) - max(a.candidates, default=0) >= max(gap, 1):
                    continue
                both = [v.present[a.index], v.present[b.index]]
                model.add(v.start[b.index] >= v.start[a.index] + max(gap, a.hours)).only_enforce_if(
                    both
                )


def _choose(
    model: cp_model.CpModel,
    v: DrillVars,
    d: Drill,
    options: dict[str, list[int]],
    chosen: dict[tuple[int, str], cp_model.IntVar],
    tag: str,
) -> dict[str, cp_model.IntervalVar]:
    """Exactly one option when the drill takes place; its start is one the option allows."""
    lits, intervals = [], {}
    for oid, starts in options.items():
        lit = model.new_bool_var(f"{tag}{d.index}_{oid}")
        chosen[d.index, oid] = lit
        lits.append(lit)
        if starts:
            model.add_linear_expression_in_domain(
                v.start[d.index], cp_model.Domain.from_values(starts)
            ).only_enforce_if(lit)
        else:
            model.add(lit == 0)
        intervals[oid] = model.new_optional_fixed_size_interval_var(
            v.start[d.index], d.hours, lit, f"{tag}i{d.index}_{oid}"
        )
    model.add(sum(lits) == v.present[d.index])
    return intervals


def add_venues(
    model: cp_model.CpModel,
    v: DrillVars,
    inst: DrillInstance,
    drills: list[Drill],
    disabled: frozenset[str],
) -> None:
    venues = inst.scenario.drills.venues
    by_venue: dict[str, list[tuple[cp_model.IntervalVar, int]]] = defaultdict(list)
    for d in drills:
        if not d.venues:
            continue
        for vid, iv in _choose(model, v, d, d.venues, v.venue, "v").items():
            by_venue[vid].append((iv, d.headcount))
    for venue in venues:
        items = by_venue.get(venue.id)
        if not items or venue_rule(venue.name, venue.capacity) in disabled:
            continue
        if sum(h for _, h in items) > venue.capacity:
            model.add_cumulative([iv for iv, _ in items], [h for _, h in items], venue.capacity)


def add_instructors(
    model: cp_model.CpModel,
    v: DrillVars,
    inst: DrillInstance,
    drills: list[Drill],
    disabled: frozenset[str],
) -> None:
    by_ins: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    for d in drills:
        if not d.instructors:
            continue
        for iid, iv in _choose(model, v, d, d.instructors, v.instructor, "t").items():
            by_ins[iid].append(iv)
    for ins in inst.scenario.drills.instructors:
        ivs = by_ins.get(ins.id)
        if ivs and len(ivs) > 1 and instructor_rule(ins.name) not in disabled:
            model.add_no_overlap(ivs)


def add_readiness_floor(
    model: cp_model.CpModel,
    v: DrillVars,
    inst: DrillInstance,
    drills: list[Drill],
    disabled: frozenset[str],
) -> None:
    """At every hour a county's drills take no more ready people than are free above its
    floor. The free count varies by hour (leave, patrol duty); fixed blocker intervals turn
    the varying capacity into a constant one."""
    names = inst.scenario.by_id("jurisdictions")
    by_county: dict[str, list[tuple[cp_model.IntervalVar, int]]] = defaultdict(list)
    for d in drills:
        for c, need in d.ready_demand.items():
            if c in inst.capacity and need > 0:
                by_county[c].append((v.interval[d.index], need))
    for c, items in by_county.items():
        j = names.get(c)
        if readiness_rule(j.name if j else c, inst.floor[c]) in disabled:
            continue
        cap = inst.capacity[c]
        top = int(max(cap.max(), 0))
        lo = min(min(d.candidates, default=0) for d in drills)
        hi = max(max(d.candidates, default=0) + d.hours for d in drills)
        blockers, demands = [], []
        t = lo
        while t < hi:
            missing = top - max(int(cap[t]), 0)
            u = t + 1
            while u < hi and top - max(int(cap[u]), 0) == missing:
                u += 1
            if missing > 0:
                blockers.append(model.new_fixed_size_interval_var(t, u - t, f"b{c}_{t}"))
                demands.append(missing)
            t = u
        model.add_cumulative(
            [iv for iv, _ in items] + blockers, [n for _, n in items] + demands, top
        )


def _coef(weight: float, per_hour: bool = False) -> int:
    if not weight:
        return 0
    return max(1, round(weight * SCALE / 24)) if per_hour else round(weight * SCALE)


def tolerance_hours(inst: DrillInstance, d: Drill) -> int:
    return int(inst.scenario.drills.settings.spread_tolerance * d.occ.spacing_days * 24)


def preferred(inst: DrillInstance, d: Drill, t: int) -> bool:
    pref = d.occ.requirement.preferred_weekdays
    return not pref or (inst.start.weekday() + t // 24) % 7 in pref


def start_cost(inst: DrillInstance, d: Drill, t: int) -> int:
    """What starting drill d at hour t costs in the objective (objective units)."""
    w = inst.scenario.drills.settings.weights
    if d.occ.makeup:  # as soon as possible
        cost = _coef(w.spread, True) * (t - min(d.candidates, default=t))
    else:
        dev = max(0, abs(t - inst.hour_of(d.occ.ideal)) - tolerance_hours(inst, d))
        cost = _coef(w.spread, True) * dev
    if not preferred(inst, d, t):
        cost += _coef(w.preference)
    if d.lapse_hour is not None:
        cost += _coef(w.lapse * d.lapsing, True) * max(0, t - d.lapse_hour)
    pub = d.occ.published
    if pub is not None and t != inst.hour_of(pub.start):
        cost += _coef(w.change)
    return cost


def absent_cost(inst: DrillInstance, d: Drill) -> int:
    w = inst.scenario.drills.settings.weights
    change = _coef(w.change) if d.occ.published is not None else 0
    return _coef(w.unmet * d.occ.requirement.weight) + change


def add_objective(
    model: cp_model.CpModel, v: DrillVars, inst: DrillInstance, drills: list[Drill]
) -> None:
    """The terms of `start_cost` and `absent_cost`, as linear expressions."""
    w = inst.scenario.drills.settings.weights
    spread = _coef(w.spread, True)
    for d in drills:
        i = d.index
        v.terms["unmet"].append((_coef(w.unmet * d.occ.requirement.weight), 1 - v.present[i]))
        if spread and d.occ.makeup:
            v.terms["spread"].append((spread, v.start[i] - min(d.candidates, default=0)))
        elif spread:
            ideal, tol = inst.hour_of(d.occ.ideal), tolerance_hours(inst, d)
            dev = model.new_int_var(0, inst.hours, f"dev{i}")
            model.add(dev >= v.start[i] - ideal - tol)
            model.add(dev >= ideal - tol - v.start[i])
            v.terms["spread"].append((spread, dev))
        if d.occ.requirement.preferred_weekdays and w.preference:
            good = [t for t in d.allowed() if preferred(inst, d, t)]
            ok = model.new_bool_var(f"pref{i}")
            if good:
                model.add_linear_expression_in_domain(
                    v.start[i], cp_model.Domain.from_values(good)
                ).only_enforce_if(ok)
            else:
                model.add(ok == 0)
            v.terms["preferences"].append((_coef(w.preference), 1 - ok))
        if d.lapse_hour is not None and w.lapse:
            late = model.new_int_var(0, inst.hours, f"late{i}")
            model.add(late >= v.start[i] - d.lapse_hour)
            v.terms["lapsed_certificates"].append((_coef(w.lapse * d.lapsing, True), late))
        pub = d.occ.published
        if pub is not None and w.change:
            same = model.new_bool_var(f"same{i}")
            model.add(v.start[i] == inst.hour_of(pub.start)).only_enforce_if(same)
            model.add(v.present[i] == 1).only_enforce_if(same)
            v.terms["changes"].append((_coef(w.change), 1 - same))
    model.minimize(sum(c * e for terms in v.terms.values() for c, e in terms))


def build_model(
    inst: DrillInstance, drills: list[Drill], disabled: frozenset[str] = frozenset()
) -> DrillModel:
    model = cp_model.CpModel()
    v = create_variables(model, inst, drills, disabled)
    add_required_duties(model, v, drills, disabled)
    add_min_gap(model, v, drills, disabled)
    add_venues(model, v, inst, drills, disabled)
    add_instructors(model, v, inst, drills, disabled)
    add_readiness_floor(model, v, inst, drills, disabled)
    add_objective(model, v, inst, drills)
    model.add_assumptions(list(v.enforcement.values()))
    return DrillModel(model, v, drills)


def add_hints(dm: DrillModel, placements: dict[int, Placement]) -> None:
    """Hint a complete first schedule (the greedy one, which keeps published drills where
    they are when it can)."""
    v = dm.vars
    for d in dm.drills:
        p = placements.get(d.index)
        dm.model.add_hint(v.present[d.index], p is not None)
        if p is None:
            continue
        dm.model.add_hint(v.start[d.index], p.start)
        for vid in d.venues:
            dm.model.add_hint(v.venue[d.index, vid], vid == p.venue)
        for iid in d.instructors:
            dm.model.add_hint(v.instructor[d.index, iid], iid == p.instructor)
