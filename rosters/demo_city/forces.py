"""The demo city's forces, sized to the standards of the domain brief: patrol SWAT (50+ per
city and per county, in squads), county response teams (100+, in squads), township forces
(50+ per township), full-time patrol teams, police stations (≥6, ≥1.5 per 10,000 residents
in towns of 50,000+), grid workers (2 per urban grid) and volunteers (15+ per village)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from optimizer.scenario import Absence, AbsenceKind, Certification, Force, Person, Unit, Vehicle
from rosters.demo_city.geography import Area
from rosters.demo_city.names import person_name

SKILLS_BY_FORCE: dict[Force, tuple[tuple[str, float], ...]] = {
    Force.PATROL_SWAT: (
        ("firearms", 1.0),
        ("riot_control", 0.9),
        ("negotiation", 0.15),
        ("first_aid", 0.5),
    ),
    Force.COUNTY_RESPONSE: (
        ("riot_control", 0.8),
        ("water_rescue", 0.3),
        ("first_aid", 0.6),
        ("fire", 0.3),
        ("firearms", 0.5),
    ),
    Force.TOWNSHIP_FORCE: (("first_aid", 0.5), ("fire", 0.4), ("water_rescue", 0.15)),
    Force.FULL_TIME_PATROL: (("first_aid", 0.4),),
    Force.POLICE_STATION: (("firearms", 0.8), ("first_aid", 0.5), ("negotiation", 0.2)),
    Force.GRID_WORKER: (),
    Force.VOLUNTEER: (("first_aid", 0.1),),
}
ARMED_SHARE: dict[Force, float] = {
    Force.PATROL_SWAT: 1.0,
    Force.COUNTY_RESPONSE: 0.5,
    Force.POLICE_STATION: 0.8,
}
BADGE_PREFIX: dict[Force, str] = {
    Force.PATROL_SWAT: "62T",
    Force.COUNTY_RESPONSE: "62Y",
    Force.TOWNSHIP_FORCE: "62X",
    Force.FULL_TIME_PATROL: "62Z",
    Force.POLICE_STATION: "62P",
    Force.GRID_WORKER: "62W",
    Force.VOLUNTEER: "V",
}


CITY_POPULATION = 1_200_000


@dataclass(frozen=True)
class ForceSizes:
    city_swat: int = 60
    county_swat: int = 55
    swat_squad: int = 10
    county_response: int = 110
    response_squad: int = 12
    township_force: int = 52
    township_squad: int = 8
    full_time_patrol: int = 2_100  # city-wide; 7,000 in the plan target (000 §三(一)2)
    patrol_team: int = 6
    volunteers_per_village: int = 15
    volunteer_group: int = 8  # villager groups (村民小组) of ≥5
    grid_workers_urban: int = 2


class ForceBuilder:
    """Accumulates units, people, vehicles and absences with stable ids."""

    def __init__(
        self, rng: np.random.Generator, start: dt.date, days: int, badge_city: str = ""
    ) -> None:
        self.rng = rng
        self.badge_city = badge_city  # before every badge: unique across the cities of a province
        self.start = start
        self.days = days
        self.units: list[Unit] = []
        self.people: list[Person] = []
        self.vehicles: list[Vehicle] = []
        self.absences: list[Absence] = []
        self._serial: dict[str, int] = {}

    def _badge(self, force: Force) -> str:
        prefix = BADGE_PREFIX[force]
        self._serial[prefix] = self._serial.get(prefix, 0) + 1
        return f"{self.badge_city}{prefix}{self._serial[prefix]:05d}"

    def unit(
        self,
        uid: str,
        name: str,
        force: Force,
        area: Area,
        *,
        parent: str | None = None,
        squad: bool = False,
        base: tuple[float, float] | None = None,
        vehicles: int = 0,
    ) -> Unit:
        centre = base or area.centre
        unit = Unit(
            id=uid,
            name=name,
            force=force,
            jurisdiction_id=area.id,
            parent_id=parent,
            squad=squad,
            base=(round(centre[0], 5), round(centre[1], 5)),
            phone=f"0936-{8_000_000 + len(self.units):07d}",
        )
        self.units.append(unit)
        for k in range(vehicles):
            self.vehicles.append(Vehicle(id=f"{uid}-V{k + 1}", unit_id=uid, seats=5))
        return unit

    def people_of(self, unit: Unit, area: Area, count: int, *, spread_km: float = 3.0) -> None:
        rng = self.rng
        assert unit.base is not None
        armed_share = ARMED_SHARE.get(unit.force, 0.0)
        spread = spread_km / 100.0
        for _ in range(count):
            home = rng.normal(unit.base, spread)
            skills = [
                Certification(skill=skill, expires=self._expiry())
                for skill, share in SKILLS_BY_FORCE[unit.force]
                if rng.random() < share
            ]
            person = Person(
                id=self._badge(unit.force),
                name=person_name(rng),
                force=unit.force,
                unit_id=unit.id,
                jurisdiction_id=area.id,
                role="member",
                rank="" if unit.force == Force.VOLUNTEER else "警员",
                armed=bool(rng.random() < armed_share),
                skills=skills,
                home=(round(float(home[0]), 5), round(float(home[1]), 5)),
                phone=f"13{rng.integers(100_000_000, 999_999_999)}",
            )
            self.people.append(person)
            self._maybe_absent(person)
        if count and unit.force != Force.VOLUNTEER:  # the first member leads the unit
            leader = self.people[-count]
            leader.role = "leader"
            leader.rank = "警长"

    def _expiry(self) -> dt.date | None:
        r = self.rng.random()
        if r < 0.5:
            return None
        # most certificates valid for a year or two; about 5 % already expired
        return self.start + dt.timedelta(days=int(self.rng.integers(-60, 730)))

    def _maybe_absent(self, person: Person) -> None:
        r = self.rng.random()
        if r >= 0.06:
            return
        kind = (
            AbsenceKind.LEAVE
            if r < 0.04
            else (AbsenceKind.SICK if r < 0.055 else AbsenceKind.TRAINING)
        )
        first = int(self.rng.integers(0, self.days))
        length = int(self.rng.integers(1, 4))
        begin = dt.datetime.combine(self.start + dt.timedelta(days=first), dt.time(0))
        self.absences.append(
            Absence(
                person_id=person.id, start=begin, end=begin + dt.timedelta(days=length), kind=kind
            )
        )


def add_forces(b: ForceBuilder, city: Area, sizes: ForceSizes, *, with_city_level: bool) -> None:
    rng = b.rng
    if with_city_level:
        _squadded(
            b,
            f"XT-{city.id}",
            f"{city.jurisdiction.name}巡特警支队",
            Force.PATROL_SWAT,
            city,
            sizes.city_swat,
            sizes.swat_squad,
        )
    townships = [t for c in city.children for t in c.children]
    # the full-time patrol figure is city-wide: a partial city gets its population's share
    city_share = min(1.0, city.jurisdiction.population / CITY_POPULATION)
    patrol_per_town = _spread(
        round(sizes.full_time_patrol * city_share), [t.jurisdiction.population for t in townships]
    )
    for county in city.children:
        cname = county.jurisdiction.name
        _squadded(
            b,
            f"XT-{county.id}",
            f"{cname}巡特警大队",
            Force.PATROL_SWAT,
            county,
            sizes.county_swat,
            sizes.swat_squad,
        )
        _squadded(
            b,
            f"YJ-{county.id}",
            f"{cname}应急处突队",
            Force.COUNTY_RESPONSE,
            county,
            sizes.county_response,
            sizes.response_squad,
        )
        for town in county.children:
            tname = town.jurisdiction.name
            _squadded(
                b,
                f"XZ-{town.id}",
                f"{tname}应急队",
                Force.TOWNSHIP_FORCE,
                town,
                sizes.township_force,
                sizes.township_squad,
            )
            station = b.unit(
                f"PCS-{town.id}", f"{tname}派出所", Force.POLICE_STATION, town, vehicles=2
            )
            pop = town.jurisdiction.population
            officers = max(6, math.ceil(1.5 * pop / 10_000) if pop >= 50_000 else 6)
            b.people_of(station, town, officers + int(rng.integers(0, 3)))
            staff = patrol_per_town[townships.index(town)]
            teams = max(1, math.ceil(staff / sizes.patrol_team))
            parent = b.unit(f"ZX-{town.id}", f"{tname}专职巡防队", Force.FULL_TIME_PATROL, town)
            for k, size in enumerate(_spread(staff, [1] * teams)):
                team = b.unit(
                    f"ZX-{town.id}-{k + 1}",
                    f"{tname}巡防{k + 1}组",
                    Force.FULL_TIME_PATROL,
                    town,
                    parent=parent.id,
                    squad=True,
                    vehicles=1,
                )
                b.people_of(team, town, size)
            grid_unit = b.unit(f"WG-{town.id}", f"{tname}网格员队伍", Force.GRID_WORKER, town)
            for village in town.children:
                for grid in village.children:
                    n = sizes.grid_workers_urban if grid.jurisdiction.urban else 1
                    b.people_of(grid_unit, grid, n, spread_km=0.5)
                vols = b.unit(
                    f"YW-{village.id}",
                    f"{village.jurisdiction.name}义务巡逻队",
                    Force.VOLUNTEER,
                    village,
                )
                extra = (
                    int(rng.integers(0, 4))
                    if sizes.volunteers_per_village <= 15
                    else int(rng.integers(-10, 11))
                )
                total = sizes.volunteers_per_village + max(0, extra)
                groups = max(1, total // sizes.volunteer_group)
                for k, size in enumerate(_spread(total, [1] * groups)):
                    group = b.unit(
                        f"{vols.id}-{k + 1}",
                        f"{vols.name}第{k + 1}组",
                        Force.VOLUNTEER,
                        village,
                        parent=vols.id,
                        squad=True,
                    )
                    b.people_of(group, village, size, spread_km=0.8)


def _squadded(
    b: ForceBuilder, uid: str, name: str, force: Force, area: Area, total: int, squad_size: int
) -> None:
    parent = b.unit(uid, name, force, area, vehicles=2)
    squads = math.ceil(total / squad_size)
    for k, size in enumerate(_spread(total, [1] * squads)):
        squad = b.unit(
            f"{uid}-{k + 1}",
            f"{name}{k + 1}中队",
            force,
            area,
            parent=parent.id,
            squad=True,
            vehicles=2,
        )
        b.people_of(squad, area, size)


def _spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainders)."""
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - parts))[: total - parts.sum()]:
        parts[i] += 1
    return parts.tolist()
