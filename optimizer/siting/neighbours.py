"""Each demand point's nearest candidates, nearest first: the p-median's work is mostly about
the candidates closer than some per-point limit (the nearest open site for swap gains, λ_i/w_i
in the Lagrangian), and on a city those are a few percent of the matrix. `below(limit)` lists
exactly the (i, j) pairs with t_ij < limit_i: from the kept prefix for most points, from the
full matrix row for the few whose limit reaches past it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: entries per demand point kept sorted (a prefix of its row): about KEEP_PER_OPEN × m / p
#: (with p of m sites open, the two nearest open sites lie within about 2m/p candidates),
#: within these limits
KEEP_PER_OPEN = 8
KEEP = 256
KEEP_AT_LEAST = 32
#: above this share of the matrix a dense pass is cheaper than listing pairs
DENSE_SHARE = 0.25
#: matrices smaller than this are always read densely (listing pairs costs more than it
#: saves on them)
SPARSE_FROM = 250_000


@dataclass(frozen=True)
class Pairs:
    rows: np.ndarray
    cols: np.ndarray
    times: np.ndarray


@dataclass(frozen=True)
class Neighbours:
    cost: np.ndarray  # n × m
    cols: np.ndarray  # n × k, nearest first
    times: np.ndarray  # n × k

    @classmethod
    def of(cls, cost: np.ndarray, p: int, keep: int | None = None) -> Neighbours | None:
        """The lists for plans of `p` sites, or None when dense passes are cheaper (a small
        matrix, or so few sites open that most pairs matter)."""
        n, m = cost.shape
        if n * m < SPARSE_FROM:
            return None
        if keep is None:
            keep = int(np.clip(KEEP_PER_OPEN * m / max(p, 1), KEEP_AT_LEAST, KEEP))
            if keep > m / 4:  # few sites open: most pairs matter, dense passes win
                return None
        k = min(keep, m)
        part = (
            np.argpartition(cost, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
        )
        times = np.take_along_axis(cost, part, axis=1)
        order = np.argsort(times, axis=1, kind="stable")
        return cls(
            cost,
            np.take_along_axis(part, order, axis=1).astype(np.int32),
            np.take_along_axis(times, order, axis=1),
        )

    @property
    def complete(self) -> bool:
        return self.cols.shape[1] == self.cost.shape[1]

    def below(self, limit: np.ndarray) -> Pairs | None:
        """Every (i, j) with t_ij < limit_i, or None when they are so many that a dense pass
        over the matrix is cheaper."""
        n, m = self.cost.shape
        mask = self.times < limit[:, None]
        over = np.zeros(n, dtype=bool) if self.complete else mask[:, -1].copy()
        count = int(mask.sum()) + int(over.sum()) * (m - self.cols.shape[1])
        if count > DENSE_SHARE * n * m:
            return None
        mask[over] = False
        rows, pos = np.nonzero(mask)
        cols, times = self.cols[rows, pos].astype(np.int64), self.times[rows, pos]
        if over.any():
            extra_rows = np.flatnonzero(over)
            sub = self.cost[extra_rows]
            r, c = np.nonzero(sub < limit[extra_rows, None])
            rows = np.concatenate([rows, extra_rows[r]])
            cols = np.concatenate([cols, c])
            times = np.concatenate([times, sub[r, c]])
        return Pairs(rows, cols, times)

    def restricted(self, rows: np.ndarray) -> Neighbours:
        """The same lists for a subset of the demand points (a boolean mask)."""
        if rows.all():
            return self
        return Neighbours(self.cost[rows], self.cols[rows], self.times[rows])
