"""The drill schedule file: versioned JSON (schema in
optimizer/schema/drill-schedule-1.0.schema.json) with the solver's figures, unmet drills,
conflicts and sessions; per-unit and per-venue calendars; and a readable .xlsx (the schedule,
one sheet by unit, one by venue, the unmet drills, the solver's figures)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from optimizer.drill_format import DrillSession
from optimizer.drills.result import DrillResult
from optimizer.drills.texts import bound_source_zh, note_zh
from optimizer.messages import reason_text, rule_text
from optimizer.result import summary_rows
from optimizer.scenario import Scenario
from optimizer.xlsx import STATUS_ZH, append, finish_sheet, summary_rows_zh

SCHEDULE_FORMAT = "pingan-drill-schedule"
SCHEDULE_VERSION = "1.0"
SCHEDULE_SCHEMA_PATH = (
    Path(__file__).parents[1] / "schema" / f"drill-schedule-{SCHEDULE_VERSION}.schema.json"
)


class ScheduleFile(DrillResult):
    format: Literal["pingan-drill-schedule"] = SCHEDULE_FORMAT
    version: Literal["1.0"] = SCHEDULE_VERSION
    horizon_start: str = Field(description="first scheduled day (ISO date)")
    horizon_days: int


def schedule_json_schema() -> dict[str, Any]:
    schema = ScheduleFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"pingan drill schedule {SCHEDULE_VERSION}"
    return schema


def write_schedule_json(scenario: Scenario, result: DrillResult, target: str | Path) -> Path:
    data = ScheduleFile(
        **result.model_dump(),
        horizon_start=scenario.horizon.start.isoformat(),
        horizon_days=scenario.horizon.days,
    ).model_dump(mode="json")
    path = Path(target)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_schedule_json(source: str | Path) -> ScheduleFile:
    return ScheduleFile.model_validate_json(Path(source).read_text(encoding="utf-8"))


def by_unit(sessions: Iterable[DrillSession]) -> dict[str, list[DrillSession]]:
    """Each unit's calendar (a joint drill appears in every party's)."""
    out: dict[str, list[DrillSession]] = defaultdict(list)
    for s in sorted(sessions, key=lambda s: (s.start, s.id)):
        for u in s.unit_ids:
            out[u].append(s)
    return dict(out)


def by_venue(sessions: Iterable[DrillSession]) -> dict[str, list[DrillSession]]:
    out: dict[str, list[DrillSession]] = defaultdict(list)
    for s in sorted(sessions, key=lambda s: (s.start, s.id)):
        if s.venue_id:
            out[s.venue_id].append(s)
    return dict(out)


HEADER = ["日期", "星期", "时间", "演练", "单位", "人数", "场地", "教官", "任务", "编号", "状态"]
WEEKDAYS = "一二三四五六日"


def session_row(scenario: Scenario, s: DrillSession) -> list[Any]:
    types = {t.id: t.name for t in scenario.drills.types}
    venues = {v.id: v.name for v in scenario.drills.venues}
    instructors = {i.id: i.name for i in scenario.drills.instructors}
    units = scenario.by_id("units")
    return [
        s.start.date().isoformat(),
        "周" + WEEKDAYS[s.start.weekday()],
        f"{s.start:%H:%M}–{s.end:%H:%M}",
        types.get(s.drill_type_id, s.drill_type_id),
        "、".join(units[u].name if u in units else u for u in s.unit_ids),
        s.participants,
        venues.get(s.venue_id or "", ""),
        instructors.get(s.instructor_id or "", ""),
        s.requirement_id,
        s.id,
        STATUS_ZH.get(s.status.value, s.status.value),
    ]


def write_schedule_xlsx(scenario: Scenario, result: DrillResult, target: str | Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "演练日程"
    append(sheet, HEADER)
    for s in result.sessions:
        append(sheet, session_row(scenario, s))
    units = scenario.by_id("units")
    per_unit = book.create_sheet("按单位")
    append(per_unit, ["单位编码", "单位", *HEADER])
    for uid, items in sorted(by_unit(result.sessions).items()):
        for s in items:
            append(
                per_unit, [uid, units[uid].name if uid in units else uid, *session_row(scenario, s)]
            )
    venues = {v.id: v.name for v in scenario.drills.venues}
    per_venue = book.create_sheet("按场地")
    append(per_venue, ["场地编码", "场地", *HEADER])
    for vid, items in sorted(by_venue(result.sessions).items()):
        for s in items:
            append(per_venue, [vid, venues.get(vid, vid), *session_row(scenario, s)])
    gaps = book.create_sheet("未安排")
    append(gaps, ["任务", "窗口开始", "窗口结束", "缺少", "原因"])
    for x in result.shortfalls:
        append(gaps, [x.target_id, x.start, x.end, x.missing, reason_text(x, "zh")])
    info = book.create_sheet("求解")
    rows = (
        [
            [r[0], bound_source_zh(str(r[1]))] if r[0] == "bound_source" else r
            for r in summary_rows(result, ("drills_due", "groups"))
            if r[0] != "conflict"
        ]
        + [["conflict", rule_text(c, "zh")] for c in result.conflicts]
        + [["warning", note_zh(w)] for w in result.warnings]
    )
    for row in summary_rows_zh(rows):
        append(info, row)
    for each in book.worksheets:
        finish_sheet(each)
    path = Path(target)
    book.save(path)
    return path
