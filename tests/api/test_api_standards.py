"""GET /standards keeps the counts while the database is unchanged: every change to the
roster, through the API or straight into the database (as another process would), is seen
by the next GET."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.app import create_app
from api.models import Role
from rosters.db import session_scope
from rosters.demo_city import build_demo_city
from rosters.scenario_db import export_scenario, load_scenario_into_db
from rosters.standards import Standards, standards_report
from tests.api.conftest import add_users, api_settings, bearer, centre_today

#: every count checked falls short, so every count shows in the report
HIGH = {name: 10_000 for name in Standards.model_fields if not name.startswith("police")}


def expected(engine: Engine) -> list[dict]:
    with Session(engine) as session:
        scenario = export_scenario(session, start=centre_today(), days=1)
    report = standards_report(scenario, Standards(**HIGH))
    return [s.model_dump(mode="json") for s in report]


def test_every_roster_change_is_seen_by_the_next_get(
    fresh_engine: Engine, password_hash: str, tmp_path: Path
) -> None:
    with session_scope(fresh_engine) as session:
        load_scenario_into_db(session, build_demo_city("small"), replace=True)
    add_users(fresh_engine, password_hash)
    thresholds = tmp_path / "standards.json"
    thresholds.write_text(json.dumps(HIGH))
    app = create_app(api_settings(standards_file=str(thresholds)), fresh_engine)
    commander, viewer = bearer(Role.COMMANDER), bearer(Role.VIEWER)
    with TestClient(app) as c:

        def get() -> list[dict]:
            r = c.get("/standards", headers=viewer)
            assert r.status_code == 200, r.text
            return r.json()

        people = c.get("/people", params={"limit": 3}, headers=viewer).json()["items"]
        unit = c.get("/units", params={"force": "volunteer", "squad": True}, headers=viewer)
        squad = unit.json()["items"][0]["code"]
        township = c.get("/jurisdictions", params={"level": "township"}, headers=viewer)
        town = township.json()["items"][0]
        first, second = (f"/people/{p['badge']}" for p in people[:2])
        changes = [
            lambda: c.patch(first, json={"active": False}, headers=commander),
            lambda: c.patch(second, json={"unit": squad}, headers=commander),
            lambda: c.patch(
                f"/jurisdictions/{town['code']}",
                json={"population": town["population"] + 200_000},
                headers=commander,
            ),
            lambda: c.post(
                "/people",
                json={"badge": "NEW-1", "name": "新人", "force": "volunteer",
                      "jurisdiction": town["code"], "unit": squad},
                headers=commander,
            ),
            lambda: c.delete("/people/NEW-1", headers=commander),
            lambda: c.patch(f"/units/{squad}", json={"squad": False}, headers=commander),
        ]  # fmt: skip
        report = get()
        assert report == expected(fresh_engine)
        for change in changes:
            r = change()
            assert r.status_code in (200, 201, 204), r.text
            again = [get() for _ in range(3)]  # SQLite: each pooled connection keeps its own
            assert again[0] != report
            assert again == [expected(fresh_engine)] * 3
            report = again[0]
        # straight into the database, from another connection: as another process would
        with session_scope(fresh_engine) as session:
            session.execute(
                text("UPDATE person SET force = 'volunteer' WHERE force = 'grid_worker'")
            )
        assert get() != report and get() == expected(fresh_engine)
