"""A lower bound (and a guide plan) for a patrol model from the HiGHS LP/MIP solver.

CP-SAT on two workers proves little on the covering and assignment structure of a patrol
plan. The CP-SAT model built by `model.build_model` is read back constraint by constraint
and turned into a linear program: every hard rule's enforcement literal holds (it is fixed
true), so its constraints hold unconditionally; constraints enforced by any other literal
are dropped, `max` equalities become `target ≥ each term`, and constraint kinds the model
does not use are dropped too, as are the constraints named `LP_SKIP` (the per-person rows of
the fairness maxima and the zone-continuity links, each covered by an implied aggregate row:
with them the LP of a county's week took 7× longer for a bound 0.4 % higher). Dropping
constraints and integrality only enlarges the feasible set, so the optimum of the relaxation
is a valid lower bound of the patrol objective; as the CP-SAT objective is integral, the
bound is rounded up.

The model is written as a MathOpt model proto in bulk (building a 100 000-column LP through
MathOpt's Python expression objects took longer than solving it) and solved by HiGHS."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from optimizer.patrol.variables import LP_SKIP

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
LP_SOURCE = "HiGHS LP relaxation"
MIP_SOURCE = "HiGHS MIP dual bound"
#: the child process needs about this long to start and read the model (more on a busy box):
#: HiGHS' time limit is shortened by it so its answer arrives when CP-SAT stops
STARTUP_SECONDS = 4.0


@dataclass
class RelaxationOutcome:
    bound: float | None  # in CP-SAT objective units, rounded up (None if not proven)
    values: list[float] | None  # by CP-SAT variable index, when a solution was found
    seconds: float
    source: str
    detail: str
    integral: bool = False  # values is a MIP incumbent (integral)
    objective: float | None = None  # of `values`, in CP-SAT objective units


def _finite(v: int) -> float:
    if v <= INT64_MIN + 1:
        return -math.inf
    if v >= INT64_MAX - 1:
        return math.inf
    return float(v)


class _Rows:
    """Rows of the LP as coordinate lists (row, column, value) with their bounds."""

    def __init__(self) -> None:
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []

    def add(self, refs: list[int], coeffs: list[float], lo: float, hi: float) -> None:
        """lo ≤ Σ coeff·literal ≤ hi, literals given as CP-SAT refs (negative: negation)."""
        if refs and min(refs) < 0:  # coeff·(1 − x) for a negated literal
            cols, vals = [], []
            for ref, coeff in zip(refs, coeffs, strict=True):
                if ref < 0:
                    lo, hi = lo - coeff, hi - coeff
                    ref, coeff = -ref - 1, -coeff
                cols.append(ref)
                vals.append(coeff)
            refs, coeffs = cols, vals
        self.r.extend([len(self.lo)] * len(refs))
        self.c.extend(refs)
        self.v.extend(coeffs)
        self.lo.append(lo)
        self.hi.append(hi)

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values) in row-major order, duplicate entries summed."""
        r = np.asarray(self.r, dtype=np.int64)
        c = np.asarray(self.c, dtype=np.int64)
        v = np.asarray(self.v, dtype=np.float64)
        order = np.lexsort((c, r))
        r, c, v = r[order], c[order], v[order]
        if len(r) == 0:
            return r, c, v
        first = np.ones(len(r), dtype=bool)
        first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
        starts = np.flatnonzero(first)
        return r[starts], c[starts], np.add.reduceat(v, starts)


def _read(cp: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """`cp`'s model as a protobuf message: read field by field through OR-Tools' own wrapper,
    a group's model took 3× longer than writing it out whole and parsing it back."""
    with tempfile.TemporaryDirectory(prefix="pingan-lp-") as folder:
        path = os.path.join(folder, "model.pb")
        if not cp.export_to_file(path):
            raise OSError(f"could not write the model to {path}")
        with open(path, "rb") as f:
            return cp_model_pb2.CpModelProto.FromString(f.read())


def relaxation_proto(
    cp: cp_model.CpModel, integral: bool = False, light: bool = True
) -> tuple[model_pb2.ModelProto, int]:
    """The linear relaxation of `cp` (integral=True keeps integrality) as a MathOpt model proto
    whose variable ids are the CP-SAT variable indices, and the number of constraints left
    out. `light` leaves out the constraints named `LP_SKIP` (False keeps them: the MIP is then
    the patrol model itself, as the local search of `reroster.py` needs).

    (A group of the group search is read on every draw: this is on the search's critical
    path, hence the bulk reads.)"""
    proto = _read(cp)
    n = len(proto.variables)
    col_lo, col_hi = [], []
    assumed = set(proto.assumptions)
    for i, var in enumerate(proto.variables):
        lo, hi = var.domain[0], var.domain[-1]
        col_lo.append(_finite(lo))
        col_hi.append(_finite(hi))
        if lo == 1 and hi == 1:  # a Boolean fixed to 1: how the hard rules are passed
            assumed.add(i)
    rows = _Rows()
    dropped = 0
    inf = math.inf
    for c in proto.constraints:
        enforced = c.enforcement_literal
        if (light and c.name == LP_SKIP) or (enforced and not assumed.issuperset(enforced)):
            dropped += 1
            continue
        kind = c.WhichOneof("constraint")
        if kind == "linear":
            dom = c.linear.domain
            rows.add(
                list(c.linear.vars),
                list(c.linear.coeffs),
                _finite(dom[0]),
                _finite(dom[-1]),
            )
        elif kind == "lin_max":  # target ≥ every term
            t = c.lin_max.target
            for e in c.lin_max.exprs:
                rows.add(
                    list(t.vars) + list(e.vars),
                    list(t.coeffs) + [-k for k in e.coeffs],
                    e.offset - t.offset,
                    inf,
                )
        elif kind == "bool_or":
            refs = list(c.bool_or.literals)
            rows.add(refs, [1.0] * len(refs), 1, inf)
        elif kind == "at_most_one":
            refs = list(c.at_most_one.literals)
            rows.add(refs, [1.0] * len(refs), -inf, 1)
        elif kind == "exactly_one":
            refs = list(c.exactly_one.literals)
            rows.add(refs, [1.0] * len(refs), 1, 1)
        elif kind == "bool_and":
            for r in c.bool_and.literals:
                rows.add([r], [1.0], 1, inf)
        else:
            dropped += 1
    for ref in sorted(assumed):  # the hard rules hold
        rows.add([ref], [1.0], 1, 1)
    m = model_pb2.ModelProto(name="patrol relaxation")
    m.variables.ids.extend(range(n))
    m.variables.lower_bounds.extend(col_lo)
    m.variables.upper_bounds.extend(col_hi)
    m.variables.integers.extend([integral] * n)
    cost: dict[int, float] = {}
    obj = proto.objective
    for v, k in zip(obj.vars, obj.coeffs, strict=True):
        cost[v] = cost.get(v, 0.0) + k
    ids = sorted(cost)
    m.objective.offset = float(obj.offset)
    m.objective.linear_coefficients.ids.extend(ids)
    m.objective.linear_coefficients.values.extend([cost[i] for i in ids])
    m.linear_constraints.ids.extend(range(len(rows.lo)))
    m.linear_constraints.lower_bounds.extend(rows.lo)
    m.linear_constraints.upper_bounds.extend(rows.hi)
    r, col, val = rows.matrix()
    mat = m.linear_constraint_matrix
    mat.row_ids.extend(r.tolist())
    mat.column_ids.extend(col.tolist())
    mat.coefficients.extend(val.tolist())
    return m, dropped


def solve_proto(
    proto: model_pb2.ModelProto,
    integral: bool,
    time_limit: float,
    random_seed: int,
    log: bool,
    hint: list[int] | None = None,
    node_limit: int | None = None,
) -> tuple[float | None, list[float] | None, float | None, str]:
    """Solve the relaxation with HiGHS (from the solution `hint`, values by variable id):
    (bound rounded up, values by variable id, their objective, detail). `node_limit` bounds
    a MIP's branch-and-bound nodes: the same work, and so the same answer, on any machine
    (the time limit then only guards the clock)."""
    model = mathopt.Model.from_model_proto(proto)
    params = mathopt.SolveParameters(
        time_limit=dt.timedelta(seconds=max(0.1, time_limit)),
        random_seed=random_seed,
        enable_output=log,
        node_limit=node_limit if integral else None,
    )
    start = None
    if hint is not None:
        known = {model.get_variable(i): float(v) for i, v in enumerate(hint)}
        start = mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(known)])
    res = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params, model_params=start)
    term = res.termination
    bound: float | None = None
    if integral:
        b = term.objective_bounds.dual_bound
        bound = b if math.isfinite(b) else None
    elif term.reason == mathopt.TerminationReason.OPTIMAL:
        bound = res.objective_value()
    if bound is not None:
        # the CP-SAT objective is integral; the slack absorbs HiGHS' tolerances
        bound = math.ceil(bound - 1e-6 * max(1.0, abs(bound)))
    values, objective = None, None
    if res.has_primal_feasible_solution():
        got = res.variable_values()
        values = [got[model.get_variable(i)] for i in range(len(proto.variables.ids))]
        objective = res.objective_value()
    return bound, values, objective, term.reason.name


def main() -> None:
    """Child-process entry: a relaxation proto on stdin, its bound as JSON on stdout.

    python -m optimizer.patrol.relax <integral 0|1> <time limit s> <seed> [<node limit>]
    python -m optimizer.patrol.relax serve      (the loop of a `MipWorkers` child)"""
    if sys.argv[1] == "serve":
        _serve()
        return
    integral, time_limit, seed = bool(int(sys.argv[1])), float(sys.argv[2]), int(sys.argv[3])
    nodes = int(sys.argv[4]) if len(sys.argv) > 4 else None
    proto = model_pb2.ModelProto.FromString(sys.stdin.buffer.read())
    bound, values, objective, detail = solve_proto(
        proto, integral, time_limit, seed, False, None, nodes
    )
    if values is not None and integral:
        values = [round(v) for v in values]
    answer = {"bound": bound, "values": values, "objective": objective, "detail": detail}
    sys.stdout.write(json.dumps(answer))


def _send(stream: IO[bytes], payload: object) -> None:
    data = pickle.dumps(payload)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError("the HiGHS worker process has ended")
    return pickle.loads(stream.read(int.from_bytes(head, "little")))


def _serve() -> None:
    """Solve MIPs until stdin closes: each job the arguments of `solve_proto` (the proto
    serialized), each answer its result, both length-prefixed pickles."""
    while True:
        try:
            data, *args = _receive(sys.stdin.buffer)
        except EOFError:
            return
        _send(sys.stdout.buffer, solve_proto(model_pb2.ModelProto.FromString(data), *args))


class MipWorkers:
    """HiGHS in `n` child processes (`python -m optimizer.patrol.relax serve`), so that as
    many models are solved side by side (the HiGHS call holds the Python lock, so threads
    would not do; child processes started this way, unlike a multiprocessing pool, neither
    fork a threaded server nor import the caller's main module again)."""

    def __init__(self, n: int) -> None:
        self.idle: queue.Queue[subprocess.Popen[bytes]] = queue.Queue()
        self.children = [
            subprocess.Popen(
                [sys.executable, "-m", "optimizer.patrol.relax", "serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(n)
        ]
        for child in self.children:
            self.idle.put(child)
        self.threads = ThreadPoolExecutor(n)

    def submit(
        self,
        proto: model_pb2.ModelProto,
        time_limit: float,
        random_seed: int,
        hint: list[int] | None,
        node_limit: int | None = None,
    ) -> Future[tuple[float | None, list[float] | None, float | None, str]]:
        """Solve the MIP `proto` in the next free child: `solve_proto`'s answer."""
        job = [proto.SerializeToString(), True, time_limit, random_seed, False, hint, node_limit]

        def run() -> tuple[float | None, list[float] | None, float | None, str]:
            child = self.idle.get()
            try:
                assert child.stdin is not None and child.stdout is not None
                _send(child.stdin, job)
                return _receive(child.stdout)
            finally:
                self.idle.put(child)

        return self.threads.submit(run)

    def close(self) -> None:
        """End the children, and with them any job still under way (its future raises
        EOFError)."""
        for child in self.children:
            child.kill()
            child.wait()
        self.threads.shutdown(wait=True, cancel_futures=True)


class Relaxation:
    """The relaxation of a CP-SAT model, read from the model at once."""

    def __init__(self, cp: cp_model.CpModel, integral: bool = False, light: bool = True) -> None:
        start = time.perf_counter()
        self.integral = integral
        self.proto, self.dropped = relaxation_proto(cp, integral, light)
        self.build_seconds = time.perf_counter() - start

    @property
    def source(self) -> str:
        return MIP_SOURCE if self.integral else LP_SOURCE

    def solve(
        self,
        time_limit: float,
        random_seed: int = 0,
        log: bool = False,
        hint: list[int] | None = None,
    ) -> RelaxationOutcome:
        """Solve with HiGHS in this process (from the solution `hint`, by variable index)."""
        start = time.perf_counter()
        bound, values, objective, detail = solve_proto(
            self.proto, self.integral, time_limit, random_seed, log, hint
        )
        return RelaxationOutcome(
            bound=bound,
            values=values,
            seconds=self.build_seconds + time.perf_counter() - start,
            source=self.source,
            detail=f"{detail}; {self.dropped} constraints dropped",
            integral=self.integral,
            objective=objective,
        )

    def start(
        self, time_limit: float, random_seed: int = 0, node_limit: int | None = None
    ) -> RunningRelaxation:
        """Solve in a child process while this one runs CP-SAT (the HiGHS call holds the
        Python lock: in a thread it would stall CP-SAT's solution callbacks)."""
        return RunningRelaxation(self, time_limit, random_seed, node_limit)


class RunningRelaxation:
    """HiGHS solving a relaxation in a child process (`python -m optimizer.patrol.relax`)."""

    def __init__(
        self,
        relaxation: Relaxation,
        time_limit: float,
        random_seed: int,
        node_limit: int | None = None,
    ) -> None:
        self.relaxation = relaxation
        self.started = time.perf_counter()
        self.time_limit = time_limit
        self.outcome: RelaxationOutcome | None = None
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "optimizer.patrol.relax",
                str(int(relaxation.integral)),
                str(max(0.5, time_limit - STARTUP_SECONDS)),
                str(random_seed),
                *([str(node_limit)] if node_limit is not None else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._out: bytes = b""
        self.reader = threading.Thread(target=self._talk, daemon=True)
        self.reader.start()

    def _talk(self) -> None:
        try:
            self._out, _ = self.process.communicate(self.relaxation.proto.SerializeToString())
        except (OSError, ValueError):  # the process was stopped
            self._out = b""

    def done(self) -> bool:
        """Whether the child has answered (or ended)."""
        return not self.reader.is_alive()

    def wait(
        self, grace: float = STARTUP_SECONDS + 2.0, until: float | None = None
    ) -> RelaxationOutcome | None:
        """The outcome, waiting at most until the time limit (plus `grace`) has passed, and
        never past `until` (perf_counter)."""
        if self.outcome is None:
            deadline = self.started + self.time_limit + grace
            if until is not None:
                deadline = min(deadline, until)
            self.reader.join(timeout=max(0.0, deadline - time.perf_counter()))
            if not self.reader.is_alive() and self._out:
                got = json.loads(self._out)
                self.outcome = RelaxationOutcome(
                    bound=got["bound"],
                    values=got["values"],
                    seconds=time.perf_counter() - self.started,
                    source=self.relaxation.source,
                    detail=got["detail"],
                    integral=self.relaxation.integral,
                    objective=got["objective"],
                )
        self.stop()
        return self.outcome

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def solve_relaxation(
    cp: cp_model.CpModel,
    *,
    time_limit: float,
    integral: bool = False,
    random_seed: int = 0,
    log: bool = False,
) -> RelaxationOutcome:
    """Build and solve the relaxation of `cp` with HiGHS."""
    return Relaxation(cp, integral).solve(time_limit, random_seed, log)


if __name__ == "__main__":
    main()
