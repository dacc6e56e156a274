"""Lists read as columns: every page gives the same total (first, middle, last, past the
end), and a page's records are those of GET /{resource}/{key}."""

from __future__ import annotations

from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.scenario_db import load_scenario_into_db
from tests.api.conftest import Api


def test_every_page_gives_the_total_and_the_records(api: Api) -> None:
    with session_scope(api.engine) as session:
        load_scenario_into_db(session, build_demo_city("small"), replace=True)
    c, h = api.client, api.as_("viewer")
    for name, key in (("people", "badge"), ("units", "code"), ("jurisdictions", "code")):
        total = c.get(f"/{name}", params={"limit": 500}, headers=h).json()["total"]
        assert total > 40
        seen = []
        for offset in (0, 20, total - 7, total, total + 5):
            page = c.get(f"/{name}", params={"limit": 20, "offset": offset}, headers=h).json()
            assert page["total"] == total, (name, offset)
            assert len(page["items"]) == max(0, min(20, total - offset))
            seen += page["items"]
        for item in seen[::9]:
            assert c.get(f"/{name}/{item[key]}", headers=h).json() == item
    filtered = c.get("/people", params={"force": "volunteer", "limit": 5}, headers=h).json()
    assert filtered["total"] > 5 and {p["force"] for p in filtered["items"]} == {"volunteer"}
