"""The drill solver's reasons and conflict names carry a code from `optimizer.messages`:
rendered in English they are the stored `reason` / `rule` word for word, rendered in Chinese
they hold no English word but ids, codes and the city's own names."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from optimizer.drills import DrillParams, schedule_drills
from optimizer.messages import MESSAGES, reason_text, render, rule_text
from optimizer.result import Conflict, Shortfall
from tests.optimizer.drill_cases import drill_setup, scenario

WORD = re.compile(r"[A-Za-z]{3,}")
# codes of the test scenario that are not words of a sentence (ids, skills, venue kinds)
CODES = {"range", "firearms_instructor"}


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
