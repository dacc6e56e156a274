"""The demo city: deterministic, valid, nested, sized to the standards of the domain brief."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
import shapely
from shapely.geometry import Point, shape

from optimizer.scenario import Force, Level, Scenario, parse_scenario, scenario_to_dict
from rosters.demo_city import build_demo_city, demo_incident_history, force_counts


@pytest.fixture(scope="module")
def small() -> Scenario:
    return build_demo_city("small")


@pytest.fixture(scope="module")
def medium() -> Scenario:
    return build_demo_city("medium")


def _dump(s: Scenario) -> str:
    return json.dumps(scenario_to_dict(s), ensure_ascii=False, sort_keys=True)


def test_same_seed_same_city_and_other_seed_another(small: Scenario) -> None:
    assert _dump(build_demo_city("small")) == _dump(small)
    assert _dump(build_demo_city("small", seed=7)) != _dump(small)


def test_every_reference_is_valid(small: Scenario) -> None:
    parse_scenario(json.loads(_dump(small)))


def test_small_is_one_county_of_test_size(small: Scenario) -> None:
    levels = Counter(j.level for j in small.jurisdictions)
    assert levels[Level.COUNTY] == 1 and levels[Level.CITY] == 1
    assert levels[Level.TOWNSHIP] == 3
    sworn = [p for p in small.people if p.force not in (Force.VOLUNTEER, Force.GRID_WORKER)]
    assert 280 <= len(sworn) <= 450
    assert 30 <= len(small.posts) + len(small.zones) <= 50
    assert {t.id for t in small.shifts} == {"D", "E", "N"}


def test_medium_is_the_whole_city(medium: Scenario) -> None:
    levels = Counter(j.level for j in medium.jurisdictions)
    assert levels[Level.COUNTY] == 6
    assert levels[Level.TOWNSHIP] == 65
    total = next(j.population for j in medium.jurisdictions if j.level == Level.CITY)
    assert total == 1_200_000
    assert len(medium.units) >= 2_000  # squads, teams and volunteer groups


def _members(s: Scenario, force: Force) -> Counter[str]:
    return Counter(p.jurisdiction_id for p in s.people if p.force == force)


def test_forces_meet_the_standards(medium: Scenario) -> None:
    s = medium
    by_level = {lv: [j for j in s.jurisdictions if j.level == lv] for lv in Level}
    swat, response = _members(s, Force.PATROL_SWAT), _members(s, Force.COUNTY_RESPONSE)
    township, police = _members(s, Force.TOWNSHIP_FORCE), _members(s, Force.POLICE_STATION)
    grid_workers, volunteers = _members(s, Force.GRID_WORKER), _members(s, Force.VOLUNTEER)
    assert swat[by_level[Level.CITY][0].id] >= 50
    for county in by_level[Level.COUNTY]:
        assert swat[county.id] >= 50 and response[county.id] >= 100
    for town in by_level[Level.TOWNSHIP]:
        assert township[town.id] >= 50
        needed = (
            6 if town.population < 50_000 else max(6, math.ceil(1.5 * town.population / 10_000))
        )
        assert police[town.id] >= needed
    for village in by_level[Level.VILLAGE]:
        assert volunteers[village.id] >= 15
    for grid in by_level[Level.GRID]:
        assert grid_workers[grid.id] >= (2 if grid.urban else 1)
    assert sum(p.force == Force.FULL_TIME_PATROL for p in s.people) >= 2_045


def test_boundaries_are_valid_and_nest(small: Scenario) -> None:
    index = {j.id: j for j in small.jurisdictions}
    for j in small.jurisdictions:
        poly = shape(j.boundary)
        assert poly.is_valid and not poly.is_empty, j.id
        assert shapely.contains_xy(poly, *j.centroid), j.id  # type: ignore[misc]
        if j.parent_id:
            parent = shape(index[j.parent_id].boundary)
            assert parent.buffer(1e-4).contains(Point(j.centroid)), j.id
    for zone in small.zones:
        town = shape(index[zone.jurisdiction_id].boundary)
        assert town.buffer(1e-4).contains(Point(zone.centroid))


def test_coordinates_are_in_the_hexi_corridor(small: Scenario) -> None:
    for post in small.posts:
        lon, lat = post.location
        assert 98.0 < lon < 102.0 and 37.5 < lat < 40.0


def test_risk_profiles_follow_the_incident_history(small: Scenario) -> None:
    history = demo_incident_history("small")
    assert len(history) > 100
    by_zone = Counter(i.zone_id for i in history)
    busiest = max(by_zone, key=by_zone.get)  # type: ignore[arg-type]
    quietest = min(by_zone, key=by_zone.get)  # type: ignore[arg-type]
    risk = {z.id: z.risk for z in small.zones}
    assert sum(map(sum, risk[busiest])) > sum(map(sum, risk[quietest]))
    for z in small.zones:
        assert len(z.risk) == 7 and all(len(r) == 24 and min(r) >= 0 for r in z.risk)
    evening = sum(z.risk[d][21] for z in small.zones for d in range(7))
    dawn = sum(z.risk[d][4] for z in small.zones for d in range(7))
    assert evening > 2 * dawn


def test_posts_include_armed_24_hour_checkpoints(small: Scenario) -> None:
    armed = [p for p in small.posts if p.kind == "armed_checkpoint"]
    assert armed and all(p.hours == [(0, 24)] and p.min_armed >= 2 for p in armed)


def test_force_counts_add_up(small: Scenario) -> None:
    rows = force_counts(small)
    assert sum(r["total"] for r in rows) == len(small.people)  # type: ignore[misc]


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size"):
        build_demo_city("huge")  # type: ignore[arg-type]
