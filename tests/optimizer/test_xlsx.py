"""Excel rows keep their text but lose the control characters a worksheet cannot hold."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from optimizer.xlsx import append


def test_control_characters_are_dropped_and_the_rest_is_kept(tmp_path: Path) -> None:
    book = Workbook()
    append(book.active, ["张\x07三\x1b", 3, None, "tab\tand newline\n stay"])
    book.save(tmp_path / "x.xlsx")
    row = next(load_workbook(tmp_path / "x.xlsx").active.iter_rows(values_only=True))
    assert row == ("张三", 3, None, "tab\tand newline\n stay")
