"""Independent checker for siting plans: reads only the instance and the result (never the
solver's variables) and lists every violation or mismatch it finds."""

from __future__ import annotations

import numpy as np

from optimizer.siting.problem import SitingInstance
from optimizer.siting.result import CoverageRing, MaxCoverResult, PMedianResult, SitingResult


def check_sites(inst: SitingInstance, result: SitingResult) -> list[str]:
    """p distinct known sites, existing ones kept, everyone assigned to a nearest open site."""
    problems: list[str] = []
    index = {sid: j for j, sid in enumerate(inst.site_ids)}
    unknown = [s for s in result.open_sites if s not in index]
    if unknown:
        return [f"unknown open sites {unknown}"]
    sites = [index[s] for s in result.open_sites]
    if len(set(sites)) != len(sites):
        problems.append("a site is opened twice")
    if len(sites) != inst.p:
        problems.append(f"{len(sites)} sites open, p = {inst.p}")
    for j in np.flatnonzero(inst.existing):
        if j not in sites:
            problems.append(f"existing site {inst.site_ids[j]} was closed")
    if not sites:
        return problems
    nearest = inst.cost[:, sites].min(axis=1)
    if set(result.assignment) != set(inst.demand_ids):
        problems.append("assignment does not cover exactly the demand points")
        return problems
    for i, did in enumerate(inst.demand_ids):
        j = index.get(result.assignment[did])
        if j not in sites:
            problems.append(f"{did} assigned to a closed site {result.assignment[did]}")
        elif inst.cost[i, j] > nearest[i] + 1e-9:
            problems.append(f"{did} assigned to {result.assignment[did]}, not its nearest site")
    return problems


def check_pmedian(inst: SitingInstance, result: PMedianResult) -> list[str]:
    problems = check_sites(inst, result)
    if problems:
        return problems
    sites = [inst.site_ids.index(s) for s in result.open_sites]
    value = float(inst.weights @ inst.cost[:, sites].min(axis=1))
    if result.objective is None or abs(value - result.objective) > 1e-6 * max(1.0, value):
        problems.append(f"objective {result.objective} but the plan costs {value}")
    if result.bound is not None and result.bound > value + 1e-6 * max(1.0, value):
        problems.append(f"bound {result.bound} above the plan's cost {value}")
    return problems


def check_max_cover(
    inst: SitingInstance, rings: list[CoverageRing], result: MaxCoverResult
) -> list[str]:
    problems = check_sites(inst, result)
    if problems:
        return problems
    sites = [inst.site_ids.index(s) for s in result.open_sites]
    nearest = inst.cost[:, sites].min(axis=1)
    value = 0.0
    for ring in rings:
        covered = float(inst.weights @ (nearest <= ring.minutes))
        value += ring.weight * covered
        if abs(result.covered.get(ring.label, -1.0) - covered) > 1e-6:
            problems.append(
                f"{ring.label}: reported {result.covered.get(ring.label)}, is {covered}"
            )
    if result.objective is None or abs(value - result.objective) > 1e-6 * max(1.0, value):
        problems.append(f"objective {result.objective} but the plan covers {value}")
    if result.bound is not None and result.bound < value - 1e-6 * max(1.0, value):
        problems.append(f"bound {result.bound} below the plan's coverage {value}")
    return problems
