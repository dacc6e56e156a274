"""Rolling windows for the long Curtois & Qu horizons (`shift_windows.py`): the spans, the
pacing of the horizon's totals, and Instance14 (42 days) planned whole with every "at most"
rule of the benchmark holding (minima across a window's start can still fail today)."""

from __future__ import annotations

import itertools
import math

from optimizer.patrol.shift_benchmark import benchmark_violations, read_instance
from optimizer.patrol.shift_windows import solve_in_windows, window_bench, windows
from tests.optimizer.test_shift_benchmark import bench_file


def test_windows_start_on_mondays_with_a_week_of_history() -> None:
    assert windows(28) == [(0, 0, 28)]
    assert windows(42) == [(0, 0, 28), (21, 28, 42)]
    spans = windows(364)
    assert spans[0] == (0, 0, 28) and spans[-1][2] == 364
    assert all(s % 7 == 0 and n - s == 7 and t - s <= 28 for s, n, t in spans[1:])
    assert all(a[2] == b[1] for a, b in itertools.pairwise(spans))  # no gap


def test_totals_are_paced_and_the_last_window_gets_the_rest() -> None:
    b = read_instance(bench_file("Instance14.txt"))
    first = window_bench(b, {}, 0, 28)
    e, f = b.staff[0], first.staff[0]
    assert f.max_minutes == math.ceil(e.max_minutes * 28 / 42)
    assert f.min_minutes >= math.ceil(e.min_minutes * 28 / 42)
    assert f.max_shifts == {k: math.ceil(v * 28 / 42) for k, v in e.max_shifts.items()}
    assert f.max_weekends == math.floor(e.max_weekends * 4 / 6)
    worked = {(e.id, d): "D" for d in range(0, 21, 2)}  # 11 day shifts before the history
    window = window_bench(b, worked, 21, 42)
    last = window.staff[0]
    used = 11 * b.shift_by_id["D"].minutes
    assert last.max_minutes == e.max_minutes - used
    assert last.min_minutes == e.min_minutes - used
    assert last.max_shifts["D"] == e.max_shifts["D"] - 11
    assert last.max_weekends == e.max_weekends - 3  # weekends 0, 1, 2 (days 6, 12, 20)
    assert all(0 <= q.day < 21 for q in window.on_requests + window.off_requests)
    assert {c.day for c in window.cover} == set(range(21))


def test_instance14_is_planned_whole_in_two_windows() -> None:
    b = read_instance(bench_file("Instance14.txt"))
    plan = solve_in_windows(b, 20, workers=1, seed=1)
    assert plan.complete and [w[:3] for w in plan.windows] == [(0, 0, 28), (21, 28, 42)]
    assert {d for _, d in plan.roster} <= set(range(42))
    # every "at most" rule holds across the windows (paced totals, history for runs and
    # successions); minima across a window's start (minutes, shortest runs) can still fail
    broken = benchmark_violations(b, plan.roster)
    assert not [v for v in broken if "at most" in v or " then " in v or "day off" in v]
    assert not [v for v in broken if "in a row" in v and ": only " not in v]
