"""The page registry (navigation bar and who may open what) and the page shell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from maps import pages
from maps.pages import PageLink, nav_html, nav_items, page_allows, register_page

MAP_PAGES = ("wall", "plan", "drills")


@pytest.fixture
def registry() -> Iterator[None]:
    """The registry of the three map pages alone (the workbench's pages register themselves
    when the app is imported, which depends on the order tests run in), restored after."""
    saved = list(pages.PAGES)
    pages.PAGES[:] = [p for p in saved if p.key in MAP_PAGES]
    yield
    pages.PAGES[:] = saved


def test_every_role_sees_the_wall_the_plan_and_the_drills(registry: None) -> None:
    every = ["/pages/wall", "/pages/plan", "/pages/drills"]
    for role in ("admin", "commander", "training_officer", "dispatcher", "viewer"):
        assert [i["href"] for i in nav_items(role, "zh", "wall")] == every
        assert page_allows("wall", role) and page_allows("plan", role)
    assert not page_allows("nope", "admin")


def test_a_registered_page_shows_to_its_roles_only(registry: None) -> None:
    register_page(PageLink("drills", "/pages/drills", "page.plan", frozenset({"training_officer"})))
    assert [i["href"] for i in nav_items("viewer", "zh", "wall")] == ["/pages/wall", "/pages/plan"]
    for role in ("training_officer", "admin"):
        assert nav_items(role, "en", "drills")[-1] == {
            "href": "/pages/drills",
            "text": "Patrol plan",
            "current": True,
        }
        assert page_allows("drills", role)
    assert not page_allows("drills", "dispatcher")


def test_nav_escapes_the_user_name_and_marks_the_current_page(registry: None) -> None:
    html = nav_html(
        page="plan", lang="en", user="<b>x</b>", role="viewer", switch_href="/p?lang=zh"
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert 'class="pa-current" aria-current="page">Patrol plan</a>' in html
    assert ">中文</a>" in html and 'id="pa-conn"' not in html


def test_pin_tooltips_are_escaped() -> None:
    """Leaflet shows a tooltip string as HTML; roster text must stay text."""
    from maps.elements import MapPoint

    row = MapPoint(lat=1, lon=2, tooltip="<img src=x onerror=alert(1)> · 甘州").row()
    assert row[4] == "&lt;img src=x onerror=alert(1)&gt; · 甘州"
