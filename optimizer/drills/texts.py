"""Chinese wording of the drill solver's remaining English notes: the bound's source, the
warnings about history and the holiday calendar, the notes put on sessions, and the drill
kinds. (Reasons and conflict names carry message codes, see `optimizer.messages`.)

Ids, names, dates and numbers pass through unchanged; a sentence of an unknown shape comes
back as it is."""

from __future__ import annotations

import re

KIND_ZH: dict[str, str] = {
    "counter_terror": "反恐处突",
    "mass_incident": "群体性事件处置",
    "flood_rescue": "防汛抢险",
    "fire": "消防",
    "live_fire": "实弹射击",
    "first_aid": "急救",
    "joint": "联合演练",
    "other": "其他",
}

_HOW = {
    "partition by month": "按月分解",
    "resource-free relaxation": "无资源松弛",
    "CP-SAT": "CP-SAT",
}
_HOW_PART = re.compile(r"^(?P<name>.+) \((?P<n>\d+) groups?\)$")
_GROUPS = re.compile(
    r"^sum over (?P<n>\d+) independent groups of the best of CP-SAT and two relaxations: "
    r"(?P<how>.*)$"
)
_PARTS = re.compile(r"^sum over (?P<n>\d+) parts solved apart: (?P<rest>.*)$")
_STALE = re.compile(
    r"^(?P<n>\d+) drills before (?P<day>\S+) are still 'scheduled' \(counted as done\): "
    r"record them as done or missed$"
)
_NO_NOTICE = re.compile(r"^(?P<year>\d{4}): the State Council holiday notice is not loaded")
_NOT_IN = re.compile(r"^not in drill schedule revision (?P<n>\d+)$")
_SENTENCES = {"make-up of a missed drill": "补训（补上未进行的演练）"}


def _how_zh(how: str) -> str:
    out = []
    for part in how.split(", "):
        m = _HOW_PART.match(part)
        out.append(f"{_HOW.get(m['name'], m['name'])}（{m['n']} 组）" if m else part)
    return "，".join(out)


def bound_source_zh(text: str) -> str:
    if m := _GROUPS.match(text):
        return f"{m['n']} 个独立分组之和，每组取 CP-SAT 与两种松弛中最好的：{_how_zh(m['how'])}"
    if m := _PARTS.match(text):
        rest = "；".join(bound_source_zh(x) for x in m["rest"].split("; ") if x)
        return f"{m['n']} 个分别求解部分之和：{rest}"
    return text


def note_zh(text: str) -> str:
    """A warning or a session note in Chinese."""
    if text in _SENTENCES:
        return _SENTENCES[text]
    if m := _STALE.match(text):
        return (
            f"{m['day']} 之前有 {m['n']} 场演练仍为“已安排”（按已完成计）：请登记为已完成或未进行"
        )
    if m := _NO_NOTICE.match(text):
        return (
            f"{m['year']} 年：未导入国务院放假通知，内置日历也尚无该年数据，"
            "法定节假日按惯例推算，调休上班日未知；请导入该年通知"
        )
    if m := _NOT_IN.match(text):
        return f"不在第 {m['n']} 版演练排程中"
    return text


def kind_zh(kind: str) -> str:
    return KIND_ZH.get(kind, kind)
