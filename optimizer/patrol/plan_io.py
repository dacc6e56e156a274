"""The patrol plan file: versioned JSON (schema in optimizer/schema/patrol-plan-1.0.schema.json)
holding the solver's figures, shortfalls, conflicts and assignments; and a readable .xlsx
(one sheet of assignments by shift with names and places, one of shortfalls)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from optimizer.patrol.result import PatrolResult
from optimizer.result import summary_rows
from optimizer.scenario import Scenario
from optimizer.xlsx import append, finish_sheet, summary_rows_zh

PLAN_FORMAT = "pingan-patrol-plan"
PLAN_VERSION = "1.0"
PLAN_SCHEMA_PATH = Path(__file__).parents[1] / "schema" / f"patrol-plan-{PLAN_VERSION}.schema.json"


class PlanFile(PatrolResult):
    format: Literal["pingan-patrol-plan"] = PLAN_FORMAT
    version: Literal["1.0"] = PLAN_VERSION
    horizon_start: str = Field(description="first planned day (ISO date)")
    horizon_days: int


def plan_json_schema() -> dict[str, Any]:
    schema = PlanFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"pingan patrol plan {PLAN_VERSION}"
    return schema


def to_plan_file(scenario: Scenario, result: PatrolResult) -> PlanFile:
    return PlanFile(
        **result.model_dump(),
        horizon_start=scenario.horizon.start.isoformat(),
        horizon_days=scenario.horizon.days,
    )


def write_plan_json(scenario: Scenario, result: PatrolResult, target: str | Path) -> Path:
    path = Path(target)
    data = to_plan_file(scenario, result).model_dump(mode="json")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_plan_json(source: str | Path) -> PlanFile:
    return PlanFile.model_validate_json(Path(source).read_text(encoding="utf-8"))


TASK_ZH = {"post": "卡点/岗亭", "zone": "巡逻", "standby": "备勤"}


def write_plan_xlsx(scenario: Scenario, result: PatrolResult, target: str | Path) -> Path:
    from openpyxl import Workbook

    people, shifts = scenario.by_id("people"), scenario.by_id("shifts")
    places = {
        **{p.id: p.name for p in scenario.posts},
        **{z.id: z.name for z in scenario.zones},
        **{j.id: j.name for j in scenario.jurisdictions},
    }
    units = scenario.by_id("units")
    book = Workbook()
    sheet = book.active
    sheet.title = "勤务安排"
    append(
        sheet,
        [
            "日期",
            "班次",
            "时间",
            "任务",
            "地点编码",
            "地点",
            "警号",
            "姓名",
            "单位",
            "电话",
            "持枪",
        ],
    )
    for a in result.assignments:
        p, t = people[a.person_id], shifts[a.shift_id]
        begin, end = t.interval(a.date)
        append(
            sheet,
            [
                a.date.isoformat(),
                t.name,
                f"{begin:%H:%M}–{end:%H:%M}",
                TASK_ZH[a.task.value],
                a.target_id,
                places.get(a.target_id, ""),
                p.id,
                p.name,
                units[p.unit_id].name if p.unit_id else "",
                p.phone,
                "是" if p.armed else "否",
            ],
        )
    gaps = book.create_sheet("缺口")
    append(gaps, ["要求", "地点编码", "地点", "开始", "结束", "缺少", "原因"])
    for s in result.shortfalls:
        append(
            gaps,
            [
                s.requirement,
                s.target_id,
                places.get(s.target_id, ""),
                s.start,
                s.end,
                s.missing,
                s.reason,
            ],
        )
    info = book.create_sheet("求解")
    for row in summary_rows_zh(summary_rows(result)):
        append(info, row)
    for each in book.worksheets:
        finish_sheet(each)
    path = Path(target)
    book.save(path)
    return path
