"""Drill sessions as iCalendar (RFC 5545), for Outlook and phones.

Every event carries a stable UID derived from the session id, so re-publishing a schedule
updates the events already imported instead of duplicating them; the SEQUENCE grows with the
schedule's revision; a cancelled session is published as STATUS:CANCELLED. Times are local
times in the scenario's zone (Asia/Shanghai), with its VTIMEZONE included.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

import icalendar

from optimizer.drill_format import DrillSession, SessionStatus
from optimizer.drills.names import CalendarNames
from optimizer.drills.texts import kind_zh, note_zh
from optimizer.scenario import Scenario

PRODID = "-//pingan//drill schedule//ZH"
UID_DOMAIN = "drills.pingan"

_STATUS = {
    SessionStatus.SCHEDULED: "CONFIRMED",
    SessionStatus.DONE: "CONFIRMED",
    SessionStatus.MISSED: "CANCELLED",
    SessionStatus.CANCELLED: "CANCELLED",
}


def session_uid(session_id: str) -> str:
    return f"{session_id}@{UID_DOMAIN}"


def _aware(t: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return t.astimezone(tz) if t.tzinfo else t.replace(tzinfo=tz)


def sessions_to_ics(
    names: Scenario | CalendarNames,
    sessions: Iterable[DrillSession],
    *,
    name: str = "演练日程",
    revision: int = 0,
    stamp: dt.datetime | None = None,
) -> bytes:
    """An iCalendar file of these sessions (one VEVENT each); `names` (or the scenario) name
    what they refer to."""
    if isinstance(names, Scenario):
        names = CalendarNames.of(names)
    tz = zoneinfo.ZoneInfo(names.timezone)
    stamp = stamp or dt.datetime.now(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", names.timezone)
    for s in sessions:
        title, kind = names.types.get(s.drill_type_id, (s.drill_type_id, ""))
        who = "、".join(names.units.get(u, u) for u in s.unit_ids)
        ev = icalendar.Event()
        ev.add("uid", session_uid(s.id))
        ev.add("dtstamp", stamp)
        ev.add("sequence", revision)
        ev.add("dtstart", _aware(s.start, tz))
        ev.add("dtend", _aware(s.end, tz))
        ev.add("summary", f"{title} — {who}")
        ev.add("status", _STATUS[s.status])
        if kind:
            ev.add("categories", [kind_zh(kind)])
        venue = names.venues.get(s.venue_id or "")
        if venue is not None:
            ev.add("location", venue[0])
            if venue[1] is not None:
                ev.add("geo", (venue[1][1], venue[1][0]))
        lines = [f"单位: {who}", f"人数: {s.participants}"]
        if s.instructor_id in names.instructors:
            lines.append(f"教官: {names.instructors[s.instructor_id]}")
        lines.append(f"任务: {s.requirement_id} ({s.occurrence})")
        if s.note:
            lines.append(note_zh(s.note))
        ev.add("description", "\n".join(lines))
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()


def sessions_from_ics(data: bytes) -> list[dict[str, object]]:
    """The events of an iCalendar file as plain dicts (uid, start, end, summary, status,
    location) — for round-trip tests and for checking what phones will show."""
    cal = icalendar.Calendar.from_ical(data)
    out = []
    for ev in cal.walk("VEVENT"):
        out.append(
            {
                "uid": str(ev["uid"]),
                "start": ev.decoded("dtstart"),
                "end": ev.decoded("dtend"),
                "summary": str(ev["summary"]),
                "status": str(ev.get("status", "")),
                "location": str(ev.get("location", "")),
                "sequence": int(ev.get("sequence", 0)),
            }
        )
    return out
