"""Siting on public benchmarks with proven optima (shared/bench): OR-Library pmed1–5, the
mid-size pmed6 (n 200) and pmed11 (n 300) and the large pmed39 (n 900, p 10) and pmed36
(n 800, p 10; slow), all four needing the branch and bound,
Swain's 55 points (p-median and MCLP) and Lorena & Pereira's SJC MCLP instances."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from optimizer.result import SolveStatus
from optimizer.siting import (
    CoverageRing,
    check_max_cover,
    check_pmedian,
    solve_max_cover,
    solve_pmedian,
)
from optimizer.siting.bench_formats import read_pmed, read_sjc, read_swain

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench"


def rows(folder: str, table: str) -> list[dict[str, str]]:
    path = BENCH / folder / table
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def bench_file(folder: str, name: str) -> Path:
    path = BENCH / folder / name
    if not path.exists():
        pytest.skip(f"benchmark data not found at {path}")
    return path


PMED_NAMES = {f"pmed{k}" for k in (1, 2, 3, 4, 5, 6, 11, 36, 39)}
PMED_SLOW = {"pmed36"}  # about 6 s of CPU alone
PMED = [
    pytest.param(r, marks=pytest.mark.slow) if r["instance"] in PMED_SLOW else r
    for r in rows("pmed", "optima.csv")
    if r["instance"] in PMED_NAMES
]
SWAIN = rows("emergency", "known_values.csv")
SWAIN_PMEDIAN = [r for r in SWAIN if r["problem"].startswith("p-median")]
SWAIN_MCLP = [r for r in SWAIN if r["problem"].startswith("MCLP")]
SJC = [
    r
    for r in rows("mclp", "known_values.csv")
    if r["instance"] == "SJC324"
    or (r["instance"], r["radius"], r["p"])
    in {("SJC818", "800", "5"), ("SJC818", "1200", "3"), ("SJC500", "800", "7")}
]


def row_id(row: dict[str, str]) -> str:
    return "-".join(row.get(k, "") for k in ("instance", "problem", "radius", "p") if row.get(k))


def test_bench_tables_are_present() -> None:
    if not BENCH.exists():
        pytest.skip(f"benchmark folder not found at {BENCH}")
    assert len(PMED) == 9 and len(SWAIN_PMEDIAN) == 10 and len(SWAIN_MCLP) == 14
    assert len(SJC) == 11


def test_pmed_parser_keeps_the_last_repeated_edge() -> None:
    # pmed1 repeats two vertex pairs; the last line must win (README: first-wins gives 5718).
    inst = read_pmed(bench_file("pmed", "pmed1.txt"))
    assert inst.n == inst.m == 100 and inst.p == 5
    assert (inst.cost == inst.cost.T).all()
    assert solve_pmedian(inst, time_limit=60).objective == 5819


@pytest.mark.parametrize("row", PMED, ids=row_id)
def test_or_library_pmedian(row: dict[str, str]) -> None:
    inst = read_pmed(bench_file("pmed", f"{row['instance']}.txt"))
    assert (inst.n, inst.p) == (int(row["n"]), int(row["p"]))
    result = solve_pmedian(inst, time_limit=120)
    assert check_pmedian(inst, result) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == int(row["optimum"])
    assert result.bound == int(row["optimum"])  # integer data: the bound rounds up to it
    assert result.gap == 0.0


@pytest.mark.parametrize("row", SWAIN_PMEDIAN, ids=row_id)
def test_swain_pmedian(row: dict[str, str]) -> None:
    inst = read_swain(bench_file("emergency", "swain.dat"), int(row["p"]))
    result = solve_pmedian(inst, time_limit=60)
    assert check_pmedian(inst, result) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(float(row["objective"]), abs=1e-3)
    reference = [inst.site_ids.index(s) for s in row["sites"].split()]
    assert float(inst.weights @ inst.cost[:, reference].min(axis=1)) == pytest.approx(
        result.objective, abs=1e-3
    )


@pytest.mark.parametrize("row", SWAIN_MCLP, ids=row_id)
def test_swain_max_cover(row: dict[str, str]) -> None:
    inst = read_swain(bench_file("emergency", "swain.dat"), int(row["p"]))
    rings = [CoverageRing(minutes=float(row["radius"]))]
    result = solve_max_cover(inst, rings, time_limit=60)
    assert check_max_cover(inst, rings, result) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == float(row["objective"])


@pytest.mark.parametrize("row", SJC, ids=row_id)
def test_sjc_max_cover(row: dict[str, str]) -> None:
    name = row["instance"]
    inst = read_sjc(
        bench_file("mclp", f"{name}.txt"), bench_file("mclp", f"demand-{name}.dat"), int(row["p"])
    )
    assert inst.weights.sum() == int(row["total_demand"])
    rings = [CoverageRing(minutes=float(row["radius"]))]
    result = solve_max_cover(inst, rings, time_limit=60)
    assert check_max_cover(inst, rings, result) == []
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == int(row["optimal_coverage"])
    reference = [inst.site_ids.index(s) for s in row["open_sites"].split()]
    assert inst.weights @ (inst.cost[:, reference].min(axis=1) <= rings[0].minutes) == int(
        row["optimal_coverage"]
    )


def test_time_limit_still_returns_a_checked_plan() -> None:
    # Whether or not HiGHS finishes in 0.5 s, the plan is valid and never below the optimum.
    inst = read_pmed(bench_file("pmed", "pmed6.txt"))
    result = solve_pmedian(inst, time_limit=0.5)
    assert check_pmedian(inst, result) == []
    assert result.first_feasible_seconds is not None
    if result.status == SolveStatus.OPTIMAL:
        assert result.objective == 7824
    else:
        assert result.status == SolveStatus.FEASIBLE
        assert result.objective >= 7824
        assert result.bound is None or result.bound <= 7824 + 1e-6
