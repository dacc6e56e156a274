"""Drill schedules and sessions.

POST /drills/schedules/solve → 202 with the job (`Location: /jobs/{id}`; progress, cancel
and result as for patrol plans); the job keeps its result as a draft schedule;
POST /drills/schedules/{id}/publish publishes it. GET /drills/sessions lists sessions (unit,
venue, from/to, status), POST /drills/sessions/record records one as done, missed or
cancelled, GET /drills/sessions.ics is the iCalendar file of the same selection.
GET/PUT /drills/holiday-notice/{year}: the holiday notice of a year; GET/PUT /drills/settings:
working hours, start times and objective weights of the drill solves. GET /drills/reminders:
the morning reminders per unit. Everyone reads; commanders and training officers write."""

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request, Response

from api import audit
from api.deps import DrillWriter, Reader, SessionDep, SettingsDep
from api.errors import ApiError, FieldError
from api.events import publish
from api.routers.plans import JobPublic, RowId
from api.schemas.common import Page
from api.schemas.drills import (
    DrillScheduleDetail,
    DrillSchedulePublic,
    DrillSettingsBody,
    HolidayNotice,
    HolidayNoticePublic,
    PublishResult,
    RecordSession,
    ReminderPublic,
    SessionPublic,
    in_range,
)
from api.solves import DrillScheduleRequest
from optimizer.drill_format import CalendarDay, DrillSettings, SessionStatus
from rosters import drills as svc
from rosters.drill_db import drill_settings
from rosters.models.drills import DrillSchedule

router = APIRouter(prefix="/drills", tags=["drills"])
Year = Annotated[int, Path(ge=1949, le=2200, description="the notice's year")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Code = Annotated[str | None, Query(max_length=64, description="code")]


@router.post(
    "/schedules/solve",
    status_code=202,
    response_model=JobPublic,
    summary="Make a drill schedule (background job)",
)
def solve_schedule(
    request: Request,
    response: Response,
    session: SessionDep,
    who: DrillWriter,
    body: DrillScheduleRequest,
) -> Any:
    job = request.app.state.jobs.submit(
        session, "drill_schedule", body.model_dump(mode="json"), who.name
    )
    audit.record(session, who, "solve", "job", job.id, after={"kind": job.kind, **job.params})
    session.commit()
    response.headers["Location"] = f"/jobs/{job.id}"
    session.refresh(job)
    return job


@router.get("/schedules", response_model=Page[DrillSchedulePublic], summary="Drill schedules")
def list_schedules(
    session: SessionDep,
    who: Reader,
    published: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    rows, total = svc.list_schedules(session, published=published, limit=limit, offset=offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


@router.get(
    "/schedules/{schedule_id}",
    response_model=DrillScheduleDetail,
    summary="A drill schedule with its proposed sessions",
)
def get_schedule(session: SessionDep, who: Reader, schedule_id: RowId) -> DrillSchedule:
    return svc.get_schedule(session, schedule_id)


@router.post(
    "/schedules/{schedule_id}/publish",
    response_model=PublishResult,
    summary="Publish a drill schedule (sessions kept by id; dropped ones cancelled)",
)
def publish_schedule(
    session: SessionDep, settings: SettingsDep, who: DrillWriter, schedule_id: RowId
) -> Any:
    report = svc.publish_schedule(session, schedule_id, tz=settings.timezone, by=who.name)
    audit.record(session, who, "publish", "drill_schedule", schedule_id, after=report)
    publish(
        session,
        "drill",
        {"action": "published", "schedule": schedule_id, "revision": report.revision},
    )
    session.commit()
    return report


def _window(
    settings: Any, since: dt.datetime | None, until: dt.datetime | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    zone = ZoneInfo(settings.timezone)

    def aware(t: dt.datetime | None, name: str) -> dt.datetime | None:
        if t is None:
            return None
        t = t if t.tzinfo else t.replace(tzinfo=zone)
        try:
            return in_range(t)
        except (ValueError, OverflowError) as exc:
            raise ApiError(
                422, f"{name}: {exc}", [FieldError(loc=["query", name], msg=str(exc))]
            ) from None

    return aware(since, "from"), aware(until, "to")


@router.get("/sessions", response_model=Page[SessionPublic], summary="Drill sessions")
def list_sessions(
    session: SessionDep,
    settings: SettingsDep,
    who: Reader,
    unit: Code = None,
    venue: Code = None,
    since: Annotated[
        dt.datetime | None, Query(alias="from", description="ending after (no offset = local)")
    ] = None,
    until: Annotated[
        dt.datetime | None, Query(alias="to", description="starting before (no offset = local)")
    ] = None,
    status: Annotated[list[SessionStatus] | None, Query(max_length=len(SessionStatus))] = None,
    id: Annotated[str | None, Query(max_length=128, description="one session by id")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    since, until = _window(settings, since, until)
    rows, total = svc.list_sessions(
        session,
        unit=unit,
        venue=venue,
        since=since,
        until=until,
        status=status or (),
        code=id,
        limit=limit,
        offset=offset,
    )
    items = svc.sessions_public(session, rows)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


ICS_MEDIA = "text/calendar; charset=utf-8"


def sessions_ics(
    session: SessionDep,
    settings: SettingsDep,
    who: Reader,
    unit: Code = None,
    venue: Code = None,
    since: Annotated[
        dt.datetime | None, Query(alias="from", description="ending after (no offset = local)")
    ] = None,
    until: Annotated[
        dt.datetime | None, Query(alias="to", description="starting before (no offset = local)")
    ] = None,
    status: Annotated[list[SessionStatus] | None, Query(max_length=len(SessionStatus))] = None,
) -> Response:
    """The selected sessions as an iCalendar file: one event per session, UID from the session
    id, so re-publishing updates the events already imported."""
    from optimizer.drills.ics import sessions_to_ics

    since, until = _window(settings, since, until)
    picked = svc.find_sessions(
        session,
        settings.timezone,
        unit=unit,
        venue=venue,
        since=since,
        until=until,
        status=status or (),
    )
    names = svc.calendar_names(session, settings.timezone)
    name = "演练日程" + (f" {unit}" if unit else "") + (f" {venue}" if venue else "")
    body = sessions_to_ics(names, picked, name=name, revision=svc.calendar_sequence(session))
    filename = "drills" + (f"-{unit}" if unit else "") + (f"-{venue}" if venue else "") + ".ics"
    return Response(
        body,
        media_type=ICS_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{_ascii(filename)}"'},
    )


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


router.add_api_route(
    "/sessions.ics",
    sessions_ics,
    methods=["GET"],
    response_class=Response,
    summary="Drill sessions as an iCalendar file (per unit, per venue or all)",
    responses={200: {"content": {ICS_MEDIA: {}}, "description": "an iCalendar file"}},
)


@router.post(
    "/sessions/record",
    response_model=SessionPublic,
    summary="Record a drill session as done, missed or cancelled",
)
def record_session(session: SessionDep, who: DrillWriter, body: RecordSession) -> Any:
    before = svc.sessions_public(session, [svc.get_session_row(session, body.session)])[0]
    row = svc.record_session(
        session, body.session, SessionStatus(body.status), note=body.note, by=who.name
    )
    after = svc.sessions_public(session, [row])[0]
    audit.record(
        session, who, body.status, "drill_session", body.session, before=before, after=after
    )
    publish(session, "drill", {"action": body.status, "session": body.session})
    session.commit()
    return after


def _days(session: Any, year: int) -> list[dict[str, Any]]:
    return [d.model_dump(mode="json") for d in svc.holiday_notice(session, year)]


@router.get(
    "/holiday-notice/{year}",
    response_model=HolidayNoticePublic,
    summary="The holiday notice of a year",
)
def get_notice(session: SessionDep, who: Reader, year: Year) -> dict[str, Any]:
    return {"year": year, "days": _days(session, year)}


@router.put(
    "/holiday-notice/{year}",
    response_model=HolidayNoticePublic,
    summary="Load the holiday notice of a year (replaces that year's days)",
)
def put_notice(session: SessionDep, who: DrillWriter, year: Year, body: HolidayNotice) -> Any:
    before = {"year": year, "days": _days(session, year)}
    days = [CalendarDay(**d.model_dump()) for d in body.days]
    svc.load_holiday_notice(session, year, days)
    after = {"year": year, "days": _days(session, year)}
    audit.record(session, who, "load", "holiday_notice", year, before=before, after=after)
    session.commit()
    return after


@router.get("/reminders", response_model=Page[ReminderPublic], summary="Drill reminders")
def list_reminders(
    session: SessionDep,
    who: Reader,
    unit: Code = None,
    day: dt.date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = svc.list_reminders(session, unit=unit, day=day, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/settings", response_model=DrillSettingsBody, summary="Drill scheduling settings")
def read_drill_settings(session: SessionDep, who: Reader) -> dict[str, Any]:
    return drill_settings(session).model_dump()


@router.put("/settings", response_model=DrillSettingsBody, summary="Change the drill settings")
def write_drill_settings(
    session: SessionDep, who: DrillWriter, given: DrillSettingsBody
) -> dict[str, Any]:
    body = DrillSettings.model_validate(given.model_dump())
    if body.working_until <= body.working_from:
        raise ApiError(
            422,
            "working_until must be after working_from",
            [FieldError(loc=["body", "working_until"], msg="must be after working_from")],
        )
    before = svc.save_drill_settings(session, body)
    audit.record(session, who, "update", "drill_settings", "drills", before=before, after=body)
    session.commit()
    return body.model_dump()
