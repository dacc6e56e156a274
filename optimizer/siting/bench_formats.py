"""Readers for the public siting benchmarks in `shared/bench/` (see each folder's README).

- OR-Library p-median `pmedN.txt`: `n m p`, then m lines `i j c` of an undirected graph; a
  repeated vertex pair takes the cost of its LAST line; distances are shortest paths.
- Lorena & Pereira MCLP `SJCn.txt` (`n`, then `x y` in metres) with `demand-SJCn.dat`
  (one demand per line); CRLF line endings; distances Euclidean.
- Swain's 55 points `swain.dat`: `id, x, y, demand,` per line; distances Euclidean.

Every point is both a demand point and a candidate site; ids are the 1-based point numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizer.siting.problem import SitingInstance


def read_pmed(path: Path) -> SitingInstance:
    tokens = path.read_text().split()
    n, m, p = (int(t) for t in tokens[:3])
    edges = np.array(tokens[3 : 3 + 3 * m], dtype=np.int64).reshape(m, 3)
    if len(edges) != m:
        raise ValueError(f"{path.name}: header announces {m} edges, found {len(edges)}")
    # An undirected pair may appear several times, in either order: the last line wins.
    last = {(min(a, b), max(a, b)): c for a, b, c in edges.tolist()}
    pairs = np.array(list(last.keys())) - 1
    costs = np.array(list(last.values()), dtype=float)
    dist = np.full((n, n), np.inf)
    dist[pairs[:, 0], pairs[:, 1]] = costs
    dist[pairs[:, 1], pairs[:, 0]] = costs
    np.fill_diagonal(dist, 0.0)
    return _all_points(shortest_paths(dist), np.ones(n), p)


def shortest_paths(dist: np.ndarray) -> np.ndarray:
    """All-pairs shortest paths (Floyd–Warshall, one numpy sweep per pivot)."""
    d = dist.copy()
    for k in range(len(d)):
        np.minimum(d, d[:, k, None] + d[None, k, :], out=d)
    if np.isinf(d).any():
        raise ValueError("graph is not connected")
    return d


def read_sjc(coords_path: Path, demand_path: Path, p: int) -> SitingInstance:
    lines = coords_path.read_text().split()
    n = int(lines[0])
    xy = np.array(lines[1 : 1 + 2 * n], dtype=float).reshape(n, 2)
    demand = np.array(demand_path.read_text().split(), dtype=float)
    if len(demand) != n:
        raise ValueError(f"{demand_path.name}: {len(demand)} demands for {n} points")
    return _all_points(euclidean(xy), demand, p)


def read_swain(path: Path, p: int) -> SitingInstance:
    rows = [
        [float(v) for v in line.split(",") if v.strip()]
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    data = np.array(rows)
    ids = [str(int(v)) for v in data[:, 0]]
    return _all_points(euclidean(data[:, 1:3]), data[:, 3], p, ids)


def euclidean(xy: np.ndarray) -> np.ndarray:
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def _all_points(
    cost: np.ndarray, weights: np.ndarray, p: int, ids: list[str] | None = None
) -> SitingInstance:
    ids = ids or [str(k + 1) for k in range(len(cost))]
    return SitingInstance(demand_ids=ids, site_ids=ids, weights=weights, cost=cost, p=p)
