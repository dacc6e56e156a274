"""Text search in SQL: the user's text is matched literally. `%`, `_` and the escape
character are escaped (a search for `%` finds the names holding a `%`, not every name).
Every search filter goes through `contains_text`."""

from __future__ import annotations

from typing import Any

ESCAPE = "/"


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards and the escape character escaped by `ESCAPE`."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", f"{ESCAPE}%").replace("_", f"{ESCAPE}_")


def contains_text(column: Any, text: str) -> Any:
    """The condition `column` contains `text` literally (LIKE '%…%' with wildcards escaped)."""
    return column.like(f"%{escape_like(text)}%", escape=ESCAPE)
