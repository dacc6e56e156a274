"""Dependencies shared by the routers: the settings, the database session, who is calling
(`CurrentUser`, from a bearer token or an `X-API-Key`), and role checks (`require`)."""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.auth import (
    Principal,
    check_api_key,
    looks_like_api_key,
    principal_from_claims,
    signed_here,
    token_claims,
    touch_api_key,
)
from api.errors import ApiError
from api.known_keys import KnownKeys
from api.models import Role
from rosters.db import write_session
from rosters.settings import Settings

_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)

#: who may do what; admin may do everything
EVERYONE = frozenset(Role)
ROSTER_WRITE = frozenset({Role.COMMANDER})
DRILL_WRITE = frozenset({Role.COMMANDER, Role.TRAINING_OFFICER})
PLAN_WRITE = frozenset({Role.COMMANDER})
DISPATCH = frozenset({Role.COMMANDER, Role.DISPATCHER})
AUDIT_READ = frozenset({Role.COMMANDER})
ADMIN_ONLY: frozenset[Role] = frozenset()


# Dependencies that do no I/O are `async def`: FastAPI runs them in the event loop instead of
# sending each to a worker thread (a thread hop per dependency and request).


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine_dep(request: Request) -> Engine:
    return request.app.state.engine


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[Session]:
    """A session for the request. It takes a pooled connection only when first used, so a
    request never holds one while it is authenticated (authentication reads with a session of
    its own, closed at once) nor when it is refused: a request holds at most one connection.
    Requests that write take the write lock when their transaction begins (BEGIN IMMEDIATE on
    SQLite), so a write never fails half-way because another connection wrote since this one
    read. A write's is closed after the response (its objects, expired by its commit, are read
    again while the response is made); a read's earlier, by `get_session`."""
    engine: Engine = request.app.state.engine
    reads = request.method in READ_METHODS
    session = Session(engine) if reads else write_session(engine)  # no connection yet
    try:
        yield session
    finally:
        if not reads:
            await _close(session)


async def get_session(
    request: Request, session: Annotated[Session, Depends(_request_session)]
) -> AsyncIterator[Session]:
    """The request's session; a read's is closed as soon as its endpoint returns, so its
    connection goes back to the pool before the response is made and sent (a read changes
    nothing, and the tables have no lazy relationships: what it returns is all loaded)."""
    try:
        yield session
    finally:
        if request.method in READ_METHODS:
            await _close(session)


async def _close(session: Session) -> None:
    # closing returns the connection (I/O, so in a thread), on a limiter of its own as
    # FastAPI does for sync dependencies: a session still holding the SQLite write lock
    # must never wait for a thread held by a request that waits for that lock
    await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]


def _unauthorized(detail: str) -> ApiError:
    return ApiError(401, detail, headers={"WWW-Authenticate": "Bearer"})


def _key_lookup(engine: Engine, api_key: str) -> Principal | None:
    with Session(engine) as session:
        found = check_api_key(session, api_key)
    if found is None:
        return None
    who, stale = found
    if stale:
        # the write comes after the read session is closed: no connection of this request
        # holds a transaction while it waits for the write lock
        touch_api_key(engine, api_key)
    return who


def _user_lookup(engine: Engine, claims: dict[str, Any]) -> Principal | None:
    # one query on a pooled connection, without an ORM session (a third of the cost)
    with engine.connect() as connection:
        return principal_from_claims(connection, claims)


async def _slow_down_guesses(request: Request) -> None:
    """A forged token or an unknown (or revoked) API key is answered only after
    `auth_failure_delay_seconds`: a client guessing credentials one request after another
    gets one answer a second instead of hundreds, and takes no CPU from the others meanwhile
    (the wait holds no thread and no connection). An expired or logged-out token of ours is
    refused at once."""
    delay = request.app.state.settings.auth_failure_delay_seconds
    if delay:
        await asyncio.sleep(delay)


async def authenticate_request(
    request: Request,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The caller, from `Authorization: Bearer <token>` or `X-API-Key: <key>`. A forged or
    expired token, a malformed key and a key of no active key's prefix are refused in the
    event loop, without a thread or a database connection; only the lookup of the user or
    key (its token version, whether it is active) reads the database, in a worker thread."""
    engine: Engine = request.app.state.engine
    if api_key:
        known: KnownKeys = request.app.state.known_keys
        who = (
            await run_in_threadpool(_key_lookup, engine, api_key)
            if looks_like_api_key(api_key) and await known.may_be_active(request, api_key)
            else None
        )
        if who is None:
            await _slow_down_guesses(request)
            raise _unauthorized("the API key is not valid")
        return who
    if token:
        secret = request.app.state.settings.secret_key
        claims = token_claims(secret, token)
        who = await run_in_threadpool(_user_lookup, engine, claims) if claims else None
        if who is None:
            if not signed_here(secret, token):
                await _slow_down_guesses(request)
            raise _unauthorized("the token is not valid or has expired: log in again")
        return who
    raise _unauthorized("log in first (Authorization: Bearer <token>) or send X-API-Key")


CurrentUser = Annotated[Principal, Depends(authenticate_request)]


def require(roles: frozenset[Role]) -> Callable[[Principal], Coroutine[None, None, Principal]]:
    """A dependency that lets through admins and the given roles, and refuses others (403)."""
    allowed = roles | {Role.ADMIN}

    async def check(who: CurrentUser) -> Principal:
        if who.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise ApiError(403, f"role {who.role.value} may not do this (allowed: {names})")
        return who

    return check


Reader = Annotated[Principal, Depends(require(EVERYONE))]
RosterWriter = Annotated[Principal, Depends(require(ROSTER_WRITE))]
DrillWriter = Annotated[Principal, Depends(require(DRILL_WRITE))]
Planner = Annotated[Principal, Depends(require(PLAN_WRITE))]
Dispatcher = Annotated[Principal, Depends(require(DISPATCH))]
AuditReader = Annotated[Principal, Depends(require(AUDIT_READ))]
Admin = Annotated[Principal, Depends(require(ADMIN_ONLY))]
