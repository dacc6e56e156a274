"""Writing rows to Excel sheets: text is cleaned of the control characters a worksheet
cannot hold (a roster name pasted with one would otherwise fail the whole export)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet


def append(sheet: Worksheet, values: Iterable[Any]) -> None:
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
