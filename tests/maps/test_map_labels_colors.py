"""Label dictionary, colour classes and the tile-source setting."""

from __future__ import annotations

import pytest

from maps.colors import RISK_COLORS, risk_breaks, risk_class, risk_color
from maps.labels import LABELS, check_lang, label
from maps.tiles import TIANDITU_SUBDOMAINS, TileSource, tile_source
from optimizer.scenario import Force, Level, PostKind


def test_labels_default_to_chinese_with_english_available() -> None:
    assert label("layer.zones") == "巡防责任区"
    assert label("layer.zones", "en") == "Patrol zones"
    with pytest.raises(KeyError):
        label("layer.nope")
    with pytest.raises(ValueError, match="lang"):
        check_lang("fr")


def test_every_label_has_both_languages_and_chinese_is_chinese() -> None:
    for key, (zh, en) in LABELS.items():
        assert zh.strip() and en.strip(), key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), key
        assert en.isascii(), key


def test_every_scenario_enum_has_a_label() -> None:
    for force in Force:
        label(f"force.{force.value}")
    for level in Level:
        label(f"level.{level.value}")
    for kind in PostKind:
        label(f"post.{kind.value}")


def test_risk_classes_are_equal_steps_of_the_largest_value() -> None:
    breaks = risk_breaks([0.0, 2.0, 8.0])
    assert breaks == [2.0, 4.0, 6.0]
    assert [risk_class(v, breaks) for v in (0.0, 2.0, 2.01, 4.5, 6.0, 8.0)] == [0, 0, 1, 2, 2, 3]
    assert risk_color(8.0, breaks) == RISK_COLORS[-1]
    assert risk_color(None, breaks) != risk_color(0.0, breaks)
    assert risk_breaks([]) == [0.0, 0.0, 0.0]
    assert risk_class(0.0, risk_breaks([])) == 0


def test_tile_source_from_setting() -> None:
    assert tile_source("") is None and tile_source("  ") is None
    src = tile_source(
        "http://t{s}.tianditu.intranet/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    )
    assert src is not None and src.subdomains == TIANDITU_SUBDOMAINS
    assert tile_source("http://10.1.1.1/tiles/{z}/{x}/{y}.png").subdomains == "abc"
    with pytest.raises(ValueError, match=r"\{y\}"):
        TileSource(url="http://10.1.1.1/tiles/{z}/{x}.png")
