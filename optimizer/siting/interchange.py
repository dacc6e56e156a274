"""Swap local search for the p-median (Whitaker 1983, "A fast algorithm for the greedy
interchange for large-scale clustering and median location problems", INFOR 21; the gain
bookkeeping of Resende and Werneck 2007, "A fast swap-based local search procedure for
location problems", Annals of OR 150).

For an open set S let d1_i / d2_i be demand point i's nearest and second-nearest open times
and φ(i) its nearest open site. Swapping site `a` in and open site `b` out changes the cost by
−profit(a, b) with

    profit(a, b) = gain(a) − loss(b) + extra(a, b)
    gain(a)      = Σ_i w_i · max(0, d1_i − t_ia)                  (everyone closer to a moves)
    loss(b)      = Σ_{i: φ(i) = b} w_i · (d2_i − d1_i)             (b's clients fall back to d2)
    extra(a, b)  = Σ_{i: φ(i) = b} w_i · max(0, d2_i − max(t_ia, d1_i))

so one pass over the n × m matrix (and one grouped sum by φ) prices every swap at once; the
best swap is made until none gains. Only pairs with t_ia < d2_i contribute, so on large sparse
cases (a city) the pass runs over those pairs alone (`neighbours.py`). With p = 1 the
"second nearest" is a time larger than any in the matrix, and the formula still gives the
exact change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizer.siting.neighbours import Neighbours


@dataclass(frozen=True)
class SwapData:
    """What the search reads: weighted times, and which sites may not be closed or opened."""

    cost: np.ndarray  # n × m times
    weights: np.ndarray  # n
    keep_open: np.ndarray  # m bool: existing sites, never swapped out
    allowed: np.ndarray  # m bool: sites that may be opened
    p: int
    neighbours: Neighbours | None = field(init=False)
    far: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "neighbours", Neighbours.of(self.cost, self.p))
        object.__setattr__(self, "far", float(self.cost.max()) + 1.0)


def nearest_two(data: SwapData, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(d1, position in `sites` of the nearest open site, d2) for every demand point."""
    times = data.cost[:, sites]
    n = len(times)
    if len(sites) == 1:
        return times[:, 0].copy(), np.zeros(n, dtype=np.int64), np.full(n, data.far)
    two = np.argpartition(times, 1, axis=1)[:, :2]
    rows = np.arange(n)
    a, b = times[rows, two[:, 0]], times[rows, two[:, 1]]
    first = np.where(a <= b, two[:, 0], two[:, 1])
    return np.minimum(a, b), first, np.maximum(a, b)


def cost_of(data: SwapData, sites: np.ndarray) -> float:
    return float(data.weights @ data.cost[:, sites].min(axis=1))


def opening_gains(data: SwapData, d1: np.ndarray) -> np.ndarray:
    """gain(a) = Σ_i w_i · max(0, d1_i − t_ia) for every site a."""
    pairs = data.neighbours.below(d1) if data.neighbours is not None else None
    if pairs is None:
        return data.weights @ np.maximum(d1[:, None] - data.cost, 0.0)
    value = data.weights[pairs.rows] * (d1[pairs.rows] - pairs.times)
    return np.bincount(pairs.cols, weights=value, minlength=data.cost.shape[1])


def greedy(data: SwapData) -> np.ndarray:
    """The sites to keep open, then repeatedly the allowed site that lowers the cost most."""
    chosen = [int(j) for j in np.flatnonzero(data.keep_open)]
    if chosen:
        nearest = data.cost[:, chosen].min(axis=1)
    else:
        first = data.weights @ data.cost
        first[~data.allowed] = np.inf
        chosen = [int(np.argmin(first))]
        nearest = data.cost[:, chosen[0]].copy()
    p = data.p
    while len(chosen) < p:
        gain = opening_gains(data, nearest)
        gain[chosen] = -np.inf
        gain[~data.allowed] = -np.inf
        best = int(np.argmax(gain))
        chosen.append(best)
        np.minimum(nearest, data.cost[:, best], out=nearest)
    return np.array(sorted(chosen), dtype=np.int64)


def best_swap(data: SwapData, sites: np.ndarray) -> tuple[float, int, int]:
    """(profit, site to open, position in `sites` to close) of the best swap."""
    d1, first, d2 = nearest_two(data, sites)
    w, cost = data.weights, data.cost
    m, p = cost.shape[1], len(sites)
    loss = np.bincount(first, weights=w * (d2 - d1), minlength=p)
    pairs = data.neighbours.below(d2) if data.neighbours is not None else None
    if pairs is None:
        gain = w @ np.maximum(d1[:, None] - cost, 0.0)
        extra_rows = w[:, None] * np.maximum(d2[:, None] - np.maximum(cost, d1[:, None]), 0.0)
        served = np.bincount(first, minlength=p)
        order = np.argsort(first, kind="stable")
        present = np.flatnonzero(served)
        starts = np.concatenate([[0], np.cumsum(served[present])[:-1]])
        extra = np.zeros((p, m))
        extra[present] = np.add.reduceat(extra_rows[order], starts, axis=0)
    else:
        r, t = pairs.rows, pairs.times
        wr, d1r = w[r], d1[r]
        gain = np.bincount(pairs.cols, weights=wr * np.maximum(d1r - t, 0.0), minlength=m)
        value = wr * (d2[r] - np.maximum(t, d1r))
        extra = np.bincount(first[r] * m + pairs.cols, weights=value, minlength=p * m)
        extra = extra.reshape(p, m)
    profit = gain[None, :] - loss[:, None] + extra  # p × m
    profit[:, ~data.allowed] = -np.inf
    profit[:, sites] = -np.inf
    profit[data.keep_open[sites], :] = -np.inf
    k, a = np.unravel_index(int(np.argmax(profit)), profit.shape)
    return float(profit[k, a]), int(a), int(k)


def local_search(
    data: SwapData,
    sites: np.ndarray,
    *,
    deadline: float | None = None,
    clock: Callable[[], float] | None = None,
) -> tuple[np.ndarray, float]:
    """Best-improvement swaps from `sites` until no swap gains (or the deadline passes)."""
    sites = np.array(sorted(sites), dtype=np.int64)
    value = cost_of(data, sites)
    tolerance = 1e-9 * max(1.0, abs(value))
    while True:
        if deadline is not None and clock is not None and clock() > deadline:
            break
        profit, a, k = best_swap(data, sites)
        if not profit > tolerance:
            break
        sites[k] = a
        sites.sort()
        value = cost_of(data, sites)
    return sites, value
