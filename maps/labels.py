"""User-facing words on the maps: Chinese by default, English available.

`label("layer.zones")` → "巡防责任区"; `label("layer.zones", "en")` → "Patrol zones".
A key missing from the dictionary raises KeyError (a typo should fail a test, not show a
raw key on the wall).
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

LABELS: dict[str, tuple[str, str]] = {
    # layers
    "layer.jurisdictions": ("辖区", "Jurisdictions"),
    "layer.zones": ("巡防责任区", "Patrol zones"),
    "layer.posts": ("卡点岗亭", "Checkpoints and kiosks"),
    "layer.units": ("处置力量", "Units"),
    "layer.incidents": ("警情", "Incidents"),
    "layer.dispatch": ("调派路线", "Dispatch lines"),
    "layer.coverage": ("快速反应圈", "Response rings"),
    "layer.coverage_heat": ("覆盖热力", "Coverage heat"),
    "layer.markers": ("点位", "Points"),
    # legends and controls
    "legend.risk": ("风险等级", "Risk"),
    "legend.staffing": ("在岗情况", "Staffing"),
    "risk.low": ("低", "low"),
    "risk.medium": ("中", "medium"),
    "risk.high": ("高", "high"),
    "risk.very_high": ("很高", "very high"),
    "slider.shift": ("班次", "Shift"),
    "slider.all": ("全部班次", "All shifts"),
    # staffing status of a post
    "staffing.manned": ("满员", "manned"),
    "staffing.short": ("缺员", "short"),
    "staffing.unmanned": ("无人", "unmanned"),
    "staffing.closed": ("不在值守时段", "not manned at this hour"),
    # unit status
    "status.available": ("待命", "available"),
    "status.on_patrol": ("巡逻中", "on patrol"),
    "status.dispatched": ("已出警", "dispatched"),
    "status.on_scene": ("已到场", "on scene"),
    "status.off_duty": ("休息", "off duty"),
    "status.drill": ("演练中", "in drill"),
    # incident lines
    "dispatch.suggested": ("建议增援", "suggested"),
    "dispatch.dispatched": ("已调派", "dispatched"),
    # forces
    "force.patrol_swat": ("巡特警", "patrol SWAT"),
    "force.county_response": ("县级应急处突队", "county response team"),
    "force.township_force": ("乡镇应急力量", "township emergency force"),
    "force.full_time_patrol": ("专职巡防队", "full-time patrol"),
    "force.volunteer": ("义务巡逻队", "patrol volunteers"),
    "force.police_station": ("派出所", "police station"),
    "force.grid_worker": ("网格员", "grid workers"),
    # jurisdiction levels
    "level.city": ("市", "city"),
    "level.county": ("县（区）", "county/district"),
    "level.township": ("乡镇（街道）", "township/street"),
    "level.village": ("村（社区）", "village/community"),
    "level.grid": ("网格", "grid"),
    # post kinds
    "post.checkpoint": ("治安卡口", "checkpoint"),
    "post.armed_checkpoint": ("武装盘查卡点", "armed checkpoint"),
    "post.kiosk": ("治安岗亭", "kiosk"),
    "post.standby_point": ("备勤点", "standby point"),
    # popup fields
    "field.id": ("编号", "ID"),
    "field.name": ("名称", "Name"),
    "field.level": ("层级", "Level"),
    "field.population": ("人口", "Population"),
    "field.risk": ("风险", "Risk"),
    "field.kind": ("类型", "Kind"),
    "field.force": ("力量类别", "Force"),
    "field.status": ("状态", "Status"),
    "field.staff": ("在岗/应到", "On duty / required"),
    "field.armed": ("持枪", "Armed"),
    "field.who": ("值守人员", "On duty"),
    "field.phone": ("电话", "Phone"),
    "field.until": ("至", "Until"),
    "field.shift": ("班次", "Shift"),
    "field.severity": ("等级", "Severity"),
    "field.reported": ("接报时间", "Reported"),
    "field.needs": ("需求", "Needs"),
    "field.minutes": ("分钟", "min"),
    "field.eta": ("预计到达", "ETA"),
    "field.unit": ("单位", "Unit"),
    "field.headcount": ("人数", "Headcount"),
    "ring.3": ("3分钟圈", "3-minute ring"),
    "ring.5": ("5分钟圈", "5-minute ring"),
}


def label(key: str, lang: Lang = DEFAULT_LANG) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    return lang  # type: ignore[return-value]
