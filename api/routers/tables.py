"""Import and export of the roster tables (CSV, xlsx, GeoJSON), the roster as a scenario,
and the staffing-standards report."""

import datetime as dt
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from api import audit
from api.deps import Reader, RosterWriter, SessionDep, SettingsDep
from api.errors import ApiError
from api.events import publish
from optimizer.scenario import Level
from rosters.coords import Crs
from rosters.scenario_db import export_scenario
from rosters.standards import Shortfall, load_standards, shortfalls
from rosters.standards_db import staff_counts_now
from rosters.tables import Mode, export_table, import_table
from rosters.tables.limits import MAX_FILE_BYTES

router = APIRouter(tags=["import/export"])
MAX_UPLOAD = MAX_FILE_BYTES  # the importer's own limit (rosters.tables.limits)


class TableKind(StrEnum):
    JURISDICTIONS = "jurisdictions"
    UNITS = "units"
    PEOPLE = "people"
    POSTS = "posts"
    ZONES = "zones"


class FileType(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    GEOJSON = "geojson"


class ImportResult(BaseModel):
    kind: str
    file: str
    rows: int
    created: int
    updated: int
    written: bool
    warnings: list[str]


MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


@router.post(
    "/import/{kind}",
    response_model=ImportResult,
    summary="Import a table (all or nothing; every bad row is reported)",
)
def import_file(
    session: SessionDep,
    who: RosterWriter,
    kind: TableKind,
    file: Annotated[UploadFile, File(description="CSV, xlsx or GeoJSON")],
    crs: Annotated[Crs, Form(description="coordinate system of the file")] = Crs.WGS84,
    mode: Annotated[
        Mode, Form(description="create, or upsert rows whose code exists")
    ] = Mode.CREATE,
    dry_run: Annotated[bool, Form(description="check only, write nothing")] = False,
) -> dict[str, Any]:
    name = Path(file.filename or "upload.csv").name
    suffix = Path(name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory(prefix="pingan-import-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        data = file.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise ApiError(
                413, f"{name}: larger than {MAX_UPLOAD // (1024 * 1024)} MB (文件超过上限)"
            )
        path.write_bytes(data)
        report = import_table(session, kind.value, path, crs=crs, mode=mode, dry_run=dry_run)
    report.file = name
    result = {
        "kind": report.kind,
        "file": name,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "written": report.written,
        "warnings": report.warnings,
    }
    if report.written:
        audit.record(session, who, "import", kind.value, name, after=result)
        publish(session, "roster", {"action": "import", "kind": kind.value, "rows": report.rows})
        session.commit()
    return result


@router.get(
    "/export/{kind}",
    response_class=FileResponse,
    summary="Export a table",
    responses={200: {"content": {m: {} for m in MEDIA.values()}, "description": "the file"}},
)
def export_file(
    session: SessionDep,
    who: Reader,
    kind: TableKind,
    format: FileType = FileType.CSV,
    lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh",
) -> FileResponse:
    if format == FileType.GEOJSON and kind not in (TableKind.JURISDICTIONS, TableKind.ZONES):
        raise ApiError(422, "format: GeoJSON export is for jurisdictions and zones")
    tmp = tempfile.TemporaryDirectory(prefix="pingan-export-")
    path = Path(tmp.name) / f"{kind.value}.{format.value}"
    export_table(session, kind.value, path, lang=lang)
    return FileResponse(
        path,
        media_type=MEDIA[format.value],
        filename=path.name,
        background=BackgroundTask(tmp.cleanup),
    )


def _scenario(
    session: Any, settings: Any, start: dt.date | None, days: int, county: str | None
) -> Any:
    from zoneinfo import ZoneInfo

    first = start or dt.datetime.now(ZoneInfo(settings.timezone)).date() + dt.timedelta(days=1)
    return export_scenario(session, start=first, days=days, county=county, tz=settings.timezone)


@router.get(
    "/scenario",
    summary="The roster as a scenario (pingan-scenario JSON)",
    response_model=dict[str, Any],
)
def scenario(
    session: SessionDep,
    settings: SettingsDep,
    who: Reader,
    start: dt.date | None = None,
    days: Annotated[int, Query(ge=1, le=28)] = 1,
    county: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    return _scenario(session, settings, start, days, county).model_dump(mode="json")


@router.get("/standards", response_model=list[Shortfall], summary="Staffing-standards report")
def standards(
    session: SessionDep,
    settings: SettingsDep,
    who: Reader,
    level: Annotated[list[Level] | None, Query()] = None,
) -> list[Shortfall]:
    counts = staff_counts_now(session)
    return shortfalls(counts, load_standards(settings.standards_file), level)
