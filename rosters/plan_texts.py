"""Chinese wording of the optimiser's English sentences shown on the plan workbench: the
independent checker's violations (`optimizer.patrol.check`) and the reasons of shortfalls
(`optimizer.patrol.explain`). Ids, names, dates and times pass through unchanged; a
sentence of an unknown shape comes back as it is. Also the solver's own words of a plan:
where its bound and the plan come from, its notes and the names of rules in conflict."""

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


#: where a patrol plan's bound comes from (`PatrolResult.bound_source`)
_BOUND_SOURCES = {
    "CP-SAT": "CP-SAT",
    "HiGHS LP of the aggregated model": "HiGHS 求解聚合模型的线性松弛",
    "HiGHS LP relaxation": "HiGHS 线性松弛",
    "HiGHS MIP dual bound": "HiGHS 混合整数规划对偶界",
}
_COUNTY_BOUNDS = re.compile(
    r"^sum of county bounds \((?P<list>.*?)(?:; 0 for (?P<n>\d+) without one)?\)$"
)
#: where a patrol plan comes from ("plan from …")
_PLAN_SOURCES = {
    "CP-SAT": "CP-SAT",
    "HiGHS": "HiGHS",
    "heuristic": "启发式方案",
    "greedy": "贪心方案",
    "the fill heuristic": "填充启发式",
    "the greedy heuristic": "贪心启发式",
    "the aggregated-LP-guided fill": "聚合线性松弛引导的填充",
}
_IMPROVED = ", improved by local search"
#: the patrol solver's notes (`PatrolResult.message`, parts joined with "; ")
_NOTES = {
    "deterministic effort cut short by the time limit": (
        "确定性求解的工作量被时限截断（方案可能与另一次运行不同）"
    ),
    "no plan found within the time limit": "时限内没有找到方案",
    "cancelled before a plan was found": "找到方案之前已取消",
    "no heuristic plan meets every hard rule of this large part": (
        "这一大部分的启发式方案都不满足全部硬性规则"
    ),
}
_NOTE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^(\d+) pin\(s\) kept outside the model \(overrides\)$"),
        "{0} 个固定安排留在模型之外（强制保存）",
    ),
    (
        re.compile(
            r"^the exact model \((\d+) assignment variables\) is beyond the solver's share of "
            r"time, the bound comes from the aggregated model$"
        ),
        "精确模型（{0} 个分配变量）超出求解器分到的时间，下界取自聚合模型",
    ),
]
_NO_PLAN = re.compile(r"^no plan meets every hard rule: (?P<names>.+) cannot all hold$")
_PINNED = re.compile(r"^pinned( off)?: (\S+) (\S+) (\S+) (\S+)$")
_RULE_KIND = {
    "shift_count": "班次数",
    "hours": "工时",
    "consecutive_work_days": "连续上班天数",
    "consecutive_days_off": "连续休息天数",
    "weekends": "周末班",
    "min_rest": "最少休息",
    "forbidden_succession": "禁止的班次衔接",
    "days_off": "休息日",
}


def bound_source_zh(text: str) -> str:
    """Where a patrol plan's bound comes from, in Chinese."""
    if text in _BOUND_SOURCES:
        return _BOUND_SOURCES[text]
    if m := _COUNTY_BOUNDS.match(text):
        names = "，".join(bound_source_zh(x) for x in m["list"].split(", ") if x)
        rest = f"；{m['n']} 个县没有下界，按 0 计" if m["n"] else ""
        return f"各县下界之和（{names}{rest}）"
    return text


def plan_source_zh(text: str) -> str:
    improved = text.endswith(_IMPROVED)
    base = text.removesuffix(_IMPROVED)
    return _PLAN_SOURCES.get(base, base) + ("，经局部搜索改进" if improved else "")


def rule_zh(name: str) -> str:
    """The name of a hard rule in conflict, in Chinese: the solver's own rules and pins (a
    rule of the scenario keeps its name, `kind id` when it has none)."""
    if name == "squads work whole":
        return "中队整建制执勤"
    if m := _PINNED.match(name):
        verb = "固定不排" if m[1] else "固定安排"
        return f"{verb}：{m[2]} {m[3]} {m[4]} {m[5]}"
    kind, _, rule_id = name.partition(" ")
    if kind in _RULE_KIND and rule_id and " " not in rule_id:
        return f"{_RULE_KIND[kind]}规则 {rule_id}"
    return name


def note_zh(text: str) -> str:
    """The patrol solver's note (its message) in Chinese, part by part."""
    out = []
    for part in (p for p in text.split("; ") if p):
        if part in _NOTES:
            out.append(_NOTES[part])
        elif part.startswith("plan from "):
            out.append("方案来自" + plan_source_zh(part.removeprefix("plan from ")))
        elif m := _NO_PLAN.match(part):
            names = "、".join(rule_zh(n) for n in m["names"].split(", "))
            out.append(f"没有方案能满足全部硬性规则：{names} 不能同时成立")
        else:
            found = _first(_NOTE_PATTERNS, part)
            name, sep, rest = part.partition(": ")
            if found is None and sep and " " not in name:  # a county part's own note
                found = f"{name}：{note_zh(rest)}"
            out.append(found or part)
    return "；".join(out)
