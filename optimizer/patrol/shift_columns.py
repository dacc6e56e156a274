"""Column generation over whole schedules of one employee for a Curtois & Qu instance: the
linear relaxation of "one schedule per employee" and a Lagrangian bound of the benchmark.

    Columns(bench) -> cg;  cg.generate(deadline, workers) -> Progress

Every hard rule of the benchmark is about one employee, so a roster is one schedule per
employee and only the cover ties them together. The master LP (GLOP) chooses a convex mix
of known schedules per employee (`lam`) and pays the under and over cover of the mix; its
cover duals price each (day, shift). The pricing problem of one employee is their exact
one-person CP-SAT model (`shift_model.build_days` on the instance restricted to them, every
rule of theirs kept), built once; each round only its objective changes: the requests'
cost minus the duals of the shifts worked. A schedule whose reduced cost is negative joins
the master.

Every round gives a bound, whatever the duals: relaxing the cover rows with prices
π ∈ [−over weight, under weight] gives L(π) = Σ π·requirement + Σ_e min over e's schedules
of (requests − π·shifts), a lower bound of every roster. The duals are scaled to integers
(`SCALE`) so L is exact in integer arithmetic, and each pricing's own CP-SAT bound stands in
for its minimum when the pricing stops before it is proven. The objective is integral, so
⌈L⌉ bounds it. Pricing at duals smoothed towards the best-bound duals (Wentges, `ALPHA`)
takes fewer rounds; a round in which the smoothed duals find no column prices at the LP's
own duals.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from optimizer.patrol.shift_benchmark import BenchStaff, Roster, ShiftBenchmark
from optimizer.patrol.shift_model import build_days

#: duals are priced as integers in units of 1 / SCALE of the objective
SCALE = 1000
#: the weight of the best-bound duals in the duals a round prices at (0: the LP's duals)
ALPHA = 0.5
#: CP-SAT settings of a pricing solve. Its models are tiny (one employee, ~100 booleans), so
#: a solve's fixed costs dominate: one presolve pass, no probing or symmetry search, the whole
#: relaxation at once. A quick try without cuts first (Instance8: 9.4 ms a solve against 22.3
#: by default, its root in 9 s instead of 21), then, if that try proves nothing within its
#: time, the same with cuts (without them some of Instance9's pricings run for seconds) — and
#: from then on only that for this employee.
PRICING_COMMON: dict[str, int | bool] = {
    "num_workers": 1,
    "linearization_level": 2,
    "add_lp_constraints_lazily": False,
    "symmetry_level": 0,
    "cp_model_probing_level": 0,
    "max_presolve_iterations": 1,
    "presolve_use_bva": False,
}
PRICING_TRIES: tuple[tuple[float, dict[str, int | bool]], ...] = (
    (0.1, {"cut_level": 0}),
    (2.0, {}),
)
#: a column joins when its reduced cost is below −EPS
EPS = 1e-6

Cell = tuple[int, str]  # (day, shift id)


@dataclass(frozen=True)
class Column:
    employee: str
    schedule: tuple[Cell, ...]  # the days worked with their shift, by day
    cost: int  # the employee's requests this schedule leaves unmet


@dataclass
class Progress:
    lp: float | None  # the master LP's value (an upper estimate of the relaxation)
    bound: int | None  # ⌈best Lagrangian bound⌉: a bound of every roster
    rounds: int
    columns: int
    converged: bool  # the bound reached the LP: no column can lower it


class _Pricing:
    """One employee's exact model, re-solved with new cover prices each round."""

    def __init__(self, bench: ShiftBenchmark, e: BenchStaff) -> None:
        mine = dataclasses.replace(
            bench,
            staff=[e],
            days_off={e.id: list(bench.days_off.get(e.id, []))},
            on_requests=[q for q in bench.on_requests if q.employee == e.id],
            off_requests=[q for q in bench.off_requests if q.employee == e.id],
            cover=[],
        )
        self.employee = e.id
        self.dm = build_days(mine)
        self.cells: dict[Cell, int] = {(d, s): v.index for (_, d, s), v in self.dm.x.items()}
        # the requests as a linear objective over the shifts: a constant and a coefficient each
        self.request: dict[int, int] = {}
        for w, term in self.dm.objective:
            index = term.index  # every request term is one shift literal
            self.request[index] = self.request.get(index, 0) + w
        self.constant = self.dm.constant
        self.solvers: list[cp_model.CpSolver] = []
        for seconds, own in PRICING_TRIES:
            solver = cp_model.CpSolver()
            for name, value in {**PRICING_COMMON, **own}.items():
                setattr(solver.parameters, name, value)
            solver.parameters.max_time_in_seconds = seconds
            self.solvers.append(solver)

    def column(self, cells: Iterable[Cell]) -> Column:
        """The schedule working `cells`, with the requests it leaves unmet as its cost."""
        worked = tuple(sorted(cells))
        unmet = sum(self.request.get(self.cells[c], 0) for c in worked if c in self.cells)
        return Column(self.employee, worked, self.constant + unmet)

    def price(self, prices: dict[Cell, int]) -> tuple[Column | None, int]:
        """The cheapest schedule at `prices` (scaled) and a bound of its scaled value (the
        value itself when proven)."""
        objective = self.dm.model.proto.objective
        objective.vars.clear()
        objective.coeffs.clear()
        terms = [
            (index, SCALE * self.request.get(index, 0) - prices.get(cell, 0))
            for cell, index in self.cells.items()
        ]
        objective.vars.extend([i for i, k in terms if k])
        objective.coeffs.extend([k for _, k in terms if k])
        objective.offset = SCALE * self.constant
        tries = self.solvers
        for k, solver in enumerate(tries):
            code = solver.solve(self.dm.model)
            if code in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                break
            if k == 0 and len(tries) > 1:  # the quick try failed: this model needs the cuts
                self.solvers = tries[1:]
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, math.floor(solver.best_objective_bound)
        values = solver.response_proto.solution
        proven = code == cp_model.OPTIMAL
        bound = solver.objective_value if proven else solver.best_objective_bound
        worked = [c for c, index in self.cells.items() if values[index]]
        return self.column(worked), math.floor(bound + 1e-6)


class Columns:
    """The master LP, its columns and the best bound found so far."""

    def __init__(self, bench: ShiftBenchmark, start: Iterable[Roster] = ()) -> None:
        self.bench = bench
        self.pricing = {e.id: _Pricing(bench, e) for e in bench.staff}
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.columns: list[Column] = []
        self.lam: list[pywraplp.Variable] = []
        self.known: set[Column] = set()
        self.fixed: dict[str, Column] = {}
        inf = self.lp.infinity()
        self.need = {(c.day, c.shift): c for c in bench.cover}
        self.cover_row = {}
        objective = self.lp.Objective()
        for cell, c in self.need.items():
            row = self.lp.Constraint(c.requirement, c.requirement)
            under = self.lp.NumVar(0, inf, "")
            over = self.lp.NumVar(0, inf, "")
            row.SetCoefficient(under, 1)
            row.SetCoefficient(over, -1)
            objective.SetCoefficient(under, c.under_weight)
            objective.SetCoefficient(over, c.over_weight)
            self.cover_row[cell] = row
        self.one = {e.id: self.lp.Constraint(1, 1) for e in bench.staff}
        objective.SetMinimization()
        self.best_scaled: int | None = None  # SCALE × the best Lagrangian bound
        self.center: dict[Cell, int] | None = None  # the duals that gave it
        self.rounds = 0
        self.value: float | None = None
        self.solution: list[float] = []  # the weights of the last LP solve, by column
        self.pi: dict[Cell, float] = {}
        self.mu: dict[str, float] = {}
        for roster in start:
            self.add_roster(roster)

    # --- columns ---------------------------------------------------------------------------

    def add_roster(self, roster: Roster) -> None:
        by: dict[str, list[Cell]] = {e.id: [] for e in self.bench.staff}
        for (eid, d), s in roster.items():
            by[eid].append((d, s))
        for eid, cells in by.items():
            self.add(self.column_of(eid, cells))

    def column_of(self, eid: str, cells: Iterable[Cell]) -> Column:
        return self.pricing[eid].column(cells)

    def add(self, col: Column) -> bool:
        if col in self.known:
            return False
        self.known.add(col)
        v = self.lp.NumVar(0, self.lp.infinity(), "")
        if col.employee in self.fixed:
            v.SetUb(0)
        self.lp.Objective().SetCoefficient(v, col.cost)
        self.one[col.employee].SetCoefficient(v, 1)
        for cell in col.schedule:
            row = self.cover_row.get(cell)
            if row is not None:
                row.SetCoefficient(v, 1)
        self.columns.append(col)
        self.lam.append(v)
        return True

    def fix(self, col: Column) -> None:
        """Keep `col` as its employee's schedule from now on (the dive's step)."""
        self.fixed[col.employee] = col
        for c, v in zip(self.columns, self.lam, strict=True):
            if c.employee == col.employee:
                if c == col:
                    v.SetBounds(1, 1)
                else:
                    v.SetUb(0)

    def weights(self) -> list[tuple[Column, float]]:
        """Each column with its weight in the last LP solution (0 if it joined since)."""
        padded = self.solution + [0.0] * (len(self.columns) - len(self.solution))
        return list(zip(self.columns, padded, strict=True))

    def roster(self) -> Roster:
        """Each employee's schedule of largest weight in the last LP solution."""
        best: dict[str, tuple[float, Column]] = {}
        for c, w in self.weights():
            if c.employee not in best or w > best[c.employee][0]:
                best[c.employee] = (w, c)
        return {(c.employee, d): s for _, c in best.values() for d, s in c.schedule}

    # --- rounds ----------------------------------------------------------------------------

    def solve_lp(self) -> bool:
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return False
        self.value = self.lp.Objective().Value()
        self.solution = [v.solution_value() for v in self.lam]
        self.pi, self.mu = self.duals()
        return True

    def duals(self) -> tuple[dict[Cell, float], dict[str, float]]:
        pi = {cell: row.dual_value() for cell, row in self.cover_row.items()}
        mu = {eid: row.dual_value() for eid, row in self.one.items()}
        return pi, mu

    def scaled(self, pi: dict[Cell, float]) -> dict[Cell, int]:
        """Duals as integers in 1/SCALE, kept within [−over, under] so that L stays valid."""
        out = {}
        for cell, p in pi.items():
            c = self.need[cell]
            out[cell] = min(SCALE * c.under_weight, max(-SCALE * c.over_weight, round(SCALE * p)))
        return out

    def price_all(
        self, prices: dict[Cell, int], pool: ThreadPoolExecutor
    ) -> tuple[list[Column], int | None]:
        """Every free employee priced; the columns found and SCALE × L(prices) (None when a
        fixed employee leaves the bound undefined: L then needs their full minimum too)."""
        free = [eid for eid in self.pricing if eid not in self.fixed]
        found = list(pool.map(lambda eid: self.pricing[eid].price(prices), free))
        columns = [c for c, _ in found if c is not None]
        if self.fixed:
            return columns, None
        scaled = sum(prices[cell] * c.requirement for cell, c in self.need.items())
        return columns, scaled + sum(b for _, b in found)

    def round(self, pool: ThreadPoolExecutor, alpha: float = ALPHA) -> int:
        """One round: solve the LP, price, add the columns that lower it; how many joined."""
        if not self.solve_lp():
            return 0
        self.rounds += 1
        pi, mu = self.pi, self.mu
        at_lp = self.scaled(pi)
        tries = [at_lp]
        if alpha > 0 and self.center is not None and not self.fixed:
            tries.insert(
                0, {k: round(alpha * self.center[k] + (1 - alpha) * v) for k, v in at_lp.items()}
            )
        for prices in tries:
            columns, scaled = self.price_all(prices, pool)
            if scaled is not None and (self.best_scaled is None or scaled > self.best_scaled):
                self.best_scaled, self.center = scaled, prices
            added = 0
            for col in columns:
                reduced = col.cost - sum(pi.get(c, 0.0) for c in col.schedule) - mu[col.employee]
                if reduced < -EPS and self.add(col):
                    added += 1
            if added:
                return added
        return 0

    @property
    def bound(self) -> int | None:
        if self.best_scaled is None:
            return None
        return -(-self.best_scaled // SCALE)

    def converged(self) -> bool:
        return self.value is not None and self.bound is not None and self.bound >= self.value - EPS

    def generate(self, deadline: float, workers: int = 2, rounds: int | None = None) -> Progress:
        """Rounds until no column joins, the bound meets the LP, `rounds` rounds or the
        deadline."""
        done = 0
        with ThreadPoolExecutor(max(1, workers)) as pool:
            while time.perf_counter() < deadline and (rounds is None or done < rounds):
                done += 1
                if not self.round(pool) or (not self.fixed and self.converged()):
                    break
        if self.value is None or self.fixed:
            self.solve_lp()
        return Progress(self.value, self.bound, self.rounds, len(self.columns), self.converged())
