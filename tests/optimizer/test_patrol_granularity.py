"""The objective's granularity (`granularity.py`): the step divides every objective
coefficient of the model, bounds are rounded up to it without ever passing the optimum."""

from __future__ import annotations

import math

import pytest

from optimizer.patrol.granularity import granularity, meets, round_up
from optimizer.patrol.instance import build_instance
from optimizer.patrol.model import build_model
from optimizer.patrol.variables import SCALE
from optimizer.scenario import Scenario
from tests.optimizer.test_patrol_evaluate import week


def _model_gcd(s: Scenario) -> int:
    built = build_model(build_instance(s))
    coeffs = [round(w * SCALE) for terms in built.vars.terms.values() for w, _ in terms]
    return math.gcd(*coeffs)


def _weighted(weights: dict[str, float]) -> Scenario:
    s = week(hard=False)
    return s.model_copy(update={"weights": s.weights.model_copy(update=weights)})


def test_the_step_divides_every_coefficient_of_the_model() -> None:
    # whole weights everywhere: every term kind of the crafted week (cover, armed, skills,
    # presence, standby, over-cover, soft rules, fairness, travel, requests, continuity)
    s = _weighted({"risk_uncovered": 0, "travel": 0})
    step = granularity(build_instance(s))
    assert step is not None
    assert _model_gcd(s) % round(step * SCALE) == 0
    assert step == 1.0  # the soft rules weigh 3, 4, 5…: their gcd is 1


def test_large_weights_give_a_large_step() -> None:
    s = _weighted(
        {
            "risk_uncovered": 0,
            "travel": 0,
            "fairness_hours": 0,
            "fairness_nights": 0,
            "fairness_weekends": 0,
            "continuity": 0,
            "preferences": 0,
        }
    )
    s = s.model_copy(update={"rules": [r.model_copy(update={"hard": True}) for r in s.rules]})
    s = s.model_copy(
        update={"covers": [c.model_copy(update={"under_weight": 70_000}) for c in s.covers]}
    )
    s = s.model_copy(update={"covers": [c.model_copy(update={"over_weight": 0}) for c in s.covers]})
    step = granularity(build_instance(s))
    # gcd of 10 000 (post, armed), 5 000 (skill, presence), 8 000 (standby), 70 000 (cover)
    assert step == 1_000
    assert _model_gcd(s) % round(step * SCALE) == 0


def test_a_weight_that_is_not_whole_units_leaves_no_step() -> None:
    assert granularity(build_instance(_weighted({"travel": 0.3333}))) is None


@pytest.mark.parametrize(
    ("bound", "step", "expected"),
    [
        (389_999.61, 10_000, 390_000),
        (390_000.000_001, 10_000, 390_000),  # solver noise above a multiple stays there
        (380_000.5, 10_000, 380_000.5),  # (never lowered)
        (926.612, 0.01, 926.62),
        (92_526.612, 0.01, 92_526.612),  # a step within the solvers' tolerance: as it is
        (0.0, 10_000, 0.0),
        (12.34, None, 12.34),
    ],
)
def test_bounds_round_up_to_the_step(bound: float, step: float | None, expected: float) -> None:
    assert round_up(bound, step) == pytest.approx(expected)


def test_a_plan_meets_its_bound_within_the_reported_precision() -> None:
    assert meets(390_000.0, 390_000.0)
    assert meets(92_526.62, 92_526.6195)
    assert not meets(92_527.0, 92_526.0)
    assert not meets(None, 1.0) and not meets(1.0, None)
