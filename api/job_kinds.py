"""Every kind of background job, registered by importing this module. Each kind lives in the
module of its feature (`api.solves`: patrol plan and re-plan, drill schedule and reminders;
`api.siting`; `api.plan_replan`: the re-plan of a draft around its pins) and registers
itself with `api.jobs.job_kind` when imported; this module imports them all, so that every
process that submits or runs jobs — the API server (`api.app`) and the job engine's workers
(`api.job_engine.tasks`, started by `pingan worker`) — knows the same kinds."""

from __future__ import annotations

from api import plan_replan, siting, solves
from api.jobs import KINDS

__all__ = ["all_kinds"]

_MODULES = (plan_replan, siting, solves)


def all_kinds() -> frozenset[str]:
    """The names of every registered job kind."""
    return frozenset(KINDS)
