"""The columns of each importable table, with their Chinese and English headers, aliases and
how a cell is read. Headers match after trimming, case-folding and full-width → half-width
normalisation, so `姓名`, `Name` and `ｎａｍｅ` all find the name column."""

from __future__ import annotations

import datetime as dt
import json
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from optimizer.finite_json import NonFiniteNumber, loads_finite
from optimizer.messages import MESSAGES, code_of, label_of
from optimizer.scenario import Force, Level, PostKind


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold().replace(" ", "_")


def _labels(family: str) -> dict[str, str]:
    """The Chinese and English labels of a family of codes (`optimizer.messages`) → code:
    what an export writes reads back."""
    return {
        label: key.removeprefix(f"{family}.")
        for key, pair in MESSAGES.items()
        if key.startswith(f"{family}.")
        for label in pair
    }


def _enum(kind: type[StrEnum], aliases: dict[str, str], family: str) -> Callable[[str], str]:
    table = {normalise(v.value): v.value for v in kind} | {
        normalise(k): v for k, v in (_labels(family) | aliases).items()
    }

    def read(value: str) -> str:
        try:
            return table[normalise(value)]
        except KeyError:
            raise CellError(f"'{value}' is not one of {', '.join(v.value for v in kind)}") from None

    return read


FORCE_ALIASES = {
    "巡特警": Force.PATROL_SWAT,
    "特警": Force.PATROL_SWAT,
    "巡特警队伍": Force.PATROL_SWAT,
    "应急处突": Force.COUNTY_RESPONSE,
    "应急处突队": Force.COUNTY_RESPONSE,
    "县应急处突专业队伍": Force.COUNTY_RESPONSE,
    "处突队": Force.COUNTY_RESPONSE,
    "乡镇应急": Force.TOWNSHIP_FORCE,
    "乡镇应急力量": Force.TOWNSHIP_FORCE,
    "乡镇专门应急力量": Force.TOWNSHIP_FORCE,
    "专职巡防": Force.FULL_TIME_PATROL,
    "专职巡防队员": Force.FULL_TIME_PATROL,
    "专职群防群治": Force.FULL_TIME_PATROL,
    "义务巡逻": Force.VOLUNTEER,
    "志愿者": Force.VOLUNTEER,
    "平安志愿者": Force.VOLUNTEER,
    "群防群治": Force.VOLUNTEER,
    "派出所": Force.POLICE_STATION,
    "民警": Force.POLICE_STATION,
    "网格员": Force.GRID_WORKER,
}
LEVEL_ALIASES = {
    "市": Level.CITY,
    "县": Level.COUNTY,
    "区": Level.COUNTY,
    "县区": Level.COUNTY,
    "乡": Level.TOWNSHIP,
    "镇": Level.TOWNSHIP,
    "街道": Level.TOWNSHIP,
    "乡镇": Level.TOWNSHIP,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
    "村社区": Level.VILLAGE,
    "网格": Level.GRID,
}
POST_ALIASES = {
    "卡点": PostKind.CHECKPOINT,
    "检查站": PostKind.CHECKPOINT,
    "查报站": PostKind.CHECKPOINT,
    "治安卡口": PostKind.CHECKPOINT,
    "武装盘查卡点": PostKind.ARMED_CHECKPOINT,
    "武装卡点": PostKind.ARMED_CHECKPOINT,
    "岗亭": PostKind.KIOSK,
    "治安岗亭": PostKind.KIOSK,
    "备勤点": PostKind.STANDBY_POINT,
}
SKILL_ALIASES = {
    "防暴": "riot_control",
    "处突": "riot_control",
    "水上救援": "water_rescue",
    "水域救援": "water_rescue",
    "急救": "first_aid",
    "射击": "firearms",
    "枪械": "firearms",
    "消防": "fire",
    "灭火": "fire",
    "谈判": "negotiation",
}
TRUE = {"1", "true", "yes", "y", "是", "有", "√", "t"}
FALSE = {"0", "false", "no", "n", "否", "无", "×", "f"}

read_force = _enum(Force, FORCE_ALIASES, "force")
read_level = _enum(Level, LEVEL_ALIASES, "level")
read_post_kind = _enum(PostKind, POST_ALIASES, "post")


def read_role(value: str) -> str:
    """A role by its code or its label (队长 → leader); other text as it is."""
    return code_of("role", str(value))


def read_text(value: str) -> str:
    return str(value).strip()


def read_int(value: str) -> int:
    text = normalise(value).replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise CellError(f"'{value}' is not a whole number") from None
    if not number.is_integer() or number < 0:
        raise CellError(f"'{value}' is not a whole number ≥ 0")
    return int(number)


def read_float(value: str) -> float:
    try:
        number = float(normalise(value).replace(",", ""))
    except ValueError:
        raise CellError(f"'{value}' is not a number") from None
    if not math.isfinite(number):
        raise CellError(f"'{value}' is not a finite number")
    return number


def read_bool(value: str) -> bool:
    text = normalise(value)
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CellError(f"'{value}' is not yes/no (是/否)")


def read_date(value: str) -> dt.date:
    text = normalise(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise CellError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _skill_name(text: str) -> str:
    key = text.strip()
    code = code_of("skill", key)  # a label (急救, first aid) → its code
    if code != key:
        return code
    return SKILL_ALIASES.get(key, normalise(key))


def read_skills(value: str) -> list[dict[str, Any]]:
    """`riot_control:2027-06-30;急救` → certifications (expiry optional)."""
    out = []
    for part in str(value).replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        if not part.strip():
            continue
        name, _, expiry = part.replace("：", ":").partition(":")
        out.append(
            {"skill": _skill_name(name), "expires": read_date(expiry) if expiry.strip() else None}
        )
    names = [c["skill"] for c in out]
    if len(set(names)) != len(names):
        raise CellError("a skill is listed twice")
    return out


def read_skill_needs(value: str) -> dict[str, int]:
    """`riot_control:2;急救:1` → {skill: people}."""
    out: dict[str, int] = {}
    for part in str(value).replace("；", ";").replace(",", ";").split(";"):
        if not part.strip():
            continue
        name, _, count = part.replace("：", ":").partition(":")
        out[_skill_name(name)] = read_int(count) if count.strip() else 1
    return out


def read_forces(value: str) -> list[str]:
    parts = str(value).replace("；", ";").replace("、", ";").replace(",", ";").split(";")
    return [read_force(p) for p in parts if p.strip()]


def read_hours(value: str) -> list[list[int]]:
    """`24小时` / `0-24` / `08-12;14-22` → daily windows [start, end)."""
    text = normalise(value)
    if text in ("24小时", "24h", "全天", "24"):
        return [[0, 24]]
    if text in ("无", "none", "不值守"):  # e.g. a standby point, not manned as a post
        return []
    windows = []
    for part in text.replace("；", ";").replace(",", ";").split(";"):
        if not part.strip():
            continue
        start, sep, end = part.replace("～", "-").replace("~", "-").replace("—", "-").partition("-")
        if not sep:
            raise CellError(f"'{value}' is not hour windows like 08-22 or 0-24")
        a, b = read_int(start.split(":")[0]), read_int(end.split(":")[0])
        if not 0 <= a < b <= 24:
            raise CellError(f"window {a}-{b} is not within 0–24 h")
        windows.append([a, b])
    return windows


def read_geometry(value: str) -> dict[str, Any]:
    try:
        geometry = loads_finite(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        raise CellError("not GeoJSON text") from None
    except NonFiniteNumber as exc:
        raise CellError(f"GeoJSON coordinates: {exc}") from None
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise CellError("not a GeoJSON Polygon or MultiPolygon")
    return geometry


def read_risk(value: str) -> list[list[float]]:
    """A 7×24 JSON array, or one number for a flat profile."""
    text = str(value).strip()
    if not text.startswith("["):
        flat = read_float(text)
        if flat < 0:
            raise CellError("risk must be ≥ 0")
        return [[flat] * 24 for _ in range(7)]
    try:
        risk = loads_finite(text)
    except json.JSONDecodeError:
        raise CellError("risk is not a JSON array") from None
    except NonFiniteNumber as exc:
        raise CellError(f"risk: {exc}") from None
    if (
        not isinstance(risk, list)
        or len(risk) != 7
        or any(not isinstance(r, list) or len(r) != 24 for r in risk)
    ):
        raise CellError("risk must be 7 rows of 24 hourly values")
    if any(not isinstance(v, int | float) or v < 0 for r in risk for v in r):
        raise CellError("risk values must be numbers ≥ 0")
    return [[float(v) for v in r] for r in risk]


@dataclass(frozen=True)
class Column:
    """`write(value, lang)` is how an export writes the value (what `read` reads back);
    `family` names the labels of a code column (`optimizer.messages`: force, level, post,
    role), which an export writes instead of the code."""

    key: str
    zh: str
    en: str
    read: Callable[[str], Any] = read_text
    required: bool = False
    aliases: tuple[str, ...] = ()
    write: Callable[[Any, str], Any] | None = None
    family: str = ""

    def names(self) -> set[str]:
        return {normalise(n) for n in (self.key, self.zh, self.en, *self.aliases)}


def _lonlat(prefix_zh: str = "", required: bool = False) -> list[Column]:
    return [
        Column("lon", f"{prefix_zh}经度", "lon", read_float, required, ("longitude", "经度", "x")),
        Column("lat", f"{prefix_zh}纬度", "lat", read_float, required, ("latitude", "纬度", "y")),
    ]


def _label(family: str, code: str, lang: str) -> str:
    return label_of(family, code, "en" if lang == "en" else "zh")


def _skills_out(certs: list[dict[str, Any]], lang: str) -> str:
    """Certificates by their skill labels (急救:2027-06-30;防暴)."""
    return ";".join(
        _label("skill", c["skill"], lang) + (f":{c['expires']}" if c.get("expires") else "")
        for c in certs
    )


def _skill_needs_out(needs: dict[str, int] | None, lang: str) -> str:
    return ";".join(f"{_label('skill', k, lang)}:{v}" for k, v in (needs or {}).items())


def _forces_out(forces: list[str] | None, lang: str) -> str:
    return ";".join(_label("force", f, lang) for f in forces or [])


def _hours_out(hours: list[list[int]], lang: str) -> str:
    return ";".join(f"{a}-{b}" for a, b in hours) or ("无" if lang != "en" else "none")


def _json_out(value: Any, _lang: str = "zh") -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Table:
    kind: str
    title_zh: str
    key: str
    columns: list[Column] = field(default_factory=list)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


TABLES: dict[str, Table] = {
    "jurisdictions": Table(
        "jurisdictions",
        "辖区",
        "code",
        [
            Column("code", "辖区编码", "code", required=True, aliases=("编码", "代码", "id")),
            Column("name", "辖区名称", "name", required=True, aliases=("名称",)),
            Column("level", "级别", "level", read_level, True, ("层级",), family="level"),
            Column("parent", "上级编码", "parent", aliases=("上级", "parent_code", "parent_id")),
            Column("population", "人口", "population", read_int, aliases=("常住人口",)),
            Column("migrants", "流动人口", "migrants", read_int),
            Column("urban", "城区", "urban", read_bool, aliases=("是否城区",)),
            *_lonlat("中心"),
            Column(
                "boundary",
                "边界",
                "boundary",
                read_geometry,
                aliases=("geometry", "范围"),
                write=_json_out,
            ),
        ],
    ),
    "units": Table(
        "units",
        "单位",
        "code",
        [
            Column("code", "单位编码", "code", required=True, aliases=("编码", "id")),
            Column("name", "单位名称", "name", required=True, aliases=("名称",)),
            Column(
                "force", "力量类型", "force", read_force, True, ("力量", "队伍类型"), family="force"
            ),
            Column(
                "jurisdiction",
                "辖区编码",
                "jurisdiction",
                required=True,
                aliases=("辖区", "jurisdiction_id"),
            ),
            Column("parent", "上级单位", "parent", aliases=("上级单位编码", "parent_id")),
            Column("squad", "是否分队", "squad", read_bool, aliases=("分队", "中队")),
            *_lonlat("驻地"),
            Column("phone", "电话", "phone", aliases=("联系电话",)),
        ],
    ),
    "people": Table(
        "people",
        "人员",
        "badge",
        [
            Column(
                "badge", "警号", "badge", required=True, aliases=("编号", "证件号", "id", "工号")
            ),
            Column("name", "姓名", "name", required=True),
            Column(
                "force",
                "力量类型",
                "force",
                read_force,
                True,
                ("所属力量", "队伍类型"),
                family="force",
            ),
            Column("unit", "所属单位", "unit", aliases=("单位编码", "unit_id", "单位")),
            Column(
                "jurisdiction",
                "辖区编码",
                "jurisdiction",
                required=True,
                aliases=("辖区", "jurisdiction_id"),
            ),
            Column("role", "职务", "role", read_role, family="role"),
            Column("rank", "警衔", "rank", aliases=("职级",)),
            Column("armed", "持枪资格", "armed", read_bool, aliases=("是否持枪", "持枪")),
            Column(
                "skills",
                "技能",
                "skills",
                read_skills,
                aliases=("技能证书", "资质"),
                write=_skills_out,
            ),
            *_lonlat("住址"),
            Column("phone", "电话", "phone", aliases=("联系电话", "手机")),
        ],
    ),
    "posts": Table(
        "posts",
        "点位",
        "code",
        [
            Column("code", "点位编码", "code", required=True, aliases=("编码", "id")),
            Column("name", "点位名称", "name", required=True, aliases=("名称",)),
            Column("kind", "类型", "kind", read_post_kind, True, ("点位类型",), family="post"),
            Column("jurisdiction", "辖区编码", "jurisdiction", required=True, aliases=("辖区",)),
            *_lonlat("", required=True),
            Column(
                "hours",
                "值守时段",
                "hours",
                read_hours,
                aliases=("时段",),
                write=_hours_out,
            ),
            Column("min_staff", "最少人数", "min_staff", read_int, aliases=("最低人数",)),
            Column("min_armed", "最少持枪人数", "min_armed", read_int, aliases=("持枪人数",)),
            Column(
                "skills",
                "技能需求",
                "skills",
                read_skill_needs,
                write=_skill_needs_out,
            ),
            Column("forces", "可用力量", "forces", read_forces, write=_forces_out),
        ],
    ),
    "zones": Table(
        "zones",
        "巡防区",
        "code",
        [
            Column("code", "巡防区编码", "code", required=True, aliases=("编码", "id")),
            Column("name", "巡防区名称", "name", required=True, aliases=("名称",)),
            Column("jurisdiction", "辖区编码", "jurisdiction", required=True, aliases=("辖区",)),
            Column(
                "geometry",
                "范围",
                "geometry",
                read_geometry,
                aliases=("边界", "boundary"),
                write=_json_out,
            ),
            *_lonlat("中心"),
            Column(
                "risk", "风险", "risk", read_risk, True, ("风险值", "风险画像"), write=_json_out
            ),
            Column("min_presence", "最少巡逻人数", "min_presence", read_int, aliases=("最少在岗",)),
            Column("forces", "可用力量", "forces", read_forces, write=_forces_out),
        ],
    ),
}
