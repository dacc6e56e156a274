"""An independent part of a solve as sent to a worker: its key, its scenario, its solve
parameters and its weight (what the work is shared by), to and from JSON. The patrol plan
(`optimizer.patrol.distributed.PatrolPart`) and the drill schedule
(`optimizer.drills.distributed.DrillPart`) each name their parameters' type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from optimizer.scenario import Scenario, parse_scenario


@dataclass
class ScenarioPart:
    key: str
    scenario: Scenario
    params: Any
    weight: float

    #: the dataclass of ``params`` (rebuilt from its fields in `from_json`)
    params_type: ClassVar[type]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "scenario": self.scenario.model_dump(mode="json"),
            "params": dict(self.params.__dict__),
            "weight": self.weight,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(
            key=str(data["key"]),
            scenario=parse_scenario(data["scenario"]),
            params=cls.params_type(**data["params"]),
            weight=float(data["weight"]),
        )
