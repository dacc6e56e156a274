"""Importing a table (jurisdictions, units, people, posts, zones) from CSV, Excel or GeoJSON.

Every bad row is found and counted, and the first `MAX_REPORTED_ERRORS` (200) are reported
with their row number, the column as named in the file and the reason; an import is all or
nothing: with one bad row nothing is written. Files past the limits of
`rosters.tables.limits` (size, columns, line length, rows) are refused before they are
parsed. Modes: `create`
(the default: a code already in the database is an error) and `upsert` (rows whose code
exists are updated). Coordinates may be declared as GCJ-02 or BD-09 and are stored as
WGS84; coordinates outside China are refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from optimizer.xlsx import restore
from rosters.coords import CHINA_LAT, CHINA_LON, Crs, in_china, to_wgs84
from rosters.models import Certification, Jurisdiction, Person, Post, Unit, Zone
from rosters.tables.columns import TABLES, CellError, Column, Table, normalise
from rosters.tables.limits import MAX_REPORTED_ERRORS
from rosters.tables.readers import FileFormatError, read_sheet


class Mode(StrEnum):
    CREATE = "create"
    UPSERT = "upsert"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def shown_errors(self) -> list[RowError]:
        """The errors a report lists: the first MAX_REPORTED_ERRORS (in row order)."""
        return self.errors[:MAX_REPORTED_ERRORS]

    @property
    def errors_left_out(self) -> int:
        return max(0, len(self.errors) - MAX_REPORTED_ERRORS)


class ImportFailed(ValueError):
    """The import was refused; nothing was written. `report.errors` holds every bad row,
    `report.shown_errors` the first MAX_REPORTED_ERRORS a user is shown."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        n = len(report.errors)
        listed = (
            f"; the first {MAX_REPORTED_ERRORS} are listed (共 {n} 处错误, 列出前 "
            f"{MAX_REPORTED_ERRORS} 处)"
            if report.errors_left_out
            else ""
        )
        super().__init__(
            f"{report.file}: {n} bad row{'s' if n != 1 else ''}, nothing imported"
            f" (first: {report.errors[0]}){listed}"
        )


#: values a new row takes when its file leaves the column out
NEW_ROW_DEFAULTS: dict[str, dict[str, Any]] = {"posts": {"hours": [[0, 24]], "skills": {}}}

MODELS: dict[str, type[SQLModel]] = {
    "jurisdictions": Jurisdiction,
    "units": Unit,
    "people": Person,
    "posts": Post,
    "zones": Zone,
}


def _map_headers(table: Table, headers: list[str], report: ImportReport) -> dict[str, str]:
    """column key → header as written in the file."""
    found: dict[str, str] = {}
    for header in headers:
        col = next((c for c in table.columns if normalise(header) in c.names()), None)
        if col is None:
            if header:
                report.warnings.append(f"column '{header}' is not used")
        elif col.key in found:
            report.errors.append(RowError(1, header, f"duplicate column (also '{found[col.key]}')"))
        else:
            found[col.key] = header
    for col in table.columns:
        if col.required and col.key not in found:
            report.errors.append(
                RowError(1, col.zh, f"required column missing ({col.zh} / {col.en})")
            )
    return found


def _parse_row(
    table: Table, headers: dict[str, str], cells: dict[str, Any], number: int, report: ImportReport
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    for col in table.columns:
        header = headers.get(col.key)
        raw = "" if header is None else restore(str(cells.get(header, "") or "")).strip()
        if raw == "" or raw == "null":
            if col.required:
                report.errors.append(RowError(number, header or col.zh, "a value is required"))
                ok = False
            continue
        try:
            values[col.key] = col.read(raw)
        except CellError as exc:
            report.errors.append(RowError(number, header or col.zh, str(exc)))
            ok = False
    return values if ok else None


def _coordinates(
    values: dict[str, Any], headers: dict[str, str], number: int, crs: Crs, report: ImportReport
) -> bool:
    lon, lat = values.get("lon"), values.get("lat")
    if (lon is None) != (lat is None):
        missing = "lat" if lat is None else "lon"
        report.errors.append(
            RowError(number, headers.get(missing, missing), "longitude and latitude go together")
        )
        return False
    if lon is None:
        return True
    if not in_china(lon, lat):
        report.errors.append(
            RowError(
                number,
                headers.get("lon", "lon"),
                f"({lon}, {lat}) lies outside China (lon {CHINA_LON[0]}–{CHINA_LON[1]}, "
                f"lat {CHINA_LAT[0]}–{CHINA_LAT[1]}); are longitude and latitude swapped?",
            )
        )
        return False
    values["lon"], values["lat"] = (round(v, 7) for v in to_wgs84(lon, lat, crs))
    return True


def _existing(session: Session, model: type[SQLModel], key: str) -> dict[str, Any]:
    return {getattr(r, key): r for r in session.exec(select(model)).scalars()}  # type: ignore[call-overload]


def _codes(session: Session, model: type[SQLModel], key: str = "code") -> dict[str, int]:
    return dict(session.execute(select(getattr(model, key), model.id)).all())  # type: ignore[attr-defined]


def read_and_validate(
    session: Session,
    kind: str,
    path: str | Path,
    *,
    crs: Crs | str = Crs.WGS84,
    mode: Mode | str = Mode.CREATE,
) -> tuple[ImportReport, list[dict[str, Any]]]:
    """Parse and check every row without writing; returns the report and the parsed rows."""
    if kind not in TABLES:
        raise ValueError(f"kind: expected one of {', '.join(TABLES)}, got {kind!r}")
    table, crs, mode = TABLES[kind], Crs(crs), Mode(mode)
    report = ImportReport(kind=kind, file=Path(path).name)
    try:
        sheet = read_sheet(path)
    except FileFormatError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        return report, []
    headers = _map_headers(table, sheet.headers, report)
    if report.errors:
        return report, []
    report.rows = len(sheet.rows)
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        values = _parse_row(table, headers, cells, number, report)
        if values is None or not _coordinates(values, headers, number, crs, report):
            continue
        key = values[table.key]
        if key in seen:
            report.errors.append(
                RowError(
                    number, headers[table.key], f"'{key}' appears again (first in row {seen[key]})"
                )
            )
            continue
        seen[key] = number
        values["_row"] = number
        parsed.append(values)
    _check_rows(session, table, headers, parsed, mode, report)
    return report, parsed


def _check_rows(
    session: Session,
    table: Table,
    headers: dict[str, str],
    rows: list[dict[str, Any]],
    mode: Mode,
    report: ImportReport,
) -> None:
    model = MODELS[table.kind]
    existing = _codes(session, model, table.key)
    jurisdictions = _codes(session, Jurisdiction)
    units = _codes(session, Unit)
    in_file = {r[table.key] for r in rows}

    def ref(
        row: dict[str, Any],
        key: str,
        known: dict[str, int],
        what: str,
        also: set[str] = frozenset(),
    ) -> None:  # type: ignore[assignment]
        value = row.get(key)
        if value is not None and value not in known and value not in also:
            report.errors.append(
                RowError(row["_row"], headers.get(key, key), f"unknown {what} '{value}'")
            )

    for row in rows:
        if mode == Mode.CREATE and row[table.key] in existing:
            report.errors.append(
                RowError(
                    row["_row"],
                    headers[table.key],
                    f"'{row[table.key]}' already exists (import with mode upsert to update)",
                )
            )
        if table.kind == "jurisdictions":
            ref(row, "parent", jurisdictions, "jurisdiction", in_file)
            if row.get("parent") == row["code"]:
                report.errors.append(
                    RowError(
                        row["_row"], headers["parent"], "a jurisdiction cannot be its own parent"
                    )
                )
        else:
            ref(row, "jurisdiction", jurisdictions, "jurisdiction")
        if table.kind == "units":
            ref(row, "parent", units, "unit", in_file)
        if table.kind == "people":
            ref(row, "unit", units, "unit")
        if table.kind == "posts":
            staff, armed = row.get("min_staff", 1), row.get("min_armed", 0)
            if staff < 1:
                report.errors.append(
                    RowError(
                        row["_row"], headers.get("min_staff", "min_staff"), "must be at least 1"
                    )
                )
            elif armed > staff:
                report.errors.append(
                    RowError(
                        row["_row"],
                        headers.get("min_armed", "min_armed"),
                        f"{armed} armed exceeds the minimum staff {staff}",
                    )
                )
    report.errors.sort(key=lambda e: (e.row, e.column))


def import_table(
    session: Session,
    kind: str,
    path: str | Path,
    *,
    crs: Crs | str = Crs.WGS84,
    mode: Mode | str = Mode.CREATE,
    dry_run: bool = False,
) -> ImportReport:
    """Validate every row, then write them all in one SAVEPOINT — or nothing at all.
    Raises ImportFailed (nothing written) when any row is bad."""
    report, rows = read_and_validate(session, kind, path, crs=crs, mode=mode)
    if report.errors:
        raise ImportFailed(report)
    if dry_run:
        return report
    try:
        with session.begin_nested():
            _write(session, TABLES[kind], rows, report)
    except IntegrityError as exc:
        report.errors.append(RowError(0, "", f"the database refused the rows: {exc.orig}"))
        raise ImportFailed(report) from exc
    report.written = True
    return report


def _write(
    session: Session, table: Table, rows: list[dict[str, Any]], report: ImportReport
) -> None:
    model = MODELS[table.kind]
    objects = _existing(session, model, table.key)
    jurisdictions = _codes(session, Jurisdiction)
    written: dict[str, Any] = {}
    for row in rows:
        obj = objects.get(row[table.key])
        fields = _fields(table, row, jurisdictions)
        if obj is None:
            obj = model(**(NEW_ROW_DEFAULTS.get(table.kind, {}) | fields))
            report.created += 1
        else:
            for name, value in fields.items():
                setattr(obj, name, value)
            report.updated += 1
        session.add(obj)
        written[row[table.key]] = (obj, row)
    session.flush()
    if table.kind in ("jurisdictions", "units"):  # parents may be rows of the same file
        codes = _codes(session, model)
        for obj, row in written.values():
            obj.parent_id = codes.get(row["parent"]) if row.get("parent") else None
    if table.kind == "people":
        units = _codes(session, Unit)
        for obj, row in written.values():
            obj.unit_id = units.get(row["unit"]) if row.get("unit") else None
            if "skills" in row:
                for old in session.exec(
                    select(Certification).where(Certification.person_id == obj.id)
                ).scalars():  # type: ignore[call-overload]
                    session.delete(old)
                session.flush()
                for cert in row["skills"]:
                    session.add(Certification(person_id=obj.id, **cert))
    session.flush()


def _fields(table: Table, row: dict[str, Any], jurisdictions: dict[str, int]) -> dict[str, Any]:
    """Row values → model fields."""
    out: dict[str, Any] = {}
    for col in table.columns:
        if col.key not in row or col.key in ("parent", "unit", "skills"):
            continue
        value = row[col.key]
        out.update(_field(table.kind, col, value, jurisdictions))
    return out


def _field(kind: str, col: Column, value: Any, jurisdictions: dict[str, int]) -> dict[str, Any]:
    if col.key == "jurisdiction":
        return {"jurisdiction_id": jurisdictions[value]}
    if col.key in ("lon", "lat"):
        prefix = {
            "jurisdictions": "centroid_",
            "zones": "centroid_",
            "units": "base_",
            "people": "home_",
            "posts": "",
        }[kind]
        return {f"{prefix}{col.key}": value}
    return {col.key: value}
