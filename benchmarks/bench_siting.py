"""Siting benchmarks on shared/bench: OR-Library p-median, SJC maximal covering, Swain.

    .venv/bin/python benchmarks/bench_siting.py                    # pmed1-15, all SJC, Swain
    .venv/bin/python benchmarks/bench_siting.py --pmed 1-40 --time-limit 600
    .venv/bin/python benchmarks/bench_siting.py --pmed none --mclp-solver cp-sat,highs

Prints one row per solve: instance, n, p, radius, solver, seconds, objective, bound, gap, known
optimum, whether they match, and the process's peak resident memory so far (ru_maxrss).
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.siting import CoverageRing, solve_max_cover, solve_pmedian
from optimizer.siting.bench_formats import read_pmed, read_sjc, read_swain
from optimizer.siting.result import SitingResult

BENCH = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench"
HEADER = (
    f"{'instance':<22}{'n':>5}{'p':>5}{'radius':>7}  {'solver':<8}{'seconds':>9}"
    f"{'objective':>13}{'bound':>13}{'gap':>9}{'known':>12}  {'match':<6}{'peak MB':>8}"
)


def table(folder: str, name: str) -> list[dict[str, str]]:
    with (BENCH / folder / name).open(newline="") as f:
        return list(csv.DictReader(f))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def report(
    name: str, n: int, p: int, radius: str, solver: str, r: SitingResult, known: float
) -> bool:
    match = r.objective is not None and abs(r.objective - known) <= 1e-3 * max(1.0, abs(known))
    proven = r.status == "optimal"
    gap = "-" if r.gap is None else f"{r.gap:.2e}"
    bound = "-" if r.bound is None else f"{r.bound:.4f}"
    print(
        f"{name:<22}{n:>5}{p:>5}{radius:>7}  {solver:<8}{r.solve_seconds:>9.2f}"
        f"{r.objective:>13.4f}{bound:>13}{gap:>9}{known:>12g}  "
        f"{('yes' if match else 'NO') + ('' if proven else '*'):<6}{peak_mb():>8.0f}",
        flush=True,
    )
    return match and proven


def pmed_numbers(spec: str) -> list[int]:
    if spec == "none":
        return []
    numbers: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        numbers += range(int(lo), int(hi or lo) + 1)
    return numbers


def run(args: argparse.Namespace) -> int:
    if not BENCH.exists():
        print(f"benchmark folder not found: {BENCH}")
        return 2
    ok = total = 0
    print(HEADER)
    optima = {r["instance"]: r for r in table("pmed", "optima.csv")}
    for k in pmed_numbers(args.pmed):
        name = f"pmed{k}"
        inst = read_pmed(BENCH / "pmed" / f"{name}.txt")
        r = solve_pmedian(inst, time_limit=args.time_limit)
        ok += report(name, inst.n, inst.p, "", "HiGHS", r, float(optima[name]["optimum"]))
        total += 1
    for row in table("emergency", "known_values.csv"):
        if row["problem"].startswith("p-center") or not args.swain:
            continue
        inst = read_swain(BENCH / "emergency" / "swain.dat", int(row["p"]))
        if row["problem"].startswith("p-median"):
            r, radius, solver = solve_pmedian(inst, time_limit=args.time_limit), "", "HiGHS"
        else:
            radius, solver = row["radius"], "CP-SAT"
            r = solve_max_cover(inst, [CoverageRing(minutes=float(radius))], solver="cp-sat")
        name = "swain " + row["problem"].split()[0]
        ok += report(name, inst.n, inst.p, radius, solver, r, float(row["objective"]))
        total += 1
    solvers = [s for s in args.mclp_solver.split(",") if s]
    for row in table("mclp", "known_values.csv") if solvers else []:
        name = row["instance"]
        inst = read_sjc(
            BENCH / "mclp" / f"{name}.txt", BENCH / "mclp" / f"demand-{name}.dat", int(row["p"])
        )
        for solver in solvers:
            r = solve_max_cover(
                inst,
                [CoverageRing(minutes=float(row["radius"]))],
                solver=solver,
                time_limit=args.time_limit,
            )
            label = "CP-SAT" if solver == "cp-sat" else "HiGHS"
            ok += report(
                name, inst.n, inst.p, row["radius"], label, r, float(row["optimal_coverage"])
            )
            total += 1
    print(
        f"\n{ok}/{total} proven optimal and equal to the known value "
        "(* = not proven within the time limit)"
    )
    return 0 if ok == total else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmed", default="1-15", help="pmed numbers, e.g. 1-15,20 or none")
    parser.add_argument(
        "--mclp-solver", default="cp-sat", help="comma list of cp-sat, highs; empty to skip SJC"
    )
    parser.add_argument("--no-swain", dest="swain", action="store_false")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
