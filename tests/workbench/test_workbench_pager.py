"""The pager shared by the paged workbench lists (roster, audit): the page count, the links
to the previous and next pages with the filters kept, and its template."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from api.workbench.common import env, pager


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_pager_counts_pages_and_keeps_the_filters() -> None:
    values = pager("/pages/roster", {"q": "甘州", "unit": "", "status": "all"}, 2, 51, 25)
    assert values["pages"] == 3 and values["page_no"] == 2
    assert values["prev_href"].startswith("/pages/roster?")
    assert _query(values["prev_href"]) == {"q": ["甘州"], "status": ["all"], "page": ["1"]}
    assert _query(values["next_href"])["page"] == ["3"]
    first = pager("/pages/audit", {}, 1, 50, 50)
    assert first["pages"] == 1 and first["prev_href"] is None and first["next_href"] is None
    assert pager("/pages/audit", {}, 1, 0, 50)["pages"] == 1  # an empty list is one page
    last = pager("/pages/audit", {}, 3, 101, 50)
    assert last["next_href"] is None and _query(last["prev_href"])["page"] == ["2"]


def test_pager_template_links_swap_the_list() -> None:
    template = env.get_template("pager.html")
    values = pager("/pages/roster", {"q": '"><x>'}, 2, 75, 25)
    html = template.render(t=lambda zh, en: zh, target="#roster-results", **values)
    assert html.count('hx-target="#roster-results"') == 2
    assert "上一页" in html and "下一页" in html and "2 / 3" in html
    assert "<x>" not in html  # the filters are URL-encoded, then escaped
    one = pager("/pages/roster", {}, 1, 3, 25)
    assert "wb-pager" not in template.render(t=lambda zh, en: zh, target="#x", **one)
