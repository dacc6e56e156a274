"""Table models of the roster and geography. Importing this package registers every table
on `SQLModel.metadata` (Alembic reads it)."""

from rosters.models.forces import Absence, Certification, Equipment, Person, Unit, Vehicle
from rosters.models.geography import Jurisdiction, Post, Zone
from rosters.models.planning import LabourRule, ShiftTemplate, StandbyFloor
from rosters.models.plans import Plan, PlanAssignment

__all__ = [
    "Absence",
    "Certification",
    "Equipment",
    "Jurisdiction",
    "LabourRule",
    "Person",
    "Plan",
    "PlanAssignment",
    "Post",
    "ShiftTemplate",
    "StandbyFloor",
    "Unit",
    "Vehicle",
    "Zone",
]
