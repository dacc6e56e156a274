"""导入 — importing a roster table from a page (commanders: ROSTER_WRITE): upload a CSV or
xlsx file (kind: jurisdictions, units, people, posts, zones; coordinate system; create or
upsert), check it first — the importer's dry run lists every bad row (row, column, reason;
a long list is cut at the importer's limit, with the count of all) — then confirm: the same
importer writes every row or none (`rosters.tables.import_table`, as POST /import/{kind}).

The form keeps the chosen file: "check" and "import" both send it (htmx swaps the report
under the form); the import is enabled once a check passed."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from api import audit
from api.deps import ROSTER_WRITE, SessionDep
from api.errors import ApiError
from api.events import publish
from api.routers.tables import TableKind
from api.workbench.common import PageCtx, is_htmx, page, page_write, render
from maps.pages import PageLink, register_page
from rosters.coords import Crs
from rosters.tables import ImportFailed, Mode, RowError, import_table
from rosters.tables.limits import MAX_FILE_BYTES

router = APIRouter(include_in_schema=False)
register_page(PageLink("import", "/pages/import", "page.import", frozenset({"commander"})))

KIND_NAMES: dict[str, tuple[str, str]] = {
    "jurisdictions": ("辖区", "jurisdictions"),
    "units": ("单位", "units"),
    "people": ("人员", "people"),
    "posts": ("卡点/岗亭", "posts"),
    "zones": ("巡区", "zones"),
}
CRS_NAMES: dict[str, tuple[str, str]] = {
    "wgs84": ("WGS84（卫星定位原始坐标）", "WGS84 (GPS)"),
    "gcj02": ("GCJ-02（高德、腾讯地图）", "GCJ-02 (Amap, Tencent)"),
    "bd09": ("BD-09（百度地图）", "BD-09 (Baidu)"),
}
UPLOADS = (".csv", ".xlsx")

#: the importer's reasons (English) → Chinese; {0}, {1}… are the quoted parts kept as written
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^a value is required$"), "必填，不能为空"),
    (re.compile(r"^unknown (\w+) '(.*)'$"), "未知的{0}代码 “{1}”"),
    (
        re.compile(r"^'(.*)' already exists \(import with mode upsert to update\)$"),
        "“{0}” 已存在（要更新已有记录请选“新增或更新”）",
    ),
    (
        re.compile(r"^'(.*)' appears again \(first in row (\d+)\)$"),
        "“{0}” 重复出现（首次在第 {1} 行）",
    ),
    (re.compile(r"^'(.*)' is not one of (.*)$"), "“{0}” 不是可选值之一：{1}"),
    (re.compile(r"^'(.*)' is not a whole number( ≥ 0)?$"), "“{0}” 不是非负整数"),
    (re.compile(r"^'(.*)' is not a number$"), "“{0}” 不是数字"),
    (re.compile(r"^'(.*)' is not yes/no \(是/否\)$"), "“{0}” 应为 是/否"),
    (re.compile(r"^'(.*)' is not a date \(YYYY-MM-DD\)$"), "“{0}” 不是日期（年-月-日）"),
    (re.compile(r"^a skill is listed twice$"), "同一技能列了两次"),
    (
        re.compile(r"^'(.*)' is not hour windows like 08-22 or 0-24$"),
        "“{0}” 不是时段（如 08-22 或 0-24）",
    ),
    (re.compile(r"^window (.*) is not within 0–24 h$"), "时段 {0} 不在 0–24 时之内"),
    (re.compile(r"^not GeoJSON text$"), "不是 GeoJSON 文本"),
    (re.compile(r"^not a GeoJSON Polygon or MultiPolygon$"), "不是 GeoJSON 多边形"),
    (re.compile(r"^risk .*"), "风险值应为 7 行 × 24 个非负数"),
    (re.compile(r"^longitude and latitude go together$"), "经度和纬度须同时填写"),
    (
        re.compile(r"^\((.*), (.*)\) lies outside China.*$"),
        "（{0}, {1}）在中国境外；经纬度是否填反了？",
    ),
    (re.compile(r"^must be at least 1$"), "至少为 1"),
    (re.compile(r"^(\d+) armed exceeds the minimum staff (\d+)$"), "持枪人数 {0} 超过最少人数 {1}"),
    (re.compile(r"^a jurisdiction cannot be its own parent$"), "辖区不能以自己为上级"),
    (re.compile(r"^duplicate column \(also '(.*)'\)$"), "重复的列（与 “{0}” 相同）"),
    (re.compile(r"^required column missing \((.*) / (.*)\)$"), "缺少必需的列：{0}"),
    (re.compile(r"^.*: the file is empty$"), "文件是空的"),
    (re.compile(r"^.*: the first sheet is empty$"), "第一个工作表是空的"),
    (re.compile(r"^.*: not UTF-8 or GB18030 text$"), "文件不是 UTF-8 或 GB18030 编码的文本"),
    (re.compile(r"^.*: not a readable (CSV|\.xlsx) file.*$"), "无法读取的 {0} 文件"),
    (re.compile(r"^.*: unsupported file type.*$"), "不支持的文件类型（请用 CSV 或 Excel 表格）"),
    (
        re.compile(r"^the database refused the rows: .*$"),
        "数据库拒绝了这些行（代码重复或引用不存在）",
    ),
]
_WHAT = {"jurisdiction": "辖区", "unit": "单位", "person": "人员", "post": "卡点", "zone": "巡区"}


def reason_zh(reason: str) -> str:
    """The importer's reason in Chinese (the English itself when it is not a known one)."""
    for pattern, text in _REASONS:
        found = pattern.match(reason)
        if found:
            parts = [_WHAT.get(p, p) if p else "" for p in found.groups()]
            return text.format(*parts)
    return reason


def _helpers(ctx: PageCtx) -> dict[str, Any]:
    return {
        "kinds": [(k.value, ctx.t(*KIND_NAMES[k.value])) for k in TableKind],
        "crs_names": [(c.value, ctx.t(*CRS_NAMES[c.value])) for c in Crs],
        "reason": (lambda r: reason_zh(r)) if ctx.lang == "zh" else (lambda r: r),
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
    }


@router.get("/pages/import")
def import_page(ctx: Annotated[PageCtx, Depends(page("import"))]) -> Response:
    ctx.require(ROSTER_WRITE)
    return render(
        ctx,
        "imports_page.html",
        title=ctx.t("导入", "Import"),
        form={"kind": "people", "crs": "wgs84", "mode": "create"},
        **_helpers(ctx),
    )


@router.post("/pages/import")
def import_upload(
    ctx: Annotated[PageCtx, Depends(page_write("import", ROSTER_WRITE))],
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
    kind: Annotated[TableKind, Form()] = TableKind.PEOPLE,
    crs: Annotated[Crs, Form()] = Crs.WGS84,
    mode: Annotated[Mode, Form()] = Mode.CREATE,
    step: Annotated[str, Form(pattern="^(check|commit)$")] = "check",
) -> Response:
    """Check (dry run) or import the uploaded file; the report as a fragment (htmx) or the
    page with it."""
    ctx.require(ROSTER_WRITE)
    name = FilePath(file.filename or "").name if file is not None else ""
    values: dict[str, Any] = {"file_name": name, "kind": kind.value, "step": step}
    if file is None or not name:
        values["problem"] = ctx.t("请选择要导入的文件", "choose a file to import")
        return _answer(ctx, values, 422)
    suffix = FilePath(name).suffix.lower()
    if suffix not in UPLOADS:
        values["problem"] = ctx.t(
            f"不支持的文件类型 {suffix or '（无扩展名）'}：请上传 CSV 或 Excel 表格",
            f"unsupported file type {suffix or '(none)'}: upload a .csv or .xlsx",
        )
        return _answer(ctx, values, 422)
    data = file.file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ApiError(413, ctx.t("文件过大", "the file is too large"))
    dry_run = step != "commit"
    with tempfile.TemporaryDirectory(prefix="pingan-import-") as tmp:
        path = FilePath(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            report = import_table(session, kind.value, path, crs=crs, mode=mode, dry_run=dry_run)
        except ImportFailed as exc:
            session.rollback()
            errors: list[RowError] = getattr(exc.report, "shown_errors", exc.report.errors)
            values |= {
                "failed": True,
                "errors": errors,
                "error_count": len(exc.report.errors),
                "left_out": len(exc.report.errors) - len(errors),
                "rows": exc.report.rows,
            }
            return _answer(ctx, values, 422)
    values |= {
        "failed": False,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "written": report.written,
        "warnings": report.warnings,
    }
    if report.written:
        result = {
            "kind": report.kind,
            "file": name,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "written": True,
            "warnings": report.warnings,
        }
        audit.record(session, ctx.who, "import", kind.value, name, after=result)
        publish(session, "roster", {"action": "import", "kind": kind.value, "rows": report.rows})
        session.commit()
    else:
        session.rollback()
    return _answer(ctx, values, 200)


def _answer(ctx: PageCtx, values: dict[str, Any], status: int) -> Response:
    """The report: a fragment under the form for htmx (swapped even when refused), else the
    whole page with the report (the refusal's status)."""
    helpers = _helpers(ctx)
    if is_htmx(ctx.request):
        return render(ctx, "imports_report.html", **values, **helpers)
    form = {"kind": values.get("kind", "people"), "crs": "wgs84", "mode": "create"}
    return render(
        ctx,
        "imports_page.html",
        status_code=status,
        title=ctx.t("导入", "Import"),
        form=form,
        report=values,
        **helpers,
    )
