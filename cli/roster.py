"""`pingan import` and `pingan export`: roster tables from and to CSV, Excel and GeoJSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import database_engine, emit, err_console, fail, state

KINDS = "jurisdictions, units, people, posts, zones"


def import_command(
    kind: Annotated[str, typer.Argument(help=KINDS)],
    file: Annotated[Path, typer.Argument(help=".csv, .xlsx or .geojson")],
    crs: Annotated[
        str,
        typer.Option(help="coordinates in the file: wgs84, gcj02 (Gaode/Tencent), bd09 (Baidu)"),
    ] = "wgs84",
    mode: Annotated[
        str, typer.Option(help="create (codes must be new) or upsert (update existing)")
    ] = "create",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="check every row, write nothing")
    ] = False,
) -> None:
    """Import a table; every bad row is listed and nothing is written if any row is bad."""
    from rosters.coords import Crs
    from rosters.db import session_scope
    from rosters.tables import TABLES, ImportFailed, Mode, import_table

    if kind not in TABLES:
        fail(f"kind: expected one of {KINDS}, got {kind!r}")
    try:
        crs_value, mode_value = Crs(crs), Mode(mode)
    except ValueError as exc:
        fail(f"--crs/--mode: {exc}")
    try:
        with session_scope(database_engine()) as session:
            report = import_table(
                session, kind, file, crs=crs_value, mode=mode_value, dry_run=dry_run
            )
    except ImportFailed as exc:
        report = exc.report
        errors = [
            {"row": e.row, "column": e.column, "reason": e.reason} for e in report.shown_errors
        ]
        total = len(report.errors)
        if state.json_output:
            emit({"file": str(file), "written": False, "error_count": total, "errors": errors})
        else:
            emit(errors, title=f"{file.name}: bad rows", columns=["row", "column", "reason"])
        listed = f" (the first {len(errors)} are listed)" if report.errors_left_out else ""
        fail(f"{total} bad row(s) in {file.name}: nothing imported{listed}")
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    emit(
        {
            "file": str(file),
            "kind": kind,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "written": report.written,
        },
        title="checked (dry run)" if dry_run else "imported",
    )


def export_command(
    kind: Annotated[str, typer.Argument(help=KINDS)],
    file: Annotated[Path, typer.Argument(help=".csv (UTF-8 with BOM), .xlsx, or .geojson")],
    lang: Annotated[str, typer.Option(help="header language: zh or en")] = "zh",
) -> None:
    """Export a table (Chinese headers by default)."""
    from sqlmodel import Session

    from rosters.tables import TABLES, export_table

    if kind not in TABLES:
        fail(f"kind: expected one of {KINDS}, got {kind!r}")
    if lang not in ("zh", "en"):
        fail(f"--lang: expected zh or en, got {lang!r}")
    with Session(database_engine()) as session:
        try:
            count = export_table(session, kind, file, lang=lang)
        except ValueError as exc:
            fail(str(exc))
    emit({"file": str(file), "kind": kind, "rows": count}, title="exported")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export")(export_command)
