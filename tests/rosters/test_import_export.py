"""Import and export of the roster tables: Chinese headers, every bad row reported, all or
nothing, coordinate systems, round trips through CSV, Excel and GeoJSON."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from rosters.coords import wgs84_to_gcj02
from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.models import Certification, Jurisdiction, Person, Post, Unit
from rosters.scenario_db import load_scenario_into_db
from rosters.tables import ImportFailed, export_table, import_table, table_rows

ORDER = ["jurisdictions", "units", "people", "posts", "zones"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def base(session: Session, tmp_path: Path) -> Session:
    """A county with one unit, imported from Chinese-headed CSV files."""
    import_table(
        session,
        "jurisdictions",
        write_csv(
            tmp_path / "j.csv",
            [
                ["辖区编码", "辖区名称", "级别", "上级编码", "人口", "城区"],
                ["ZY", "张掖市", "市", "", "1200000", "是"],
                ["ZY01", "甘州区", "区", "ZY", "520000", "是"],
            ],
        ),
    )
    import_table(
        session,
        "units",
        write_csv(
            tmp_path / "u.csv",
            [
                ["单位编码", "单位名称", "力量类型", "辖区编码", "是否分队"],
                ["XT-1", "甘州巡特警一中队", "巡特警", "ZY01", "是"],
            ],
        ),
    )
    return session


def test_chinese_headers_and_values_are_understood(base: Session, tmp_path: Path) -> None:
    report = import_table(
        base,
        "people",
        write_csv(
            tmp_path / "p.csv",
            [
                [
                    "警号",
                    "姓名",
                    "所属力量",
                    "所属单位",
                    "辖区编码",
                    "是否持枪",
                    "技能",
                    "经度",
                    "纬度",
                ],
                [
                    "620001",
                    "王伟",
                    "巡特警",
                    "XT-1",
                    "ZY01",
                    "是",
                    "防暴:2027-06-30;急救",
                    "100.45",
                    "38.93",
                ],
                ["620002", "李娜", "特警", "XT-1", "ZY01", "否", "", "", ""],
            ],
        ),
    )
    assert (report.created, report.updated, report.written) == (2, 0, True)
    wang = base.exec(select(Person).where(Person.badge == "620001")).scalars().one()  # type: ignore[call-overload]
    assert (wang.name, wang.force, wang.armed, wang.home_lon) == (
        "王伟",
        "patrol_swat",
        True,
        100.45,
    )
    skills = {c.skill: c.expires for c in base.exec(select(Certification)).scalars()}  # type: ignore[call-overload]
    assert set(skills) == {"riot_control", "first_aid"} and skills["first_aid"] is None


def test_english_and_full_width_headers(base: Session, tmp_path: Path) -> None:
    report = import_table(
        base,
        "people",
        write_csv(
            tmp_path / "p.csv",
            [
                ["Badge", "ＮＡＭＥ", "force", "unit", "jurisdiction", "armed"],
                ["620003", "Zhang Wei", "patrol_swat", "XT-1", "ZY01", "yes"],
            ],
        ),
    )
    assert report.created == 1


def test_gbk_csv_from_chinese_excel(base: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "gbk.csv",
        [["警号", "姓名", "所属力量", "辖区编码"], ["620009", "赵敏", "派出所", "ZY01"]],
        encoding="gbk",
    )
    assert import_table(base, "people", path).created == 1


def test_every_bad_row_is_reported_and_nothing_is_written(base: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        [
            [
                "警号",
                "姓名",
                "所属力量",
                "所属单位",
                "辖区编码",
                "是否持枪",
                "技能",
                "经度",
                "纬度",
            ],
            ["620010", "好人", "巡特警", "XT-1", "ZY01", "是", "", "100.4", "38.9"],  # row 2 fine
            ["620011", "", "巡特警", "XT-1", "ZY01", "是", "", "", ""],  # 3 no name
            ["620012", "甲", "陆军", "XT-1", "ZY01", "是", "", "", ""],  # 4 bad force
            ["620013", "乙", "巡特警", "XT-9", "ZY01", "是", "", "", ""],  # 5 unknown unit
            ["620014", "丙", "巡特警", "XT-1", "ZY01", "也许", "", "", ""],  # 6 bad bool
            ["620010", "丁", "巡特警", "XT-1", "ZY01", "是", "", "", ""],  # 7 duplicate
            ["620015", "戊", "巡特警", "XT-1", "ZY01", "是", "急救:明年", "", ""],  # 8 bad date
            [
                "620016",
                "己",
                "巡特警",
                "XT-1",
                "ZY01",
                "是",
                "",
                "2.35",
                "48.85",
            ],  # 9 outside China
            ["620017", "庚", "巡特警", "XT-1", "ZY01", "是", "", "100.4", ""],  # 10 lon only
            ["620018", "辛", "巡特警", "XT-1", "ZZ99", "是", "", "", ""],  # 11 unknown jur.
        ],
    )
    with pytest.raises(ImportFailed) as info:
        import_table(base, "people", path)
    got = [(e.row, e.column, e.reason) for e in info.value.report.errors]
    assert [(row, col) for row, col, _ in got] == [
        (3, "姓名"),
        (4, "所属力量"),
        (5, "所属单位"),
        (6, "是否持枪"),
        (7, "警号"),
        (8, "技能"),
        (9, "经度"),
        (10, "纬度"),
        (11, "辖区编码"),
    ]
    reasons = dict(((r, c), why) for r, c, why in got)
    assert reasons[(3, "姓名")] == "a value is required"
    assert "unknown unit 'XT-9'" in reasons[(5, "所属单位")]
    assert "first in row 2" in reasons[(7, "警号")]
    assert "outside China" in reasons[(9, "经度")]
    assert _count(base, Person) == 0  # row 2 was fine, but nothing is written


def test_missing_required_column_is_reported_on_the_header_row(
    base: Session, tmp_path: Path
) -> None:
    with pytest.raises(ImportFailed) as info:
        import_table(base, "people", write_csv(tmp_path / "p.csv", [["警号", "姓名"], ["1", "甲"]]))
    assert {(e.row, e.column) for e in info.value.report.errors} == {
        (1, "力量类型"),
        (1, "辖区编码"),
    }


def test_post_rules_and_hours(base: Session, tmp_path: Path) -> None:
    head = [
        "点位编码",
        "点位名称",
        "类型",
        "辖区编码",
        "经度",
        "纬度",
        "值守时段",
        "最少人数",
        "最少持枪人数",
    ]
    with pytest.raises(ImportFailed) as info:
        import_table(
            base,
            "posts",
            write_csv(
                tmp_path / "bad.csv",
                [
                    head,
                    ["P1", "卡点一", "武装盘查卡点", "ZY01", "100.4", "38.9", "0-24", "2", "3"],
                    ["P2", "岗亭", "岗亭", "ZY01", "100.4", "38.9", "22-08", "1", "0"],
                ],
            ),
        )
    assert [(e.row, e.column) for e in info.value.report.errors] == [
        (2, "最少持枪人数"),
        (3, "值守时段"),
    ]
    ok = import_table(
        base,
        "posts",
        write_csv(
            tmp_path / "ok.csv",
            [
                head,
                ["P1", "卡点一", "武装盘查卡点", "ZY01", "100.4", "38.9", "24小时", "3", "2"],
                ["P2", "岗亭", "治安岗亭", "ZY01", "100.4", "38.9", "08-12;14-22", "1", ""],
            ],
        ),
    )
    assert ok.created == 2
    p2 = base.exec(select(Post).where(Post.code == "P2")).scalars().one()  # type: ignore[call-overload]
    assert p2.hours == [[8, 12], [14, 22]] and p2.kind == "kiosk"


def test_create_refuses_existing_codes_and_upsert_updates(base: Session, tmp_path: Path) -> None:
    rows = [
        ["单位编码", "单位名称", "力量类型", "辖区编码"],
        ["XT-1", "改名中队", "巡特警", "ZY01"],
    ]
    with pytest.raises(ImportFailed, match="already exists"):
        import_table(base, "units", write_csv(tmp_path / "u.csv", rows))
    report = import_table(base, "units", tmp_path / "u.csv", mode="upsert")
    assert (report.created, report.updated) == (0, 1)
    assert base.exec(select(Unit.name).where(Unit.code == "XT-1")).scalars().one() == "改名中队"  # type: ignore[call-overload]


def test_dry_run_writes_nothing(base: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [["警号", "姓名", "所属力量", "辖区编码"], ["1", "甲", "巡特警", "ZY01"]],
    )
    assert import_table(base, "people", path, dry_run=True).written is False
    assert _count(base, Person) == 0


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_declared_coordinate_system_is_converted(base: Session, tmp_path: Path, crs: str) -> None:
    from rosters.coords import gcj02_to_bd09

    wgs = (100.45, 38.93)
    shown = wgs84_to_gcj02(*wgs)
    if crs == "bd09":
        shown = gcj02_to_bd09(*shown)
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["警号", "姓名", "所属力量", "辖区编码", "经度", "纬度"],
            ["1", "甲", "巡特警", "ZY01", f"{shown[0]:.8f}", f"{shown[1]:.8f}"],
        ],
    )
    import_table(base, "people", path, crs=crs)
    person = base.exec(select(Person)).scalars().one()  # type: ignore[call-overload]
    assert abs(person.home_lon - wgs[0]) < 1e-5 and abs(person.home_lat - wgs[1]) < 1e-5


def test_unsupported_or_broken_files(base: Session, tmp_path: Path) -> None:
    (tmp_path / "x.doc").write_text("x")
    with pytest.raises(ImportFailed, match="unsupported file type"):
        import_table(base, "people", tmp_path / "x.doc")
    (tmp_path / "x.xlsx").write_text("not a workbook")
    with pytest.raises(ImportFailed, match=r"not a readable \.xlsx"):
        import_table(base, "people", tmp_path / "x.xlsx")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_export_import_round_trip(
    session: Session, fresh_engine: Engine, tmp_path: Path, fmt: str
) -> None:
    load_scenario_into_db(session, build_demo_city("small"))
    files = {}
    for kind in ORDER:
        ext = fmt if fmt != "geojson" or kind in ("jurisdictions", "zones") else "csv"
        files[kind] = tmp_path / f"{kind}.{ext}"
        export_table(session, kind, files[kind], lang="zh" if fmt != "xlsx" else "en")
    with session_scope(fresh_engine) as target:
        for kind in ORDER:
            import_table(target, kind, files[kind])
    with Session(fresh_engine) as target:
        for kind in ORDER:
            assert table_rows(target, kind) == table_rows(session, kind), kind
        assert _count(target, Jurisdiction) == _count(session, Jurisdiction)


def test_csv_export_opens_in_excel(session: Session, tmp_path: Path) -> None:
    load_scenario_into_db(session, build_demo_city("small"))
    path = tmp_path / "people.csv"
    export_table(session, "people", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "警号".encode() in raw[:40]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_people_workbook_shows_labels_and_imports_back(
    session: Session, fresh_engine: Engine, tmp_path: Path, lang: str
) -> None:
    """The people workbook shows forces, roles and skills by their labels, not their codes,
    and what it shows imports back as the same people."""
    from openpyxl import load_workbook

    load_scenario_into_db(session, build_demo_city("small"))
    for kind in ORDER:
        export_table(session, kind, tmp_path / f"{kind}.xlsx", lang=lang)
    sheet = load_workbook(tmp_path / "people.xlsx", read_only=True).worksheets[0]
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    words = {w for c in cells for w in re.split(r"[;:]", c)}
    codes = {"patrol_swat", "township_force", "first_aid", "riot_control"}
    if lang == "zh":
        codes |= {"leader", "member"}  # in English a role's label is its code
    assert not codes & words, codes & words
    shown = {"zh": {"巡特警", "队长", "队员", "急救"}, "en": {"patrol SWAT", "leader", "first aid"}}
    assert shown[lang] <= words
    with session_scope(fresh_engine) as target:
        for kind in ORDER:
            import_table(target, kind, tmp_path / f"{kind}.xlsx")
    with Session(fresh_engine) as target:
        for kind in ORDER:
            assert table_rows(target, kind) == table_rows(session, kind), kind
