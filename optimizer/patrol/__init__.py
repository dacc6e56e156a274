"""Patrol plan optimiser: posts, zones, standby and labour rules with CP-SAT.

plan_patrol(scenario, SolveParams(...), progress=None, cancel=None) -> PatrolResult
replan_patrol(scenario, since, SolveParams(...)) -> PatrolResult  (minimal change)
check_plan(scenario, assignments) -> list[str]                    (independent checker)
"""

from optimizer.patrol.check import check_plan, plan_shortfalls
from optimizer.patrol.instance import PatrolInputError
from optimizer.patrol.result import PatrolResult, PlanDiff
from optimizer.patrol.solve import SolveParams, plan_patrol, replan_patrol

__all__ = [
    "PatrolInputError",
    "PatrolResult",
    "PlanDiff",
    "SolveParams",
    "check_plan",
    "plan_patrol",
    "plan_shortfalls",
    "replan_patrol",
]
