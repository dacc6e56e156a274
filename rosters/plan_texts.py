"""Chinese wording of the optimiser's English sentences shown on the plan workbench: the
independent checker's violations (`optimizer.patrol.check`) and the reasons of shortfalls
(`optimizer.patrol.explain`). Ids, names, dates and times pass through unchanged; a
sentence of an unknown shape comes back as it is."""

from __future__ import annotations

import re

_N = r"(\d+(?:\.\d+)?)"
#: checker sentences → Chinese (groups in order)
_CHECK: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\S+) has (\d+) tasks on (\S+) (\S+)$"), "{0} 在 {2} {3} 有 {1} 项任务"),
    (re.compile(r"^(\S+) works (\d+) shifts on (\S+)$"), "{0} 在 {2} 上 {1} 个班"),
    (re.compile(r"^(\S+) is absent during (\S+) (\S+)$"), "{0} 在 {1} {2} 请假"),
    (re.compile(r"^(\S+) \((\S+)\) may not man (\S+)$"), "{0}（{1}）不能上卡点 {2}"),
    (re.compile(r"^(\S+) \((\S+)\) may not patrol (\S+)$"), "{0}（{1}）不能巡逻 {2}"),
    (re.compile(r"^volunteer (\S+) on armed checkpoint (\S+)$"), "志愿者 {0} 上了武装卡点 {1}"),
    (
        re.compile(r"^(\S+) of (\S+) on post (\S+) in another county$"),
        "{1} 的 {0} 上了外县卡点 {2}",
    ),
    (
        re.compile(r"^(\S+) of (\S+) patrols (\S+) in another county$"),
        "{1} 的 {0} 巡逻外县巡区 {2}",
    ),
    (
        re.compile(r"^volunteer (\S+) patrols (\S+) away from home$"),
        "志愿者 {0} 离开本乡镇巡逻 {1}",
    ),
    (re.compile(r"^(\S+) may not be on standby for (\S+)$"), "{0} 不能在 {1} 备勤"),
    (re.compile(r"^squad (\S+) split on (\S+) (\S+)$"), "{1} {2} 中队 {0} 被拆分"),
    (
        re.compile(r"^(\S+) on (\S+) on (\S+) without the required (.+)$"),
        "{0} 在 {2} 上卡点 {1}，缺少所需技能 {3}",
    ),
]
#: labour-rule sentences after "<rule name>: "
_LABOUR: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\S+) works (\d+) shifts$"), "{0} 上 {1} 个班"),
    (re.compile(rf"^(\S+) works {_N} h$"), "{0} 工作 {1} 小时"),
    (re.compile(r"^(\S+) works (\d+) days in a row from (\S+)$"), "{0} 自 {2} 起连续工作 {1} 天"),
    (re.compile(r"^(\S+) has a run of (\d+) from (\S+)$"), "{0} 自 {2} 起连续 {1} 天"),
    (re.compile(r"^(\S+) works (\d+) weekends$"), "{0} 上 {1} 个周末"),
    (re.compile(rf"^(\S+) rests {_N} h before (.+)$"), "{0} 在 {2} 前只休息 {1} 小时"),
    (re.compile(r"^(\S+) works (\S+) then (\S+) on (\S+)$"), "{0} 在 {3} 先上 {1} 再上 {2}"),
    (re.compile(r"^(\S+) works on a day off (\S+)$"), "{0} 在休息日 {1} 上班"),
]
_WHO = {
    "people": "人员",
    "armed officers": "持枪民警",
    "patrollers": "巡逻人员",
    "ready officers on standby": "可备勤民警",
}
_PARTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d+) absent$"), "{0} 人请假"),
    (re.compile(r"^(\d+) on other tasks$"), "{0} 人在其他任务"),
    (re.compile(r"^(\d+) at labour-rule limits \((.*)\)$"), "{0} 人已到劳动规则上限（{1}）"),
    (
        re.compile(r"^(\d+) free but not sent: the rest of the plan weighs more$"),
        "{0} 人空闲但未派：计划其余部分更重要",
    ),
]
_REASON = re.compile(
    r"^(?P<slot>.+?): of (?P<n>\d+) (?P<who>.+?) of (?P<county>.+?) who may take it, (?P<rest>.*)$"
)
_NOBODY = re.compile(r"^no (?P<who>.+?) of (?P<county>.+?) may take (?P<target>\S+) at all$")
_UNEXPLAINED = "not explained: the time limit was reached first"


def _first(patterns: list[tuple[re.Pattern[str], str]], text: str) -> str | None:
    for pattern, zh in patterns:
        m = pattern.match(text)
        if m:
            return zh.format(*m.groups())
    return None


def _who(who: str) -> str:
    base, holding, skills = who.partition(" holding ")
    if holding:  # people of a post that requires skills
        return f"持有{skills}的{_who(base)}"
    if who.startswith("people with "):
        return f"具备“{who.removeprefix('people with ')}”的人员"
    return _WHO.get(who, who)


def violation_zh(message: str, rule_names: frozenset[str] = frozenset()) -> str:
    """A checker sentence in Chinese (labour rules keep the scenario's rule name)."""
    found = _first(_CHECK, message)
    if found:
        return found
    name, sep, rest = message.partition(": ")
    if sep and (not rule_names or name in rule_names):
        found = _first(_LABOUR, rest)
        if found:
            return f"{name}：{found}"
    return message


def reason_zh(reason: str) -> str:
    """A shortfall's reason in Chinese."""
    if reason == _UNEXPLAINED:
        return "未说明原因：已到时限"
    m = _NOBODY.match(reason)
    if m:
        return f"{m['county']}没有可承担 {m['target']} 的{_who(m['who'])}"
    m = _REASON.match(reason)
    if not m:
        return reason
    parts = []
    for part in re.split(r", (?![^()]*\))", m["rest"]):
        parts.append(_first(_PARTS, part) or part)
    return f"{m['slot']}：{m['county']}可承担此任务的{_who(m['who'])}共 {m['n']} 人，" + "，".join(
        parts
    )
