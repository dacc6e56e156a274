"""Reading users' files into rows of text cells: CSV (UTF-8 with or without BOM, or
GB18030/GBK as Chinese Excel writes it), Excel .xlsx (first sheet, openpyxl), and GeoJSON
FeatureCollections (properties are the columns, the geometry goes to `geometry`).
Row numbers are the ones the user sees: the header is row 1 (feature 1 for GeoJSON).

The limits of `rosters.tables.limits` are checked before a file is parsed as a whole: its
size first, then the header's width (a CSV's first line, an xlsx sheet's dimension), then
each row's width and the row count as rows are read."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.finite_json import NonFiniteNumber, loads_finite
from rosters.tables.limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_LINE_CHARS, MAX_ROWS


class FileFormatError(ValueError):
    """The file itself cannot be read (not the rows in it)."""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number, header → cell)


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(f"{path.name}: not UTF-8 or GB18030 text")


def _too_wide(path: Path, columns: int, row: int, at_least: bool = False) -> FileFormatError:
    count = f"at least {columns}" if at_least else str(columns)
    return FileFormatError(
        f"{path.name}: row {row} has {count} columns, more than the {MAX_COLUMNS} a table "
        f"file may have (表格列数超过上限 {MAX_COLUMNS})"
    )


def _too_long(path: Path) -> FileFormatError:
    return FileFormatError(
        f"{path.name}: more than {MAX_ROWS} rows (行数超过上限 {MAX_ROWS}); split the file"
    )


def _check_header_line(text: str, path: Path) -> None:
    """Refuse a CSV whose first line is too wide or too long before parsing the file."""
    end = text.find("\n", 0, MAX_LINE_CHARS + 1)
    first = text[: end if end >= 0 else MAX_LINE_CHARS + 1]
    widest = max(first.count(d) for d in ",\t;") + 1
    if widest > MAX_COLUMNS:
        raise _too_wide(path, widest, 1, at_least=end < 0)
    if len(first) > MAX_LINE_CHARS:
        raise FileFormatError(
            f"{path.name}: the header line is longer than {MAX_LINE_CHARS} characters (表头过长)"
        )


def read_csv(path: Path) -> Sheet:
    text = _decode(path.read_bytes(), path)
    _check_header_line(text, path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    csv.field_size_limit(MAX_LINE_CHARS)
    reader = csv.reader(io.StringIO(text), dialect)
    headers: list[str] | None = None
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(path, len(cells), number)
            if headers is None:
                headers = [h.strip() for h in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_long(path)
            rows.append(
                (number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)})
            )
    except csv.Error as exc:
        raise FileFormatError(f"{path.name}: not a readable CSV file ({exc})") from exc
    if headers is None:
        raise FileFormatError(f"{path.name}: the file is empty")
    return Sheet(headers, rows)


def read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a broken file
        raise FileFormatError(f"{path.name}: not a readable .xlsx file ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        width = sheet.max_column or 0  # from the sheet's declared dimension, before reading
        if width > MAX_COLUMNS:
            raise _too_wide(path, width, 1)
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise _too_long(path)
        values = []
        for cells in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            if len(cells) > MAX_COLUMNS and cells[MAX_COLUMNS] is not None:
                raise _too_wide(path, len(cells), len(values) + 1)
            if len(values) > MAX_ROWS:
                raise _too_long(path)
            values.append(cells[:MAX_COLUMNS])
    except FileFormatError:
        raise
    except Exception as exc:  # a damaged sheet fails while its rows are read
        raise FileFormatError(f"{path.name}: not a readable .xlsx file ({exc})") from exc
    finally:
        book.close()
    if not values:
        raise FileFormatError(f"{path.name}: the first sheet is empty")
    headers = ["" if h is None else str(h).strip() for h in values[0]]
    rows = []
    for number, cells in enumerate(values[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        rows.append(
            (number, {h: _cell(cells[i]) if i < len(cells) else "" for i, h in enumerate(headers)})
        )
    return Sheet(headers, rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and callable(value.date):  # datetime from Excel
        return value.date().isoformat()
    return str(value)


def read_geojson(path: Path) -> Sheet:
    try:
        data = loads_finite(_decode(path.read_bytes(), path))
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path.name}: not JSON: {exc.msg} at line {exc.lineno}") from exc
    except NonFiniteNumber as exc:
        raise FileFormatError(f"{path.name}: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise FileFormatError(f"{path.name}: not a GeoJSON FeatureCollection")
    features = data.get("features", [])
    if not isinstance(features, list):
        raise FileFormatError(f"{path.name}: `features` is not a list")
    if len(features) > MAX_ROWS:
        raise _too_long(path)
    headers: list[str] = []
    rows = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise FileFormatError(f"{path.name}: feature {number} is not an object")
        if len(feature.get("properties") or {}) >= MAX_COLUMNS:
            raise _too_wide(path, len(feature.get("properties") or {}) + 1, number)
        props = {
            k: "" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in (feature.get("properties") or {}).items()
        }
        props["geometry"] = json.dumps(feature.get("geometry"), ensure_ascii=False)
        headers += [k for k in props if k not in headers]
        if len(headers) > MAX_COLUMNS:
            raise _too_wide(path, len(headers), number)
        rows.append((number, props))
    return Sheet(headers, rows)


def read_sheet(path: str | Path) -> Sheet:
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileFormatError(
            f"{path.name}: {size // (1024 * 1024)} MB, larger than the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB an import reads (文件超过上限); split the file"
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".geojson", ".json"):
        return read_geojson(path)
    raise FileFormatError(f"{path.name}: unsupported file type '{suffix}' (csv, xlsx, geojson)")
