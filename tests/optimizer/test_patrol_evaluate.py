"""The objective recomputed from a plan (`evaluate.plan_terms`) equals the model's own value
of that plan, term by term, on a crafted week that has every kind of term and every labour
rule as a soft rule; and the heuristic plans keep the hard "at most" rules."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest

from optimizer.patrol import check_plan
from optimizer.patrol.evaluate import plan_objective, plan_terms
from optimizer.patrol.instance import build_instance
from optimizer.patrol.model import build_model, complete
from optimizer.patrol.plans import assignments_of
from optimizer.patrol.rounding import fill_plan
from optimizer.patrol.variables import SCALE
from optimizer.scenario import Scenario
from tests.optimizer.patrol_cases import DAY, person, post, scenario

SOFT_RULES: list[dict[str, Any]] = [
    {"kind": "shift_count", "id": "max3", "max": 3, "min": 2},
    {"kind": "shift_count", "id": "nights", "max": 1, "shift_ids": ["N"]},
    {"kind": "hours", "id": "hours", "max": 24, "min": 8},
    {"kind": "consecutive_work_days", "id": "run", "max": 2, "min": 2},
    {"kind": "consecutive_days_off", "id": "off", "min": 2},
    {"kind": "weekends", "id": "wk", "max": 0},
    {"kind": "min_rest", "id": "rest", "hours": 11},
    {"kind": "forbidden_succession", "id": "nd", "first": "N", "then": "D"},
    {"kind": "days_off", "id": "sun", "weekdays": [6]},
]


def week(hard: bool) -> Scenario:
    rules = [{**r, "hard": hard, "weight": 3 + i} for i, r in enumerate(SOFT_RULES)]
    people = [
        person("a", armed=True, skills=[{"skill": "first_aid"}]),
        person("b", armed=True),
        person(
            "c",
            skills=[{"skill": "first_aid", "expires": (DAY + dt.timedelta(days=2)).isoformat()}],
        ),
        person("d", force="township_force"),
        person("e", force="patrol_swat"),
    ]
    people[3]["home"] = [100.2, 38.1]
    risk = [[float((wd * 24 + h) % 7) for h in range(24)] for wd in range(7)]
    return scenario(
        people,
        [
            post("P1", staff=1, armed=1, kind="armed_checkpoint"),
            post("P2", staff=1, skills={"first_aid": 1}, hours=[[8, 20]]),
        ],
        days=7,
        rules=rules,
        zones=[
            {
                "id": "Z1",
                "name": "片区一",
                "jurisdiction_id": "T1",
                "centroid": [100.05, 38.02],
                "risk": risk,
                "min_presence": 1,
            }
        ],
        standby=[{"jurisdiction_id": "K1", "min_count": 1}],
        covers=[
            {
                "target_id": "P2",
                "shift_id": "D",
                "required": 2,
                "under_weight": 70,
                "over_weight": 9,
            }
        ],
        requests=[
            {"person_id": "a", "date": DAY.isoformat(), "shift_id": "D", "on": True, "weight": 2},
            {"person_id": "b", "date": DAY.isoformat(), "on": False, "weight": 1},
        ],
        weights={
            "travel": 0.5,
            "fairness_hours": 2,
            "fairness_nights": 20,
            "fairness_weekends": 20,
            "continuity": 1,
        },
    )


def random_plans(s: Scenario, n: int, seed: int) -> list[set[tuple[int, int, int]]]:
    inst = build_instance(s)
    rng = random.Random(seed)
    plans = []
    for _ in range(n):
        plan, days, filled = set(), set(), Counter[tuple[int, int]]()
        for (pi, si), tasks in sorted(inst.options.items()):
            day, ti = inst.slots[si].day, rng.choice(tasks)
            cap = inst.demand[ti, si].cap if (ti, si) in inst.demand else len(inst.people)
            if (pi, day) not in days and filled[ti, si] < cap and rng.random() < 0.4:
                plan.add((pi, si, ti))
                days.add((pi, day))
                filled[ti, si] += 1
        plans.append(plan)
    return plans


def model_terms(s: Scenario, plan: set[tuple[int, int, int]]) -> dict[str, float]:
    built = build_model(build_instance(s))
    values = complete(built, plan, 20)
    assert values is not None
    return {
        name: round(sum(round(w * SCALE) * values[v.index] for w, v in terms) / SCALE, 3)
        for name, terms in built.vars.terms.items()
    }


@pytest.mark.parametrize("seed", range(6))
def test_recomputed_terms_equal_the_models_value_of_the_same_plan(seed: int) -> None:
    s = week(hard=False)
    inst = build_instance(s)
    for plan in random_plans(s, 2, seed):
        mine, theirs = plan_terms(inst, plan), model_terms(s, plan)
        assert {k: v for k, v in mine.items() if v} == {k: v for k, v in theirs.items() if v}
        assert sum(theirs.values()) > 0


def test_every_term_kind_is_exercised() -> None:
    s = week(hard=False)
    inst = build_instance(s)
    seen: set[str] = set()
    for plan in random_plans(s, 12, 99):
        seen |= {k for k, v in plan_terms(inst, plan).items() if v}
    assert {
        "unmet_post_cover",
        "unmet_armed",
        "unmet_skill",
        "unmet_zone_presence",
        "unmet_standby",
        "risk_uncovered",
        "over_cover",
        "labour rules",
        "fairness_nights",
        "fairness_weekends",
        "fairness_hours",
        "travel",
        "preferences",
        "continuity",
    } <= seen


def test_changes_count_dropped_and_addedassignments_of() -> None:
    s = week(hard=False)
    inst = build_instance(s)
    old, new = random_plans(s, 2, 5)
    changed = len(old ^ new)
    assert plan_terms(inst, new, published=old)["change"] == changed * s.weights.change
    assert plan_terms(inst, old, published=old)["change"] == 0


def test_heuristic_plans_keep_the_hard_at_most_rules() -> None:
    rules = [r for r in SOFT_RULES if r["kind"] not in ("consecutive_days_off",) and "min" not in r]
    s = scenario(
        [person(f"p{i}", armed=i < 2) for i in range(6)],
        [post("P1", staff=2, armed=1, kind="armed_checkpoint")],
        days=7,
        rules=[{**r, "hard": True} for r in rules],
        standby=[{"jurisdiction_id": "K1", "min_count": 1}],
    )
    inst = build_instance(s)
    for plan in (fill_plan(inst), fill_plan(inst, lp={k: 1.0 for k in random_plans(s, 1, 3)[0]})):
        assert plan and check_plan(s, assignments_of(inst, plan)) == []
        assert plan_objective(inst, plan) == pytest.approx(sum(plan_terms(inst, plan).values()))
