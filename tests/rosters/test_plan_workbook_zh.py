"""The plan workbook's shortfalls in Chinese: a post that cannot be fully manned gets a row
whose reason and requirement are in Chinese (the plan page's wording), not the optimiser's
English sentence."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from optimizer.patrol import SolveParams, plan_patrol
from rosters.plan_workbook import requirement_zh, write_plan_xlsx_zh
from tests.optimizer.patrol_cases import person, post, scenario

WORD = re.compile(r"[A-Za-z]{3,}")


def test_plan_workbook_shortfalls_in_chinese(tmp_path: Path) -> None:
    case = scenario([person("P1"), person("P2")], [post("X1", staff=3, armed=1)])
    result = plan_patrol(case, SolveParams(time_limit=10, num_workers=1))
    assert result.shortfalls and all(s.reason for s in result.shortfalls)
    assert any("who may take it" in s.reason or " may take " in s.reason for s in result.shortfalls)
    book = load_workbook(write_plan_xlsx_zh(case, result, tmp_path / "plan.xlsx"))
    rows = list(book["缺口"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.shortfalls)
    for row in rows:
        requirement, reason = str(row[0]), str(row[6])
        assert WORD.findall(requirement) == [], requirement
        assert WORD.findall(reason) == [], reason
    # the result handed in is left as it was (the JSON API keeps the English)
    assert any("may take" in s.reason for s in result.shortfalls)


def test_requirement_kinds_in_chinese() -> None:
    assert requirement_zh("post_cover") == "卡点人数"
    assert requirement_zh("skill:排爆") == "专业技能：排爆"
    assert requirement_zh("new_kind") == "new_kind"
