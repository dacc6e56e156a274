"""User-facing words on the maps: Chinese by default, English available.

`label("layer.zones")` → "巡防责任区"; `label("layer.zones", "en")` → "Patrol zones".
A key missing from the dictionary raises KeyError (a typo should fail a test, not show a
raw key on the wall).
"""

from __future__ import annotations

from typing import Literal

from optimizer.messages import MESSAGES

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
    "status.on_post": ("在岗", "on post"),
    "status.standby": ("备勤", "standby"),
    "status.en_route": ("出警途中", "en route"),
    "status.returning": ("返回中", "returning"),
    # incident status and kinds
    "incident.reported": ("已接报", "reported"),
    "incident.suggested": ("已研判", "suggested"),
    "incident.dispatched": ("已调派", "dispatched"),
    "incident.on_scene": ("处置中", "on scene"),
    "incident.closed": ("已结案", "closed"),
    "incident_kind.mass_incident": ("群体性事件", "mass incident"),
    "incident_kind.violent": ("暴力案件", "violent crime"),
    "incident_kind.terror": ("暴恐事件", "terror attack"),
    "incident_kind.fire": ("火灾", "fire"),
    "incident_kind.flood": ("汛情", "flood"),
    "incident_kind.traffic": ("交通事故", "traffic accident"),
    # incident lines
    "dispatch.suggested": ("建议增援", "suggested"),
    "dispatch.dispatched": ("已调派", "dispatched"),
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
    "field.county": ("县（区）", "County"),
    "field.date": ("日期", "Date"),
    "field.task": ("任务", "Task"),
    "field.where": ("地点", "Where"),
    "field.badge": ("警号", "Badge"),
    "field.person": ("姓名", "Name"),
    "field.on_standby": ("备勤在位", "On standby"),
    "field.required": ("底线", "Floor"),
    "field.short": ("缺", "Short"),
    "field.strength": ("总人数", "Strength"),
    "task.post": ("卡点/岗亭", "post"),
    "task.zone": ("巡逻", "patrol"),
    "task.standby": ("备勤", "standby"),
    # pages
    "app.title": ("平安 · 指挥中心", "pingan command centre"),
    "page.wall": ("指挥大屏", "Wall"),
    "page.plan": ("勤务计划", "Patrol plan"),
    "page.plan_new": ("生成计划", "New plan"),
    "page.plan_list": ("计划工作台", "Plan workbench"),
    "page.login": ("登录", "Log in"),
    "page.logout": ("退出", "Log out"),
    "page.incidents": ("当前警情", "Open incidents"),
    "page.no_incidents": ("暂无警情", "No open incidents"),
    "page.readiness": ("备勤力量", "Standby readiness"),
    "page.no_readiness": ("未设备勤底线", "No standby floors set"),
    "page.username": ("用户名", "Username"),
    "page.password": ("密码", "Password"),
    "page.bad_login": ("用户名或密码错误", "Wrong username or password"),
    "page.locked": (
        "登录失败次数过多，请稍后再试",
        "Too many failed logins: please try again later",
    ),
    "page.stale_form": (
        "登录页面已过期，请重新输入",
        "The login form expired: please enter your details again",
    ),
    "page.all": ("全部", "All"),
    "page.filter": ("筛选", "Filter"),
    "page.download_xlsx": ("下载Excel", "Download Excel"),
    "page.print": ("打印", "Print"),
    "page.no_plan": ("尚无已发布的勤务计划", "No published plan yet"),
    "page.rows": ("条", "rows"),
    "page.published": ("已发布", "published"),
    "page.draft": ("未发布", "not published"),
    "page.drills": ("演练日历", "Drill calendar"),
    "page.roster": ("人员名册", "Roster"),
    "page.leave": ("请假日历", "Leave"),
    "page.import": ("导入", "Import"),
    "page.me": ("我的勤务", "My duties"),
    "page.audit": ("操作日志", "Audit log"),
    "page.unit": ("单位", "Unit"),
    "page.venue": ("场地", "Venue"),
    "page.prev_month": ("上月", "Previous month"),
    "page.next_month": ("下月", "Next month"),
    "page.download_ics": ("导出日历文件", "Calendar (.ics)"),
    "page.no_drills": ("本月无演练", "No drills this month"),
    "page.drills_count": ("次演练", "drills"),
    "page.holiday": ("休", "off"),
    "page.workday": ("班", "work"),
    "page.drill_schedule": ("安排演练", "Schedule drills"),
    "page.whole_city": ("全市", "Whole city"),
    "page.drill_note": ("备注（可选）", "Note (optional)"),
    "page.drill_record": ("记录演练结果", "Record the drill"),
    "page.record_done": ("已完成", "Done"),
    "page.record_missed": ("未完成", "Missed"),
    "page.record_cancelled": ("取消", "Cancel"),
    "page.no_plan_in_force": ("当前班次无已发布的勤务计划", "No published plan covers this shift"),
    "weekday.0": ("周一", "Mon"),
    "weekday.1": ("周二", "Tue"),
    "weekday.2": ("周三", "Wed"),
    "weekday.3": ("周四", "Thu"),
    "weekday.4": ("周五", "Fri"),
    "weekday.5": ("周六", "Sat"),
    "weekday.6": ("周日", "Sun"),
    "drill_status.scheduled": ("已安排", "scheduled"),
    "drill_status.done": ("已完成", "done"),
    "drill_status.missed": ("未完成", "missed"),
    "drill_status.cancelled": ("已取消", "cancelled"),
    "conn.connecting": ("连接中", "connecting"),
    "conn.live": ("实时", "live"),
    "conn.reconnecting": ("重连中", "reconnecting"),
    "conn.offline": ("已断开", "offline"),
    "conn.logged_out": ("登录已过期", "logged out"),
    "ring.3": ("3分钟圈", "3-minute ring"),
    "ring.5": ("5分钟圈", "5-minute ring"),
    # forces, levels and kinds of post: one table with the solvers' words (optimizer.messages)
    **{k: v for k, v in MESSAGES.items() if k.startswith(("force.", "level.", "post."))},
}


def label(key: str, lang: Lang = DEFAULT_LANG) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def code_pair(family: str, code: str) -> tuple[str, str] | None:
    """(Chinese, English) of a code of the domain (`family.code`): the pages' words, else the
    solvers' (`optimizer.messages`); None for an unknown code."""
    key = f"{family}.{code}"
    return LABELS.get(key) or MESSAGES.get(key)


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    return lang  # type: ignore[return-value]
