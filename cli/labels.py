"""The words of the CLI's tables (titles, column and row names, statuses) in Chinese and
English: `pingan --lang zh|en …` (Chinese by default). JSON output (`--json`) keeps its
English keys: it is for programs, not readers. A word not listed is shown as it is."""

from __future__ import annotations

from typing import Any

#: table words → (Chinese, English)
WORDS: dict[str, tuple[str, str]] = {
    # titles
    "patrol plan": ("巡逻勤务方案", "patrol plan"),
    "unmet requirements (first 20)": ("未满足的要求（前 20 条）", "unmet requirements (first 20)"),
    "drill schedule": ("演练排程", "drill schedule"),
    "unscheduled drills (first 20)": ("未安排的演练（前 20 条）", "unscheduled drills (first 20)"),
    "distributed patrol plan": ("分布式巡逻勤务方案", "distributed patrol plan"),
    # summary rows and columns
    "status": ("状态", "status"),
    "objective": ("目标值", "objective"),
    "bound": ("下界", "bound"),
    "gap": ("差距", "gap"),
    "bound_source": ("下界来源", "bound source"),
    "seconds": ("用时（秒）", "seconds"),
    "first_feasible_seconds": ("首个可行解用时（秒）", "first feasible (s)"),
    "assignments": ("排班条数", "assignments"),
    "shortfalls": ("缺口", "shortfalls"),
    "conflicts": ("冲突规则", "conflicts"),
    "plan_json": ("方案 JSON", "plan JSON"),
    "plan_xlsx": ("方案 Excel", "plan Excel"),
    "plan_id": ("方案编号", "plan id"),
    "message": ("说明", "message"),
    "deterministic": ("确定性求解", "deterministic"),
    "effort": ("求解工作量", "effort"),
    "drills_due": ("应训次数", "drills due"),
    "scheduled": ("已安排", "scheduled"),
    "unmet": ("未安排", "unmet"),
    "warnings": ("提示", "warnings"),
    "schedule_json": ("排程 JSON", "schedule JSON"),
    "schedule_xlsx": ("排程 Excel", "schedule Excel"),
    "schedule_ics": ("排程日历（.ics）", "schedule calendar (.ics)"),
    "schedule_id": ("排程编号", "schedule id"),
    "requirement": ("要求", "requirement"),
    "target_id": ("对象编码", "target"),
    "start": ("开始", "start"),
    "end": ("结束", "end"),
    "missing": ("缺少", "missing"),
    "reason": ("原因", "reason"),
    "id": ("编号", "id"),
    "drill": ("演练", "drill"),
    "units": ("单位", "units"),
    "venue": ("场地", "venue"),
    "session": ("演练场次", "session"),
    "revision": ("版本", "revision"),
    "jurisdiction_id": ("辖区编码", "jurisdiction id"),
    "jurisdiction": ("辖区", "jurisdiction"),
    "level": ("级别", "level"),
    "standard": ("标准", "standard"),
    "required": ("应配", "required"),
    "actual": ("实有", "actual"),
    "source": ("依据", "source"),
    "jurisdictions checked": ("已核查辖区", "jurisdictions checked"),
    "every jurisdiction meets the staffing standards": (
        "所有辖区均达到配备标准",
        "every jurisdiction meets the staffing standards",
    ),
    "file": ("文件", "file"),
    "kind": ("类型", "kind"),
    "rows": ("行数", "rows"),
    "exported": ("已导出", "exported"),
    "row": ("行", "row"),
    "column": ("列", "column"),
    "unit": ("单位编码", "unit"),
    "name": ("名称", "name"),
    "ETA min": ("预计到达（分钟）", "ETA min"),
    "tier": ("层级", "tier"),
    "brings": ("带来", "brings"),
    "needs": ("需求", "needs"),
    "need": ("需求", "need"),
    "requested": ("所需", "requested"),
    "provided": ("已提供", "provided"),
    "met_at_minutes": ("满足时间（分钟）", "met at (min)"),
    "best_possible_minutes": ("最快可能（分钟）", "best possible (min)"),
    "note": ("说明", "note"),
    "incident": ("警情", "incident"),
    "escalation": ("升级", "escalation"),
    # `pingan incident list`
    "incidents": ("警情", "incidents"),
    "code": ("警情编号", "code"),
    "severity": ("等级", "severity"),
    "reported": ("接报时间", "reported"),
    # `pingan demo`: the summary, the roster written, the plan and the drill schedule
    "pingan demo": ("pingan 演示", "pingan demo"),
    "size": ("规模", "size"),
    "seed": ("随机种子", "seed"),
    "build_seconds": ("生成城市用时（秒）", "build (s)"),
    "load_seconds": ("写入数据库用时（秒）", "load (s)"),
    "database": ("数据库", "database"),
    "scenario_file": ("场景文件", "scenario file"),
    "standards_shortfalls": ("配备标准缺口", "staffing-standards shortfalls"),
    "map_file": ("地图文件", "map file"),
    "json": ("JSON 文件", "JSON file"),
    "xlsx": ("Excel 文件", "Excel file"),
    "ics": ("日历文件", "calendar file (.ics)"),
    "published_revision": ("发布版本", "published revision"),
    "added": ("新增", "added"),
    "moved": ("调整", "moved"),
    "unchanged": ("未变", "unchanged"),
    "cancelled": ("取消", "cancelled"),
    "rule_violations": ("违反规则", "rule violations"),
    "roster written to the database": ("写入数据库的名册", "roster written to the database"),
    "jurisdictions": ("辖区", "jurisdictions"),
    "people": ("人员", "people"),
    "vehicles": ("车辆", "vehicles"),
    "absences": ("请假", "absences"),
    "zones": ("巡区", "zones"),
    "posts": ("卡点岗亭", "posts"),
    "shifts": ("班次", "shifts"),
    "standby": ("备勤底线", "standby floors"),
    "rules": ("劳动规则", "labour rules"),
    "drill_types": ("演练科目", "drill types"),
    "drill_requirements": ("演练任务", "drill requirements"),
    "venues": ("训练场地", "venues"),
    "instructors": ("教官", "instructors"),
    "blackouts": ("禁训期", "blackouts"),
    "calendar_days": ("节假日调整", "calendar days"),
    "drill_sessions": ("演练场次", "drill sessions"),
    "force": ("力量", "force"),
    "total": ("合计", "total"),
    # the patrol solver's effort (`PatrolResult.effort`)
    "groups": ("重排的分组", "groups planned again"),
    "improving_groups": ("改进方案的分组", "groups that improved the plan"),
    "proven_groups": ("证明最优的分组", "groups proven optimal"),
    "clashing_groups": ("冲突的分组", "groups in conflict"),
    "parts": ("部分", "parts"),
}
#: `pingan demo --size` values
SIZES: dict[str, tuple[str, str]] = {
    "small": ("小（一个县）", "small (one county)"),
    "medium": ("中（全市）", "medium (whole city)"),
    "full": ("全量", "full"),
    "province": ("全省（12 个市）", "province (12 cities)"),
}
#: status values shown in a table cell
STATUS: dict[str, tuple[str, str]] = {
    "optimal": ("最优", "optimal"),
    "feasible": ("可行", "feasible"),
    "infeasible": ("不可行", "infeasible"),
    "unknown": ("未知", "unknown"),
    "cancelled": ("已取消", "cancelled"),
    "model_invalid": ("模型无效", "model invalid"),
    "scheduled": ("已安排", "scheduled"),
    "done": ("已完成", "done"),
    "missed": ("未进行", "missed"),
}


def word(text: str, lang: str) -> str:
    pair = WORDS.get(text)
    return (pair[0] if lang == "zh" else pair[1]) if pair else text


def code_label(family: str, code: Any, lang: str) -> Any:
    """A code of the domain (a force, a level, a skill, a staffing standard) by its label in
    `lang` (`optimizer.messages`), or the map's words for incidents (`maps.labels`); an
    unknown code as it is."""
    from maps.labels import code_pair

    pair = code_pair(family, code) if isinstance(code, str) else None
    return (pair[0] if lang == "zh" else pair[1]) if pair else code


def cell_value(key: str, value: Any, lang: str) -> Any:
    """A status value in `lang`, a gap as a percentage (other values as they are)."""
    if key == "gap" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.2%}"  # a fraction: 0.0026 is 0.26 %, never "0.00"
    if key == "status" and isinstance(value, str) and value in STATUS:
        zh, en = STATUS[value]
        return zh if lang == "zh" else en
    if isinstance(value, bool) and lang == "zh":
        return "是" if value else "否"
    return value


TIERS: dict[str, tuple[str, str]] = {
    "township": ("乡镇", "township"),
    "county": ("县级", "county"),
    "city": ("市级", "city"),
}


def tier_name(tier: str, lang: str) -> str:
    pair = TIERS.get(tier)
    return (pair[0] if lang == "zh" else pair[1]) if pair else tier


def brings(u: Any, lang: str) -> str:
    """What a suggested unit brings (`UnitChoice` fields), in `lang`."""
    zh = lang == "zh"
    bits = [f"{u.headcount} 人" if zh else f"{u.headcount} people"]
    if u.armed:
        bits.append(f"持枪 {u.armed} 人" if zh else f"{u.armed} armed")
    bits += [f"{code_label('skill', k, lang)}×{v}" for k, v in u.skills.items()]
    if u.vehicles:
        bits.append(f"车辆 {u.vehicles} 辆" if zh else f"{u.vehicles} vehicles")
    return ("、" if zh else ", ").join(bits)


#: what an incident needs (`NeedReport.need`: a field of `IncidentNeeds` or "skill:<code>")
NEEDS: dict[str, tuple[str, str]] = {
    "headcount": ("人数", "headcount"),
    "armed": ("持枪人数", "armed"),
    "vehicles": ("车辆", "vehicles"),
}


def need_name(need: str, lang: str) -> str:
    kind, _, code = need.partition(":")
    if kind == "skill" and code:
        return code_label("skill", code, lang)
    pair = NEEDS.get(need)
    return (pair[0] if lang == "zh" else pair[1]) if pair else need
