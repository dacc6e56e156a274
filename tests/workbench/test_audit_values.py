"""What the audit page shows of a changed value: codes by their labels in the page's language,
nothing and yes/no in words, a record by the count of its fields (never its raw keys)."""

from __future__ import annotations

import pytest

from api.workbench.audit import value_text


@pytest.mark.parametrize(
    ("key", "value", "zh", "en"),
    [
        ("status", "reported", "已接报", "reported"),
        ("status", "succeeded", "已完成", "finished"),
        ("status", "optimal", "最优", "optimal"),
        ("kind", "violent", "暴力案件", "violent crime"),
        ("kind", "drill_schedule", "演练排程", "drill schedule"),
        ("force", "patrol_swat", "巡特警", "patrol SWAT"),
        ("escalation", "township", "乡镇（街道）", "township/street"),
        ("skills", ["first_aid", "riot_control"], "急救、防暴", "first aid, riot control"),
        ("role", "commander", "指挥员", "commander"),
        ("role", "leader", "队长", "leader"),
        ("note", None, "（空）", "(empty)"),
        ("armed", True, "是", "yes"),
        ("suggestion", {"status": "optimal", "bound": 1.0}, "（2 项）", "(2 fields)"),
        ("name", "甘州区", "甘州区", "甘州区"),  # data as it is
        ("severity", 3, "3", "3"),
    ],
)
def test_values_in_both_languages(key: str, value: object, zh: str, en: str) -> None:
    assert value_text(key, value, "zh") == zh
    assert value_text(key, value, "en") == en
