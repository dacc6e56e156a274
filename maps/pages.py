"""The command-centre pages: their registry (the navigation bar), the page shell around a
folium map, and the Jinja2 templates in maps/templates.

A page is a folium map with pingan's page parts added to the same document: the navigation
bar, a panel, the page's data as JSON (``<script id="pa-data">``) and the page script
(static/pingan/pages.js). One document means one ``window.pingan``: the page script reaches
the map and its layers the way tests do.

Pages are listed in `PAGES`; the navigation bar shows those the user's role may open. A new
page registers itself with `register_page` and adds its route
in api/routers/pages.py.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import folium
from branca.element import Element
from jinja2 import Environment, FileSystemLoader, select_autoescape

from maps.elements import script_json
from maps.labels import LABELS, Lang, label
from maps.offline import current_base_url, render_html
from maps.popups import escape_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGES_CSS = "pingan/pages.css"
PAGES_JS = "pingan/pages.js"
#: The language switch names the other language in that language.
OTHER_LANGUAGE: dict[str, str] = {"zh": "English", "en": "中文"}


@dataclass(frozen=True)
class PageLink:
    """A page in the navigation bar. ``roles``: who may open it (empty: every logged-in
    user)."""

    key: str
    path: str
    label_key: str
    roles: frozenset[str] = frozenset()

    def allows(self, role: str) -> bool:
        return not self.roles or role in self.roles or role == "admin"


PAGES: list[PageLink] = [
    PageLink("wall", "/pages/wall", "page.wall"),
    PageLink("plan", "/pages/plan", "page.plan"),
    PageLink("drills", "/pages/drills", "page.drills"),
]


def register_page(link: PageLink) -> None:
    """Add a page to the navigation bar (replacing one with the same key)."""
    PAGES[:] = [p for p in PAGES if p.key != link.key] + [link]


def page_allows(key: str, role: str) -> bool:
    """Whether a user with ``role`` may open the page ``key``."""
    return any(p.key == key and p.allows(role) for p in PAGES)


def nav_items(role: str, lang: Lang, current: str) -> list[dict[str, Any]]:
    return [
        {"href": p.path, "text": label(p.label_key, lang), "current": p.key == current}
        for p in PAGES
        if p.allows(role)
    ]


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_template(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)


def page_labels(lang: Lang, prefixes: Sequence[str]) -> dict[str, str]:
    """The labels a page script needs (every key starting with one of ``prefixes``)."""
    return {k: label(k, lang) for k in LABELS if k.startswith(tuple(prefixes))}


def lang_switch_href(path: str, query: Mapping[str, str], lang: Lang) -> str:
    """The same page in the other language."""
    other = "en" if lang == "zh" else "zh"
    return f"{path}?{urlencode({**query, 'lang': other})}"


def nav_html(
    *, page: str, lang: Lang, user: str, role: str, switch_href: str, live: bool = False
) -> str:
    return render_template(
        "nav.html",
        title=label("app.title", lang),
        items=nav_items(role, lang, page),
        user=user,
        lang=lang,
        switch_href=switch_href,
        switch_text=OTHER_LANGUAGE[lang],
        logout=label("page.logout", lang),
        live=live,
        conn_text=label("conn.connecting", lang),
    )


def page_html(
    m: folium.Map,
    *,
    page: str,
    title: str,
    nav: str,
    body: str,
    data: Mapping[str, Any],
) -> str:
    """The page around map ``m``: navigation bar, body (HTML, escaped by its template), the
    page data and script. Assets are linked under the configured static URL."""
    base = current_base_url()
    fig = m.get_root()
    fig.title = escape_text(title)  # type: ignore[attr-defined]  (branca does not escape)
    fig.header.add_child(  # type: ignore[attr-defined]
        Element(f'<link rel="stylesheet" href="{html.escape(base)}/{PAGES_CSS}"/>'),
        name="pa_pages_css",
    )
    fig.header.add_child(  # type: ignore[attr-defined]
        Element(f'<script defer src="{html.escape(base)}/{PAGES_JS}"></script>'),
        name="pa_pages_js",
    )
    fig.html.add_child(Element(nav), name="pa_nav")  # type: ignore[attr-defined]
    fig.html.add_child(Element(body), name="pa_body")  # type: ignore[attr-defined]
    fig.html.add_child(  # type: ignore[attr-defined]
        Element(f'<script type="application/json" id="pa-data">{script_json(dict(data))}</script>'),
        name="pa_data",
    )
    fig.html.add_child(  # type: ignore[attr-defined]
        Element(f'<script>document.body.classList.add("pa-page", "pa-page-{page}");</script>'),
        name="pa_body_class",
    )
    return render_html(m)


def login_html(lang: Lang, next_path: str, csrf: str, error: str = "") -> str:
    """The login form (a plain HTML form: works without script). ``error``: a label key."""
    return render_template(
        "login.html",
        csrf=csrf,
        lang=lang,
        title=label("app.title", lang),
        heading=label("page.login", lang),
        username=label("page.username", lang),
        password=label("page.password", lang),
        error=label(error, lang) if error else "",
        next_path=next_path,
        css=f"{current_base_url()}/{PAGES_CSS}",
    )
