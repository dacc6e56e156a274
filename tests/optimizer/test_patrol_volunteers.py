"""Village volunteers patrol their own township's zones only, in the exact model and in the
heuristic plans of a part too large for it; the objective is recomputed from the plan."""

from __future__ import annotations

from typing import Any

import pytest

from optimizer.patrol import SolveParams, check_plan, plan_patrol, solve
from optimizer.patrol.evaluate import plan_objective
from optimizer.patrol.instance import build_instance
from optimizer.patrol.objective import published_keys
from optimizer.result import SolveStatus
from tests.optimizer.patrol_cases import person, post, scenario


def zone(zid: str, town: str, risk: float) -> dict[str, Any]:
    return {
        "id": zid,
        "name": f"片区{zid}",
        "jurisdiction_id": town,
        "centroid": [100.02, 38.02],
        "risk": [[risk] * 24 for _ in range(7)],
    }


def county() -> Any:
    volunteers = [person(f"v1{i}", force="volunteer", jur="T1") for i in range(8)]
    volunteers += [person(f"v2{i}", force="volunteer", jur="T2") for i in range(8)]
    sworn = [person(f"s{i}", armed=True) for i in range(3)]
    return scenario(
        sworn + volunteers,
        [post("P1", staff=1, armed=1, kind="armed_checkpoint")],
        days=2,
        rules=[
            {"kind": "shift_count", "id": "v", "max": 1, "applies_to": {"forces": ["volunteer"]}},
            {"kind": "min_rest", "id": "rest", "hours": 11},
        ],
        jurisdictions=[
            {"id": "C", "name": "市", "level": "city"},
            {"id": "K1", "name": "县一", "level": "county", "parent_id": "C"},
            {"id": "T1", "name": "镇一", "level": "township", "parent_id": "K1"},
            {"id": "T2", "name": "镇二", "level": "township", "parent_id": "K1"},
        ],
        zones=[zone("Z1", "T1", 5.0), zone("Z2", "T2", 3.0)],
    )


@pytest.mark.parametrize("exact", [True, False])
def test_volunteers_patrol_their_own_township(exact: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not exact:  # as if the county were too large for the exact model
        monkeypatch.setattr(solve, "EXACT_MAX_ASSIGNMENTS", 0)
    s = county()
    r = plan_patrol(s, SolveParams(time_limit=20, num_workers=1, random_seed=1))
    assert r.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert ("exact model" in r.message) != exact
    assert check_plan(s, r.assignments) == []
    # the armed checkpoint is held by the sworn officers every shift
    assert sum(1 for a in r.assignments if a.task == "post") == 6
    by_town = {"Z1": "T1", "Z2": "T2"}
    people = s.by_id("people")
    volunteering = [a for a in r.assignments if people[a.person_id].force == "volunteer"]
    assert volunteering and all(
        people[a.person_id].jurisdiction_id == by_town[a.target_id] for a in volunteering
    )
    inst = build_instance(s)
    assert r.objective == pytest.approx(plan_objective(inst, published_keys(inst, r.assignments)))
    assert r.bound is not None and r.bound <= r.objective + 1e-6
