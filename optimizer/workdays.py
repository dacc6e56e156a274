"""Which days are working days in mainland China: public holidays and adjusted working days
(调休, weekend days that become working days).

Sources, most trusted first, per calendar year:
1. the State Council notice loaded by an administrator (`CalendarDay` rows in the scenario);
2. `chinese_calendar`, which knows holidays and 调休 for the years already published;
3. the `holidays` package's CN calendar, which knows the holidays of any year but not the
   adjusted working days — a warning says so, and asks for the year's notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
import holidays

from optimizer.drill_format import CalendarDay


@dataclass
class WorkCalendar:
    working: dict[dt.date, bool]
    names: dict[dt.date, str]
    sources: dict[int, str] = field(default_factory=dict)  # year → where its days came from
    warnings: list[str] = field(default_factory=list)

    def is_working(self, day: dt.date) -> bool:
        return self.working[day]


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day < end:
        yield day
        day += dt.timedelta(days=1)


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def work_calendar(start: dt.date, end: dt.date, notice: Iterable[CalendarDay] = ()) -> WorkCalendar:
    """Working days of [start, end)."""
    official = {c.date: c for c in notice}
    official_years = {d.year for d in official}
    cal = WorkCalendar({}, {})
    fallback: dict[int, holidays.HolidayBase] = {}
    for day in _days(start, end):
        year = day.year
        if year in official_years:
            cal.sources[year] = "notice"
            entry = official.get(day)
            cal.working[day] = entry.working if entry else day.weekday() < 5
            if entry and entry.name:
                cal.names[day] = entry.name
        elif _library_knows(year):
            cal.sources[year] = "chinese_calendar"
            cal.working[day] = chinese_calendar.is_workday(day)
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if name and (on_holiday or cal.working[day]):
                cal.names[day] = str(name) + ("" if on_holiday else " (调休上班)")
        else:
            cal.sources[year] = "holidays"
            if year not in fallback:
                fallback[year] = holidays.country_holidays("CN", years=year)
            name = fallback[year].get(day)
            cal.working[day] = day.weekday() < 5 and name is None
            if name:
                cal.names[day] = str(name)
    for year, source in sorted(cal.sources.items()):
        if source == "holidays":
            cal.warnings.append(
                f"{year}: the State Council holiday notice is not loaded and chinese_calendar does "
                f"not know {year} yet — public holidays come from the `holidays` package and "
                "adjusted working days (调休) are unknown; load the year's notice"
            )
    return cal
