"""Imports every table model of every package so that `SQLModel.metadata` is complete
(for Alembic). Each package that adds tables adds one import line here."""

import api.job_engine.models
import api.models  # noqa: F401
import dispatch.models  # noqa: F401
import rosters.models
import rosters.models.drills  # noqa: F401
