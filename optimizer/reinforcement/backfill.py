"""Backfill (补位 / move-up): after units leave for an incident, move a few idle units
(standby, available, on patrol) to fill the hole, a small maximal-covering model.

Demand is the zones' risk of the hour at their centroids; a zone counts as covered within a
ring when some covering unit reaches it in that many minutes. Candidate moves are the idle
units nearest to sites (zone centroids and standby points) from which a zone of the hole can
be reached. Only zones within reach of a candidate site or a candidate unit can change; the
rest is constant.

Objective, lexicographic: (1) covered risk summed over the rings (weighted), (2) fewest
moves, (3) least move time. Rules: at most `max_moves` moves; a unit moves at most once;
a unit stays in its county (`same_county`); patrol units leave a zone only down to its min
presence.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from optimizer.cpsat import status_of
from optimizer.reinforcement.coverage import (
    DEFAULT_RINGS,
    DemandPoints,
    coverage_figures,
    covering_mask,
    demand_points,
    eta_matrix,
)
from optimizer.reinforcement.eta import distance_km
from optimizer.reinforcement.forces import MOVABLE, UnitState
from optimizer.reinforcement.instance import DispatchInstance
from optimizer.reinforcement.results import BackfillResult, Move
from optimizer.reinforcement.selection import _Model
from optimizer.result import SolveStatus
from optimizer.scenario import PostKind

SHARE_SCALE = 1_000_000


@dataclass(frozen=True)
class BackfillOptions:
    rings: tuple[float, ...] = DEFAULT_RINGS
    ring_weights: tuple[float, ...] | None = None  # default: every ring counts the same
    max_moves: int = 3
    max_move_minutes: float = 20.0
    units_per_site: int = 6
    max_sites: int = 40
    same_county: bool = True
    time_limit_seconds: float = 5.0
    num_workers: int = 1
    random_seed: int = 0


@dataclass(frozen=True)
class Sites:
    ids: list[str]
    points: np.ndarray
    county: list[str | None]


@dataclass
class _Moves:
    """Candidate moves (unit index, site index) with their travel minutes."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    minutes: list[float] = field(default_factory=list)


def backfill_sites(inst: DispatchInstance, demand: DemandPoints) -> Sites:
    """Where a unit may be moved: zone centroids and standby points."""
    ids, pts, county = list(demand.ids), [tuple(p) for p in demand.points], list(demand.county)
    for post in inst.scenario.posts:
        if post.kind == PostKind.STANDBY_POINT:
            ids.append(post.id)
            pts.append(tuple(post.location))
            county.append(inst.scenario.county_of(post.jurisdiction_id))
    return Sites(ids, np.asarray(pts, dtype=float).reshape(-1, 2), county)


def _hole(
    inst: DispatchInstance,
    demand: DemandPoints,
    before: np.ndarray,
    after: np.ndarray,
    rings: Sequence[float],
) -> np.ndarray:
    """Zones covered before the dispatch but not after, in some ring."""
    eb = _best(inst, demand, before)
    ea = _best(inst, demand, after)
    out = np.zeros(len(demand.ids), dtype=bool)
    for r in rings:
        out |= (eb <= r) & (ea > r)
    return out


def _best(inst: DispatchInstance, demand: DemandPoints, mask: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return np.full(len(demand.ids), np.inf)
    e = eta_matrix(
        inst.positions[idx],
        inst.has_vehicle[idx],
        inst.turnout[idx],
        demand.points,
        inst.options.travel,
    )
    return e.min(axis=0)


def _candidate_moves(
    inst: DispatchInstance,
    sites: Sites,
    site_idx: np.ndarray,
    movers: np.ndarray,
    opts: BackfillOptions,
) -> _Moves:
    moves = _Moves()
    travel = inst.options.travel
    for s in site_idx:
        km = distance_km(inst.positions[movers], sites.points[s : s + 1])[:, 0]
        speed = np.where(inst.has_vehicle[movers], travel.vehicle_kmh, travel.foot_kmh)
        minutes = km * travel.circuity / speed * 60.0
        ok = minutes <= opts.max_move_minutes
        if opts.same_county and sites.county[s] is not None:
            ok &= np.asarray(
                [inst.units[i].county_id in (None, sites.county[s]) for i in movers], dtype=bool
            )
        order = [k for k in np.argsort(minutes, kind="stable") if ok[k]][: opts.units_per_site]
        for k in order:
            moves.pairs.append((int(movers[k]), int(s)))
            moves.minutes.append(float(minutes[k]))
    return moves


def suggest_backfill(
    inst: DispatchInstance,
    dispatched: Sequence[str],
    options: BackfillOptions | None = None,
) -> BackfillResult:
    """Moves of idle units that restore the 3- and 5-minute coverage lost when `dispatched`
    units leave. `inst` describes the units before the dispatch."""
    t0 = time.perf_counter()
    opts = options or BackfillOptions()
    rings = opts.rings
    weights = opts.ring_weights or tuple(1.0 for _ in rings)
    demand = demand_points(inst.scenario, inst.at)
    before_mask = covering_mask(inst)
    after_mask = covering_mask(inst, dispatched)
    before = coverage_figures(inst, demand, before_mask, rings)
    after = coverage_figures(inst, demand, after_mask, rings)
    standby_turnout = inst.options.turnout_minutes.get(UnitState.STANDBY, 1.0)

    def done(status: SolveStatus, moves: list[Move], moved: dict[int, tuple[float, float]], n: int):
        final = coverage_figures(inst, demand, after_mask, rings, moved, standby_turnout)
        score = sum(w * final.shares[f"{r:g}"] for r, w in zip(rings, weights, strict=True))
        return BackfillResult(
            status=status,
            objective=round(score, 6),
            bound=round(score, 6) if status == SolveStatus.OPTIMAL else None,
            gap=0.0 if status == SolveStatus.OPTIMAL else None,
            bound_source="CP-SAT",
            objective_terms={
                "covered_share_weighted": round(score, 6),
                "moves": float(len(moves)),
                "move_minutes": round(sum(m.travel_minutes for m in moves), 2),
            },
            solve_seconds=time.perf_counter() - t0,
            num_workers=opts.num_workers,
            before=before,
            after_dispatch=after,
            after_moves=final,
            moves=moves,
            candidate_moves=n,
        )

    hole = _hole(inst, demand, before_mask, after_mask, rings)
    if not hole.any() or opts.max_moves == 0:
        return done(SolveStatus.OPTIMAL, [], {}, 0)

    sites = backfill_sites(inst, demand)
    vehicle_kmh = inst.options.travel.vehicle_kmh
    hole_pts = demand.points[hole]
    reach = np.zeros(len(sites.ids))
    for k, (lon, lat) in enumerate(hole_pts):
        km = distance_km(sites.points, np.asarray([[lon, lat]]))[:, 0]
        minutes = standby_turnout + km * inst.options.travel.circuity / vehicle_kmh * 60.0
        reach += np.where(minutes <= max(rings), demand.risk[hole][k], 0.0)
    site_idx = np.flatnonzero(reach > 0)
    site_idx = site_idx[np.argsort(-reach[site_idx], kind="stable")][: opts.max_sites]

    gone = set(dispatched)
    movers = np.asarray(
        [
            i
            for i, (u, st) in enumerate(zip(inst.units, inst.states, strict=True))
            if st.status in MOVABLE and u.id not in gone and after_mask[i]
        ],
        dtype=np.int64,
    )
    cand = _candidate_moves(inst, sites, site_idx, movers, opts) if len(movers) else _Moves()
    if not cand.pairs:
        return done(SolveStatus.OPTIMAL, [], {}, 0)

    cand_units = sorted({u for u, _ in cand.pairs})
    # coverage of every unit that stays put, and of each candidate move
    all_idx = np.flatnonzero(after_mask)
    e_now = eta_matrix(
        inst.positions[all_idx],
        inst.has_vehicle[all_idx],
        inst.turnout[all_idx],
        demand.points,
        inst.options.travel,
    )
    row = {int(i): k for k, i in enumerate(all_idx)}
    cand_set = set(cand_units)
    fixed_rows = [row[int(i)] for i in all_idx if int(i) not in cand_set]
    e_site = {}
    for u, s in cand.pairs:
        e_site[(u, s)] = eta_matrix(
            sites.points[s : s + 1],
            inst.has_vehicle[u : u + 1],
            np.asarray([standby_turnout]),
            demand.points,
            inst.options.travel,
        )[0]

    m = _Model()
    y = [m.new_bool_var(f"move_{inst.units[u].id}_to_{sites.ids[s]}") for u, s in cand.pairs]
    moved = {u: [] for u in cand_units}
    for k, (u, _) in enumerate(cand.pairs):
        moved[u].append(y[k])
    for u in cand_units:
        m.add_at_most_one(moved[u])
    m.add(sum(y) <= opts.max_moves)
    add_zone_presence_moves(m, inst, moved)

    total_risk = float(demand.risk.sum())
    cover_terms = []
    for r, w in zip(rings, weights, strict=True):
        fixed = (
            (e_now[fixed_rows] <= r).any(axis=0) if fixed_rows else np.zeros(len(demand.ids), bool)
        )
        for z in range(len(demand.ids)):
            if fixed[z] or demand.risk[z] <= 0:
                continue
            stay = [u for u in cand_units if e_now[row[u], z] <= r]
            arrive = [y[k] for k, pair in enumerate(cand.pairs) if e_site[pair][z] <= r]
            if not stay and not arrive:
                continue
            c = m.new_bool_var(f"cover_{r:g}_{demand.ids[z]}")
            # covered if a unit that covers it stays, or a move brings one in
            m.add(c <= sum(1 - sum(moved[u]) for u in stay) + sum(arrive))
            cover_terms.append(round(w * demand.risk[z] / total_risk * SHARE_SCALE) * c)
    move_s = [round(x * 60) for x in cand.minutes]
    time_ub = sum(sorted(move_s)[-opts.max_moves :]) + 1
    big = (opts.max_moves + 1) * time_ub
    m.maximize(
        big * sum(cover_terms)
        - time_ub * sum(y)
        - sum(t * v for t, v in zip(move_s, y, strict=True))
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = opts.num_workers
    solver.parameters.random_seed = opts.random_seed
    solver.parameters.max_time_in_seconds = opts.time_limit_seconds
    status = status_of(solver.solve(m))
    if status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return done(status, [], {}, len(cand.pairs))
    moves: list[Move] = []
    new_pos: dict[int, tuple[float, float]] = {}
    for k, (u, s) in enumerate(cand.pairs):
        if solver.boolean_value(y[k]):
            to = (float(sites.points[s][0]), float(sites.points[s][1]))
            new_pos[u] = to
            moves.append(
                Move(
                    unit_id=inst.units[u].id,
                    name=inst.units[u].name,
                    status=inst.states[u].status.value,
                    from_position=(float(inst.positions[u][0]), float(inst.positions[u][1])),
                    to_site=sites.ids[s],
                    to_position=to,
                    travel_minutes=round(cand.minutes[k], 2),
                )
            )
    return done(status, moves, new_pos, len(cand.pairs))


def add_zone_presence_moves(
    model: cp_model.CpModel, inst: DispatchInstance, moved: dict[int, list[cp_model.IntVar]]
) -> None:
    """Patrol units leave a zone only down to its min presence."""
    for group in inst.groups:
        if group.kind != "zone_presence":
            continue
        inside = [(i, w) for i, w in zip(group.members, group.weights, strict=True) if i in moved]
        if sum(w for _, w in inside) > group.cap:
            model.add(sum(w * sum(moved[i]) for i, w in inside) <= group.cap)
