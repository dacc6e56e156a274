"""The Curtois & Qu planner for long horizons (optimizer.patrol.shift_start, shift_search,
shift_plan) against the benchmark's own checker: the first roster keeps every hard rule on
long random instances whose rules were read off a planted schedule (so one exists) and on the
real instances up to 28 days; a search step never makes the roster worse nor breaks a rule;
the planner's plan keeps every rule whichever way it went."""

from __future__ import annotations

import random
import time

import pytest

from optimizer.patrol.shift_benchmark import (
    Roster,
    ShiftBenchmark,
    benchmark_penalty,
    benchmark_violations,
    employee_violations,
    parse_instance,
    read_instance,
)
from optimizer.patrol.shift_best import best_schedule
from optimizer.patrol.shift_plan import plan_shifts
from optimizer.patrol.shift_search import improve, step
from optimizer.patrol.shift_start import start_roster
from tests.optimizer.test_shift_benchmark import bench_file, random_instance

SHIFTS = ("E", "D", "N")


def _planted_pattern(rng: random.Random, days: int) -> list[bool]:
    """Runs of work (1–5 days) and rest (1–4 days) drawn one after another."""
    out: list[bool] = []
    working = rng.random() < 0.5
    while len(out) < days:
        out += [working] * (rng.randint(1, 5) if working else rng.randint(1, 4))
        working = not working
    return out[:days]


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    out, start = [], None
    for i, f in enumerate([*flags, not value]):
        if f == value and start is None:
            start = i
        elif f != value and start is not None:
            out.append((start, i - start))
            start = None
    return out


def planted_instance(seed: int, days: int = 84, staff: int = 6) -> tuple[str, Roster]:
    """A long random instance in the file format whose every employee's rules are read off a
    schedule drawn for them (one shift type each, worked in runs), loosened at random: so
    each employee has a schedule keeping every hard rule, of a single shift length (the
    planted roster, returned too)."""
    rng = random.Random(seed)
    minutes = {s: rng.choice([480, 600, 720]) for s in SHIFTS}
    banned = {s: {t for t in SHIFTS if rng.random() < 0.35} for s in SHIFTS}
    owns = [rng.choice(SHIFTS) for _ in range(staff)]
    for own in owns:
        banned[own].discard(own)
    lines = ["SECTION_HORIZON", str(days), "", "SECTION_SHIFTS"]
    lines += [f"{s},{minutes[s]},{'|'.join(sorted(banned[s]))}" for s in SHIFTS]
    lines += ["", "SECTION_STAFF"]
    days_off: list[str] = []
    planted: Roster = {}
    for k in range(staff):
        eid = f"P{k}"
        own = owns[k]
        worked = _planted_pattern(rng, days)
        planted |= {(eid, d): own for d in range(days) if worked[d]}
        n = sum(worked)
        work_runs = _runs(worked, True)
        inner = [length for start, length in work_runs if start > 0 and start + length < days]
        rests = [
            length for start, length in _runs(worked, False) if start > 0 and start + length < days
        ]
        weekends = sum(1 for w in range(days // 7) if worked[7 * w + 5] or worked[7 * w + 6])
        caps = "|".join(
            f"{s}={n + rng.randint(0, 3) if s == own else rng.choice([0, 5, days])}" for s in SHIFTS
        )
        total = n * minutes[own]
        lo, hi = total - rng.choice([0, 240, 600]), total + rng.choice([0, 480, 960])
        most = max((length for _, length in work_runs), default=1) + rng.randint(0, 1)
        runs = f"{most},{min(inner, default=1)},{min(rests, default=1)},{weekends}"
        lines.append(f"{eid},{caps},{hi},{max(0, lo)},{runs}")
        free = [d for d in range(days) if not worked[d]]
        days_off.append(",".join([eid, *map(str, rng.sample(free, min(3, len(free))))]))
    lines += ["", "SECTION_DAYS_OFF", *days_off, ""]
    for section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
        lines.append(section)
        for _ in range(days // 2):
            eid, day, sid = f"P{rng.randrange(staff)}", rng.randrange(days), rng.choice(SHIFTS)
            lines.append(f"{eid},{day},{sid},{rng.randint(1, 3)}")
        lines.append("")
    lines.append("SECTION_COVER")
    for day in range(days):
        for sid in SHIFTS:
            lines.append(f"{day},{sid},{rng.randint(0, 2)},100,1")
    return "\r\n".join(lines) + "\r\n", planted


def _planted(seed: int) -> ShiftBenchmark:
    return parse_instance(planted_instance(seed)[0], f"planted{seed}")


@pytest.mark.parametrize("seed", range(10))
def test_the_first_roster_keeps_every_rule_on_long_random_instances(seed: int) -> None:
    b = _planted(seed)
    start = start_roster(b, seconds=0, seed=seed)
    assert start.unplanned == []
    assert benchmark_violations(b, start.roster) == []
    assert all(day < b.days for _, day in start.roster)


@pytest.mark.parametrize("number", range(1, 14))
def test_the_first_roster_keeps_every_rule_on_the_short_real_instances(number: int) -> None:
    b = read_instance(bench_file(f"Instance{number}.txt"))
    start = start_roster(b, seconds=0)
    assert start.unplanned == []
    assert benchmark_violations(b, start.roster) == []


def test_rebuilding_rounds_never_make_the_first_roster_worse() -> None:
    b = read_instance(bench_file("Instance5.txt"))
    once = start_roster(b, seconds=0, seed=3)
    rounds = start_roster(b, seconds=0.5, seed=3)
    assert rounds.passes > 1
    assert benchmark_violations(b, rounds.roster) == []
    assert benchmark_penalty(b, rounds.roster).total <= benchmark_penalty(b, once.roster).total


@pytest.mark.parametrize("seed", range(6))
def test_a_search_step_never_worsens_the_roster_nor_breaks_a_rule(seed: int) -> None:
    """Each step re-plans some employees over a window with the days around it fixed (runs,
    totals and weekends that cross the window's edges included)."""
    b = _planted(seed)
    rng = random.Random(seed)
    roster = start_roster(b, seconds=0, seed=seed).roster
    value = benchmark_penalty(b, roster).total
    improved = 0
    for k in range(8):
        employees = {e.id for e in rng.sample(b.staff, rng.randint(1, len(b.staff)))}
        lo = rng.randrange(b.days - 7)
        hi = min(b.days, lo + rng.choice([7, 14, 28]))
        s = step(b, roster, employees, (lo, hi), seconds=10, workers=1, seed=k)
        assert benchmark_violations(b, s.roster) == []
        assert s.objective == benchmark_penalty(b, s.roster).total <= value
        changed = {k for k in roster.keys() | s.roster.keys() if roster.get(k) != s.roster.get(k)}
        assert all(eid in employees and lo <= day < hi for eid, day in changed)
        improved += s.improved
        roster, value = s.roster, s.objective
    assert improved > 0


def test_a_window_step_on_a_real_instance_keeps_the_rules_across_its_edges() -> None:
    b = read_instance(bench_file("Instance16.txt"))  # 56 days
    roster = start_roster(b, seconds=0).roster
    before = benchmark_penalty(b, roster).total
    s = step(b, roster, {e.id for e in b.staff}, (21, 35), seconds=20, workers=1, seed=1)
    assert s.improved
    assert benchmark_violations(b, s.roster) == []
    assert s.objective < before


def test_the_search_keeps_every_rule_and_only_improves() -> None:
    b = _planted(11)
    roster = start_roster(b, seconds=0).roster
    found = improve(b, roster, time.perf_counter() + 3, workers=1, seed=2)
    assert benchmark_violations(b, found.roster) == []
    assert found.objective == benchmark_penalty(b, found.roster).total
    assert found.objective <= benchmark_penalty(b, roster).total


@pytest.mark.parametrize(
    ("whole_limit", "column_days", "method"),
    [(0, 84, "search"), (10**9, 0, "whole model"), (10**9, 84, "columns + whole model")],
)
def test_the_planner_returns_a_plan_keeping_every_rule(
    whole_limit: int, column_days: int, method: str
) -> None:
    """Every way: the search (whole model never used), the whole-horizon model, and column
    generation before it."""
    b = _planted(12)
    plan = plan_shifts(
        b, seconds=3, workers=1, seed=0, whole_limit=whole_limit, column_days=column_days
    )
    assert plan.method == method
    assert plan.seconds <= 3 * 1.02 + 1  # the limit held (+ 2 %, + 1 s)
    assert plan.status in ("optimal", "feasible")
    assert benchmark_violations(b, plan.roster) == []
    assert plan.objective == benchmark_penalty(b, plan.roster).total
    assert plan.start_objective is not None and plan.objective <= plan.start_objective


@pytest.mark.parametrize("lp_limit", [0, 10**9])
def test_the_whole_model_with_or_without_its_lp_worker_keeps_every_rule(lp_limit: int) -> None:
    """Two workers, the whole model's full-problem worker max_lp or CP-SAT's default."""
    b = _planted(12)
    plan = plan_shifts(
        b, seconds=3, workers=2, seed=0, whole_limit=10**9, lp_limit=lp_limit, column_days=0
    )
    assert plan.method == "whole model"
    assert plan.status in ("optimal", "feasible")
    assert benchmark_violations(b, plan.roster) == []
    assert plan.objective == benchmark_penalty(b, plan.roster).total
    assert plan.start_objective is not None and plan.objective <= plan.start_objective


def test_the_planted_schedules_keep_their_rules() -> None:
    """The generator's own premise, checked once: the rules read off a drawn schedule."""
    for seed in range(10):
        text, planted = planted_instance(seed)
        b = parse_instance(text, "planted")
        assert b.days == 84 and len(b.staff) == 6
        assert benchmark_violations(b, planted) == []


def _enumerated_best(b: ShiftBenchmark, eid: str, worth: dict[int, int]) -> int | None:
    """The most a schedule of one shift type that keeps every rule is worth, by enumeration."""
    e = next(x for x in b.staff if x.id == eid)
    (sid,) = [s.id for s in b.shifts]
    best = None
    for mask in range(1 << b.days):
        mine = {d: sid for d in range(b.days) if mask >> d & 1}
        if not employee_violations(b, e, mine):
            value = sum(worth[d] for d in mine)
            best = value if best is None else max(best, value)
    return best


def _one_type_that_may_follow_itself(seed: int) -> bool:
    b = parse_instance(random_instance(seed), f"random{seed}")
    return len(b.shifts) == 1 and b.shifts[0].id not in b.shifts[0].not_followed_by


#: the enumeration is over one shift type, which the best response's runs need to follow itself
ONE_TYPE_SEEDS = [seed for seed in range(40) if _one_type_that_may_follow_itself(seed)]


@pytest.mark.parametrize("seed", ONE_TYPE_SEEDS)
def test_the_best_response_is_the_best_schedule_on_small_one_type_instances(seed: int) -> None:
    b = parse_instance(random_instance(seed), f"random{seed}")
    rng = random.Random(seed)
    worth = {d: rng.randint(-5, 9) for d in range(b.days)}
    for e in b.staff:
        found = best_schedule(b, e, lambda d, _s: worth[d])
        best = _enumerated_best(b, e.id, worth)
        if found is None:
            assert best is None
            continue
        assert employee_violations(b, e, found) == []
        assert sum(worth[d] for d in found) == best
