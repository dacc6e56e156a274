"""The patrol optimiser's labour rules against the Curtois & Qu shift scheduling benchmark
(shared/bench/shift): the reader, its errors, the conversion to a scenario checked against
brute force on small random instances, and Instance1 solved to its proven optimum with the
benchmark objective recomputed independently."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Any

import pytest

from optimizer.patrol import PatrolResult, SolveParams, check_plan, plan_patrol
from optimizer.patrol.shift_benchmark import (
    START,
    BenchmarkConversionError,
    BenchmarkFormatError,
    ShiftBenchmark,
    benchmark_penalty,
    benchmark_violations,
    employee_violations,
    parse_instance,
    read_instance,
    roster_of,
    to_scenario,
)
from optimizer.result import SolveStatus
from optimizer.scenario import Scenario

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench" / "shift"
FAST = SolveParams(time_limit=60, num_workers=1, random_seed=1)


def bench_file(name: str) -> Path:
    path = BENCH / name
    if not path.exists():
        pytest.skip(f"benchmark data not found at {path}")
    return path


def best_known(instance: str) -> int:
    with bench_file("best_known.csv").open(newline="") as f:
        rows = {r["instance"]: r for r in csv.DictReader(f)}
    assert rows[instance]["proven_optimal"] == "yes"
    return int(rows[instance]["best_known"])


def shortfall_penalty(b: ShiftBenchmark, s: Scenario, r: PatrolResult) -> int:
    """The under-cover penalty of the plan's reported shortfalls, each priced by the
    benchmark's under weight of its (day, shift)."""
    slot = {
        shift.interval(date)[0].isoformat(): ((date - START).days, shift.id)
        for date in s.horizon.dates
        for shift in s.shifts
    }
    under = {(c.day, c.shift): c.under_weight for c in b.cover}
    return round(sum(under[slot[x.start or ""]] * x.missing for x in r.shortfalls))


# --- reading ------------------------------------------------------------------------------


def test_instance1_is_read_whole() -> None:
    b = read_instance(bench_file("Instance1.txt"))
    assert (b.days, len(b.staff), len(b.shifts)) == (14, 8, 1)
    assert b.shifts[0].id == "D" and b.shifts[0].minutes == 480
    assert b.shifts[0].not_followed_by == ()
    a = b.staff[0]
    assert (a.id, a.max_shifts, a.max_minutes, a.min_minutes) == ("A", {"D": 14}, 4320, 3360)
    assert (a.max_consecutive, a.min_consecutive, a.min_days_off, a.max_weekends) == (5, 2, 2, 1)
    assert sum(len(d) for d in b.days_off.values()) == 8 and b.days_off["A"] == [0]
    assert (len(b.on_requests), len(b.off_requests), len(b.cover)) == (21, 5, 14)
    assert b.cover[0].requirement == 5 and b.cover[0].under_weight == 100


def test_instance_with_successions_reads_them() -> None:
    b = read_instance(bench_file("Instance3.txt"))
    follow = {s.id: s.not_followed_by for s in b.shifts}
    assert sum(len(f) for f in follow.values()) >= 2
    assert all(x in follow for f in follow.values() for x in f)
    assert len(b.cover) == b.days * len(b.shifts)


GOOD = """SECTION_HORIZON\r
7\r
\r
SECTION_SHIFTS\r
D,480,\r
\r
SECTION_STAFF\r
A,D=7,4320,0,5,1,1,1\r
\r
SECTION_DAYS_OFF\r
A,0\r
\r
SECTION_SHIFT_ON_REQUESTS\r
A,2,D,2\r
\r
SECTION_SHIFT_OFF_REQUESTS\r
\r
SECTION_COVER\r
0,D,1,100,1\r
1,D,0,100,1\r
2,D,1,100,1\r
3,D,0,100,1\r
4,D,0,100,1\r
5,D,0,100,1\r
6,D,0,100,1\r
"""


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("A,2,D,2", "A,2,N,2", ["line 14", "SECTION_SHIFT_ON_REQUESTS", "unknown shift 'N'"]),
        ("A,2,D,2", "A,9,D,2", ["line 14", "day: 9 is outside the horizon"]),
        ("A,D=7,4320", "A,D7,4320", ["line 8", "SECTION_STAFF", "MaxShifts"]),
        ("4320,0,5,1,1,1", "4320,0,5,1,1", ["line 8", "expected 8 fields"]),
        ("0,D,1,100,1", "0,D,one,100,1", ["line 19", "SECTION_COVER", "'one' is not a whole"]),
        ("D,480,", "D,480,X", ["line 5", "unknown shift in the forbidden successions 'X'"]),
        ("A,0\r", "B,0\r", ["line 11", "SECTION_DAYS_OFF", "unknown employee 'B'"]),
        ("SECTION_COVER", "SECTION_COVERS", ["line 18", "unknown section SECTION_COVERS"]),
        ("SECTION_HORIZON\r\n7", "SECTION_HORIZON\r\nseven", ["horizon length"]),
    ],
)
def test_malformed_input_names_line_and_section(old: str, new: str, where: list[str]) -> None:
    parse_instance(GOOD, "tiny")  # the unbroken text reads
    assert old in GOOD
    with pytest.raises(BenchmarkFormatError) as err:
        parse_instance(GOOD.replace(old, new, 1), "tiny")
    for part in ["tiny", *where]:
        assert part in str(err.value)


def test_shift_lengths_that_are_not_whole_hours_are_refused() -> None:
    b = parse_instance(GOOD.replace("D,480,", "D,450,"), "tiny")
    with pytest.raises(BenchmarkConversionError, match="shift D: 450 min"):
        to_scenario(b)


def test_a_missing_cover_row_is_refused() -> None:
    b = parse_instance(GOOD.replace("0,D,1,100,1\r\n", ""), "tiny")
    with pytest.raises(BenchmarkConversionError, match="no row for day 0 shift D"):
        to_scenario(b)


def test_missing_section_is_named() -> None:
    text = GOOD.replace("SECTION_SHIFT_OFF_REQUESTS\r\n", "")
    with pytest.raises(BenchmarkFormatError, match="missing section SECTION_SHIFT_OFF_REQUESTS"):
        parse_instance(text, "tiny")


def test_instance1_converts_rule_by_rule() -> None:
    b = read_instance(bench_file("Instance1.txt"))
    s = to_scenario(b)
    assert s.horizon.start.weekday() == 0 and s.horizon.days == 14
    assert [(t.id, t.hours) for t in s.shifts] == [("D", 8)]
    everyone = sorted(e.id for e in b.staff)
    by_kind: dict[str, list[Any]] = {}
    for rule in s.rules:
        assert rule.hard
        by_kind.setdefault(rule.kind, []).append(rule)
    hours = by_kind["hours"]
    assert [(h.min, h.max) for h in hours] == [(56, 72)]  # 3360 … 4320 minutes
    assert sorted(hours[0].applies_to.people) == everyone
    runs = {(r.min, r.max) for r in by_kind["consecutive_work_days"]}
    assert runs == {(None, 5), (2, None)}
    assert [r.min for r in by_kind["consecutive_days_off"]] == [2]
    assert [r.max for r in by_kind["weekends"]] == [1]
    assert [(r.max, r.shift_ids) for r in by_kind["shift_count"]] == [(14, ["D"])]
    off = {r.applies_to.people[0]: r.dates for r in by_kind["days_off"]}
    assert off["A"] == [s.horizon.start] and len(off) == 8
    assert sum(r.on for r in s.requests) == 21 and sum(not r.on for r in s.requests) == 5
    assert len(s.covers) == 14
    assert {(c.under_weight, c.over_weight) for c in s.covers} == {(100, 1)}
    assert s.covers[1].required == 7 and s.covers[1].date == s.horizon.start + dt.timedelta(1)


# --- the conversion against brute force ---------------------------------------------------


def random_instance(seed: int) -> str:
    """Two employees, one shift type over two weeks or two over one week, in the file format."""
    rng = random.Random(seed)
    ids = ["E", "L"][: rng.choice([1, 2])]
    days = 14 if len(ids) == 1 else 7
    lines = ["SECTION_HORIZON", str(days), "", "SECTION_SHIFTS"]
    for sid in ids:
        banned = [x for x in ids if rng.random() < 0.4]
        lines.append(f"{sid},{rng.choice([480, 600])},{'|'.join(banned)}")
    lines += ["", "SECTION_STAFF"]
    for eid in ("A", "B"):
        caps = "|".join(f"{sid}={rng.choice([0, 3, 5, 14])}" for sid in ids)
        lo = rng.choice([0, 960, 1440]) * days // 7
        hi = rng.choice([2400, 3000, 4320]) * days // 7
        runs = f"{rng.randint(2, 5)},{rng.randint(1, 3)},{rng.randint(1, 3)},{rng.randint(0, 2)}"
        lines.append(f"{eid},{caps},{hi},{lo},{runs}")
    lines += ["", "SECTION_DAYS_OFF", f"A,{rng.randrange(days)}", "B", ""]
    for section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
        lines.append(section)
        for _ in range(days // 2):
            eid, day, sid = rng.choice("AB"), rng.randrange(days), rng.choice(ids)
            lines.append(f"{eid},{day},{sid},{rng.randint(1, 3)}")
        lines.append("")
    lines.append("SECTION_COVER")
    for day in range(days):
        for sid in ids:
            lines.append(f"{day},{sid},{rng.randint(0, 2)},{rng.randint(2, 9)},{rng.randint(1, 3)}")
    return "\r\n".join(lines) + "\r\n"


def brute_force(b: ShiftBenchmark) -> int | None:
    """The optimum by enumeration: every roster of each employee that keeps the benchmark's
    hard rules, then every combination of them scored by the benchmark penalty."""
    choices: list[str | None] = [None, *(s.id for s in b.shifts)]
    feasible = []
    for e in b.staff:
        mine = []
        for pick in itertools.product(choices, repeat=b.days):
            shifts = {d: sid for d, sid in enumerate(pick) if sid is not None}
            if not employee_violations(b, e, shifts):
                mine.append({(e.id, d): sid for d, sid in shifts.items()})
        feasible.append(mine)
    best = None
    for combo in itertools.product(*feasible):
        roster = {k: v for part in combo for k, v in part.items()}
        value = benchmark_penalty(b, roster).total
        best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_conversion_reaches_the_brute_force_optimum(seed: int) -> None:
    b = parse_instance(random_instance(seed), f"random{seed}")
    s = to_scenario(b)
    r = plan_patrol(s, FAST)
    best = brute_force(b)
    if best is None:  # some employee has no roster within the hard rules
        assert r.status == SolveStatus.INFEASIBLE and r.conflicts
        return
    assert r.status == SolveStatus.OPTIMAL
    roster = roster_of(b, r.assignments)
    assert benchmark_violations(b, roster) == []
    assert check_plan(s, r.assignments) == []
    assert benchmark_penalty(b, roster).total == r.objective == best
    assert shortfall_penalty(b, s, r) == benchmark_penalty(b, roster).under_cover


def test_random_instances_exercise_the_rules() -> None:
    """The random instances above are not all trivial: some have forbidden successions,
    minimum runs, employees barred from a shift, and a few have no feasible roster."""
    texts = [parse_instance(random_instance(seed)) for seed in range(12)]
    assert any(s.not_followed_by for b in texts for s in b.shifts)
    assert any(e.min_consecutive > 1 and e.min_days_off > 1 for b in texts for e in b.staff)
    assert any(0 in e.max_shifts.values() for b in texts for e in b.staff)
    assert any(len(b.shifts) == 2 for b in texts)


# --- the benchmark instances --------------------------------------------------------------


def test_instance1_reaches_the_proven_optimum() -> None:
    b = read_instance(bench_file("Instance1.txt"))
    s = to_scenario(b)
    r = plan_patrol(s, FAST)
    assert r.status == SolveStatus.OPTIMAL
    assert check_plan(s, r.assignments) == []
    roster = roster_of(b, r.assignments)
    assert benchmark_violations(b, roster) == []
    penalty = benchmark_penalty(b, roster)
    assert penalty.total == r.objective == r.bound == best_known("Instance1")
    assert r.objective_terms["preferences"] == penalty.on_requests + penalty.off_requests
    assert r.objective_terms["unmet_post_cover"] == penalty.under_cover
    assert shortfall_penalty(b, s, r) == penalty.under_cover


def test_benchmark_penalty_counts_each_part() -> None:
    b = parse_instance(GOOD, "tiny")
    # A may not work day 0 (day off) and asked for day 2; days 0 and 2 need one each
    assert benchmark_penalty(b, {}).total == 2 + 2 * 100
    assert benchmark_penalty(b, {("A", 1): "D"}).over_cover == 1
    p = benchmark_penalty(b, {("A", 0): "D", ("A", 2): "D"})
    assert (p.on_requests, p.under_cover, p.over_cover) == (0, 0, 0)
    assert benchmark_violations(b, {("A", 0): "D"}) == ["A: works on day off 0"]
