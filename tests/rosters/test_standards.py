"""Staffing-standards report on crafted rosters with known shortfalls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.scenario import Force, Horizon, Jurisdiction, Level, Person, Scenario, Unit
from rosters.demo_city import build_demo_city
from rosters.standards import Standards, StandardsError, load_standards, standards_report


def _people(n: int, force: Force, jid: str, unit: str | None = None, tag: str = "") -> list[Person]:
    return [
        Person(
            id=f"{force.value}-{jid}-{tag}{i}",
            name=f"人{i}",
            force=force,
            jurisdiction_id=jid,
            unit_id=unit,
        )
        for i in range(n)
    ]


def crafted() -> Scenario:
    """A city with one county, two townships (one of 80,000 people), one village, two grids.
    Known shortfalls: city SWAT 50 (none), county SWAT 50 - 48 = 2, county response
    100 - 100 = 0, township T1 force 50 - 30 = 20, T1 police ceil(1.5 × 8) = 12 - 7 = 5,
    T2 police 6 - 6 = 0, village volunteers 15 - 12 = 3, urban grid G1 2 - 1 = 1, rural grid
    G2 not checked, volunteer group of 4 < 5: 1."""
    j = [
        Jurisdiction(id="C", name="市", level=Level.CITY),
        Jurisdiction(id="K", name="县", level=Level.COUNTY, parent_id="C"),
        Jurisdiction(id="T1", name="镇一", level=Level.TOWNSHIP, parent_id="K", population=80_000),
        Jurisdiction(id="T2", name="镇二", level=Level.TOWNSHIP, parent_id="K", population=20_000),
        Jurisdiction(id="V", name="村", level=Level.VILLAGE, parent_id="T1"),
        Jurisdiction(id="G1", name="网格一", level=Level.GRID, parent_id="V", urban=True),
        Jurisdiction(id="G2", name="网格二", level=Level.GRID, parent_id="V"),
    ]
    units = [
        Unit(id="VG1", name="一组", force=Force.VOLUNTEER, jurisdiction_id="V", squad=True),
        Unit(id="VG2", name="二组", force=Force.VOLUNTEER, jurisdiction_id="V", squad=True),
    ]
    people = (
        _people(48, Force.PATROL_SWAT, "K")
        + _people(100, Force.COUNTY_RESPONSE, "K")
        + _people(30, Force.TOWNSHIP_FORCE, "T1")
        + _people(50, Force.TOWNSHIP_FORCE, "T2")
        + _people(7, Force.POLICE_STATION, "T1")
        + _people(6, Force.POLICE_STATION, "T2")
        + _people(8, Force.VOLUNTEER, "V", "VG1", "a")
        + _people(4, Force.VOLUNTEER, "V", "VG2", "b")
        + _people(1, Force.GRID_WORKER, "G1")
    )
    return Scenario(
        horizon=Horizon(start="2026-12-01", days=1),
        jurisdictions=j,  # type: ignore[arg-type]
        units=units,
        people=people,
    )


def _missing(report: list) -> dict[tuple[str, str], int]:  # type: ignore[type-arg]
    return {(r.jurisdiction_id, r.standard): r.missing for r in report}


def test_crafted_shortfalls_are_exact() -> None:
    assert _missing(standards_report(crafted())) == {
        ("C", "city_patrol_swat"): 50,
        ("K", "county_patrol_swat"): 2,
        ("T1", "township_force"): 20,
        ("T1", "police_per_10k"): 5,
        ("V", "village_volunteers"): 3,
        ("G1", "urban_grid_workers"): 1,
        ("V", "volunteer_group_min"): 1,
    }


def test_thresholds_are_configurable_and_levels_filter() -> None:
    st = Standards(county_patrol_swat=40, township_force=25, city_full_time_patrol=10)
    got = _missing(standards_report(crafted(), st, levels=[Level.COUNTY, Level.TOWNSHIP]))
    assert got == {("T1", "police_per_10k"): 5}
    city = _missing(standards_report(crafted(), st, levels=[Level.CITY]))
    assert city == {("C", "city_patrol_swat"): 50, ("C", "city_full_time_patrol"): 10}


def test_a_city_that_meets_every_standard_has_no_shortfall() -> None:
    assert standards_report(build_demo_city("medium")) == []


def test_thresholds_file(tmp_path: Path) -> None:
    good = tmp_path / "st.json"
    good.write_text(json.dumps({"county_response": 120}), encoding="utf-8")
    assert load_standards(good).county_response == 120
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"county_response": -1}), encoding="utf-8")
    with pytest.raises(StandardsError, match="county_response"):
        load_standards(bad)
    bad.write_text(json.dumps({"no_such_standard": 1}), encoding="utf-8")
    with pytest.raises(StandardsError, match="no_such_standard"):
        load_standards(bad)
    with pytest.raises(StandardsError, match="No such file"):
        load_standards(tmp_path / "missing.json")
