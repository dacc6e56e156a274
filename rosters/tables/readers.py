"""Reading users' files into rows of text cells: CSV (UTF-8 with or without BOM, or
GB18030/GBK as Chinese Excel writes it), Excel .xlsx (first sheet, openpyxl), and GeoJSON
FeatureCollections (properties are the columns, the geometry goes to `geometry`).
Row numbers are the ones the user sees: the header is row 1 (feature 1 for GeoJSON)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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


def read_csv(path: Path) -> Sheet:
    text = _decode(path.read_bytes(), path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        lines = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise FileFormatError(f"{path.name}: not a readable CSV file ({exc})") from exc
    if not lines:
        raise FileFormatError(f"{path.name}: the file is empty")
    headers = [h.strip() for h in lines[0]]
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append(
            (number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)})
        )
    return Sheet(headers, rows)


def read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a broken file
        raise FileFormatError(f"{path.name}: not a readable .xlsx file ({exc})") from exc
    try:
        values = list(book.worksheets[0].iter_rows(values_only=True))
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
        data = json.loads(_decode(path.read_bytes(), path))
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path.name}: not JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise FileFormatError(f"{path.name}: not a GeoJSON FeatureCollection")
    headers: list[str] = []
    rows = []
    for number, feature in enumerate(data.get("features", []), start=1):
        props = {
            k: "" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in (feature.get("properties") or {}).items()
        }
        props["geometry"] = json.dumps(feature.get("geometry"), ensure_ascii=False)
        headers += [k for k in props if k not in headers]
        rows.append((number, props))
    return Sheet(headers, rows)


def read_sheet(path: str | Path) -> Sheet:
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".geojson", ".json"):
        return read_geojson(path)
    raise FileFormatError(f"{path.name}: unsupported file type '{suffix}' (csv, xlsx, geojson)")
