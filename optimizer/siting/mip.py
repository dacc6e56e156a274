"""Solving a siting MIP with HiGHS through OR-Tools MathOpt and reading back what it proved."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from ortools.math_opt.python import mathopt

from optimizer.result import SolveStatus

HIGHS = "HiGHS MIP"

_STATUS = {
    mathopt.TerminationReason.OPTIMAL: SolveStatus.OPTIMAL,
    mathopt.TerminationReason.FEASIBLE: SolveStatus.FEASIBLE,
    mathopt.TerminationReason.INFEASIBLE: SolveStatus.INFEASIBLE,
    mathopt.TerminationReason.NO_SOLUTION_FOUND: SolveStatus.UNKNOWN,
}


@dataclass
class MipOutcome:
    status: SolveStatus
    values: dict[mathopt.Variable, float] | None
    bound: float | None
    seconds: float
    detail: str


def solve_highs(
    model: mathopt.Model,
    *,
    time_limit: float,
    hint: dict[mathopt.Variable, float] | None = None,
    relative_gap: float = 1e-9,
    absolute_gap: float = 1e-6,
    random_seed: int = 0,
    log: bool = False,
) -> MipOutcome:
    """Solve `model` with HiGHS (single-threaded by HiGHS' own default on MIP search)."""
    params = mathopt.SolveParameters(
        time_limit=dt.timedelta(seconds=time_limit),
        relative_gap_tolerance=relative_gap,
        absolute_gap_tolerance=absolute_gap,
        random_seed=random_seed,
        enable_output=log,
    )
    model_params = mathopt.ModelSolveParameters(
        solution_hints=[mathopt.SolutionHint(variable_values=hint)] if hint else []
    )
    start = time.perf_counter()
    result = mathopt.solve(
        model, mathopt.SolverType.HIGHS, params=params, model_params=model_params
    )
    seconds = time.perf_counter() - start
    term = result.termination
    status = _STATUS.get(term.reason, SolveStatus.UNKNOWN)
    values = result.variable_values() if result.has_primal_feasible_solution() else None
    if values is not None and status == SolveStatus.UNKNOWN:
        status = SolveStatus.FEASIBLE
    bound = term.objective_bounds.dual_bound
    if bound is not None and abs(bound) == float("inf"):
        bound = None
    return MipOutcome(status, values, bound, seconds, f"{term.reason.name}: {term.detail}")
