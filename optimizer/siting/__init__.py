"""Post siting: choose where to open p posts among candidate sites.

- `solve_pmedian`: least total demand-weighted travel time (p-median).
- `solve_max_cover`: most demand within one or more response-time rings (maximal covering).

Both take a `SitingProblem` (or an indexed `SitingInstance`) and return a result carrying
status, objective, bound, gap and the chosen sites; `check` verifies plans independently.
"""

from optimizer.siting.check import check_max_cover, check_pmedian
from optimizer.siting.covering import solve_max_cover
from optimizer.siting.pmedian import solve_pmedian
from optimizer.siting.problem import (
    CandidateSite,
    DemandPoint,
    SitingInputError,
    SitingInstance,
    SitingProblem,
    build_instance,
)
from optimizer.siting.result import CoverageRing, MaxCoverResult, PMedianResult, SitingResult

__all__ = [
    "CandidateSite",
    "CoverageRing",
    "DemandPoint",
    "MaxCoverResult",
    "PMedianResult",
    "SitingInputError",
    "SitingInstance",
    "SitingProblem",
    "SitingResult",
    "build_instance",
    "check_max_cover",
    "check_pmedian",
    "solve_max_cover",
    "solve_pmedian",
]
