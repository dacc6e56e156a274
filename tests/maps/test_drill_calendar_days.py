"""The drill calendar's days: a busy day is a count that expands (not sixty entries stacked),
a quiet day shows its drills at once; the recording form offers only what the service allows,
and "done" / "missed" only once the drill has started; statuses are said in words."""

from __future__ import annotations

import datetime as dt
import re

from maps.drill_calendar import drill_calendar_html
from optimizer.drill_format import DrillSession, SessionStatus
from optimizer.drills.names import CalendarNames

DAY = dt.date(2026, 12, 9)
NAMES = CalendarNames(
    "Asia/Shanghai",
    {"LF": ("实弹射击", "live_fire")},
    {f"U{i}": f"{i}中队" for i in range(60)},
    {"V1": ("靶场", None)},
    {},
)
ALLOWED = {
    "scheduled": {"done", "missed", "cancelled"},
    "done": {"missed"},
    "missed": {"done"},
    "cancelled": set(),
}


def session(i: int, day: dt.date = DAY, status: str = "scheduled") -> DrillSession:
    start = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=i)
    return DrillSession(
        id=f"S{i}",
        occurrence=f"O{i}",
        requirement_id="R",
        drill_type_id="LF",
        unit_ids=[f"U{i}"],
        start=start,
        end=start + dt.timedelta(hours=2),
        venue_id="V1",
        status=SessionStatus(status),
    )


def page(sessions: list[DrillSession], now: dt.datetime, can_record: bool = True) -> str:
    return drill_calendar_html(
        sessions,
        NAMES,
        month=DAY.replace(day=1),
        lang="zh",
        nav="",
        can_record=can_record,
        csrf="tok",
        now=now,
        allowed=ALLOWED,
    )


def day_cell(html: str, day: dt.date) -> str:
    match = re.search(rf'data-date="{day.isoformat()}">(.*?)</td>', html, re.S)
    assert match
    return match.group(1)


def test_a_busy_day_is_a_count_that_expands_and_a_quiet_day_is_open() -> None:
    quiet = DAY + dt.timedelta(days=1)
    html = page(
        [*(session(i) for i in range(60)), session(60, quiet), session(61, quiet)],
        now=dt.datetime(2026, 12, 1),
    )
    busy = day_cell(html, DAY)
    assert '<details class="pa-day-list">' in busy and 'class="pa-day-count">60<' in busy
    calm = day_cell(html, quiet)
    assert '<details class="pa-day-list" open>' in calm and 'class="pa-day-count">2<' in calm
    assert "<details" not in day_cell(html, DAY + dt.timedelta(days=2))


def test_the_recording_form_offers_what_may_happen_next() -> None:
    before = page([session(0)], now=dt.datetime(2026, 12, 8, 23))
    assert 'value="cancelled"' in before and 'value="done"' not in before
    assert 'value="missed"' not in before and 'name="csrf_token" value="tok"' in before
    after = page([session(0)], now=dt.datetime(2026, 12, 9, 9))
    assert all(f'value="{s}"' in after for s in ("done", "missed", "cancelled"))
    done = page([session(0, status="done")], now=dt.datetime(2026, 12, 10))
    assert 'value="missed"' in done and 'value="done"' not in done and "已完成" in done
    cancelled = page([session(0, status="cancelled")], now=dt.datetime(2026, 12, 10))
    assert "pa-record" not in cancelled and "已取消" in cancelled
    viewer = page([session(0)], now=dt.datetime(2026, 12, 10), can_record=False)
    assert "pa-record" not in viewer and "htmx.min.js" not in viewer
