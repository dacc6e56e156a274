"""Coordinate systems: GCJ-02 / BD-09 ⇄ WGS84."""

from __future__ import annotations

import math

import pytest

from rosters.coords import (
    Crs,
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84,
    wgs84_to_gcj02,
)

PLACES = [(116.391, 39.907), (100.45, 38.93), (121.47, 31.23), (87.6, 43.8), (113.26, 23.13)]


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[1] - b[1]) * 111_320
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dx, dy)


@pytest.mark.parametrize("wgs", PLACES)
def test_gcj02_offset_is_a_few_hundred_metres_and_inverts(wgs: tuple[float, float]) -> None:
    gcj = wgs84_to_gcj02(*wgs)
    assert 50 < _metres(wgs, gcj) < 1_000
    assert _metres(gcj02_to_wgs84(*gcj), wgs) < 0.5


def test_beijing_shifts_north_east() -> None:
    # the well-known GCJ-02 shift around Beijing: about +0.006° lon, +0.0013° lat
    lon, lat = wgs84_to_gcj02(116.391, 39.907)
    assert 0.005 < lon - 116.391 < 0.007 and 0.0005 < lat - 39.907 < 0.002


@pytest.mark.parametrize("gcj", PLACES)
def test_bd09_round_trip(gcj: tuple[float, float]) -> None:
    bd = gcj02_to_bd09(*gcj)
    assert 500 < _metres(gcj, bd) < 1_500  # Baidu adds roughly another 0.0065°/0.006°
    assert _metres(bd09_to_gcj02(*bd), gcj) < 1.0
    assert _metres(to_wgs84(*bd, Crs.BD09), gcj02_to_wgs84(*gcj)) < 1.0


def test_outside_china_nothing_changes() -> None:
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert not in_china(2.35, 48.85) and in_china(100.45, 38.93)
    assert to_wgs84(100.0, 38.0, "wgs84") == (100.0, 38.0)
    with pytest.raises(ValueError):
        to_wgs84(100.0, 38.0, "utm")
