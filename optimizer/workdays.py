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
    """`names`: the holidays and adjusted working days in Chinese (元旦, 春节（调休上班）);
    `names_en` the same in English (a loaded notice's names are the same in both)."""

    working: dict[dt.date, bool]
    names: dict[dt.date, str]
    sources: dict[int, str] = field(default_factory=dict)  # year → where its days came from
    warnings: list[str] = field(default_factory=list)
    names_en: dict[dt.date, str] = field(default_factory=dict)

    def is_working(self, day: dt.date) -> bool:
        return self.working[day]

    def name(self, day: dt.date, lang: str = "zh") -> str:
        """The day's holiday name in `lang` ("" for an ordinary day)."""
        return (self.names_en if lang == "en" else self.names).get(day, "")


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
    fallback: dict[tuple[int, str], holidays.HolidayBase] = {}

    def named(day: dt.date, zh: str, en: str) -> None:
        cal.names[day], cal.names_en[day] = zh, en

    for day in _days(start, end):
        year = day.year
        if year in official_years:
            cal.sources[year] = "notice"
            entry = official.get(day)
            cal.working[day] = entry.working if entry else day.weekday() < 5
            if entry and entry.name:
                named(day, entry.name, entry.name)
        elif _library_knows(year):
            cal.sources[year] = "chinese_calendar"
            cal.working[day] = chinese_calendar.is_workday(day)
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if name and (on_holiday or cal.working[day]):
                zh = getattr(chinese_calendar.Holiday(name), "chinese", str(name))
                if on_holiday:
                    named(day, zh, str(name))
                else:
                    named(day, f"{zh}（调休上班）", f"{name} (adjusted working day)")
        else:
            cal.sources[year] = "holidays"
            for lang in ("zh_CN", "en_US"):
                if (year, lang) not in fallback:
                    fallback[year, lang] = holidays.country_holidays(
                        "CN", years=year, language=lang
                    )
            name = fallback[year, "zh_CN"].get(day)
            cal.working[day] = day.weekday() < 5 and name is None
            if name:
                named(day, str(name), str(fallback[year, "en_US"].get(day) or name))
    for year, source in sorted(cal.sources.items()):
        if source == "holidays":
            cal.warnings.append(
                f"{year}: the State Council holiday notice is not loaded and the built-in "
                f"calendar does not know {year} yet — public holidays are the usual ones and "
                "adjusted working days are unknown; load the year's notice"
            )
    return cal
