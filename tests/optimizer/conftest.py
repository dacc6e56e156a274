"""The optimiser's tests solve with deterministic effort by default (`SolveParams.deterministic`:
the same seed and workers give the same plan; the time limits stay a safety net)."""

from __future__ import annotations

import os

from optimizer.patrol.solve import DETERMINISTIC_ENV

os.environ.setdefault(DETERMINISTIC_ENV, "1")
