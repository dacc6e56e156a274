"""Cells of every spreadsheet pingan writes (.xlsx and .csv), through one path:

- **formula injection** is neutralised: a text starting with `=`, `+`, `-`, `@`, a tab or a
  carriage return would be run as a formula by Excel or LibreOffice (a person named
  `=HYPERLINK(…)`). In .xlsx such a cell is written as text with Excel's quote prefix (the
  value itself unchanged, shown as typed, never evaluated); in .csv it gets a leading `'`
  (`neutralise`), which the importers take off again (`restore`). Numbers stay numbers — a
  negative number is a number, not text, and a text that is just a number is left alone;
- text is cleaned of the control characters a worksheet cannot hold (a roster name pasted
  with one would otherwise fail the whole export);
- every sheet gets a bold, frozen header row, an autofilter and column widths fitted to
  its content (`finish_sheet`);
- the solver's figures get Chinese names in a Chinese workbook (`summary_rows_zh`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

#: what a spreadsheet program reads as the start of a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: the prefix a neutralised CSV cell gets
QUOTE = "'"
MAX_WIDTH = 60


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def is_formula_like(value: Any) -> bool:
    """A text a spreadsheet would run as a formula (a text that is just a number is not)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value)


def neutralise(value: Any) -> Any:
    """A CSV cell: formula-like text gets a leading `'`; everything else is unchanged."""
    return QUOTE + value if is_formula_like(value) else value


def restore(text: str) -> str:
    """The inverse of `neutralise`, for text read back from a CSV or xlsx file."""
    if text.startswith(QUOTE) and is_formula_like(text[1:]):
        return text[1:]
    return text


def append(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row: text cleaned of illegal characters, formula-like text kept as text."""
    row = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
    sheet.append(row)
    if any(is_formula_like(v) for v in row):
        for cell in sheet[sheet.max_row]:
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    longest = max((len(line) for line in text.splitlines()), default=0)
    wide = sum(1 for ch in text[:MAX_WIDTH] if ord(ch) > 0x2E80)  # CJK takes two columns
    return longest + wide


def finish_sheet(sheet: Worksheet, header_rows: int = 1) -> None:
    """Bold, frozen header rows, an autofilter over the table and fitted column widths."""
    if sheet.max_row == 0 or sheet.max_column == 0:
        return
    bold = Font(bold=True)
    for row in sheet.iter_rows(min_row=1, max_row=header_rows):
        for cell in row:
            cell.font = bold
    sheet.freeze_panes = f"A{header_rows + 1}"
    last = get_column_letter(sheet.max_column)
    sheet.auto_filter.ref = f"A{header_rows}:{last}{max(sheet.max_row, header_rows)}"
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(max_row=min(sheet.max_row, 2000)):
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), _width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, width + 2)


SUMMARY_ZH = {
    "status": "状态",
    "objective": "目标值",
    "bound": "下界",
    "gap": "差距",
    "bound_source": "下界来源",
    "solve_seconds": "求解用时（秒）",
    "first_feasible_seconds": "首个可行解用时（秒）",
    "num_workers": "求解线程数",
    "drills_due": "应训次数",
    "groups": "分组数",
}
STATUS_ZH = {
    "optimal": "最优",
    "feasible": "可行",
    "infeasible": "不可行",
    "unknown": "未知",
    "cancelled": "已取消",
    "scheduled": "已安排",
    "done": "已完成",
    "missed": "未进行",
}
TERM_ZH = {
    "unmet_post_cover": "卡点缺员",
    "unmet_armed": "持枪缺员",
    "unmet_skill": "技能缺员",
    "unmet_zone_presence": "巡区缺员",
    "unmet_standby": "备勤缺员",
    "over_cover": "超编",
    "risk_uncovered": "未覆盖风险",
    "fairness_nights": "夜班公平",
    "fairness_weekends": "周末公平",
    "fairness_hours": "工时公平",
    "travel": "路程",
    "preferences": "个人意愿",
    "continuity": "巡区连续性",
    "change": "改动",
    "changes": "改动",
    "labour rules": "劳动规则",
    "unmet": "未安排演练",
    "spread": "间隔不均",
    "lapsed_certificates": "证书过期",
}


def summary_rows_zh(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """`optimizer.result.summary_rows` with Chinese names (and a header row)."""
    out: list[list[Any]] = [["项目", "值"]]
    for key, value, *_ in rows:
        name = str(key)
        if name.startswith("term: "):
            term = name.removeprefix("term: ")
            name = f"目标项：{TERM_ZH.get(term, term)}"
        elif name == "conflict":
            name = "冲突规则"
        elif name == "warning":
            name = "提示"
        else:
            name = SUMMARY_ZH.get(name, name)
        if isinstance(value, str):
            value = float(value) if _is_number(value) else STATUS_ZH.get(value, value)
            value = "" if value == "None" else value
        out.append([name, value])
    return out
