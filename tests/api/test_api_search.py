"""Search filters match the user's text literally: `%`, `_` and the escape character are
not wildcards (`q=%` used to match everyone)."""

from __future__ import annotations

import pytest

from rosters.search import escape_like
from tests.api.conftest import Api
from tests.api.samples import CREATE

NAMES = ["张三", "百分之100%", "下划_线", "斜杠/号", "普通"]


@pytest.fixture
def people(api: Api) -> Api:
    for kind, _, body in CREATE[:3]:
        assert api.client.post(f"/{kind}", json=body, headers=api.as_("admin")).status_code == 201
    for i, name in enumerate(NAMES):
        body = {"badge": f"B{i}", "name": name, "force": "patrol_swat", "jurisdiction": "K1"}
        r = api.client.post("/people", json=body, headers=api.as_("admin"))
        assert r.status_code == 201, r.text
    return api


@pytest.mark.parametrize(
    ("q", "found"),
    [("%", ["百分之100%"]), ("_", ["下划_线"]), ("/", ["斜杠/号"]), ("%%", []), ("三", ["张三"])],
)
def test_search_text_is_literal(people: Api, q: str, found: list[str]) -> None:
    r = people.client.get("/people", params={"q": q}, headers=people.as_("viewer"))
    assert r.status_code == 200, r.text
    assert sorted(p["name"] for p in r.json()["items"]) == sorted(found)
    assert r.json()["total"] == len(found)


def test_escape_like() -> None:
    assert escape_like("a%b_c/d") == "a/%b/_c//d"
