"""Popup and tooltip HTML, escaped: values come from rosters and may hold anything."""

from __future__ import annotations

import html
from collections.abc import Sequence


def popup_table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A titled two-column table (field, value); every string is escaped."""
    body = "".join(
        f"<tr><th>{html.escape(field)}</th><td>{html.escape(value)}</td></tr>"
        for field, value in rows
    )
    return (
        f'<div class="pa-popup"><div class="pa-popup-title">{html.escape(title)}</div>'
        f"<table>{body}</table></div>"
    )
