"""GET /events: live updates as Server-Sent Events (unit status, incidents, plans, jobs,
alerts). Resume with `Last-Event-ID` (or `after`). Browsers' EventSource cannot send
headers: a page's EventSource sends its login cookie (see `api.pages`); other clients send
`Authorization: Bearer` or `X-API-Key`. A token is never taken from the URL (URLs end up in
access logs and browser history).

An open stream checks its caller again every `PINGAN_STREAM_CHECK_SECONDS` and ends when the
token has expired or was outdated (password change, deactivation, logout) or the API key was
revoked."""

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Cookie, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from api.auth import principal_from_api_key, principal_from_token
from api.errors import ApiError
from api.events import KINDS, EventBus, end_stream, events_after
from api.pages import COOKIE

router = APIRouter(tags=["live updates"])


def _caller_valid(request: Request, token: str | None, api_key: str | None) -> bool:
    with Session(request.app.state.engine) as session:
        who = None
        if api_key:
            who = principal_from_api_key(session, api_key)
        elif token:
            who = principal_from_token(session, request.app.state.settings.secret_key, token)
    return who is not None


def _check_caller(request: Request, token: str | None, api_key: str | None) -> None:
    if not _caller_valid(request, token, api_key):
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
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
    last_event_id: Annotated[str | None, Header()] = None,
    page_token: Annotated[
        str | None, Cookie(alias=COOKIE, description="a page's login cookie")
    ] = None,
) -> EventSourceResponse:
    token = page_token
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:]
    await run_in_threadpool(_check_caller, request, token, x_api_key)
    bus: EventBus = request.app.state.bus
    kinds = frozenset(kind or ())
    start = after
    if last_event_id and last_event_id.isdigit():
        start = int(last_event_id)
    sub = bus.subscribe(kinds)
    every = request.app.state.settings.stream_check_seconds

    async def watch() -> None:
        """End the stream once its caller is no longer valid."""
        while True:
            await asyncio.sleep(every)
            if not await run_in_threadpool(_caller_valid, request, token, x_api_key):
                end_stream(sub)
                return

    async def events():  # type: ignore[no-untyped-def]
        watcher = asyncio.create_task(watch())
        try:
            last = start if start is not None else bus.last_id
            if start is not None:
                for e in await run_in_threadpool(events_after, bus.engine, start, kinds):
                    last = e.id
                    yield {"id": str(e.id), "event": e.kind, "data": _data(e)}
            while True:
                e = await sub.queue.get()
                if e is None:  # the server or the watcher ends the stream
                    return
                if e.id <= last:
                    continue
                last = e.id
                yield {"id": str(e.id), "event": e.kind, "data": _data(e)}
        finally:
            watcher.cancel()
            bus.unsubscribe(sub)

    return EventSourceResponse(events(), ping=15)


def _data(e: object) -> str:
    return json.dumps(
        {"id": e.id, "at": e.at.isoformat(), "kind": e.kind, **e.payload},  # type: ignore[attr-defined]
        ensure_ascii=False,
    )
