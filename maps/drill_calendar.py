"""The drill calendar page (演练日历): a month of drill sessions as a calendar grid — each day
shows how many drills it holds and expands (details/summary) to list them (time, drill, units,
venue, status in words), holidays and adjusted working days marked, filters by county, unit
and venue, previous/next month, the .ics download and a print style. Users who may record
drills get a small form on each session (done / missed / cancelled; a drill that has not
started cannot be done) posted with htmx: the answer is the session's entry
(`drill_session.html`, the same template the page includes).
A plain server-rendered page (no map); the data comes from the caller."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from maps.elements import script_json
from maps.labels import Lang, label
from maps.offline import current_base_url
from maps.pages import PAGES_CSS, PAGES_JS, render_template
from optimizer.drill_format import DrillSession
from optimizer.drills.names import CalendarNames
from optimizer.workdays import work_calendar


def month_start(text: str | None, today: dt.date) -> dt.date:
    """The first day of the month `YYYY-MM` (default: this month); ValueError if malformed."""
    if not text:
        return today.replace(day=1)
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def _shift(first: dt.date, months: int) -> dt.date:
    m = first.month - 1 + months
    return dt.date(first.year + m // 12, m % 12 + 1, 1)


#: a day with at most this many drills shows them at once; more are a count to expand
OPEN_UP_TO = 2
#: the statuses a recording form offers only once the drill has started
AFTER_START = frozenset({"done", "missed"})


def session_texts(lang: Lang) -> dict[str, str]:
    """The words of a session's entry and its recording form."""
    return {
        "note": label("page.drill_note", lang),
        "record": label("page.drill_record", lang),
        **{f"do_{k}": label(f"page.record_{k}", lang) for k in ("done", "missed", "cancelled")},
    }


def session_item(
    s: DrillSession,
    names: CalendarNames,
    lang: Lang,
    *,
    now: dt.datetime,
    allowed: Mapping[str, Collection[str]] | None = None,
) -> dict[str, Any]:
    """A session as its calendar entry shows it. ``allowed``: status → the statuses it may be
    recorded as next (the service's rule); ``now``: local time (a drill not started yet
    cannot be recorded done or missed)."""
    name, kind = names.types.get(s.drill_type_id, (s.drill_type_id, "other"))
    units = "、".join(names.units.get(u, u) for u in s.unit_ids)
    where = names.venues.get(s.venue_id or "", ("", None))[0]
    status = label(f"drill_status.{s.status.value}", lang)
    nexts = (allowed or {}).get(s.status.value, ())
    started = s.start <= now
    actions = [
        {"status": k, "label": label(f"page.record_{k}", lang)}
        for k in ("done", "missed", "cancelled")
        if k in nexts and (started or k not in AFTER_START)
    ]
    return {
        "id": s.id,
        "kind": kind,
        "status": s.status.value,
        "status_label": status,
        "time": f"{s.start:%H:%M}–{s.end:%H:%M}",
        "name": name,
        "units": units,
        "venue": where,
        "title": f"{name} · {units} · {where} · {status}",
        "actions": actions,
    }


def drill_calendar_html(
    sessions: Sequence[DrillSession],
    names: CalendarNames,
    *,
    month: dt.date,
    lang: Lang,
    nav: str,
    unit: str = "",
    venue: str = "",
    county: str = "",
    counties: Sequence[tuple[str, str]] = (),
    county_units: Collection[str] | None = None,
    action: str = "/pages/drills",
    ics_href: str = "/drills/sessions.ics",
    refresh_seconds: int = 600,
    can_record: bool = False,
    csrf: str = "",
    now: dt.datetime | None = None,
    allowed: Mapping[str, Collection[str]] | None = None,
) -> str:
    """The month page. ``county``: a county code, "all" or "" (no county filter);
    ``counties``: (code, name) choices; ``county_units``: the units of the chosen county (the
    unit choices, and the filter of the sessions shown)."""
    first = month.replace(day=1)
    nxt = _shift(first, 1)
    now = now or dt.datetime.now()
    cal = work_calendar(first - dt.timedelta(days=7), nxt + dt.timedelta(days=7))
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    shown = 0
    for s in sorted(sessions, key=lambda s: (s.start, s.id)):
        if unit and unit not in s.unit_ids:
            continue
        if venue and s.venue_id != venue:
            continue
        if county_units is not None and not set(s.unit_ids) & set(county_units):
            continue
        by_day[s.start.date()].append(session_item(s, names, lang, now=now, allowed=allowed))
        if first <= s.start.date() < nxt:
            shown += 1
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        row = []
        for day in week:
            working = cal.working.get(day, day.weekday() < 5)
            mark = ""
            if day in cal.names and working and day.weekday() >= 5:
                mark = label("page.workday", lang)  # an adjusted working day (调休)
            elif day in cal.names and not working:
                mark = label("page.holiday", lang)
            row.append(
                {
                    "date": day.isoformat(),
                    "num": day.day,
                    "in_month": day.month == first.month,
                    "off": not working,
                    "mark": mark,
                    "name": cal.name(day, lang),
                    "sessions": by_day.get(day, []),
                }
            )
        weeks.append(row)

    filters = {k: v for k, v in (("county", county), ("unit", unit), ("venue", venue)) if v}

    def href(m: dt.date) -> str:
        query = {"month": m.strftime("%Y-%m"), "lang": lang} | filters
        return f"{action}?{urlencode(query)}"

    ics_query = {k: v for k, v in (("unit", unit), ("venue", venue)) if v}
    base = current_base_url()
    data = {
        "page": "drills",
        "lang": lang,
        "session_url": "/pages/session",
        "login_url": "/pages/login",
        "refresh_seconds": refresh_seconds,
    }
    return render_template(
        "drills.html",
        data=script_json(data),
        lang=lang,
        title=f"{label('page.drills', lang)} · {label('app.title', lang)}",
        css=f"{base}/{PAGES_CSS}",
        js=f"{base}/{PAGES_JS}",
        nav=nav,
        heading=label("page.drills", lang),
        month=first.strftime("%Y-%m"),
        month_label=f"{first.year}年{first.month}月" if lang == "zh" else f"{first:%B %Y}",
        action=action,
        prev_href=href(_shift(first, -1)),
        next_href=href(nxt),
        prev_text=label("page.prev_month", lang),
        next_text=label("page.next_month", lang),
        unit_label=label("page.unit", lang),
        venue_label=label("page.venue", lang),
        all_text=label("page.all", lang),
        filter_text=label("page.filter", lang),
        units=[
            {"id": k, "name": v, "selected": k == unit}
            for k, v in sorted(names.units.items(), key=lambda kv: kv[0])
            if county_units is None or k in county_units
        ],
        county_label=label("field.county", lang),
        whole_city=label("page.whole_city", lang),
        counties=[{"id": k, "name": v, "selected": k == county} for k, v in counties],
        all_selected=county == "all",
        drills_word=label("page.drills_count", lang),
        open_up_to=OPEN_UP_TO,
        can_record=can_record,
        csrf=csrf,
        back=href(first),
        texts=session_texts(lang),
        venues=[
            {"id": k, "name": v[0], "selected": k == venue}
            for k, v in sorted(names.venues.items(), key=lambda kv: kv[0])
        ],
        ics_href=ics_href + (f"?{urlencode(ics_query)}" if ics_query else ""),
        ics_text=label("page.download_ics", lang),
        print_text=label("page.print", lang),
        count=f"{shown} {label('page.drills_count', lang)}",
        count_n=shown,
        empty_text=label("page.no_drills", lang),
        weekdays=[label(f"weekday.{i}", lang) for i in range(7)],
        weeks=weeks,
    )
