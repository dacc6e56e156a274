"""Drill scheduling: the routine live drills (常态化实战演练) of every force, fitted around
patrol duty, venues, instructors, holidays and blackout periods without letting a county's
ready forces fall below the commander's floor."""

from optimizer.drills.check import check_schedule
from optimizer.drills.instance import DrillInputError
from optimizer.drills.result import DrillResult
from optimizer.drills.solve import DrillParams, schedule_drills

__all__ = ["DrillInputError", "DrillParams", "DrillResult", "check_schedule", "schedule_drills"]
