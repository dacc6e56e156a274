"""A direct CP-SAT model of the Curtois & Qu shift scheduling benchmark (Instance1 … 24),
built from the instance's own rules rather than through the patrol scenario.

    solve_days(bench, days=(lo, hi), history=roster, ...) -> DaysResult

One boolean per (employee, day, shift) the employee may work (none on a day off or for a
shift type capped at 0); `work[e, d]` is their sum. The rules, one function each:
forbidden successions, per-type maxima, total minutes, longest and shortest run of shifts,
shortest run of days off (runs touching either end of the horizon exempt), weekends. The
objective is the benchmark's: on/off requests and under/over cover, so its bound is a bound
of the benchmark when the model spans the whole horizon. A roster given as hint is hinted on
every variable (`complete_hint`: each auxiliary variable records how the shifts give its
value), so CP-SAT starts from that roster.

The model may plan a part of the horizon only, days [lo, hi): the days before lo are the
`history` (constants), the days from hi on are unknown, or constants too when a `future`
roster is given (a window of a finished roster re-planned: every rule then holds on the
whole horizon, the days outside the window counted as they are). A rule over a stretch of days that
reaches an unknown day is left out (the window that plans that day will state it, with
these days as its history), so runs and successions that cross a seam keep their limits.
The horizon's totals (per-type maxima, minutes, weekends) count the history; a window may be
given paced limits (`Limits`) for them, and a soft minimum of minutes (`soft_minimum`
weight per minute short) so that it always has a plan.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.patrol.shift_benchmark import BenchStaff, Roster, ShiftBenchmark

#: a literal, a constant (0 = off, 1 = on) or None for a day beyond the planned days
Lit = cp_model.IntVar | int | None
#: an auxiliary variable's value from the values of the variables it follows
Derive = Callable[[Callable[[Lit], int]], int]


@dataclass(frozen=True)
class Limits:
    """The horizon totals of one employee a model enforces (paced for a window)."""

    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_weekends: int


@dataclass
class DaysModel:
    model: cp_model.CpModel
    x: dict[tuple[str, int, str], cp_model.IntVar]  # (employee, day, shift) → bool
    work: dict[tuple[str, int], Lit]  # (employee, day) → literal or constant, whole horizon
    lo: int
    hi: int
    objective: list[tuple[int, cp_model.LinearExprT]] = field(default_factory=list)
    constant: int = 0
    #: each auxiliary variable with how its value follows from the literals made before it
    #: (`complete_hint`), so that a hint of the shifts alone becomes a whole solution
    derived: list[tuple[cp_model.IntVar, Derive]] = field(default_factory=list)


@dataclass
class DaysResult:
    status: str  # optimal / feasible / infeasible / unknown
    roster: Roster  # the planned days only
    objective: float | None
    bound: float | None
    seconds: float


def full_limits(e: BenchStaff) -> Limits:
    return Limits(dict(e.max_shifts), e.max_minutes, e.min_minutes, e.max_weekends)


def build_days(
    bench: ShiftBenchmark,
    lo: int = 0,
    hi: int | None = None,
    history: Roster | None = None,
    limits: dict[str, Limits] | None = None,
    soft_minimum: int = 0,
    future: Roster | None = None,
) -> DaysModel:
    """The model of days [lo, hi) with the days before lo fixed to `history` (and the days
    from hi on to `future`, when given)."""
    hi = bench.days if hi is None else hi
    history = history or {}
    m = cp_model.CpModel()
    off = {e: set(ds) for e, ds in bench.days_off.items()}
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    work: dict[tuple[str, int], Lit] = {}
    derived: list[tuple[cp_model.IntVar, Derive]] = []
    for e in bench.staff:
        allowed = [s.id for s in bench.shifts if e.max_shifts.get(s.id, 1) > 0]
        for d in range(bench.days):
            if d < lo:
                work[e.id, d] = int((e.id, d) in history)
            elif d >= hi:
                work[e.id, d] = None if future is None else int((e.id, d) in future)
            elif d in off.get(e.id, ()) or not allowed or e.max_consecutive == 0:
                work[e.id, d] = 0
            else:
                mine = [m.new_bool_var(f"x_{e.id}_{d}_{s}") for s in allowed]
                for s, v in zip(allowed, mine, strict=True):
                    x[e.id, d, s] = v
                w = m.new_bool_var(f"w_{e.id}_{d}")
                m.add(sum(mine) == w)
                work[e.id, d] = w
                derived.append((w, lambda val, mine=mine: sum(val(v) for v in mine)))
    dm = DaysModel(m, x, work, lo, hi, derived=derived)
    lim = limits or {e.id: full_limits(e) for e in bench.staff}
    add_forbidden_successions(dm, bench, history, future)
    add_totals(dm, bench, history, lim, soft_minimum, future)
    add_longest_run(dm, bench)
    add_shortest_runs(dm, bench)
    add_weekends(dm, bench, history, lim)
    add_request_terms(dm, bench)
    add_cover_terms(dm, bench)
    m.minimize(sum(w * t for w, t in dm.objective) + dm.constant)
    return dm


def add_forbidden_successions(
    dm: DaysModel, bench: ShiftBenchmark, history: Roster, future: Roster | None = None
) -> None:
    last = min(dm.hi, bench.days - 1) if future is not None else dm.hi - 1
    for s in bench.shifts:
        for then in s.not_followed_by:
            for e in bench.staff:
                for d in range(max(0, dm.lo - 1), last):
                    a = (
                        dm.x.get((e.id, d, s.id))
                        if d >= dm.lo
                        else int(history.get((e.id, d)) == s.id)
                    )
                    b = (
                        dm.x.get((e.id, d + 1, then))
                        if d + 1 < dm.hi or future is None
                        else int((future or {}).get((e.id, d + 1)) == then)
                    )
                    if a is None or b is None:
                        continue
                    if isinstance(a, int):  # a constant day: its shift forbids the other
                        if a == 1 and not isinstance(b, int):
                            dm.model.add(b == 0)
                    elif isinstance(b, int):
                        if b == 1:
                            dm.model.add(a == 0)
                    else:
                        dm.model.add_bool_or([a.Not(), b.Not()])


def add_totals(
    dm: DaysModel,
    bench: ShiftBenchmark,
    history: Roster,
    limits: dict[str, Limits],
    soft_minimum: int,
    future: Roster | None = None,
) -> None:
    """Per-type maxima and total minutes over the horizon, the history (and future) counted."""
    minutes = {s.id: s.minutes for s in bench.shifts}
    mine: dict[str, list[tuple[int, str, cp_model.IntVar]]] = defaultdict(list)
    for (eid, d, sid), v in dm.x.items():
        mine[eid].append((d, sid, v))
    for e in bench.staff:
        lim = limits[e.id]
        past = [sid for (eid, d), sid in history.items() if eid == e.id and d < dm.lo]
        past += [sid for (eid, d), sid in (future or {}).items() if eid == e.id and d >= dm.hi]
        for sid, cap in lim.max_shifts.items():
            vs = [v for _, s, v in mine[e.id] if s == sid]
            if vs and len(vs) > cap - past.count(sid):
                dm.model.add(sum(vs) <= max(0, cap - past.count(sid)))
        used = sum(minutes[s] for s in past)
        total = sum(minutes[s] * v for _, s, v in mine[e.id])
        dm.model.add(total <= max(0, lim.max_minutes - used))
        need = lim.min_minutes - used
        if need <= 0:
            continue
        if soft_minimum:
            short = dm.model.new_int_var(0, need, f"short_{e.id}")
            dm.model.add(total + short >= need)
            minutes_of = [(minutes[s], v) for _, s, v in mine[e.id]]
            dm.derived.append(
                (short, lambda val, t=minutes_of, n=need: max(0, n - sum(k * val(v) for k, v in t)))
            )
            dm.objective.append((soft_minimum, short))
        else:
            dm.model.add(total >= need)


def add_longest_run(dm: DaysModel, bench: ShiftBenchmark) -> None:
    """At most max_consecutive worked days in any stretch of max_consecutive + 1 days."""
    for e in bench.staff:
        k = e.max_consecutive
        for start in range(max(0, dm.lo - k), min(dm.hi, bench.days - k)):
            days = [dm.work[e.id, d] for d in range(start, start + k + 1)]
            if any(w is None for w in days):
                continue
            lits = [w for w in days if not isinstance(w, int)]
            fixed = sum(w for w in days if isinstance(w, int))
            if lits and len(lits) + fixed > k:
                dm.model.add(sum(lits) <= k - fixed)


def _forbid_short_blocks(dm: DaysModel, eid: str, h: int, least: int, worked: bool) -> None:
    """No block of `worked` days shorter than `least` strictly inside the horizon: a block
    that starts on day d ≥ 1 (day d − 1 the other kind, day d this kind) still holds on day
    d + j for each j < least with d + j before the last day — the clause (other on d − 1,
    or not this on d, or this on d + j). Its relaxation, x_d − x_{d−1} ≤ x_{d+j}, is tighter
    than forbidding each short block's whole pattern (which bounds x_d − x_{d−1} by x_{d+j}
    plus the days between), and each clause needs only three known days, so a rule across
    an unknown day is kept where the days it names are known."""
    want = (not worked, worked, not worked)  # the pattern each clause forbids
    for d in range(max(1, dm.lo - least + 1), min(h, dm.hi + 1)):
        for j in range(1, min(least, h - d)):
            days = (dm.work[eid, d - 1], dm.work[eid, d], dm.work[eid, d + j])
            if any(w is None for w in days):
                continue
            clause = []
            satisfied = False
            for w, on in zip(days, want, strict=True):
                if isinstance(w, int):
                    if bool(w) != on:
                        satisfied = True
                        break
                    continue
                clause.append(w.Not() if on else w)
            if satisfied or not clause:  # kept, or broken by constants alone
                continue
            dm.model.add_bool_or(clause)


def add_shortest_runs(dm: DaysModel, bench: ShiftBenchmark) -> None:
    for e in bench.staff:
        if e.min_consecutive > 1:
            _forbid_short_blocks(dm, e.id, bench.days, e.min_consecutive, worked=True)
        if e.min_days_off > 1:
            _forbid_short_blocks(dm, e.id, bench.days, e.min_days_off, worked=False)


def add_weekends(
    dm: DaysModel, bench: ShiftBenchmark, history: Roster, limits: dict[str, Limits]
) -> None:
    for e in bench.staff:
        cap = limits[e.id].max_weekends
        used, lits = 0, []
        for w in range(math.ceil(bench.days / 7)):
            days = [dm.work[e.id, d] for d in (7 * w + 5, 7 * w + 6) if d < bench.days]
            if any(d == 1 for d in days if isinstance(d, int)):
                used += 1
                continue
            free = [d for d in days if d is not None and not isinstance(d, int)]
            if not free:
                continue
            if len(free) == 1:
                lits.append(free[0])
                continue
            wk = dm.model.new_bool_var(f"wk_{e.id}_{w}")
            for d in free:
                dm.model.add_implication(d, wk)
            dm.derived.append((wk, lambda val, free=free: max(val(d) for d in free)))
            lits.append(wk)
        if len(lits) > cap - used:
            dm.model.add(sum(lits) <= max(0, cap - used))


def add_request_terms(dm: DaysModel, bench: ShiftBenchmark) -> None:
    """An on-request costs its weight unless worked; an off-request costs it if worked."""
    for q in bench.on_requests:
        if dm.lo <= q.day < dm.hi:
            v = dm.x.get((q.employee, q.day, q.shift))
            dm.constant += q.weight
            if v is not None:
                dm.objective.append((-q.weight, v))
    for q in bench.off_requests:
        v = dm.x.get((q.employee, q.day, q.shift))
        if v is not None:
            dm.objective.append((q.weight, v))


def add_cover_terms(dm: DaysModel, bench: ShiftBenchmark) -> None:
    """Under weight × shortfall + over weight × excess per (day, shift)."""
    on: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
    for (_, d, sid), v in dm.x.items():
        on[d, sid].append(v)
    for c in bench.cover:
        if not dm.lo <= c.day < dm.hi:
            continue
        vs = on[c.day, c.shift]
        if not vs:
            dm.constant += c.under_weight * c.requirement
            continue
        under = dm.model.new_int_var(0, c.requirement, f"under_{c.day}_{c.shift}")
        over = dm.model.new_int_var(0, len(vs), f"over_{c.day}_{c.shift}")
        dm.model.add(sum(vs) - c.requirement == over - under)
        n = c.requirement
        dm.derived.append((under, lambda val, vs=vs, n=n: max(0, n - sum(map(val, vs)))))
        dm.derived.append((over, lambda val, vs=vs, n=n: max(0, sum(map(val, vs)) - n)))
        if c.under_weight:
            dm.objective.append((c.under_weight, under))
        if c.over_weight:
            dm.objective.append((c.over_weight, over))


def complete_hint(dm: DaysModel, hint: Roster) -> None:
    """Hint every variable of the model: the shifts from `hint`, each auxiliary variable the
    value they give it. A hint of the shifts alone is incomplete, and CP-SAT then starts
    from its own first solutions instead (Instance8: 13,737 at 0.5 s with a 6,123 roster
    hinted)."""
    known: dict[int, int] = {}
    for (eid, d, sid), v in dm.x.items():
        known[v.index] = int(hint.get((eid, d)) == sid)

    def val(lit: Lit) -> int:
        if lit is None:
            return 0
        return lit if isinstance(lit, int) else known[lit.index]

    for v, derive in dm.derived:
        known[v.index] = derive(val)
    dm.model.clear_hints()
    hints = dm.model.proto.solution_hint  # in bulk, as `patrol.model.complete` does
    hints.vars.extend(list(known))
    hints.values.extend(list(known.values()))


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops the search at the first plan whose objective is at most `floor`."""

    def __init__(self, floor: int) -> None:
        super().__init__()
        self.floor = floor

    def on_solution_callback(self) -> None:
        if self.objective_value <= self.floor + 1e-9:
            self.stop_search()


def solve_days(
    bench: ShiftBenchmark,
    seconds: float,
    workers: int = 2,
    seed: int = 0,
    lo: int = 0,
    hi: int | None = None,
    history: Roster | None = None,
    limits: dict[str, Limits] | None = None,
    soft_minimum: int = 0,
    hint: Roster | None = None,
    future: Roster | None = None,
    lp_worker: bool = False,
    floor: int | None = None,
) -> DaysResult:
    """Build and solve the model of days [lo, hi); the roster of those days comes back.
    `lp_worker`: the full-problem worker is CP-SAT's `max_lp` (every constraint in the
    linear relaxation, linearization level 2) beside the interleaved LNS workers; with
    2 workers the default one (`default_lp`) leaves the clauses (successions, weekends,
    shortest runs) out of its relaxation and its bound stays near 0 (Instance7: 29 against
    the relaxation's 926), while `max_lp` proves 1,046 within 20 s and its cuts lead the
    plans (Instance7 at 60 s: 1,179 -> 1,074; Instance6 1,950 proven). Level 2 is that
    worker's own: the neighbourhoods keep the default level, their small models solved
    faster (60 s: Instance10 within 1 % of best known in four runs of seven against one of
    eight with level 2 everywhere; benchmarks/README.md). `floor`: a proven lower bound of
    the objective (the column generation's): the search stops as soon as a plan reaches it.
    It is not stated in the model — a constraint on the whole objective slows CP-SAT down
    (Instance6 in 50 s: 1,951 unproven with it, 1,950 proven in 34 s without)."""
    t0 = time.perf_counter()
    dm = build_days(bench, lo, hi, history, limits, soft_minimum, future)
    if hint:
        complete_hint(dm, hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds - (time.perf_counter() - t0))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if lp_worker:
        solver.parameters.subsolvers.append("max_lp")
    code = solver.solve(dm.model, None if floor is None else _StopAt(floor))
    status = solver.status_name(code).lower()
    roster: Roster = {}
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        roster = {(eid, d): sid for (eid, d, sid), v in dm.x.items() if solver.value(v)}
        objective: float | None = solver.objective_value
        bound: float | None = solver.best_objective_bound
    else:
        objective = bound = None
    return DaysResult(status, roster, objective, bound, time.perf_counter() - t0)
