"""Reinforcement (增援) and backfill (补位): which units to send to an incident, and how to
move the rest to fill the hole. Pure models: they read a scenario and unit states, never the
database."""

from optimizer.reinforcement.forces import (
    COVERING,
    DISPATCHABLE,
    MOVABLE,
    TIERS,
    DispatchUnit,
    UnitSnapshot,
    UnitState,
    dispatch_units_from_scenario,
    unit_states_from_plan,
)
from optimizer.reinforcement.instance import (
    DispatchInstance,
    ReinforcementOptions,
    build_instance,
    need_vector,
)
from optimizer.reinforcement.results import (
    BackfillResult,
    CoverageFigures,
    Move,
    NeedReport,
    ReinforcementResult,
    Suggestion,
    UnitChoice,
)
from optimizer.reinforcement.selection import suggest_reinforcement

__all__ = [
    "COVERING",
    "DISPATCHABLE",
    "MOVABLE",
    "TIERS",
    "BackfillResult",
    "CoverageFigures",
    "DispatchInstance",
    "DispatchUnit",
    "Move",
    "NeedReport",
    "ReinforcementOptions",
    "ReinforcementResult",
    "Suggestion",
    "UnitChoice",
    "UnitSnapshot",
    "UnitState",
    "build_instance",
    "dispatch_units_from_scenario",
    "need_vector",
    "suggest_reinforcement",
    "unit_states_from_plan",
]
