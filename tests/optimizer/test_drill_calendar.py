"""Working days (holidays, 调休, the loaded notice, the fallback) and the drills due."""

from __future__ import annotations

import datetime as dt

from optimizer.drill_format import CalendarDay, DrillRequirement, DrillSession, DrillSetup
from optimizer.drills.occurrences import due_occurrences, period_of, periods_between
from optimizer.workdays import work_calendar
from tests.optimizer.drill_cases import live_fire


def test_national_day_is_off_and_the_adjusted_saturday_works() -> None:
    cal = work_calendar(dt.date(2026, 9, 28), dt.date(2026, 10, 13))
    assert cal.sources == {2026: "chinese_calendar"}
    assert not cal.warnings
    assert cal.is_working(dt.date(2026, 9, 30))
    assert not any(cal.is_working(dt.date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working(dt.date(2026, 10, 10))  # a Saturday made a working day (调休)
    assert not cal.is_working(dt.date(2026, 10, 11))
    assert cal.name(dt.date(2026, 10, 1)) == "国庆节"
    assert cal.name(dt.date(2026, 10, 1), "en") == "National Day"
    assert cal.name(dt.date(2026, 10, 10)) == "国庆节（调休上班）"
    assert cal.name(dt.date(2026, 10, 10), "en") == "National Day (adjusted working day)"


def test_unpublished_year_falls_back_to_holidays_with_a_warning() -> None:
    cal = work_calendar(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert cal.sources == {2027: "holidays"}
    (warning,) = cal.warnings
    assert "adjusted working days are unknown" in warning and "2027" in warning
    assert not cal.is_working(dt.date(2027, 5, 3))  # Labour Day holiday, a Monday
    assert not cal.is_working(dt.date(2027, 5, 8))  # a Saturday; 调休 unknown, so off
    assert cal.is_working(dt.date(2027, 5, 6))
    assert cal.name(dt.date(2027, 1, 1)) == "元旦"  # the holidays package's Chinese names
    assert cal.name(dt.date(2027, 1, 1), "en") == "New Year's Day"


def test_a_loaded_notice_rules_its_year() -> None:
    notice = [
        CalendarDay(date=dt.date(2027, 5, 3), working=False, name="劳动节"),
        CalendarDay(date=dt.date(2027, 5, 8), working=True, name="劳动节调休"),
    ]
    cal = work_calendar(dt.date(2027, 5, 1), dt.date(2027, 5, 10), notice)
    assert cal.sources == {2027: "notice"} and not cal.warnings
    assert cal.is_working(dt.date(2027, 5, 8))
    assert not cal.is_working(dt.date(2027, 5, 3))
    assert cal.is_working(dt.date(2027, 5, 4))  # not in the notice: a plain Tuesday


def test_periods() -> None:
    assert period_of(dt.date(2026, 12, 9), "week").key == "2026-W50"
    assert period_of(dt.date(2026, 12, 9), "month").start == dt.date(2026, 12, 1)
    q = period_of(dt.date(2026, 11, 30), "quarter")
    assert (q.key, q.start, q.end) == ("2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    h = period_of(dt.date(2027, 7, 1), "half_year")
    assert (h.key, h.end) == ("2027-H2", dt.date(2028, 1, 1))
    assert [
        p.key for p in periods_between(dt.date(2026, 12, 15), dt.date(2027, 2, 2), "month")
    ] == [
        "2026-12",
        "2027-01",
        "2027-02",
    ]


def _setup(sessions: list[DrillSession] | None = None, **req: object) -> DrillSetup:
    r = {"id": "R", "drill_type_id": "LF", "unit_ids": ["S1"], "count": 2, "per": "month"} | req
    return DrillSetup(
        types=[live_fire()], requirements=[DrillRequirement(**r)], sessions=sessions or []
    )


def _session(occ: str, status: str, day: dt.date) -> DrillSession:
    start = dt.datetime.combine(day, dt.time(8))
    return DrillSession(
        id=occ,
        occurrence=occ,
        requirement_id="R",
        drill_type_id="LF",
        unit_ids=["S1"],
        start=start,
        end=start + dt.timedelta(hours=4),
        status=status,
    )


def test_whole_periods_are_due_in_full_and_the_last_one_pro_rata() -> None:
    occ, _ = due_occurrences(_setup(), dt.date(2027, 1, 1), dt.date(2027, 2, 15))
    keys = [o.key for o in occ]
    # January in full; half of February has passed by the end: one of two
    assert keys == ["R/2027-01/1", "R/2027-01/2", "R/2027-02/1"]
    jan1 = occ[0]
    assert jan1.window == (dt.datetime(2027, 1, 1), dt.datetime(2027, 2, 1))
    assert jan1.ideal.date() == dt.date(2027, 1, 8)  # spread: a quarter into the month


def test_done_drills_count_and_missed_ones_are_due_again() -> None:
    history = [
        _session("R/2026-12/1", "done", dt.date(2026, 12, 8)),
        _session("R/2026-12/2", "missed", dt.date(2026, 12, 22)),
        _session("R/2027-01/1", "done", dt.date(2027, 1, 5)),
    ]
    occ, warnings = due_occurrences(_setup(history), dt.date(2027, 1, 10), dt.date(2027, 2, 1))
    keys = {o.key: o for o in occ}
    assert set(keys) == {"R/2026-12/2", "R/2027-01/2"}
    makeup = keys["R/2026-12/2"]
    assert makeup.makeup and makeup.window[0] == dt.datetime(2027, 1, 10)
    assert makeup.session_id == "R/2026-12/2#2"  # a new event; the missed one stays on record
    assert not warnings


def test_a_published_drill_keeps_its_id_and_a_cancelled_one_gets_a_new_one() -> None:
    history = [
        _session("R/2027-01/1", "scheduled", dt.date(2027, 1, 12)),
        _session("R/2027-01/2", "cancelled", dt.date(2027, 1, 26)),
    ]
    occ, _ = due_occurrences(_setup(history), dt.date(2027, 1, 10), dt.date(2027, 2, 1))
    by_key = {o.key: o for o in occ}
    assert by_key["R/2027-01/1"].published is not None
    assert by_key["R/2027-01/1"].session_id == "R/2027-01/1"
    assert by_key["R/2027-01/2"].published is None
    assert by_key["R/2027-01/2"].session_id == "R/2027-01/2#2"


def test_stale_scheduled_drills_in_the_past_count_with_a_warning() -> None:
    history = [_session("R/2027-01/1", "scheduled", dt.date(2027, 1, 5))]
    occ, warnings = due_occurrences(_setup(history), dt.date(2027, 1, 10), dt.date(2027, 2, 1))
    assert [o.key for o in occ] == ["R/2027-01/2"]
    assert len(warnings) == 1 and "done or missed" in warnings[0]
