"""Building blocks shared by the scenario format and its sections: the strict base model, the
forces, and the WGS84 coordinate pair."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Item(BaseModel):
    """Every scenario object: unknown fields are refused, so a typo is an error, and every
    number must be finite (NaN and infinities are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


class Force(StrEnum):
    PATROL_SWAT = "patrol_swat"
    COUNTY_RESPONSE = "county_response"
    TOWNSHIP_FORCE = "township_force"
    FULL_TIME_PATROL = "full_time_patrol"
    VOLUNTEER = "volunteer"
    POLICE_STATION = "police_station"
    GRID_WORKER = "grid_worker"


#: the most skills one incident may ask for, and the longest skill name
MAX_NEEDED_SKILLS = 50
MAX_SKILL_NAME = 64
SkillName = Annotated[str, Field(min_length=1, max_length=MAX_SKILL_NAME)]
#: skill → people needed (0–1000 each, at most MAX_NEEDED_SKILLS skills)
SkillCounts = Annotated[
    dict[SkillName, Annotated[int, Field(ge=0, le=1000)]],
    Field(max_length=MAX_NEEDED_SKILLS, description="skill → people needed"),
]

LonLat = Annotated[
    tuple[Annotated[float, Field(ge=-180, le=180)], Annotated[float, Field(ge=-90, le=90)]],
    Field(description="[longitude, latitude] in WGS84"),
]

#: Forces that may not hold posts or patrol alone by default (unarmed volunteers).
SWORN_FORCES: tuple[Force, ...] = (
    Force.PATROL_SWAT,
    Force.COUNTY_RESPONSE,
    Force.TOWNSHIP_FORCE,
    Force.FULL_TIME_PATROL,
    Force.POLICE_STATION,
)
#: Forces counted by the standby (备勤) floor by default.
READY_FORCES: tuple[Force, ...] = (Force.PATROL_SWAT, Force.COUNTY_RESPONSE)
