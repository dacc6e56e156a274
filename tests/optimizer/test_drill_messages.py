"""The drill solver's reasons and conflict names carry a code from `optimizer.messages`:
rendered in English they are the stored `reason` / `rule` word for word, rendered in Chinese
they hold no English word but ids, codes and the city's own names."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from optimizer.drills import DrillParams, schedule_drills
from optimizer.messages import MESSAGES, reason_text, render, rule_text
from optimizer.result import Conflict, Shortfall
from tests.optimizer.drill_cases import drill_setup, scenario

WORD = re.compile(r"[A-Za-z]{3,}")
# codes of the test scenario that are not words of a sentence (ids, skills, venue kinds)
# and the solver's product name (CP-SAT)
CODES = {"range", "firearms_instructor", "SAT"}


def english_words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in CODES]


def _render_both(items: list[Shortfall] | list[Conflict]) -> list[str]:
    out = []
    for x in items:
        if isinstance(x, Shortfall):
            assert x.reason_code, x.reason
            assert reason_text(x, "en") == x.reason
            out.append(reason_text(x, "zh"))
        else:
            assert x.rule_code, x.rule
            assert rule_text(x, "en") == x.rule
            out.append(rule_text(x, "zh"))
    return out


def test_unscheduled_reasons_in_chinese() -> None:
    blackout = {
        "id": "B1",
        "name": "重大活动安保",
        "start": "2026-12-01T00:00:00",
        "end": "2027-01-01T00:00:00",
    }
    r = schedule_drills(
        scenario(drills=drill_setup(blackouts=[blackout])), DrillParams(time_limit=10)
    )
    assert r.shortfalls
    zh = _render_both(r.shortfalls)
    assert all("禁训期 重大活动安保" in x for x in zh)
    assert [english_words(x) for x in zh] == [[] for _ in zh]


def test_clash_reasons_in_chinese() -> None:
    reqs = [
        {"id": f"R{u}", "drill_type_id": "LF", "unit_ids": [u], "count": 6, "per": "week"}
        for u in ("S1", "S2")
    ]
    s = scenario(start=dt.date(2026, 12, 7), days=7, drills=drill_setup(requirements=reqs))
    r = schedule_drills(s, DrillParams(time_limit=10))
    assert len(r.shortfalls) == 2
    zh = _render_both(r.shortfalls)
    assert all("教官不可用" in x for x in zh), zh
    assert [english_words(x) for x in zh] == [[] for _ in zh]


def test_conflict_names_in_chinese() -> None:
    blackout = {
        "id": "B1",
        "name": "两会安保",
        "start": "2026-12-01T00:00:00",
        "end": "2027-01-01T00:00:00",
    }
    reqs = [
        {"id": "R1", "drill_type_id": "LF", "unit_ids": ["S1"], "count": 2, "per": "month"}
        | {"hard": True}
    ]
    s = scenario(drills=drill_setup(requirements=reqs, blackouts=[blackout]))
    r = schedule_drills(s, DrillParams(time_limit=20, num_workers=1))
    assert r.conflicts
    zh = _render_both(r.conflicts)
    assert "禁训期 两会安保" in zh
    assert [english_words(x) for x in zh] == [[] for _ in zh]


def test_unknown_code_fails_and_no_code_keeps_the_sentence() -> None:
    with pytest.raises(KeyError):
        render("drill.no_such_thing", {}, "zh")
    assert reason_text({"reason": "as stored"}, "zh") == "as stored"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_chinese_template_has_no_english_word(code: str) -> None:
    zh, en = MESSAGES[code]
    assert english_words(re.sub(r"\{\w+\}", "", zh)) == []
    assert set(re.findall(r"\{(\w+)\}", zh)) == set(re.findall(r"\{(\w+)\}", en))


def test_drill_workbook_reasons_and_conflicts_in_chinese(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from optimizer.drills.schedule_io import write_schedule_xlsx

    reqs = [
        {"id": f"R{u}", "drill_type_id": "LF", "unit_ids": [u], "count": 6, "per": "week"}
        for u in ("S1", "S2")
    ]
    s = scenario(start=dt.date(2026, 12, 7), days=7, drills=drill_setup(requirements=reqs))
    r = schedule_drills(s, DrillParams(time_limit=10))
    r = r.model_copy(
        update={
            "conflicts": [
                Conflict(
                    rule="x",
                    rule_code="drill.rule.venue",
                    rule_params={"name": "县靶场", "capacity": 20},
                )
            ]
        }
    )
    book = load_workbook(write_schedule_xlsx(s, r, tmp_path / "d.xlsx"))
    reasons = [row[4] for row in book["未安排"].iter_rows(min_row=2, values_only=True)]
    assert len(reasons) == 2 and all("教官不可用" in x for x in reasons)
    info = [row for row in book["求解"].iter_rows(values_only=True)]
    assert ["冲突规则", "场地 县靶场 同时最多容纳 20 人"] in [list(x) for x in info]
    words = [
        w
        for sheet in ("未安排", "求解")
        for row in book[sheet].iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
        for w in english_words(cell)
    ]
    assert words == []


def test_ics_descriptions_and_categories_in_chinese() -> None:
    import icalendar

    from optimizer.drills.ics import sessions_to_ics

    s = scenario()
    r = schedule_drills(s, DrillParams(time_limit=10))
    notes = ["make-up of a missed drill", "not in drill schedule revision 3"]
    sessions = [x.model_copy(update={"note": notes[i % 2]}) for i, x in enumerate(r.sessions)]
    cal = icalendar.Calendar.from_ical(sessions_to_ics(s, sessions))
    events = list(cal.walk("VEVENT"))
    assert len(events) == 4
    text = [str(ev["description"]) + " " + ev.get("categories").to_ical().decode() for ev in events]
    assert any("补训" in x for x in text) and any("不在第 3 版" in x for x in text)
    words = [w for x in text for w in english_words(x)]
    assert words == []


def test_notes_and_bound_source_in_chinese() -> None:
    from optimizer.drills.texts import bound_source_zh, note_zh

    src = (
        "sum over 2 parts solved apart: sum over 3 independent groups of the best of CP-SAT and"
        " two relaxations: partition by month (2 groups), CP-SAT (1 group)"
    )
    zh = bound_source_zh(src)
    assert zh.startswith("2 个分别求解部分之和") and "按月分解（2 组）" in zh
    stale = (
        "2 drills before 2026-12-01 are still 'scheduled' (counted as done):"
        " record them as done or missed"
    )
    from optimizer.workdays import work_calendar

    (notice,) = work_calendar(dt.date(2031, 1, 1), dt.date(2031, 1, 2)).warnings
    assert "2031" in notice and "chinese_calendar" not in notice and "package" not in notice
    assert "未导入国务院放假通知" in note_zh(notice)  # the library's names are no words of a reader
    for x in (zh, note_zh(stale), note_zh(notice)):
        assert english_words(x) == []
    assert note_zh("as typed by a user") == "as typed by a user"
