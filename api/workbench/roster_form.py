"""The person form of the roster pages: what the browser posts (`PersonForm`, every field
text so that nothing is refused before it can be shown at its field), how it becomes the
people resource's request body, and the reasons a field is refused, in Chinese and English."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from api.errors import ApiError
from optimizer.messages import code_of

#: how many empty certificate rows the form offers for adding skills
NEW_CERT_ROWS = 2


class PersonForm(BaseModel):
    badge: str = ""
    name: str = ""
    force: str = ""
    jurisdiction: str = ""
    unit: str = ""
    rank: str = ""
    role: str = ""
    armed: str = ""
    phone: str = ""
    cert_skill: list[str] = []
    cert_expires: list[str] = []

    def body(self, *, with_badge: bool = True) -> dict[str, Any]:
        """The fields as the people resource takes them (empty optional fields left out)."""
        data: dict[str, Any] = {
            "name": self.name.strip(),
            "force": self.force.strip(),
            "jurisdiction": self.jurisdiction.strip(),
            "unit": self.unit.strip() or None,
            "rank": self.rank.strip(),
            "role": code_of("role", self.role) or "member",
            "armed": self.armed in ("on", "true", "1"),
            "phone": self.phone.strip(),
            "certifications": [
                {"skill": code_of("skill", skill), "expires": (expires.strip() or None)}
                for skill, expires in zip(
                    self.cert_skill,
                    [*self.cert_expires, *[""] * len(self.cert_skill)],
                    strict=False,
                )
                if skill.strip()
            ],
        }
        if with_badge:
            data["badge"] = self.badge.strip()
        return data


def _number(ctx: dict[str, Any] | None, key: str) -> Any:
    return (ctx or {}).get(key, "")


def reason(error: dict[str, Any]) -> tuple[str, str]:
    """A pydantic error as (Chinese, English) words for the user."""
    kind, ctx, msg = error.get("type", ""), error.get("ctx"), str(error.get("msg", ""))
    if kind == "missing":
        return "必填", "required"
    if kind == "string_too_short":
        return "不能为空", "must not be empty"
    if kind == "string_too_long":
        n = _number(ctx, "max_length")
        return f"最多 {n} 个字符", f"at most {n} characters"
    if kind == "string_pattern_mismatch":
        return "不能含空格、/、?、#、% 或反斜杠", "no spaces, /, ?, #, % or backslashes"
    if kind == "enum":
        return "请从列表中选择", "choose one of the list"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "日期格式应为 年-月-日", "a date is written YYYY-MM-DD"
    if kind in ("float_parsing", "int_parsing", "finite_number"):
        return "应为数字", "must be a number"
    if kind == "greater_than_equal":
        n = _number(ctx, "ge")
        return f"不能小于 {n}", f"at least {n}"
    if kind == "less_than_equal":
        n = _number(ctx, "le")
        return f"不能大于 {n}", f"at most {n}"
    if "skill is listed twice" in msg:
        return "同一技能列了两次", "a skill is listed twice"
    if "go together" in msg:
        return "经度和纬度须同时填写", "longitude and latitude go together"
    return "格式不正确", msg


def field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """The form field a location points at (certifications.1.skill → cert_skill)."""
    parts = [str(p) for p in loc if p != "body"]
    if not parts:
        return "_form"
    if parts[0] == "certifications":
        return f"cert_{parts[-1]}" if len(parts) > 2 else "cert_skill"
    return parts[0]


def validation_errors(exc: ValidationError, lang: str) -> dict[str, str]:
    """field → reason, in the page's language (the first reason of each field)."""
    out: dict[str, str] = {}
    for error in exc.errors():
        zh, en = reason(dict(error))
        out.setdefault(field_of(error["loc"]), zh if lang == "zh" else en)
    return out


def api_errors(exc: ApiError, lang: str) -> dict[str, str]:
    """field → reason of a service's refusal (an unknown unit or jurisdiction code…)."""
    out: dict[str, str] = {}
    for e in exc.errors or []:
        name = field_of(e.loc)
        if "unknown code" in e.msg:
            code = e.msg.split("'")[1] if "'" in e.msg else ""
            out[name] = f"没有代码为 {code} 的记录" if lang == "zh" else e.msg
        else:
            out[name] = "格式不正确" if lang == "zh" else e.msg
    if not out:
        out["_form"] = ("保存失败：" if lang == "zh" else "Not saved: ") + exc.detail
    return out
