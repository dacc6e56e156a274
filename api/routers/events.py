"""GET /events: live updates as Server-Sent Events (unit status, incidents, plans, jobs,
alerts). Resume with `Last-Event-ID` (or `after`). Browsers' EventSource cannot send
headers: a page's EventSource sends its login cookie (see `api.pages`), and other clients
may put the token in the query as `access_token`."""

import json
from typing import Annotated

from fastapi import APIRouter, Cookie, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from api.auth import principal_from_api_key, principal_from_token
from api.errors import ApiError
from api.events import KINDS, EventBus, events_after
from api.pages import COOKIE

router = APIRouter(tags=["live updates"])


def _check_caller(request: Request, token: str | None, api_key: str | None) -> None:
    with Session(request.app.state.engine) as session:
        who = None
        if api_key:
            who = principal_from_api_key(session, api_key)
            session.commit()
        elif token:
            who = principal_from_token(session, request.app.state.settings.secret_key, token)
    if who is None:
        raise ApiError(401, "log in first", headers={"WWW-Authenticate": "Bearer"})


@router.get(
    "/events",
    summary="Live updates (text/event-stream)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "an event stream"}},
)
async def stream(
    request: Request,
    kind: Annotated[
        list[str] | None, Query(description=f"only these kinds: {', '.join(KINDS)}")
    ] = None,
    after: Annotated[int | None, Query(ge=0, description="replay events after this id")] = None,
    access_token: Annotated[str | None, Query(description="token, for EventSource")] = None,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
    last_event_id: Annotated[str | None, Header()] = None,
    page_token: Annotated[
        str | None, Cookie(alias=COOKIE, description="a page's login cookie")
    ] = None,
) -> EventSourceResponse:
    token = access_token or page_token
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:]
    await run_in_threadpool(_check_caller, request, token, x_api_key)
    bus: EventBus = request.app.state.bus
    kinds = frozenset(kind or ())
    start = after
    if last_event_id and last_event_id.isdigit():
        start = int(last_event_id)
    sub = bus.subscribe(kinds)

    async def events():  # type: ignore[no-untyped-def]
        try:
            last = start if start is not None else bus.last_id
            if start is not None:
                for e in await run_in_threadpool(events_after, bus.engine, start, kinds):
                    last = e.id
                    yield {"id": str(e.id), "event": e.kind, "data": _data(e)}
            while True:
                e = await sub.queue.get()
                if e is None:  # the server ends the stream (`EventBus.close_streams`)
                    return
                if e.id <= last:
                    continue
                last = e.id
                yield {"id": str(e.id), "event": e.kind, "data": _data(e)}
        finally:
            bus.unsubscribe(sub)

    return EventSourceResponse(events(), ping=15)


def _data(e: object) -> str:
    return json.dumps(
        {"id": e.id, "at": e.at.isoformat(), "kind": e.kind, **e.payload},  # type: ignore[attr-defined]
        ensure_ascii=False,
    )
