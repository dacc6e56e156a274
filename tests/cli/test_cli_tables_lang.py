"""The CLI's tables in Chinese by default (`pingan --lang zh|en`): titles, row and column
names, statuses, the reasons of unscheduled drills and the conflicting rules; English with
--lang en; JSON output keeps its English keys."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

from typer.testing import CliRunner

from cli.main import app
from optimizer.scenario import dump_scenario
from tests.optimizer.drill_cases import drill_setup, scenario

runner = CliRunner()
WORD = re.compile(r"[A-Za-z]{3,}")
#: names, not sentences: file formats, the solver's product name
ALLOWED = {"JSON", "Excel", "ics", "SAT", "json", "xlsx"}


def _over_demand(tmp_path: Path) -> Path:
    reqs = [
        {"id": f"R{u}", "drill_type_id": "LF", "unit_ids": [u], "count": 6, "per": "week"}
        for u in ("S1", "S2")
    ]
    s = scenario(start=dt.date(2026, 12, 7), days=7, drills=drill_setup(requirements=reqs))
    return dump_scenario(s, tmp_path / "s.json")


def _run(tmp_path: Path, *first: str) -> str:
    args = [*first, "plan", "drills", "--scenario", str(_over_demand(tmp_path))]
    args += ["--out", str(tmp_path / "schedule"), "--seconds", "10", "--workers", "1"]
    result = runner.invoke(app, args, env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_drill_tables_in_chinese_by_default(tmp_path: Path) -> None:
    out = _run(tmp_path).replace(str(tmp_path / "schedule"), " ")  # the files written
    assert "演练排程" in out and "最优" in out and "教官不可用" in out
    assert [w for w in WORD.findall(out) if w not in ALLOWED] == []


def test_drill_tables_in_english(tmp_path: Path) -> None:
    out = _run(tmp_path, "--lang", "en")
    assert "drill schedule" in out and "optimal" in out
    assert "instructors unavailable or busy" in out
    assert "演练排程" not in out and "最优" not in out


def test_json_keeps_english_keys_and_a_bad_lang_is_refused(tmp_path: Path) -> None:
    summary = json.loads(_run(tmp_path, "--json"))
    assert summary["status"] == "optimal" and summary["unmet"] == 2
    bad = runner.invoke(app, ["--lang", "fr", "db", "upgrade"])
    assert bad.exit_code == 1 and "--lang" in bad.output


def test_what_a_unit_brings_in_both_languages() -> None:
    from cli.labels import brings, tier_name, word
    from optimizer.reinforcement.results import UnitChoice

    fields = UnitChoice.model_fields
    assert {"headcount", "armed", "skills", "vehicles", "tier"} <= set(fields)

    unit = SimpleNamespace(headcount=6, armed=2, vehicles=1, skills={"first_aid": 1})
    assert brings(unit, "zh") == "6 人、持枪 2 人、急救×1、车辆 1 辆"
    assert brings(unit, "en") == "6 people, 2 armed, first aid×1, 1 vehicles"
    assert tier_name("county", "zh") == "县级" and tier_name("county", "en") == "county"
    assert word("ETA min", "zh") == "预计到达（分钟）" and word("not listed", "zh") == "not listed"
    assert word("jurisdiction_id", "zh") == "辖区编码" and word("required", "en") == "required"


def test_codes_and_records_in_cells_are_said_in_words() -> None:
    from cli.common import _cell
    from cli.labels import code_label, need_name

    assert code_label("force", "patrol_swat", "zh") == "巡特警"
    assert code_label("level", "city", "en") == "city"
    assert code_label("standard", "city_patrol_swat", "zh") == "市级巡特警人数"
    assert code_label("incident_kind", "violent", "zh") == "暴力案件"
    assert code_label("incident", "suggested", "en") == "suggested"
    assert code_label("force", "a_code_of_the_data", "zh") == "a_code_of_the_data"
    assert need_name("skill:first_aid", "zh") == "急救" and need_name("armed", "en") == "armed"
    effort = {"groups": 2, "parts": 1}
    assert _cell(effort, "zh") == "重排的分组：2，部分：1"
    assert _cell(effort, "en") == "groups planned again: 2, parts: 1"
    assert _cell([], "zh") == "—" and _cell(["a", "b"], "zh") == "a、b"


def test_a_gap_is_shown_as_a_percentage() -> None:
    """The solver's gap is a fraction: 0.0026 is 0.26 % (a table showed it as "0.00", which
    reads as proven)."""
    from cli.labels import cell_value

    assert cell_value("gap", 0.0026, "zh") == "0.26%"
    assert cell_value("gap", 0, "en") == "0.00%"
    assert cell_value("gap", None, "zh") is None
    assert cell_value("objective", 0.0026, "zh") == 0.0026


def test_the_drill_table_shows_its_gap_in_percent(tmp_path: Path) -> None:
    out = _run(tmp_path)
    gap = next(line for line in out.splitlines() if "差距" in line)
    assert re.search(r"\d+\.\d\d%", gap), gap
