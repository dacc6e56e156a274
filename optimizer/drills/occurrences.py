"""From duties to drills: every requirement ("live-fire twice a month") becomes the list of
drills due inside the horizon, each with its window, its evenly spread ideal time, and the
published session it should keep if there is one.

A drill duty of a calendar period is identified by its occurrence key `R/2026-12/2`. Done
sessions fulfil their occurrence; missed and cancelled ones leave it due again — a missed drill
of a period already over is made up as soon as possible (its window starts with the horizon).
For periods that run past the horizon's end only the share already elapsed is due now; the
rest is left for the next schedule.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from optimizer.drill_format import (
    DrillRequirement,
    DrillSession,
    DrillSetup,
    DrillType,
    Period,
    SessionStatus,
)

MAKEUP_LOOKBACK_DAYS = 92  # missed drills of periods that ended longer ago are not made up
MAKEUP_WINDOW_DAYS = 14


@dataclass(frozen=True)
class CalendarPeriod:
    key: str
    start: dt.date
    end: dt.date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass
class Occurrence:
    key: str
    requirement: DrillRequirement
    dtype: DrillType
    window: tuple[dt.datetime, dt.datetime]
    ideal: dt.datetime
    spacing_days: float  # the even spacing of this duty (for the spread tolerance)
    makeup: bool = False
    published: DrillSession | None = None
    session_id: str = ""


def period_of(day: dt.date, per: Period) -> CalendarPeriod:
    if per == "week":
        start = day - dt.timedelta(days=day.weekday())
        iso = start.isocalendar()
        return CalendarPeriod(f"{iso.year}-W{iso.week:02d}", start, start + dt.timedelta(days=7))
    if per == "year":
        return CalendarPeriod(f"{day.year}", dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1))
    months = {"month": 1, "quarter": 3, "half_year": 6}[per]
    first = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first, 1)
    nxt = first + months
    end = dt.date(day.year + (nxt > 12), (nxt - 1) % 12 + 1, 1)
    label = {
        "month": f"{day.year}-{first:02d}",
        "quarter": f"{day.year}-Q{(first - 1) // 3 + 1}",
        "half_year": f"{day.year}-H{(first - 1) // 6 + 1}",
    }[per]
    return CalendarPeriod(label, start, end)


def periods_between(start: dt.date, end: dt.date, per: Period) -> list[CalendarPeriod]:
    out = []
    p = period_of(start, per)
    while p.start < end:
        out.append(p)
        p = period_of(p.end, per)
    return out


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def occurrence_key(requirement_id: str, period_key: str, n: int) -> str:
    return f"{requirement_id}/{period_key}/{n}"


def due_occurrences(
    setup: DrillSetup, start: dt.date, end: dt.date
) -> tuple[list[Occurrence], list[str]]:
    """The drills due in [start, end), and warnings about the history."""
    types = {t.id: t for t in setup.types}
    by_occ: dict[str, list[DrillSession]] = defaultdict(list)
    for s in setup.sessions:
        by_occ[s.occurrence].append(s)
    horizon_start = _at(start)
    warnings: list[str] = []
    stale = [
        s for s in setup.sessions if s.status == SessionStatus.SCHEDULED and s.start < horizon_start
    ]
    if stale:
        warnings.append(
            f"{len(stale)} drills before {start} are still 'scheduled' (counted as done): "
            "record them as done or missed"
        )

    def fulfilled(key: str) -> bool:
        return any(
            s.status == SessionStatus.DONE
            or (s.status == SessionStatus.SCHEDULED and s.start < horizon_start)
            for s in by_occ.get(key, [])
        )

    def published(key: str) -> DrillSession | None:
        live = [s for s in by_occ.get(key, []) if s.status == SessionStatus.SCHEDULED]
        return live[-1] if live else None

    def session_id(key: str) -> str:
        pub = published(key)
        if pub is not None:
            return pub.id
        tries = len(by_occ.get(key, []))
        return key if tries == 0 else f"{key}#{tries + 1}"

    out: list[Occurrence] = []
    for r in setup.requirements:
        dtype = types[r.drill_type_id]
        # make-ups: missed drills of periods that ended before the horizon
        lookback = start - dt.timedelta(days=MAKEUP_LOOKBACK_DAYS)
        for p in periods_between(lookback, start, r.per):
            if p.end > start:
                continue
            for n in range(1, r.count + 1):
                key = occurrence_key(r.id, p.key, n)
                missed = any(s.status == SessionStatus.MISSED for s in by_occ.get(key, []))
                if missed and not fulfilled(key):
                    w_end = min(end, start + dt.timedelta(days=MAKEUP_WINDOW_DAYS + r.min_gap_days))
                    out.append(
                        Occurrence(
                            key,
                            r,
                            dtype,
                            (horizon_start, _at(w_end)),
                            horizon_start,
                            p.days / r.count,
                            makeup=True,
                            published=published(key),
                            session_id=session_id(key),
                        )
                    )
        for p in periods_between(start, end, r.per):
            if p.end <= end:
                due_total = r.count
            else:  # the share of the period elapsed by the horizon's end
                due_total = math.floor(r.count * (end - p.start).days / p.days + 1e-9)
            w0, w1 = max(p.start, start), min(p.end, end)
            spacing = p.days / r.count
            done = [n for n in range(1, r.count + 1) if fulfilled(occurrence_key(r.id, p.key, n))]
            todo = [n for n in range(1, r.count + 1) if n not in done]
            for n in todo[: max(0, due_total - len(done))]:
                key = occurrence_key(r.id, p.key, n)
                ideal = _at(p.start) + dt.timedelta(days=spacing * (n - 0.5))
                ideal = min(max(ideal, _at(w0)), _at(w1) - dt.timedelta(hours=1))
                out.append(
                    Occurrence(
                        key,
                        r,
                        dtype,
                        (_at(w0), _at(w1)),
                        ideal,
                        spacing,
                        published=published(key),
                        session_id=session_id(key),
                    )
                )
    return out, warnings


def last_done_start(
    setup: DrillSetup, requirement_id: str, before: dt.datetime
) -> dt.datetime | None:
    """When the last fulfilled drill of a duty before `before` started (for the minimum gap)."""
    starts = [
        s.start
        for s in setup.sessions
        if s.requirement_id == requirement_id
        and s.status in (SessionStatus.DONE, SessionStatus.SCHEDULED)
        and s.start < before
    ]
    return max(starts) if starts else None
