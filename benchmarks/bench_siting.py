"""Siting benchmarks on shared/bench: OR-Library p-median, SJC maximal covering, Swain, and
the demo city (candidate sites × demand points drawn from its geography).

    .venv/bin/python benchmarks/bench_siting.py                    # pmed1-40, all SJC, Swain
    .venv/bin/python benchmarks/bench_siting.py --pmed 31-40 --no-swain --mclp-solver ''
    .venv/bin/python benchmarks/bench_siting.py --pmed none --mclp-solver '' --no-swain --city
    .venv/bin/python benchmarks/bench_siting.py --pmed 1-15 --pmedian-method highs

Prints one row per solve: instance, n, p, radius, solver, wall and CPU seconds, objective,
bound, gap, known optimum, whether they match, and the process's peak resident memory so far
(ru_maxrss). Integer objectives match only when equal; `NO*` marks a row not proven optimal
within the time limit. The load average is printed first and last: the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# One BLAS thread, set before numpy loads: the solves' matrix-vector products are small, and
# on this 2-core box a second BLAS thread only spins (pmed36 once used 93.9 s of CPU in 60 s).
for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from optimizer.siting import CoverageRing, solve_max_cover, solve_pmedian  # noqa: E402
from optimizer.siting.bench_formats import read_pmed, read_sjc, read_swain  # noqa: E402
from optimizer.siting.result import SitingResult  # noqa: E402

PMEDIAN_LABELS = {"lagrangian": "Lagrangian", "highs": "HiGHS"}

BENCH = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench"
HEADER = (
    f"{'instance':<22}{'n':>5}{'p':>5}{'radius':>7}  {'solver':<11}{'seconds':>8}{'cpu s':>7}"
    f"{'objective':>13}{'bound':>13}{'gap':>9}{'known':>12}  {'match':<6}{'peak MB':>8}"
)


def table(folder: str, name: str) -> list[dict[str, str]]:
    with (BENCH / folder / name).open(newline="") as f:
        return list(csv.DictReader(f))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def matches(objective: float | None, known: float) -> bool:
    """Integer objectives (OR-Library, SJC) match only when equal; fractional ones (Swain's
    Euclidean distances) within 1e-6 relative."""
    if objective is None:
        return False
    if float(known).is_integer() and float(objective).is_integer():
        return objective == known
    return abs(objective - known) <= 1e-6 * max(1.0, abs(known))


def report(
    name: str, n: int, p: int, radius: str, solver: str, r: SitingResult, known: float, cpu: float
) -> bool:
    match = matches(r.objective, known)
    proven = r.status == "optimal"
    gap = "-" if r.gap is None else f"{r.gap:.2e}"
    bound = "-" if r.bound is None else f"{r.bound:.4f}"
    print(
        f"{name:<22}{n:>5}{p:>5}{radius:>7}  {solver:<11}{r.solve_seconds:>8.2f}{cpu:>7.2f}"
        f"{r.objective:>13.4f}{bound:>13}{gap:>9}{known:>12g}  "
        f"{('yes' if match else 'NO') + ('' if proven else '*'):<6}{peak_mb():>8.0f}",
        flush=True,
    )
    return match and proven


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


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
    print(load())
    print(HEADER)
    optima = {r["instance"]: r for r in table("pmed", "optima.csv")}
    method, label = args.pmedian_method, PMEDIAN_LABELS[args.pmedian_method]
    seconds = 0.0
    for k in pmed_numbers(args.pmed):
        name = f"pmed{k}"
        inst = read_pmed(BENCH / "pmed" / f"{name}.txt")
        cpu = time.process_time()
        r = solve_pmedian(inst, time_limit=args.time_limit, method=method)
        cpu = time.process_time() - cpu
        ok += report(name, inst.n, inst.p, "", label, r, float(optima[name]["optimum"]), cpu)
        total += 1
        seconds += r.solve_seconds
    if seconds:
        print(f"pmed total {seconds:.1f} s; {load()}", flush=True)
    for row in table("emergency", "known_values.csv"):
        if row["problem"].startswith("p-center") or not args.swain:
            continue
        inst = read_swain(BENCH / "emergency" / "swain.dat", int(row["p"]))
        cpu = time.process_time()
        if row["problem"].startswith("p-median"):
            r = solve_pmedian(inst, time_limit=args.time_limit, method=method)
            radius, solver = "", label
        else:
            radius, solver = row["radius"], "CP-SAT"
            r = solve_max_cover(inst, [CoverageRing(minutes=float(radius))], solver="cp-sat")
        cpu = time.process_time() - cpu
        name = "swain " + row["problem"].split()[0]
        ok += report(name, inst.n, inst.p, radius, solver, r, float(row["objective"]), cpu)
        total += 1
    solvers = [s for s in args.mclp_solver.split(",") if s]
    for row in table("mclp", "known_values.csv") if solvers else []:
        name = row["instance"]
        inst = read_sjc(
            BENCH / "mclp" / f"{name}.txt", BENCH / "mclp" / f"demand-{name}.dat", int(row["p"])
        )
        for solver in solvers:
            cpu = time.process_time()
            r = solve_max_cover(
                inst,
                [CoverageRing(minutes=float(row["radius"]))],
                solver=solver,
                time_limit=args.time_limit,
            )
            cpu = time.process_time() - cpu
            name_of = "CP-SAT" if solver == "cp-sat" else "HiGHS"
            known = float(row["optimal_coverage"])
            ok += report(name, inst.n, inst.p, row["radius"], name_of, r, known, cpu)
            total += 1
    if args.city:
        city_ok = run_city(args)
        ok, total = ok + city_ok, total + 1
    print(
        f"\n{ok}/{total} proven optimal and equal to the known value "
        f"(* = not proven within the time limit; the city counts when within its gap). {load()}"
    )
    return 0 if ok == total else 1


def run_city(args: argparse.Namespace) -> bool:
    """The demo city (size `--city-size`): `--city-sites` candidates × `--city-demand` demand
    points, p = `--city-p`; passes when proven or the gap is at most `--city-gap`."""
    from optimizer.siting.city import CitySitingOptions, city_instance
    from rosters.demo_city import build_demo_city

    scenario = build_demo_city(size=args.city_size)
    options = CitySitingOptions(
        p=args.city_p, max_candidates=args.city_sites, demand_points=args.city_demand
    )
    began = time.perf_counter()
    city = city_instance(scenario, options)
    built = time.perf_counter() - began
    inst = city.instance
    cpu = time.process_time()
    r = solve_pmedian(inst, time_limit=args.city_time_limit)
    cpu = time.process_time() - cpu
    gap = "-" if r.gap is None else f"{r.gap:.2e}"
    passed = r.status == "optimal" or (r.gap is not None and r.gap <= args.city_gap)
    print(
        f"{'demo city ' + args.city_size:<22}{inst.n:>5}{inst.p:>5}{'':>7}  "
        f"{PMEDIAN_LABELS['lagrangian']:<11}{r.solve_seconds:>8.2f}{cpu:>7.2f}"
        f"{r.objective:>13.1f}{r.bound or 0:>13.1f}{gap:>9}{'':>12}  "
        f"{('ok' if passed else 'NO') + ('' if r.status == 'optimal' else '*'):<6}"
        f"{peak_mb():>8.0f}",
        flush=True,
    )
    print(
        f"  {inst.m} candidate sites, {inst.n} demand points, matrix built in {built:.1f} s; "
        f"{r.bound_source}: {r.message}; {load()}",
        flush=True,
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmed", default="1-40", help="pmed numbers, e.g. 1-15,20 or none")
    parser.add_argument("--pmedian-method", choices=sorted(PMEDIAN_LABELS), default="lagrangian")
    parser.add_argument(
        "--mclp-solver", default="cp-sat", help="comma list of cp-sat, highs; empty to skip SJC"
    )
    parser.add_argument("--no-swain", dest="swain", action="store_false")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--city", action="store_true", help="also the demo city case")
    parser.add_argument("--city-size", default="medium", choices=["small", "medium", "full"])
    parser.add_argument("--city-sites", type=int, default=2000)
    parser.add_argument("--city-demand", type=int, default=5000)
    parser.add_argument("--city-p", type=int, default=50)
    parser.add_argument("--city-time-limit", type=float, default=120.0)
    parser.add_argument("--city-gap", type=float, default=1e-3, help="relative gap that passes")
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
