"""What every CP-SAT model here shares: the solver status as a SolveStatus, and a solve that
a `threading.Event` can cancel even before the first solution is found."""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model

from optimizer.result import SolveStatus

STATUS: dict[int, SolveStatus] = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID,
}


def status_of(code: int, cancelled: bool = False) -> SolveStatus:
    """CP-SAT's status code as a SolveStatus; an unknown status after a cancel is CANCELLED."""
    status = STATUS.get(code, SolveStatus.UNKNOWN)
    if cancelled and status in (SolveStatus.UNKNOWN, SolveStatus.FEASIBLE):
        return SolveStatus.CANCELLED if status == SolveStatus.UNKNOWN else status
    return status


def solve_cancellable(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """solver.solve(model, callback), stopped as soon as `cancel` is set — also while no
    solution has been found yet (the callback alone would only see it at a solution)."""
    if cancel is None:
        return solver.solve(model, callback)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if cancel.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return solver.solve(model, callback)
    finally:
        done.set()
        watcher.join()
