"""What a drill calendar shows of the things sessions refer to: names of drill types (with
their kind), units, venues (with where they are) and instructors, and the time zone. Built
from a scenario here, or straight from the database by `rosters.drills.calendar_names`
without exporting the roster."""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.format_base import LonLat
from optimizer.scenario import Scenario


@dataclass(frozen=True)
class CalendarNames:
    timezone: str = "Asia/Shanghai"
    types: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (name, kind)
    units: dict[str, str] = field(default_factory=dict)
    venues: dict[str, tuple[str, LonLat | None]] = field(default_factory=dict)
    instructors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, s: Scenario) -> CalendarNames:
        d = s.drills
        return cls(
            s.timezone,
            {t.id: (t.name, t.kind.value) for t in d.types},
            {u.id: u.name for u in s.units},
            {v.id: (v.name, v.location) for v in d.venues},
            {i.id: i.name for i in d.instructors},
        )
