"""JSON with finite numbers only: `NaN`, `Infinity`, `-Infinity` (which Python's `json` reads
by default) and numbers too large for a float (`1e400` would become infinity) are refused.

The one path every JSON input goes through: scenario files, GeoJSON and JSON cells of
imported tables, and the API's request bodies."""

from __future__ import annotations

import json
import math
from typing import Any


class NonFiniteNumber(ValueError):
    """A JSON document holds NaN, Infinity or a number beyond a float's range."""


def _constant(token: str) -> float:
    raise NonFiniteNumber(f"{token} is not allowed: numbers must be finite")


def _number(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise NonFiniteNumber(f"{token[:32]} is out of range: numbers must be finite")
    return value


def loads_finite(text: str | bytes) -> Any:
    """`json.loads` that refuses NaN, Infinity and out-of-range numbers (NonFiniteNumber);
    malformed JSON raises `json.JSONDecodeError` as usual."""
    return json.loads(text, parse_constant=_constant, parse_float=_number)


def require_finite(value: float, what: str = "value") -> float:
    """`value` when it is a finite number, else ValueError naming `what`."""
    if not math.isfinite(value):
        raise ValueError(f"{what}: {value} is not a finite number")
    return value


def all_finite(value: Any) -> bool:
    """Whether every number inside a decoded JSON value (lists and objects walked) is finite."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return True
