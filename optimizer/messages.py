"""User-facing sentences of the solvers, Chinese and English, by code.

A solver keeps its English `reason` string (the JSON API and older callers read it) and
carries the same sentence as a code and its parameters beside it; pages, workbooks and the
CLI render it in the reader's language with `render(code, params, lang)`.

A parameter may itself be a message (a dict with "code" and "params") or a list of them:
it is rendered in the same language and the list joined with the language's separator.
Ids, names, dates and numbers pass through unchanged. A code missing from the catalogue
raises KeyError (a typo should fail a test, not show a raw code to a user).
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["zh", "en"]

#: code → (Chinese template, English template); fields are `str.format` names
MESSAGES: dict[str, tuple[str, str]] = {
    # why a drill is not scheduled (optimizer.drills.explain, optimizer.drills.instance)
    "drill.unscheduled": ("{type}（{key}）：{why}", "{type} ({key}): {why}"),
    "drill.no_start_in_window": (
        "时间窗内没有可容纳该时长演练的开始时间",
        "the window has no start time for a drill of this length",
    ),
    "drill.filtered": (
        "{n} 个开始时间均被排除：{parts}",
        "no start time left of {n}: {parts}",
    ),
    "drill.filter_rules_out": ("{filter}排除 {count} 个", "{filter} rules out {count}"),
    "drill.filter.calendar": (
        "非工作日（周末和法定节假日）",
        "working days (weekends and public holidays)",
    ),
    "drill.filter.working_hours": ("工作时间", "working hours"),
    "drill.filter.blackout": ("禁训期 {name}", "blackout {name}"),
    "drill.filter.min_gap": (
        "距上次{type}不足 {days} 天",
        "min gap {days} d after the last {type}",
    ),
    "drill.filter.attendance": (
        "出勤（参训人员请假或巡逻值勤）",
        "attendance (participants on leave or patrol duty)",
    ),
    "drill.clash": (
        "全部 {n} 个可选开始时间都与排程冲突：{detail}",
        "all {n} possible start times clash with the schedule: {detail}",
    ),
    "drill.clash_unexplained": (
        "全部 {n} 个可选开始时间都与排程冲突（受最小间隔或求解时限所限）",
        "all {n} possible start times clash with the schedule"
        " (kept out by the minimum gap or the time limit)",
    ),
    "drill.cause.readiness": (
        "{name} 备勤底线 {count} 次",
        "readiness floor of {name} at {count}",
    ),
    "drill.cause.venues": ("场地关闭或已满 {count} 次", "venues closed or full at {count}"),
    "drill.cause.instructors": (
        "教官不可用或已有任务 {count} 次",
        "instructors unavailable or busy at {count}",
    ),
    "drill.no_members": (
        "{units} 没有 {type} 所需警种的人员",
        "{units} has no members of the forces of {type}",
    ),
    "drill.no_venue": (
        "可达范围内没有容纳 {n} 人的 {kind} 场地",
        "no {kind} venue for {n} people in reach",
    ),
    "drill.no_instructor": ("没有具备 {skill} 资质的教官", "no instructor with {skill}"),
    "period.week": ("每周", "week"),
    "period.month": ("每月", "month"),
    "period.quarter": ("每季度", "quarter"),
    "period.half_year": ("每半年", "half_year"),
    "period.year": ("每年", "year"),
    # a need of an incident the suggestion does not meet (optimizer.reinforcement.explain)
    "need.short_tier": (
        "缺 {n}：本级只有 {available} 可用",
        "short by {n}: only {available} available to this tier",
    ),
    "need.short_rules": (
        "缺 {n}：其余受覆盖和备勤底线规则限制",
        "short by {n}: cover and floor rules hold the rest back",
    ),
    "need.late": (
        "未能在 {target} 分钟内满足；最快可在 {best} 分钟满足",
        "not met within {target} min; best available {best} min",
    ),
    # refusals of drill operations (rosters.drills.DrillConflict)
    "drill.publish.already": (
        "演练排程 {id} 已发布（第 {revision} 版）",
        "drill schedule {id} is already published (revision {revision})",
    ),
    "drill.publish.no_solution": (
        "演练排程 {id} 没有解（状态：{status}），无可发布的内容",
        "drill schedule {id} has no solution (status {status}): nothing to publish",
    ),
    "drill.session.transition": (
        "演练场次 '{code}' 当前为{current}：只能改为{allowed}，不能改为{status}",
        "drill session '{code}' is {current}: it may become {allowed}, not {status}",
    ),
    "drill.session.nothing": ("（无）", "nothing"),
    "drill.session.future": (
        "演练场次 '{code}' 的开始时间为 {start}，尚未开始，不能记录为已完成",
        "drill session '{code}' starts at {start}: a drill in the future cannot be recorded done",
    ),
    # codes of the domain shown to users: skills (certificates, needs) and kinds of venue
    "skill.riot_control": ("防暴", "riot control"),
    "skill.water_rescue": ("水上救援", "water rescue"),
    "skill.first_aid": ("急救", "first aid"),
    "skill.firearms": ("射击", "firearms"),
    "skill.fire": ("消防", "fire fighting"),
    "skill.negotiation": ("谈判", "negotiation"),
    "skill.firearms_instructor": ("射击教官", "firearms instructor"),
    "skill.tactics_instructor": ("战术教官", "tactics instructor"),
    "skill.first_aid_instructor": ("急救教官", "first aid instructor"),
    "role.member": ("队员", "member"),
    "role.leader": ("队长", "leader"),
    "venue_kind.range": ("靶场", "shooting range"),
    "venue_kind.training_ground": ("训练场", "training ground"),
    "venue_kind.river_site": ("水域训练点", "river site"),
    "venue_kind.classroom": ("教室", "classroom"),
    # forces, jurisdiction levels and kinds of post (also the map's labels, maps.labels)
    "force.patrol_swat": ("巡特警", "patrol SWAT"),
    "force.county_response": ("县级应急处突队", "county response team"),
    "force.township_force": ("乡镇应急力量", "township emergency force"),
    "force.full_time_patrol": ("专职巡防队", "full-time patrol"),
    "force.volunteer": ("义务巡逻队", "patrol volunteers"),
    "force.police_station": ("派出所", "police station"),
    "force.grid_worker": ("网格员", "grid workers"),
    "level.city": ("市", "city"),
    "level.county": ("县（区）", "county/district"),
    "level.township": ("乡镇（街道）", "township/street"),
    "level.village": ("村（社区）", "village/community"),
    "level.grid": ("网格", "grid"),
    "post.checkpoint": ("治安卡口", "checkpoint"),
    "post.armed_checkpoint": ("武装盘查卡点", "armed checkpoint"),
    "post.kiosk": ("治安岗亭", "kiosk"),
    "post.standby_point": ("备勤点", "standby point"),
    # the staffing standards (rosters.standards.Standards fields)
    "standard.city_patrol_swat": ("市级巡特警人数", "city patrol SWAT"),
    "standard.county_patrol_swat": ("县级巡特警人数", "county patrol SWAT"),
    "standard.county_response": ("县级应急处突队人数", "county response team"),
    "standard.township_force": ("乡镇应急力量人数", "township emergency force"),
    "standard.police_station_min": ("派出所最少民警数", "police station minimum"),
    "standard.police_per_10k": ("每万人民警数", "police per 10,000 residents"),
    "standard.village_volunteers": ("村义务巡逻队员数", "village volunteers"),
    "standard.volunteer_group_min": ("村民小组巡逻队员数", "volunteers per villager group"),
    "standard.urban_grid_workers": ("城市网格员数", "urban grid workers"),
    "standard.city_full_time_patrol": ("全市专职巡防队员数", "city full-time patrol"),
    "status.optimal": ("最优", "optimal"),
    "status.feasible": ("可行", "feasible"),
    "status.infeasible": ("不可行", "infeasible"),
    "status.unknown": ("未知", "unknown"),
    "status.cancelled": ("已取消", "cancelled"),
    "status.model_invalid": ("模型无效", "model_invalid"),
    "status.scheduled": ("已安排", "scheduled"),
    "status.done": ("已完成", "done"),
    "status.missed": ("未进行", "missed"),
    # names of the drill model's hard rules (optimizer.drills.model), shown as conflicts
    "drill.rule.required": (
        "任务 {duty}：{type}{per} {count} 次须完成",
        "duty {duty}: {type} ×{count}/{per} must be met",
    ),
    "drill.rule.gap": (
        "任务 {duty} 的两次演练至少间隔 {days} 天",
        "min gap {days} d between drills of duty {duty}",
    ),
    "drill.rule.venue": (
        "场地 {name} 同时最多容纳 {capacity} 人",
        "venue {name} holds {capacity} people at once",
    ),
    "drill.rule.instructor": (
        "教官 {name} 同一时间只能带一场演练",
        "instructor {name} teaches one drill at a time",
    ),
    "drill.rule.readiness": (
        "{county} 备勤底线：至少 {floor} 名不参训的备勤人员",
        "readiness floor {county}: {floor} ready people free of drills",
    ),
}

_SEP = {"zh": "；", "en": "; "}
_LIST = {"zh": "，", "en": ", "}


def msg(code: str, /, **params: Any) -> dict[str, Any]:
    """A message as data: {"code": …, "params": {…}} (checked against the catalogue)."""
    if code not in MESSAGES:
        raise KeyError(code)
    return {"code": code, "params": params}


def _value(v: Any, lang: Lang, sep: str) -> str:
    if isinstance(v, dict) and "code" in v:
        return render(v["code"], v.get("params", {}), lang)
    if isinstance(v, list | tuple):
        return sep.join(_value(x, lang, sep) for x in v)
    return str(v)


def render(code: str, params: dict[str, Any] | None = None, lang: Lang = "zh") -> str:
    """The sentence of `code` in `lang`; list parameters named `parts` are joined with "；"
    ("; "), other lists with "，" (", ")."""
    zh, en = MESSAGES[code]
    template = zh if lang == "zh" else en
    p = params or {}
    return template.format(
        **{k: _value(v, lang, _SEP[lang] if k == "parts" else _LIST[lang]) for k, v in p.items()}
    )


def status_msg(status: str) -> dict[str, Any] | str:
    """A status as a message (a status not in the catalogue as it is)."""
    code = f"status.{status}"
    return msg(code) if code in MESSAGES else status


def code_msg(family: str, code: str) -> dict[str, Any] | str:
    """A code of the domain (a skill, a kind of venue) as a message of its label; a code
    the catalogue does not know (the data's own) as it is."""
    key = f"{family}.{code}"
    return msg(key) if key in MESSAGES else code


def label_of(family: str, code: str, lang: Lang = "zh") -> str:
    """The label of a skill (`label_of("skill", "first_aid")` → 急救) or another code of the
    domain in `lang`; an unknown code as it is."""
    key = f"{family}.{code}"
    return render(key, None, lang) if key in MESSAGES else code


def code_of(family: str, text: str) -> str:
    """The code whose label (Chinese or English) is `text` (`code_of("skill", "急救")` →
    first_aid); any other text, trimmed, as it is."""
    key = text.strip()
    for code, pair in MESSAGES.items():
        if code.startswith(f"{family}.") and key in pair:
            return code.removeprefix(f"{family}.")
    return key


def render_msg(message: dict[str, Any], lang: Lang = "zh") -> str:
    return render(message["code"], message.get("params", {}), lang)


def rule_text(item: Any, lang: Lang = "zh") -> str:
    """The rule name of a conflict (model or dict) in `lang`: from its code when it has one,
    else its stored English name."""
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    code = get("rule_code") or ""
    if code and code in MESSAGES:
        return render(code, get("rule_params") or {}, lang)
    return str(get("rule") or "")


def note_text(item: Any, lang: Lang = "zh") -> str:
    """The note of a need report (model or dict) in `lang` (its stored sentence without a code)."""
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    code = get("note_code") or ""
    if code and code in MESSAGES:
        return render(code, get("note_params") or {}, lang)
    return str(get("note") or "")


def reason_text(item: Any, lang: Lang = "zh") -> str:
    """The reason of a shortfall (model or dict) in `lang`: from its code when it has one,
    else its stored English sentence."""
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    code = get("reason_code") or ""
    if code and code in MESSAGES:
        return render(code, get("reason_params") or {}, lang)
    return str(get("reason") or "")
