"""Shapes shared by every resource: pages of a list, partial updates, coordinates, and the
one set of bounded types every request model is built from (codes, names, notes, skills,
lists of codes, coordinates, finite numbers, GeoJSON geometries), so that no request can
carry an unbounded string, list or mapping, or a NaN."""

import types
import typing
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
)

from optimizer.finite_json import all_finite
from optimizer.format_base import SkillCounts, SkillName

T = TypeVar("T")

# --- limits (the numbers live here and nowhere else) -------------------------------------
MAX_CODE = 64
MAX_NAME = 128
MAX_NOTE = 512
MAX_SHORT = 32
MAX_CODES = 200
MAX_GEOMETRY_POINTS = 100_000
MAX_JSON_DEPTH = 8

#: no spaces or control characters (written out: Python's and JSON Schema's `\s` differ),
#: no / ? # % or backslash
CODE_PATTERN = (
    r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    r"/?#%\\]+$"
)

#: a user-facing code (badge, unit, post, zone, jurisdiction…): 1–64 characters, no spaces,
#: slashes, ?, #, % or backslashes (it appears in URLs)
CodeText = Annotated[str, Field(min_length=1, max_length=MAX_CODE, pattern=CODE_PATTERN)]
#: a reference to a code (checked against the table by the service)
CodeRef = Annotated[str, Field(max_length=MAX_CODE, description="code")]
NameText = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
PersonName = Annotated[str, Field(min_length=1, max_length=MAX_CODE)]
ShortText = Annotated[str, Field(max_length=MAX_SHORT)]
NoteText = Annotated[str, Field(max_length=MAX_NOTE)]
PhoneText = Annotated[str, Field(max_length=MAX_SHORT)]
#: a list of codes (units of a dispatch, jurisdictions of a blackout…)
CodeList = Annotated[list[CodeRef], Field(max_length=MAX_CODES, description="codes")]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
#: minutes of travel (an ETA): finite, at most a day
Minutes = Annotated[float, Field(ge=0, le=1440, allow_inf_nan=False)]
#: unit code → minutes
Etas = Annotated[dict[CodeRef, Minutes], Field(max_length=MAX_CODES)]
Weight = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


def _geometry(value: dict[str, Any]) -> dict[str, Any]:
    points = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"a GeoJSON geometry nests at most {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            if item and not isinstance(item[0], list | dict):
                points += 1
                if points > MAX_GEOMETRY_POINTS:
                    raise ValueError(f"a geometry has at most {MAX_GEOMETRY_POINTS} points")
            else:
                stack.extend((v, depth + 1) for v in item)
    if not all_finite(value):
        raise ValueError("coordinates must be finite numbers")
    if not isinstance(value.get("type"), str):
        raise ValueError("a GeoJSON geometry has a `type`")
    return value


#: a GeoJSON geometry: bounded points and nesting, finite coordinates
Geometry = Annotated[
    dict[str, Any],
    Field(
        max_length=4,
        description="GeoJSON geometry",
        json_schema_extra={"required": ["type"], "properties": {"type": {"type": "string"}}},
    ),
    AfterValidator(_geometry),
]

__all__ = ["SkillCounts", "SkillName"]  # the scenario format's, shared with the API


def _takes_bool(annotation: Any) -> bool:
    if annotation is bool or annotation is Any:
        return True
    if typing.get_origin(annotation) is Annotated:
        return _takes_bool(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_takes_bool(a) for a in typing.get_args(annotation))
    return False


class RequestModel(BaseModel):
    """The base of every request body: unknown fields and non-finite numbers are refused,
    and `true`/`false` is not taken for a number or a text."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_other_types(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _takes_bool(field.annotation):
                raise ValueError("expected a number or text, not true/false")
        return value


class Page(BaseModel, Generic[T]):
    """One page of a list: `items`, the `total` matching the filters, and the window."""

    items: list[T]
    total: int
    limit: int
    offset: int


def partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """`model` with every field optional (absent = unchanged): the body of a PATCH."""
    fields: dict[str, Any] = {}
    for key, info in model.model_fields.items():
        kind = (
            Annotated[info.annotation | None, *info.metadata] if info.metadata else info.annotation
        )
        fields[key] = (kind | None, Field(default=None, description=info.description))
    return create_model(
        name,
        __base__=RequestModel,
        __doc__="Fields to change (absent = unchanged).",
        **fields,
    )
