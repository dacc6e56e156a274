"""The notes of an incident's unmet needs carry a message code: English word for word as the
stored note, Chinese without English words."""

from __future__ import annotations

import re

from optimizer.messages import note_text
from tests.optimizer.test_reinforcement_selection import UnitSpec, incident, solve


def test_need_notes_in_both_languages() -> None:
    specs = [UnitSpec("A", "T1", 7.0, people=4, armed=1), UnitSpec("B", "T1", 2.0, people=2)]
    _, _, result = solve(specs, incident(headcount=4, armed=3))
    notes = [n for n in result.best.needs if n.note]
    assert len(notes) == 2
    for n in notes:
        assert n.note_code and note_text(n, "en") == n.note
        assert re.findall(r"[A-Za-z]{3,}", note_text(n, "zh")) == [], note_text(n, "zh")
    zh = {n.need: note_text(n, "zh") for n in notes}
    assert zh["armed"].startswith("缺 2")
    assert zh["headcount"] == "未能在 5 分钟内满足；最快可在 7.0 分钟满足"
