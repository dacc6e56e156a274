"""Explanations of a suggestion: each unit's ETA and what it brings, and for each need when
it is met, how that compares with the best time any allowed units could manage, and why a
need is short."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from optimizer.messages import msg, render_msg
from optimizer.reinforcement.forces import TIERS
from optimizer.reinforcement.results import NeedReport, Suggestion, UnitChoice

if TYPE_CHECKING:
    from optimizer.reinforcement.instance import DispatchInstance

NEED_LABELS = {"headcount": "people", "armed": "armed", "vehicles": "vehicles"}


def need_label(dim: str) -> str:
    return NEED_LABELS.get(dim, dim.removeprefix("skill:"))


def best_possible_minutes(
    inst: DispatchInstance, dim: str, amount: int, eta_min: np.ndarray, mask: np.ndarray
) -> float | None:
    """Earliest time the allowed units could meet one need by themselves (floors ignored)."""
    cand = np.flatnonzero(mask)
    order = cand[np.argsort(eta_min[cand], kind="stable")]
    cum = np.cumsum(inst.resource(dim)[order])
    k = int(np.searchsorted(cum, amount))
    return None if k >= len(order) else round(float(eta_min[order[k]]), 2)


def _choice(
    inst: DispatchInstance, i: int, eta: float, tier: int, needs: dict[str, int]
) -> UnitChoice:
    u = inst.units[i]
    st = inst.states[i]
    skills = {k: v for k, v in sorted(u.skills.items())}
    covers = [need_label(d) for d in needs if int(inst.resource(d)[i]) > 0]
    bits = [f"{u.headcount} people"]
    if u.armed:
        bits.append(f"{u.armed} armed")
    bits += [f"{k}×{v}" for k, v in skills.items() if f"skill:{k}" in needs]
    if u.vehicles:
        bits.append(f"{u.vehicles} vehicle{'s' if u.vehicles > 1 else ''}")
    where = f" at {st.target_id}" if st.target_id else ""
    return UnitChoice(
        unit_id=u.id,
        name=u.name,
        force=u.force.value,
        status=st.status.value,
        tier=TIERS[tier],
        eta_minutes=round(eta, 2),
        headcount=u.headcount,
        armed=u.armed,
        skills=skills,
        vehicles=u.vehicles,
        covers=covers,
        reason=f"ETA {eta:.1f} min ({st.status.value}{where}, {TIERS[tier].value} force); "
        f"brings {', '.join(bits)}",
    )


def describe_suggestion(
    inst: DispatchInstance,
    p: object,
    chosen: list[int],
    needs: dict[str, int],
    eta_min: np.ndarray,
    tier: np.ndarray,
    mask: np.ndarray,
    rank: int,
) -> Suggestion:
    """A ranked suggestion from positions `chosen` in the solved prefix `p`."""
    target = inst.options.target_minutes
    idx = [int(p.idx[k]) for k in chosen]  # type: ignore[attr-defined]
    idx.sort(key=lambda i: (eta_min[i], inst.units[i].id))
    units = [_choice(inst, i, float(eta_min[i]), int(tier[i]), needs) for i in idx]
    reports = []
    shortfall = 0
    for dim, amount in needs.items():
        res = inst.resource(dim)
        provided = int(sum(int(res[i]) for i in idx))
        met_at = None
        running = 0
        for i in idx:
            running += int(res[i])
            if running >= amount:
                met_at = round(float(eta_min[i]), 2)
                break
        best = best_possible_minutes(inst, dim, amount, eta_min, mask)
        if met_at is None:
            shortfall += amount - provided
            if best is None:
                available = int(res[mask].sum())
                message = msg("need.short_tier", n=amount - provided, available=available)
            else:
                message = msg("need.short_rules", n=amount - provided)
        elif met_at > target:
            message = msg("need.late", target=f"{target:g}", best=f"{best:.1f}")
        else:
            message = None
        note = render_msg(message, "en") if message else ""
        reports.append(
            NeedReport(
                need=dim,
                requested=amount,
                provided=provided,
                met_at_minutes=met_at,
                best_possible_minutes=best,
                within_target=met_at is not None and met_at <= target,
                note=note,
                note_code=message["code"] if message else "",
                note_params=message["params"] if message else {},
            )
        )
    etas = [float(eta_min[i]) for i in idx]
    eta_s = [round(e * 60.0) for e in etas]
    return Suggestion(
        rank=rank,
        units=units,
        arrival_minutes=round(max(etas, default=0.0), 2),
        first_arrival_minutes=round(min(etas), 2) if etas else None,
        unit_count=len(idx),
        headcount=sum(inst.units[i].headcount for i in idx),
        shortfall=shortfall,
        needs=reports,
        objective_key=[
            float(shortfall),
            float(max(eta_s, default=0)),
            float(len(idx)),
            float(sum(int(tier[i]) for i in idx)),
            float(sum(eta_s)),
        ],
    )
