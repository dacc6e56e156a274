"""A city solve cancelled before its first county was planned is a cancelled result, not an
error (the page's cancel button right after "generate")."""

from __future__ import annotations

from optimizer.patrol.decompose import merge
from optimizer.result import SolveStatus


def test_merging_no_county_result_is_a_cancelled_result() -> None:
    result = merge("city", [])
    assert result.status == SolveStatus.CANCELLED
    assert result.assignments == [] and result.objective is None
