"""Shared by the benchmark scripts: run one case in a fresh process (so its peak memory is
its own) and print the rows as a tab-separated table."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any


def run_case(script: str, case: str, args: Sequence[str]) -> dict[str, Any]:
    """`python SCRIPT --one CASE ARGS…` in a child process; its JSON line as a dict."""
    out = subprocess.run(
        [sys.executable, script, "--one", case, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def percent(gap: float | None) -> str | None:
    return None if gap is None else f"{100 * gap:.2f}%"


def print_row(row: dict[str, Any], cols: Sequence[str]) -> None:
    print("\t".join(str(row[c]) for c in cols))
