"""Readiness: for each county's standby floor (备勤), how many people of the floor's forces
are on standby now (members of units whose live status is `standby`) against the floor
max(min_count, ⌈min_share × strength⌉), strength = people of those forces in the county's
subtree. Used by the readiness monitor (`api.scheduler`), which raises an alert event for each
shortfall."""

from __future__ import annotations

import math
from collections import Counter

from pydantic import BaseModel
from sqlmodel import Session, select

from dispatch.models import UnitStatus
from optimizer.reinforcement.forces import UnitState
from rosters.models import Jurisdiction, Person, StandbyFloor


class Readiness(BaseModel):
    county: str
    name: str
    required: int
    on_standby: int
    strength: int

    @property
    def short(self) -> int:
        return max(0, self.required - self.on_standby)


def standby_readiness(session: Session) -> list[Readiness]:
    jurs = session.exec(select(Jurisdiction)).all()
    parent = {j.id: j.parent_id for j in jurs}
    standby_units = set(
        session.exec(
            select(UnitStatus.unit_id).where(UnitStatus.status == UnitState.STANDBY.value)
        ).all()
    )

    def ancestors(jid: int | None) -> list[int]:
        out = []
        while jid is not None:
            out.append(jid)
            jid = parent.get(jid)
        return out

    strength: Counter[tuple[int, str]] = Counter()
    ready: Counter[tuple[int, str]] = Counter()
    for p in session.exec(select(Person)).all():
        for jid in ancestors(p.jurisdiction_id):
            strength[jid, p.force] += 1
            if p.unit_id in standby_units:
                ready[jid, p.force] += 1
    out = []
    for floor in session.exec(select(StandbyFloor)).all():
        j = session.get(Jurisdiction, floor.jurisdiction_id)
        total = sum(strength[floor.jurisdiction_id, f] for f in floor.forces)
        have = sum(ready[floor.jurisdiction_id, f] for f in floor.forces)
        need = max(floor.min_count, math.ceil(floor.min_share * total - 1e-9))
        out.append(
            Readiness(
                county=j.code if j else str(floor.jurisdiction_id),
                name=j.name if j else "",
                required=need,
                on_standby=have,
                strength=total,
            )
        )
    return out
