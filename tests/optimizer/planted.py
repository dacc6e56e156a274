"""Patrol scenarios with a known optimum, planted: a plan is drawn first, keeping every labour
rule, and the demand is read off it, so a plan with full cover exists and the optimum of the
cover terms is 0 unmet. Over-demand variants add `extra` person-shifts where no plan can
staff them, so their minimal shortfall is provable:

- `no_spare`: every person of one county works the most shifts the shift-count rule allows in
  the drawn plan; `extra` more person-shifts of demand in that county cannot be met (people
  work only inside their county, and a post is never staffed beyond its cover).
- `crew_only`: in one shift of one county everyone but the drawn crew is absent; `extra` more
  person-shifts of demand in that shift cannot be met.

Every other objective weight is 0, so the optimum is `unmet × weights.unmet_post_cover` and
every plan's objective is a multiple of that weight. Used by the property tests and by
`benchmarks/bench_planted.py`.

    planted(seed, counties=2, people=12, days=3) -> Planted
    no_spare(seed, ..., extra=2) -> Planted
    crew_only(seed, ..., extra=2) -> Planted
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from optimizer.scenario import Assignment, Scenario, TaskKind, parse_scenario

START = dt.date(2026, 12, 7)  # a Monday
SHIFTS = [("N", "夜班", 0), ("D", "白班", 8), ("E", "中班", 16)]  # (id, name, start hour)
HOURS = 8
REST = 11  # hard minimum rest between shifts, hours
RUN = 3  # mixed cases: hard most working days in a row
UNMET = 10_000.0  # weights.unmet_post_cover: the price of each missing person-shift


@dataclass
class Planted:
    scenario: Scenario
    plan: list[Assignment]  # the drawn plan: every labour rule kept
    unmet: int  # person-shifts no plan can staff

    @property
    def optimum(self) -> float:
        return self.unmet * UNMET


def _max_shifts(days: int) -> int:
    return min(days, 5)


def _rest_ok(prev: int | None, shift: int) -> bool:
    """Shift index `shift` on a day after shift `prev` on the day before keeps REST hours."""
    if prev is None:
        return True
    end = SHIFTS[prev][2] + HOURS
    return SHIFTS[shift][2] + 24 - end >= REST


def _longest_run(on: set[int]) -> int:
    run = best = 0
    for day in range(max(on, default=-1) + 1):
        run = run + 1 if day in on else 0
        best = max(best, run)
    return best


def _draw_days(
    rng: random.Random, days: int, work: int, run: int | None = None
) -> list[int | None]:
    """The shift (index into SHIFTS) a person works each day, None off: `work` days, at most
    `run` in a row."""
    on = set(rng.sample(range(days), work))
    while run is not None and _longest_run(on) > run:
        on = set(rng.sample(range(days), work))
    out: list[int | None] = []
    prev: int | None = None
    for day in range(days):
        if day not in on:
            out.append(None)
            prev = None
            continue
        shift = rng.choice([k for k in range(len(SHIFTS)) if _rest_ok(prev, k)])
        out.append(shift)
        prev = shift
    return out


def _base(
    seed: int,
    counties: int,
    people: int,
    days: int,
    posts: int,
    busy: int | None,
    slack: int = 2,
    mixed: bool = False,
) -> tuple[dict[str, Any], list[tuple[str, str, int, int, str]]]:
    """Scenario data without covers and the drawn plan as (person, county, day, shift, post);
    each person works between `slack` fewer than the most shifts allowed and the most, in
    county `busy` everyone the most. `mixed`: two forces, a third of the posts for each
    alone, and at most RUN working days in a row (a hard rule)."""
    rng = random.Random(seed)
    top = _max_shifts(days)
    run = RUN if mixed else None
    # the most days anyone can work: the shift count, and runs of at most RUN days
    most = min(top, days - days // (RUN + 1)) if mixed else top
    forces = ["county_response", "township_force"] if mixed else ["county_response"]
    data: dict[str, Any] = {
        "format": "pingan-scenario",
        "version": "1.0",
        "name": f"planted-{seed}",
        "horizon": {"start": START.isoformat(), "days": days},
        "jurisdictions": [{"id": "C", "name": "市", "level": "city"}],
        "units": [],
        "people": [],
        "shifts": [
            {"id": sid, "name": name, "start": f"{hour:02d}:00", "hours": HOURS}
            for sid, name, hour in SHIFTS
        ],
        "posts": [],
        "rules": [
            {"id": "rest", "kind": "min_rest", "hours": REST},
            {"id": "most", "kind": "shift_count", "max": top},
            *([{"id": "run", "kind": "consecutive_work_days", "max": RUN}] if mixed else []),
        ],
        "weights": {
            "unmet_post_cover": UNMET,
            "travel": 0,
            "fairness_hours": 0,
            "fairness_nights": 0,
            "fairness_weekends": 0,
            "continuity": 0,
        },
    }
    drawn = []
    for c in range(counties):
        county, town = f"K{c + 1}", f"T{c + 1}"
        lon, lat = 100.0 + c, 38.0
        data["jurisdictions"] += [
            {"id": county, "name": f"县{c + 1}", "level": "county", "parent_id": "C"},
            {"id": town, "name": f"镇{c + 1}", "level": "township", "parent_id": county},
        ]
        for f, force in enumerate(forces):
            data["units"].append(
                {
                    "id": f"U{c + 1}-{f}",
                    "name": f"{c + 1}大队{f}",
                    "force": force,
                    "jurisdiction_id": county,
                    "base": [lon, lat],
                }
            )
        post_ids = [f"P{c + 1}-{k + 1}" for k in range(posts)]
        open_to: dict[str, list[str]] = {}
        for k, pid in enumerate(post_ids):
            alone = mixed and k % 3 < len(forces) and k < posts - 1  # (the last: open to all)
            open_to[pid] = [forces[k % 3]] if alone else list(forces)
            data["posts"].append(
                {
                    "id": pid,
                    "name": f"卡点{c + 1}-{k + 1}",
                    "kind": "checkpoint",
                    "jurisdiction_id": town,
                    "location": [lon + 0.01 * k, lat + 0.01],
                    "min_staff": 1,
                    "hours": [[0, 24]],
                    "forces": open_to[pid],
                }
            )
        for n in range(people):
            pid = f"{c + 1}{n + 1:04d}"
            f = rng.randrange(len(forces))
            data["people"].append(
                {
                    "id": pid,
                    "name": f"警{pid}",
                    "force": forces[f],
                    "unit_id": f"U{c + 1}-{f}",
                    "jurisdiction_id": county,
                    "home": [lon, lat],
                }
            )
            mine = [post for post in post_ids if forces[f] in open_to[post]]
            work = most if c == busy else rng.randint(max(0, most - slack), most)
            for day, shift in enumerate(_draw_days(rng, days, work, run)):
                if shift is not None:
                    drawn.append((pid, county, day, shift, rng.choice(mine)))
    return data, drawn


def _finish(
    data: dict[str, Any],
    drawn: list[tuple[str, str, int, int, str]],
    extra: dict[tuple[str, int, int], int],
    unmet: int,
) -> Planted:
    """Covers read off the drawn plan (every post, day and shift; 0 where nobody works),
    plus `extra` on (post, day, shift)."""
    need: dict[tuple[str, int, int], int] = dict.fromkeys(
        (
            (p["id"], day, k)
            for p in data["posts"]
            for day in range(data["horizon"]["days"])
            for k in range(len(SHIFTS))
        ),
        0,
    )
    for _, _, day, shift, post in drawn:
        need[post, day, shift] += 1
    for key, more in extra.items():
        need[key] += more
    data["covers"] = [
        {
            "target_id": post,
            "date": (START + dt.timedelta(days=day)).isoformat(),
            "shift_id": SHIFTS[k][0],
            "required": n,
        }
        for (post, day, k), n in sorted(need.items())
    ]
    plan = [
        Assignment(
            person_id=pid,
            date=START + dt.timedelta(days=day),
            shift_id=SHIFTS[shift][0],
            task=TaskKind.POST,
            target_id=post,
        )
        for pid, _, day, shift, post in drawn
    ]
    return Planted(parse_scenario(data), plan, unmet)


def planted(
    seed: int,
    counties: int = 2,
    people: int = 12,
    days: int = 3,
    posts: int = 2,
    slack: int = 2,
    mixed: bool = False,
) -> Planted:
    """Demand read off a drawn plan: full cover exists, the optimum is 0."""
    data, drawn = _base(seed, counties, people, days, posts, None, slack, mixed)
    return _finish(data, drawn, {}, 0)


def no_spare(
    seed: int,
    counties: int = 2,
    people: int = 12,
    days: int = 3,
    posts: int = 2,
    extra: int = 2,
    slack: int = 2,
    mixed: bool = False,
) -> Planted:
    """County K1's people all work their most shifts; `extra` more person-shifts of demand
    there (spread over its posts and slots at random) stay unmet in every plan."""
    data, drawn = _base(seed, counties, people, days, posts, 0, slack, mixed)
    rng = random.Random(seed + 1)
    more: dict[tuple[str, int, int], int] = {}
    for _ in range(extra):
        key = (f"P1-{rng.randint(1, posts)}", rng.randrange(days), rng.randrange(len(SHIFTS)))
        more[key] = more.get(key, 0) + 1
    return _finish(data, drawn, more, extra)


def crew_only(
    seed: int,
    counties: int = 2,
    people: int = 12,
    days: int = 3,
    posts: int = 2,
    extra: int = 2,
    slack: int = 2,
    mixed: bool = False,
) -> Planted:
    """In one shift of county K1 everyone but the drawn crew is absent; `extra` more
    person-shifts of demand in that shift stay unmet in every plan."""
    data, drawn = _base(seed, counties, people, days, posts, None, slack, mixed)
    rng = random.Random(seed + 1)
    day, shift = rng.randrange(days), rng.randrange(len(SHIFTS))
    crew = {pid for pid, county, d, k, _ in drawn if county == "K1" and (d, k) == (day, shift)}
    begin = dt.datetime.combine(START + dt.timedelta(days=day), dt.time(SHIFTS[shift][2]))
    data["absences"] = [
        {
            "person_id": p["id"],
            "start": begin.isoformat(),
            "end": (begin + dt.timedelta(hours=HOURS)).isoformat(),
            "kind": "leave",
        }
        for p in data["people"]
        if p["jurisdiction_id"] == "K1" and p["id"] not in crew
    ]
    more = {(f"P1-{rng.randint(1, posts)}", day, shift): extra}
    return _finish(data, drawn, more, extra)


#: the skill the first post of every county requires of everyone on it (`with_real_demand`)
PLANTED_SKILL = "dog_handling"


def with_real_demand(case: Planted, seed: int) -> Planted:
    """The same case in scenario format 1.2 with real demand read off the drawn plan: about
    half the people armed and every cover asking for as many armed officers as the drawn
    plan has there; the first post of every county requires PLANTED_SKILL of everyone on
    it (held by everyone the drawn plan puts there and by a few others). The drawn plan
    still meets all of it, so the optimum is unchanged."""
    rng = random.Random(seed + 2)
    data = case.scenario.model_dump(mode="json")
    data["version"] = "1.2"
    on_first = {a.person_id for a in case.plan if a.target_id.endswith("-1")}
    armed: set[str] = set()
    for p in data["people"]:
        p["armed"] = rng.random() < 0.5
        if p["armed"]:
            armed.add(p["id"])
        if p["id"] in on_first or rng.random() < 0.2:
            p["skills"] = [{"skill": PLANTED_SKILL, "expires": None}]
    for post in data["posts"]:
        if post["id"].endswith("-1"):
            post["required_skills"] = [PLANTED_SKILL]
    crews: dict[tuple[str, str, str], int] = {}
    for a in case.plan:
        key = (a.target_id, a.date.isoformat(), a.shift_id)
        crews[key] = crews.get(key, 0) + (a.person_id in armed)
    for cover in data["covers"]:
        cover["armed"] = crews.get((cover["target_id"], cover["date"], cover["shift_id"]), 0)
    return Planted(parse_scenario(data), case.plan, case.unmet)
