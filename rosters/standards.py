"""Staffing-standards report: every jurisdiction checked against the standards of the
domain brief (`../shared/domain.md`, from the seed documents), each shortfall with the
number missing. Thresholds are configurable (`Standards`, overridable from a JSON file).

A person counts for their own (home) jurisdiction; a standard at the county, township,
village or grid level counts everyone in that jurisdiction's subtree, the city-level
standard only the city's own forces.

Not checked, for lack of data in the roster: security guards (12 / 8 per 10,000 urban /
rural residents, 002 §8) and migrant-population coordinators (1 per 300–500 migrants,
002 §8)."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optimizer.scenario import Force, Jurisdiction, Level, Scenario, Unit


class Standards(BaseModel):
    """Minimum staffing, each with the seed document it comes from."""

    model_config = ConfigDict(extra="forbid")

    city_patrol_swat: int = Field(default=50, ge=0, description="000 §三(一)4: 巡特警 50+ per city")
    county_patrol_swat: int = Field(
        default=50, ge=0, description="000 §三(一)4: 巡特警 50+ per county"
    )
    county_response: int = Field(
        default=100, ge=0, description="000 §三(一)4: 应急处突 100+ per county"
    )
    township_force: int = Field(default=50, ge=0, description="000 §三(一)4: 乡镇应急力量 50+")
    police_station_min: int = Field(default=6, ge=0, description="002 §6: ≥6 officers per station")
    police_per_10k: float = Field(
        default=1.5, ge=0, description="002 §6: ≥1.5 per 10,000 residents in towns of 50,000+"
    )
    police_per_10k_from_population: int = Field(default=50_000, ge=0)
    village_volunteers: int = Field(default=15, ge=0, description="003 §二(二)1: ≥15 per village")
    volunteer_group_min: int = Field(
        default=5, ge=0, description="003 §二(二)1: ≥5 per villager group (volunteer squads)"
    )
    urban_grid_workers: int = Field(default=2, ge=0, description="000 §三(二)1: ≥2 per urban grid")
    city_full_time_patrol: int | None = Field(
        default=None,
        ge=0,
        description="000 §三(一)2: city-wide target, e.g. 7,000 (off by default)",
    )


class StandardsError(ValueError):
    """A thresholds file that cannot be used."""


def load_standards(path: str | Path | None) -> Standards:
    """The default thresholds, overridden by a JSON file's fields when a path is given."""
    if not path:
        return Standards()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        return Standards.model_validate(data)
    except OSError as exc:
        raise StandardsError(f"{path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise StandardsError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise StandardsError(f"{path}: {field}: {first['msg']}") from exc


class Shortfall(BaseModel):
    jurisdiction_id: str
    jurisdiction: str
    level: Level
    standard: str
    force: str
    required: int
    actual: int
    missing: int
    source: str


@dataclass(frozen=True)
class StaffCounts:
    """What the standards look at: the jurisdictions, the people of each force in each
    jurisdiction (`own`) and in its subtree, and the volunteer squads with their members."""

    jurisdictions: list[Jurisdiction]
    own: Counter[tuple[str, Force]]
    subtree: Counter[tuple[str, Force]]
    squads: list[tuple[Unit, int]]


def staff_counts(
    jurisdictions: list[Jurisdiction],
    people: Iterable[tuple[str, Force, int]],
    squads: list[tuple[Unit, int]],
) -> StaffCounts:
    """The counts from `people`: (home jurisdiction id, force, how many) rows."""
    parent = {j.id: j.parent_id for j in jurisdictions}
    own: Counter[tuple[str, Force]] = Counter()
    subtree: Counter[tuple[str, Force]] = Counter()
    for jurisdiction_id, force, n in people:
        own[jurisdiction_id, force] += n
        node: str | None = jurisdiction_id
        while node is not None:
            subtree[node, force] += n
            node = parent.get(node)
    return StaffCounts(jurisdictions, own, subtree, squads)


def scenario_counts(scenario: Scenario) -> StaffCounts:
    """The counts of a scenario's people (the database's: `rosters.standards_db`)."""
    people = Counter((p.jurisdiction_id, p.force) for p in scenario.people)
    members = Counter(p.unit_id for p in scenario.people if p.unit_id)
    squads = [(u, members[u.id]) for u in scenario.units if u.force == Force.VOLUNTEER and u.squad]
    return staff_counts(
        list(scenario.jurisdictions), ((j, f, n) for (j, f), n in people.items()), squads
    )


def _source(standards: Standards, name: str) -> str:
    return (type(standards).model_fields[name].description or "").split(":")[0]


def standards_report(
    scenario: Scenario, standards: Standards | None = None, levels: Iterable[Level] | None = None
) -> list[Shortfall]:
    """Every shortfall against the standards, city first, then by jurisdiction id."""
    return shortfalls(scenario_counts(scenario), standards, levels)


def shortfalls(
    counts: StaffCounts, standards: Standards | None = None, levels: Iterable[Level] | None = None
) -> list[Shortfall]:
    """Every shortfall of the counted staff (see `standards_report`)."""
    st = standards or Standards()
    wanted = set(levels) if levels else set(Level)
    out: list[Shortfall] = []

    def check(j: Jurisdiction, name: str, force: Force, required: int, actual: int) -> None:
        if j.level in wanted and actual < required:
            out.append(
                Shortfall(
                    jurisdiction_id=j.id,
                    jurisdiction=j.name,
                    level=j.level,
                    standard=name,
                    force=force.value,
                    required=required,
                    actual=actual,
                    missing=required - actual,
                    source=_source(st, name),
                )
            )

    for j in counts.jurisdictions:
        sub = counts.subtree
        if j.level == Level.CITY:
            check(
                j,
                "city_patrol_swat",
                Force.PATROL_SWAT,
                st.city_patrol_swat,
                counts.own[j.id, Force.PATROL_SWAT],
            )
            if st.city_full_time_patrol is not None:
                check(
                    j,
                    "city_full_time_patrol",
                    Force.FULL_TIME_PATROL,
                    st.city_full_time_patrol,
                    sub[j.id, Force.FULL_TIME_PATROL],
                )
        elif j.level == Level.COUNTY:
            check(
                j,
                "county_patrol_swat",
                Force.PATROL_SWAT,
                st.county_patrol_swat,
                sub[j.id, Force.PATROL_SWAT],
            )
            check(
                j,
                "county_response",
                Force.COUNTY_RESPONSE,
                st.county_response,
                sub[j.id, Force.COUNTY_RESPONSE],
            )
        elif j.level == Level.TOWNSHIP:
            check(
                j,
                "township_force",
                Force.TOWNSHIP_FORCE,
                st.township_force,
                sub[j.id, Force.TOWNSHIP_FORCE],
            )
            police = st.police_station_min
            if j.population >= st.police_per_10k_from_population:
                police = max(police, math.ceil(st.police_per_10k * j.population / 10_000))
            name = "police_per_10k" if police > st.police_station_min else "police_station_min"
            check(j, name, Force.POLICE_STATION, police, sub[j.id, Force.POLICE_STATION])
        elif j.level == Level.VILLAGE:
            check(
                j,
                "village_volunteers",
                Force.VOLUNTEER,
                st.village_volunteers,
                sub[j.id, Force.VOLUNTEER],
            )
        elif j.level == Level.GRID and j.urban:
            check(
                j,
                "urban_grid_workers",
                Force.GRID_WORKER,
                st.urban_grid_workers,
                sub[j.id, Force.GRID_WORKER],
            )
    jur = {j.id: j for j in counts.jurisdictions}
    for unit, size in counts.squads:
        j = jur[unit.jurisdiction_id]
        if size < st.volunteer_group_min and j.level in wanted:
            out.append(
                Shortfall(
                    jurisdiction_id=j.id,
                    jurisdiction=f"{j.name} · {unit.name}",
                    level=j.level,
                    standard="volunteer_group_min",
                    force=Force.VOLUNTEER.value,
                    required=st.volunteer_group_min,
                    actual=size,
                    missing=st.volunteer_group_min - size,
                    source=_source(st, "volunteer_group_min"),
                )
            )
    return out
