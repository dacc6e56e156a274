"""The optimiser's English sentences in Chinese for the plan workbench."""

from __future__ import annotations

from rosters.plan_texts import reason_zh, violation_zh


def test_shortfall_reasons_in_chinese() -> None:
    reason = (
        "2025-05-05 夜班 00:00–08:00: of 3 people of 甘州区 who may take it, 0 absent, "
        "1 on other tasks, 2 at labour-rule limits (1 × 休息, 1 × 最多5班), "
        "3 free but not sent: the rest of the plan weighs more"
    )
    assert reason_zh(reason) == (
        "2025-05-05 夜班 00:00–08:00：甘州区可承担此任务的人员共 3 人，0 人请假，"
        "1 人在其他任务，2 人已到劳动规则上限（1 × 休息, 1 × 最多5班），"
        "3 人空闲但未派：计划其余部分更重要"
    )
    assert reason_zh("no armed officers of 甘州区 may take K1-B at all") == (
        "甘州区没有可承担 K1-B 的持枪民警"
    )
    assert reason_zh("something new") == "something new"
    held = (
        "2025-05-05 白班 08:00–16:00: of 2 people holding 排爆 of 甘州区 who may take it, 2 absent"
    )
    assert (
        reason_zh(held)
        == "2025-05-05 白班 08:00–16:00：甘州区可承担此任务的持有排爆的人员共 2 人，2 人请假"
    )


def test_violations_in_chinese() -> None:
    assert violation_zh("K1-0 works 2 shifts on 2025-05-05") == "K1-0 在 2025-05-05 上 2 个班"
    assert (
        violation_zh("K1-0 has 2 tasks on 2025-05-05 day") == "K1-0 在 2025-05-05 day 有 2 项任务"
    )
    rested = violation_zh("休息11h: K1-0 rests 8 h before 2025-05-05 16:00", frozenset({"休息11h"}))
    assert rested == "休息11h：K1-0 在 2025-05-05 16:00 前只休息 8 小时"
    assert violation_zh("squad U1 split on 2025-05-05 day") == "2025-05-05 day 中队 U1 被拆分"
    skill = violation_zh("K1-0 on K1-B on 2025-05-05 without the required 排爆")
    assert skill == "K1-0 在 2025-05-05 上卡点 K1-B，缺少所需技能 排爆"
