"""Import limits: a file too large, too wide (a million columns) or with too long a header
line is refused before it is parsed; a file with many bad rows reports the first 200 and the
total; non-finite numbers are refused; nothing is written on any failure."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session

from rosters.models import Person
from rosters.tables import ImportFailed, import_table, readers
from rosters.tables.limits import MAX_COLUMNS, MAX_REPORTED_ERRORS
from tests.rosters.test_import_export import base, write_csv  # noqa: F401  (fixture)

PEOPLE = ["警号", "姓名", "力量类型", "所属单位", "辖区编码", "经度", "纬度"]


def _people(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Person)).scalar_one()


def _refused(session: Session, path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        import_table(session, "people", path)
    assert _people(session) == 0
    return caught.value


def test_a_million_columns_are_refused_before_parsing(
    base: Session,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\nx\n", encoding="utf-8")

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(readers.csv, "reader", never)
    failed = _refused(base, path)
    assert "row 1 has at least" in str(failed) and f"the {MAX_COLUMNS} a table" in str(failed)


def test_a_wide_row_below_the_header_is_refused(
    base: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    rows = [PEOPLE, ["P1", "张三", "巡特警", "XT-1", "ZY01", "100.45", "38.93"]]
    rows.append(["P2", *(["x"] * (MAX_COLUMNS + 5))])
    failed = _refused(base, write_csv(tmp_path / "p.csv", rows))
    assert "row 3" in str(failed)


def test_a_wide_xlsx_is_refused_from_its_dimension(
    base: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    book = Workbook()
    book.active.append([f"c{i}" for i in range(MAX_COLUMNS + 50)])
    book.save(tmp_path / "wide.xlsx")
    failed = _refused(base, tmp_path / "wide.xlsx")
    assert f"{MAX_COLUMNS + 50} columns" in str(failed)


def test_a_file_past_the_size_limit_is_refused_unread(
    base: Session,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024)
    rows = [PEOPLE] + [[f"P{i}", "张三", "巡特警", "XT-1", "ZY01", "", ""] for i in range(100)]
    failed = _refused(base, write_csv(tmp_path / "big.csv", rows))
    assert "larger than" in str(failed)


def test_many_bad_rows_report_the_first_ones_and_the_count(
    base: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    rows = [PEOPLE] + [[f"P{i}", "某", "nope", "XT-1", "ZY01", "", ""] for i in range(5000)]
    failed = _refused(base, write_csv(tmp_path / "bad.csv", rows))
    assert len(failed.report.errors) == 5000
    assert len(failed.report.shown_errors) == MAX_REPORTED_ERRORS
    assert [e.row for e in failed.report.shown_errors] == list(range(2, 2 + MAX_REPORTED_ERRORS))
    assert "5000 bad rows" in str(failed) and f"first {MAX_REPORTED_ERRORS}" in str(failed)


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e400"])
def test_non_finite_coordinates_are_refused(
    base: Session,  # noqa: F811
    tmp_path: Path,
    value: str,
) -> None:
    rows = [PEOPLE, ["P1", "张三", "巡特警", "XT-1", "ZY01", value, "38.93"]]
    failed = _refused(base, write_csv(tmp_path / "p.csv", rows))
    assert failed.report.errors[0].column == "经度"


def test_non_finite_risk_and_geometry_are_refused(
    base: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    risk = "[" + ",".join(["[" + ",".join(["1"] * 23 + ["NaN"]) + "]"] * 7) + "]"
    shape = '{"type": "Polygon", "coordinates": [[[100, 38], [101, Infinity], [100, 38]]]}'
    rows = [["编码", "名称", "辖区编码", "风险", "范围"], ["Z1", "东街", "ZY01", risk, shape]]
    with pytest.raises(ImportFailed) as caught:
        import_table(base, "zones", write_csv(tmp_path / "z.csv", rows))
    reasons = " ".join(e.reason for e in caught.value.report.errors)
    assert "NaN" in reasons and "Infinity" in reasons


def test_csv_reader_still_reads_ordinary_files(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["a", "b"], ["1", "2"], ["", ""], ["3", "4"]])
    sheet = readers.read_sheet(path)
    assert sheet.headers == ["a", "b"]
    assert [n for n, _ in sheet.rows] == [2, 4]
