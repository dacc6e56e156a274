"""The standards report from the lean read (`standards_scenario`) equals the report from the
full `export_scenario`, on the demo city with the default thresholds and with thresholds so
high that every jurisdiction falls short (every rule and level is compared)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from api.models import Role  # noqa: F401  (every table is known to the metadata)
from rosters.demo_city import build_demo_city
from rosters.scenario_db import export_scenario, load_scenario_into_db
from rosters.standards import Standards, standards_report
from rosters.standards_db import standards_scenario


def test_the_lean_read_gives_the_same_report(session: Session) -> None:
    load_scenario_into_db(session, build_demo_city("small"), replace=True)
    session.flush()
    day = dt.date(2026, 3, 2)
    full = export_scenario(session, start=day, days=1)
    lean = standards_scenario(session, day)
    high = Standards(**{name: 10_000 for name in ("city_patrol_swat", "county_response")})
    for st in (Standards(), high):
        report = standards_report(lean, st)
        assert report == standards_report(full, st)
    assert len(standards_report(lean, high)) > len(standards_report(lean, Standards()))
    assert [p.id for p in lean.people] == [p.id for p in full.people]
