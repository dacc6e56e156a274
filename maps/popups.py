"""The one escaping path for user strings reaching HTML on maps and pages: zone, jurisdiction,
unit, post, person and shift names, incident codes and notes — values come from rosters and
may hold anything (`<img src=x onerror=…>`).

`escape_text` escapes `& < > " '` (safe as element content and in quoted attributes) and also
`` ` ``, `$` and `\\`, so the text stays inert inside a JavaScript template literal (folium
writes its tooltips into one). Tooltips, popups, GeoJSON tooltip fields, legend rows, layer
names and page titles all go through it; Jinja templates autoescape the rest, and the page
script builds its DOM with `textContent`, never `innerHTML` with data."""

from __future__ import annotations

import html
from collections.abc import Sequence

_JS_TEMPLATE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def escape_text(value: object) -> str:
    """`value` as text for HTML, tooltips and popups (and JS template literals)."""
    return html.escape("" if value is None else str(value), quote=True).translate(_JS_TEMPLATE)


def popup_table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A titled two-column table (field, value); every string is escaped."""
    body = "".join(
        f"<tr><th>{escape_text(field)}</th><td>{escape_text(value)}</td></tr>"
        for field, value in rows
    )
    return (
        f'<div class="pa-popup"><div class="pa-popup-title">{escape_text(title)}</div>'
        f"<table>{body}</table></div>"
    )
