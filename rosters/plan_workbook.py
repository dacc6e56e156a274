"""The patrol plan's workbook with the optimiser's English sentences said in Chinese: the
reasons of shortfalls (through `rosters.plan_texts`, the same wording as the plan page), the
kinds of requirement, the bound's source, the solver's notes and the rules in conflict.
`optimizer.patrol.plan_io.write_plan_xlsx` writes the workbook;
this hands it a copy of the result whose shortfalls are already in Chinese."""

from __future__ import annotations

from pathlib import Path

from optimizer.patrol.plan_io import write_plan_xlsx
from optimizer.patrol.result import PatrolResult
from optimizer.scenario import Scenario
from rosters.plan_texts import bound_source_zh, note_zh, reason_zh, rule_zh

#: kinds of requirement a shortfall names (`Shortfall.requirement`)
REQUIREMENT_ZH: dict[str, str] = {
    "post_cover": "卡点人数",
    "armed": "持枪人数",
    "skill": "专业技能",
    "standby": "备勤底线",
    "zone_presence": "巡区在岗",
}


def requirement_zh(requirement: str) -> str:
    kind, _, detail = requirement.partition(":")
    zh = REQUIREMENT_ZH.get(kind, kind)
    return f"{zh}：{detail}" if detail else zh


def chinese_shortfalls(result: PatrolResult) -> PatrolResult:
    """A copy of `result` in Chinese: its shortfalls' reasons and requirements, the source
    of its bound, its notes and the names of the rules in conflict."""
    return result.model_copy(
        update={
            "shortfalls": [
                s.model_copy(
                    update={
                        "reason": reason_zh(s.reason),
                        "requirement": requirement_zh(s.requirement),
                    }
                )
                for s in result.shortfalls
            ],
            "conflicts": [c.model_copy(update={"rule": rule_zh(c.rule)}) for c in result.conflicts],
            "bound_source": bound_source_zh(result.bound_source),
            "message": note_zh(result.message),
        }
    )


def write_plan_xlsx_zh(scenario: Scenario, result: PatrolResult, target: str | Path) -> Path:
    """The plan's workbook, all in Chinese (but ids, names and the solvers' names)."""
    return write_plan_xlsx(scenario, chinese_shortfalls(result), target)
