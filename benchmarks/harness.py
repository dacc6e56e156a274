"""Shared by the benchmark scripts: run one case in a fresh process (so its peak memory is
its own), sample the memory of a process and its children, and print the rows as a
tab-separated table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
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


def _tree_rss_kb(root: int) -> int:
    """Resident memory (kB) of `root` and every process below it, from /proc."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, ppid in parent.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


class TreeMemory:
    """The peak resident memory of this process and its children together (HiGHS runs in
    child processes beside the main one), sampled every `every` seconds while in a `with`."""

    def __init__(self, every: float = 0.25) -> None:
        self.every, self.peak_kb = every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
            self._stop.wait(self.every)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> int:
        return round(self.peak_kb / 1024)
