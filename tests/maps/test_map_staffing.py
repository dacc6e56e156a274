"""Post staffing per shift, response-ring radii and scenario layer data (no browser)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from maps.coverage import ring_radius_m
from maps.scenario_layers import (
    DispatchLine,
    dispatch_segments,
    jurisdiction_collection,
    post_points,
    unit_points,
    zone_collection,
    zone_risk,
)
from maps.scenario_map import shift_at
from maps.staffing import (
    plan_shifts,
    required_staff,
    shift_hours,
    staffing_for_shift,
    staffing_from_counts,
)
from optimizer.travel import GreatCircleTravel, haversine_km

DAY = dt.date(2025, 5, 5)


def test_post_status_in_the_day_shift(small_scenario) -> None:
    staffing = staffing_for_shift(small_scenario, small_scenario.published_plan, DAY, "day")
    assert {p: s.status for p, s in staffing.items()} == {
        "P1": "manned",
        "P2": "short",
        "P3": "unmanned",
        "P4": "closed",
        "P5": "short",
        "P6": "manned",
    }
    p2 = staffing["P2"]
    assert (p2.assigned, p2.required, p2.armed, p2.armed_required) == (2, 2, 0, 1)
    assert [p.id for p in p2.people] == ["B003", "B004"]
    assert (staffing["P5"].assigned, staffing["P5"].required) == (1, 3)
    assert staffing["P1"].until == dt.datetime(2025, 5, 5, 16, 0)


def test_post_status_in_the_night_shift(small_scenario) -> None:
    staffing = staffing_for_shift(small_scenario, small_scenario.published_plan, DAY, "night")
    # only B000 (armed) on P2; P4 opens at 20:00 so is closed 00–08; P5's cover is day-only
    assert {p: s.status for p, s in staffing.items()} == {
        "P1": "unmanned",
        "P2": "short",
        "P3": "unmanned",
        "P4": "closed",
        "P5": "unmanned",
        "P6": "unmanned",
    }
    assert (staffing["P2"].armed, staffing["P2"].armed_required) == (1, 1)


def test_required_staff_takes_the_last_matching_cover(small_scenario) -> None:
    s = small_scenario.model_copy(deep=True)
    shifts = s.by_id("shifts")
    post = s.by_id("posts")["P5"]
    from optimizer.scenario import Cover

    s.covers = [
        Cover(target_id="P5", required=2),
        Cover(target_id="P5", shift_id="day", required=3),
        Cover(target_id="P5", date=DAY, shift_id="day", required=4),
    ]
    assert required_staff(s, post, DAY, shifts["day"]) == (4, 0)
    assert required_staff(s, post, DAY, shifts["evening"]) == (2, 0)
    assert required_staff(s, post, DAY + dt.timedelta(days=1), shifts["day"]) == (3, 0)


def test_required_staff_reads_covers_as_the_optimiser_does(small_scenario) -> None:
    """A general cover listed after a specific one wins for the counts it gives (the format's
    rule); the map and the optimiser's demand agree on every day and shift."""
    from optimizer.patrol.instance import build_instance
    from optimizer.scenario import Cover

    s = small_scenario.model_copy(deep=True)
    shifts = s.by_id("shifts")
    post = s.by_id("posts")["P5"]
    s.covers = [
        Cover(target_id="P5", date=DAY, shift_id="day", required=4, armed=1),
        Cover(target_id="P5", shift_id="day", required=3),
        Cover(target_id="P5", armed=2),
    ]
    assert required_staff(s, post, DAY, shifts["day"]) == (3, 2)
    inst = build_instance(s)
    ti = next(i for i, t in enumerate(inst.tasks) if t.target == "P5")
    for slot in inst.slots:
        d = inst.demand.get((ti, slot.index))
        people, armed = required_staff(s, post, slot.date, slot.shift)
        assert (people, armed) == ((d.staff, min(d.armed, d.staff)) if d else (0, 0)), slot


def test_shift_hours_wrap_midnight(small_scenario) -> None:
    from optimizer.scenario import ShiftTemplate

    late = ShiftTemplate(id="x", name="x", start=dt.time(20, 30), hours=6)
    assert shift_hours(late) == [20, 21, 22, 23, 0, 1, 2]
    assert shift_hours(small_scenario.by_id("shifts")["day"]) == list(range(8, 16))


def test_shift_at_and_plan_steps(small_scenario) -> None:
    assert shift_at(small_scenario, dt.datetime(2025, 5, 5, 9)) == (DAY, "day")
    assert shift_at(small_scenario, dt.datetime(2025, 5, 5, 23, 59)) == (DAY, "evening")
    assert shift_at(small_scenario, dt.datetime(2025, 5, 5, 0, 0)) == (DAY, "night")
    assert plan_shifts(small_scenario, small_scenario.published_plan) == [
        (DAY, "night"),
        (DAY, "day"),
    ]
    assert [sid for _, sid in plan_shifts(small_scenario, [])] == ["night", "day", "evening"]


def test_staffing_from_plain_counts() -> None:
    s = staffing_from_counts({"A": (2, 2), "B": (1, 2), "C": (0, 1), "D": (0, 0)})
    assert {k: v.status for k, v in s.items()} == {
        "A": "manned",
        "B": "short",
        "C": "unmanned",
        "D": "closed",
    }


@pytest.mark.parametrize("minutes", [1, 3, 5])
def test_ring_radius_is_the_travel_models_reach(minutes: int) -> None:
    model = GreatCircleTravel()
    radius_km = ring_radius_m(minutes, model) / 1000
    # due north from 38.9°N by the ring's radius: the travel model says `minutes`
    lat = 38.9 + math.degrees(radius_km / 6371.0088)
    assert model.minutes((100.4, 38.9), (100.4, lat)) == pytest.approx(minutes, rel=1e-3)
    assert haversine_km([(100.4, 38.9)], [(100.4, lat)])[0, 0] == pytest.approx(radius_km, rel=1e-3)


def test_ring_radius_known_values() -> None:
    # 30 km/h urban, circuity 1.3: 3 min → 1.5 km road → 1153.8 m straight line
    assert ring_radius_m(3) == pytest.approx(1500 / 1.3, rel=1e-9)
    assert ring_radius_m(5) == pytest.approx(2500 / 1.3, rel=1e-9)
    slow = GreatCircleTravel(fixed_minutes=1.0)
    assert ring_radius_m(3, slow) == pytest.approx(1000 / 1.3, rel=1e-9)
    assert ring_radius_m(0.5, slow) == 0.0


def test_layer_data_from_the_scenario(small_scenario) -> None:
    assert len(jurisdiction_collection(small_scenario)["features"]) == 5
    zones = zone_collection(small_scenario)
    assert [f["id"] for f in zones["features"]][:3] == ["Z00", "Z01", "Z02"]
    assert zone_risk(small_scenario, 0, 3)["Z05"] == 10.0
    assert zone_risk(small_scenario, 6, 12)["Z05"] == 5.0
    staffing = staffing_for_shift(small_scenario, small_scenario.published_plan, DAY, "day")
    posts = {p.key: p for p in post_points(small_scenario, staffing, "zh", "白班")}
    assert posts["P2"].color == "#f9a825" and "缺员" in posts["P2"].popup
    assert "民警3（B003）" in posts["P2"].popup and "13900000003" in posts["P2"].popup
    assert (posts["P1"].lat, posts["P1"].lon) == pytest.approx((38.92, 100.42))
    en = {p.key: p for p in post_points(small_scenario, staffing, "en")}
    assert "short" in en["P2"].popup and "armed checkpoint" in en["P2"].popup
    # the volunteer team has no base: not drawn; a live position draws it
    assert [u.key for u in unit_points(small_scenario, "zh")] == ["XT-01", "YJ-01"]
    moved = unit_points(small_scenario, "zh", {"ZY-01": "on_patrol"}, {"ZY-01": (100.5, 39.0)})
    assert [u.key for u in moved][-1] == "ZY-01" and "巡逻中" in moved[-1].popup


def test_dispatch_segments(small_scenario) -> None:
    lines = [
        DispatchLine("JQ-1", "XT-01", "dispatched"),
        DispatchLine("JQ-1", "YJ-01", "suggested", eta_minutes=7),
        DispatchLine("JQ-1", "ZY-01"),  # no position: skipped
    ]
    segs = dispatch_segments(small_scenario, lines, "zh")
    assert [s.state for s in segs] == ["dispatched", "suggested"]
    assert segs[0].start == pytest.approx((38.95, 100.45)) and segs[0].end == pytest.approx(
        (38.98, 100.52)
    )
    eta = GreatCircleTravel().minutes((100.45, 38.95), (100.52, 38.98))
    assert f"{eta:.0f} 分钟" in segs[0].tooltip and "7 分钟" in segs[1].tooltip
    with pytest.raises(ValueError, match=r"dispatches\[0\]\.unit_id"):
        dispatch_segments(small_scenario, [DispatchLine("JQ-1", "NOPE")], "zh")
