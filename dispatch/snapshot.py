"""The roster as the dispatch models read it: the database's scenario (`rosters.scenario_db`)
for the incident's day, with the absences from the day before (night shifts) on."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from optimizer.scenario import Horizon, Scenario
from rosters.scenario_db import export_scenario
from rosters.settings import get_settings


def dispatch_scenario(session: Session, day: dt.date) -> Scenario:
    """A one-day scenario of everything a suggestion or a backfill reads."""
    scenario = export_scenario(
        session,
        start=day - dt.timedelta(days=1),
        days=2,
        name=f"dispatch {day}",
        tz=get_settings().timezone,
    )
    return scenario.model_copy(update={"horizon": Horizon(start=day, days=1)})
