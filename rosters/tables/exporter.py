"""Exporting a table to CSV (UTF-8 with BOM, so Excel shows Chinese), Excel .xlsx or GeoJSON,
with Chinese headers by default (English with lang="en"), codes of the domain (forces,
levels, kinds of post, roles, skills) by their labels in the same language. What is
exported imports back unchanged. Every cell goes through `optimizer.xlsx`: formula-like text
(`=`, `+`, `-`, `@`, tab, CR) is neutralised (a leading `'` in CSV, a quote-prefixed text
cell in xlsx)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from optimizer.messages import label_of
from optimizer.xlsx import append, finish_sheet, neutralise
from rosters.models import Certification, Jurisdiction, Unit
from rosters.tables.columns import TABLES, Table
from rosters.tables.importer import MODELS

GEOMETRY = {"jurisdictions": "boundary", "zones": "geometry"}


def table_rows(session: Session, kind: str) -> list[dict[str, Any]]:
    """The rows of a table as column key → value (codes for references)."""
    table = TABLES[kind]
    model = MODELS[kind]
    jur = dict(session.execute(select(Jurisdiction.id, Jurisdiction.code)).all())
    units = dict(session.execute(select(Unit.id, Unit.code)).all())
    certs: dict[int, list[dict[str, Any]]] = {}
    if kind == "people":
        for c in session.exec(select(Certification).order_by(Certification.id)).scalars():  # type: ignore[call-overload]
            certs.setdefault(c.person_id, []).append({"skill": c.skill, "expires": c.expires})
    prefix = {
        "jurisdictions": "centroid_",
        "zones": "centroid_",
        "units": "base_",
        "people": "home_",
        "posts": "",
    }[kind]
    out = []
    for obj in session.exec(select(model).order_by(model.id)).scalars():  # type: ignore[attr-defined,call-overload]
        row: dict[str, Any] = {}
        for col in table.columns:
            if col.key == "jurisdiction":
                row[col.key] = jur[obj.jurisdiction_id]
            elif col.key == "parent":
                ids = jur if kind == "jurisdictions" else units
                row[col.key] = ids.get(obj.parent_id) if obj.parent_id else None
            elif col.key == "unit":
                row[col.key] = units.get(obj.unit_id) if obj.unit_id else None
            elif col.key in ("lon", "lat"):
                row[col.key] = getattr(obj, f"{prefix}{col.key}")
            elif col.key == "skills" and kind == "people":
                row[col.key] = certs.get(obj.id, [])
            else:
                row[col.key] = getattr(obj, col.key)
        out.append(row)
    return out


def _text(table: Table, key: str, value: Any, lang: str = "zh") -> Any:
    """A cell as the reader sees it in `lang`: codes by their labels, yes/no in words (the
    importer reads each back)."""
    if value is None:
        return ""
    col = table.column(key)
    if col.write is not None:
        return col.write(value, lang)
    if col.family and isinstance(value, str):
        return label_of(col.family, value, "en" if lang == "en" else "zh")
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    return value


def export_table(session: Session, kind: str, target: str | Path, *, lang: str = "zh") -> int:
    """Write the table to `target` (format from the extension); returns the row count."""
    if kind not in TABLES:
        raise ValueError(f"kind: expected one of {', '.join(TABLES)}, got {kind!r}")
    path = Path(target)
    table = TABLES[kind]
    rows = table_rows(session, kind)
    headers = [c.zh if lang == "zh" else c.en for c in table.columns]
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        if kind not in GEOMETRY:
            raise ValueError(f"{kind}: GeoJSON export is for jurisdictions and zones")
        geo = GEOMETRY[kind]
        features = [
            {
                "type": "Feature",
                "geometry": row.get(geo),
                "properties": {
                    h: _text(table, c.key, row[c.key], lang)
                    for h, c in zip(headers, table.columns, strict=True)
                    if c.key != geo
                },
            }
            for row in rows
        ]
        path.write_text(
            json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
            encoding="utf-8",
        )
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([neutralise(h) for h in headers])
            for row in rows:
                writer.writerow(
                    [neutralise(_text(table, c.key, row[c.key], lang)) for c in table.columns]
                )
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = table.title_zh if lang == "zh" else kind
        append(sheet, headers)
        for row in rows:
            append(sheet, [_text(table, c.key, row[c.key], lang) for c in table.columns])
        finish_sheet(sheet)
        book.save(path)
    else:
        raise ValueError(f"{path.name}: unsupported file type '{suffix}' (csv, xlsx, geojson)")
    return len(rows)


__all__ = ["export_table", "table_rows"]
