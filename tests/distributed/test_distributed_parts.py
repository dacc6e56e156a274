"""The pure fan-out / fan-in of a patrol plan (`optimizer.patrol.distributed`), the job's
progress as the sum of its parts', and the demo province: no broker needed."""

from __future__ import annotations

import pytest

from api.job_engine.parts import sum_progress
from optimizer.patrol import SolveParams, check_plan, plan_patrol
from optimizer.patrol.distributed import (
    PatrolPart,
    merge_parts,
    project_wall_time,
    solve_part,
    split_patrol,
)
from optimizer.patrol.solve import CITY_MARGIN, part_sizes
from optimizer.result import relative_gap
from optimizer.scenario import Level, parse_scenario
from rosters.demo_city.province import build_province, city_specs
from tests.api.city import city_data


def test_split_by_county_shares_the_time_by_people() -> None:
    scenario = parse_scenario(city_data())
    parts = split_patrol(scenario, SolveParams(time_limit=30, num_workers=1, random_seed=3))
    assert [p.key for p in parts] == ["K1", "K2"]
    assert all(p.params.random_seed == 3 and p.params.num_workers == 1 for p in parts)
    # deterministic effort: the nominal shares by size, as in one process
    assert sum(p.params.effort for p in parts) == pytest.approx(30 * (1 - CITY_MARGIN))
    for p, (_, minimum) in zip(parts, part_sizes([p.scenario for p in parts]), strict=True):
        assert minimum <= p.params.time_limit <= 30  # its minimum and its share of the rest
    fixed = split_patrol(scenario, SolveParams(time_limit=30), part_seconds=4)
    assert [(p.params.time_limit, p.params.effort) for p in fixed] == [(4, 4), (4, 4)]
    again = PatrolPart.from_json(parts[0].to_json())
    assert again.key == "K1" and again.scenario == parts[0].scenario
    with pytest.raises(ValueError, match="part_seconds"):
        split_patrol(scenario, SolveParams(), part_seconds=0)


def test_merge_sums_objectives_and_bounds_and_equals_the_whole_solve() -> None:
    scenario = parse_scenario(city_data())
    params = SolveParams(time_limit=20, num_workers=1, random_seed=1)
    results = [solve_part(p) for p in split_patrol(scenario, params)]
    whole = merge_parts(scenario.name, results)
    assert whole.objective == round(sum(r.objective for r in results), 3)  # type: ignore[misc]
    assert whole.bound == round(sum(r.bound for r in results), 3)  # type: ignore[misc]
    assert whole.gap == relative_gap(whole.objective, whole.bound)
    assert check_plan(scenario, whole.assignments) == []
    alone = plan_patrol(scenario, params)
    assert alone.status == whole.status and alone.objective == whole.objective


def test_lpt_projection() -> None:
    assert project_wall_time([5, 4, 3, 3, 3], 2) == 10
    assert project_wall_time([5, 4, 3, 3, 3], 1, merge_seconds=2) == 20
    assert project_wall_time([5, 4, 3], 100) == 5  # never less than the longest part
    with pytest.raises(ValueError, match="workers"):
        project_wall_time([1.0], 0)


def test_job_progress_is_the_sum_of_its_parts() -> None:
    total = sum_progress(
        [
            ("K1", "done", {"objective": 10.0, "bound": 8.0, "seconds": 3.0}),
            ("K2", "running", {"objective": 5.0, "bound": None, "seconds": 4.0}),
        ]
    )
    assert total["objective"] == 15.0 and total["bound"] == 8.0  # no bound yet counts 0
    assert total["gap"] == relative_gap(15.0, 8.0)
    assert (total["parts"], total["parts_done"], total["parts_running"]) == (2, 1, 1)
    assert sum_progress([("K1", "queued", {})])["objective"] is None


def test_province_is_deterministic_with_independent_counties() -> None:
    first = build_province(seed=5, days=1, cities=2)
    assert build_province(seed=5, days=1, cities=2) == first
    specs = city_specs(seed=5, cities=2)
    assert all(5 <= len(c.counties) <= 8 for c in specs)
    cities = [j for j in first.jurisdictions if j.level == Level.CITY]
    counties = [j for j in first.jurisdictions if j.level == Level.COUNTY]
    assert len(cities) == 2 and len(counties) == sum(len(c.counties) for c in specs)
    assert len({p.id for p in first.people}) == len(first.people)
    assert any(p.force.value == "volunteer" for p in first.people)
    parts = split_patrol(first, SolveParams())
    assert sorted(p.key for p in parts) == sorted(c.id for c in counties)
    with pytest.raises(ValueError, match="cities"):
        city_specs(cities=13)


def test_drills_split_by_independent_group_and_merge_to_the_whole_schedule() -> None:
    from optimizer.drills import DrillParams, schedule_drills
    from optimizer.drills.check import check_schedule
    from optimizer.drills.distributed import DrillPart, merge_drills, split_drills
    from rosters.demo_city import build_demo_city

    scenario = build_demo_city("medium", days=31)
    params = DrillParams(time_limit=60, num_workers=1, random_seed=1)
    parts = split_drills(scenario, params)
    assert len(parts) > 1 and len({p.key for p in parts}) == len(parts)
    wanted = {r.id for r in scenario.drills.requirements}  # type: ignore[union-attr]
    got = [r.id for p in parts for r in p.scenario.drills.requirements]  # type: ignore[union-attr]
    assert sorted(got) == sorted(wanted)  # every duty in exactly one part
    again = DrillPart.from_json(parts[-1].to_json())
    merged = merge_drills([schedule_drills(again.scenario, again.params)])
    assert merged.drills_due == parts[-1].weight
    whole = merge_drills([schedule_drills(p.scenario, p.params) for p in parts])
    alone = schedule_drills(scenario, params)
    assert whole.status.value == alone.status.value == "optimal"
    assert whole.objective == pytest.approx(alone.objective)
    assert whole.bound == pytest.approx(alone.bound)
    assert len(whole.sessions) == len(alone.sessions) and whole.drills_due == alone.drills_due
    assert check_schedule(scenario, whole.sessions) == []
