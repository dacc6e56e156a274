"""Logging in, with guessing locked out: after `PINGAN_LOGIN_MAX_FAILURES` wrong passwords for
one username, or `PINGAN_LOGIN_MAX_FAILURES_PER_ADDRESS` from one client address, within
`PINGAN_LOGIN_WINDOW_SECONDS`, further attempts are refused (429 with `Retry-After`) until
enough failures have aged out of the window — even with the right password. Each lockout is
written to the audit log. Failures are rows of `login_failure`, so every server process
counts the same (two processes on PostgreSQL share one count).

The password is checked (argon2, deliberately slow) outside any write transaction: only the
short insert of a failure, or the clearing of a username's failures after a success, writes.
One path serves POST /auth/token and the page login."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api import audit
from api.auth import authenticate
from api.models import LoginFailure, User, utcnow
from rosters.db import session_scope
from rosters.settings import Settings


class LoginLocked(Exception):
    """Too many failed logins: try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins: try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Count:
    failures: int
    retry_after: int  # seconds until below the limit; 0 when not locked


def _count(session: Session, column: object, value: str, limit: int, settings: Settings) -> _Count:
    """Failures of a username or an address in the window, and how long it stays locked."""
    now = utcnow()
    window = dt.timedelta(seconds=settings.login_window_seconds)
    times = list(
        session.execute(
            select(LoginFailure.at)
            .where(column == value, LoginFailure.at > now - window)  # type: ignore[arg-type,operator]
            .order_by(LoginFailure.at.desc())  # type: ignore[attr-defined]
            .limit(limit)
        ).scalars()
    )
    if len(times) < limit:
        return _Count(len(times), 0)
    oldest = times[-1] if times[-1].tzinfo else times[-1].replace(tzinfo=dt.UTC)
    return _Count(len(times), max(1, math.ceil((oldest + window - now).total_seconds())))


def _counts(session: Session, settings: Settings, username: str, address: str) -> list[_Count]:
    return [
        _count(session, LoginFailure.username, username, settings.login_max_failures, settings),
        _count(
            session,
            LoginFailure.address,
            address,
            settings.login_max_failures_per_address,
            settings,
        ),
    ]


def _note_failure(engine: Engine, settings: Settings, username: str, address: str) -> int:
    """Record a failure; returns the lockout it starts (seconds) or 0, auditing a lockout."""
    with session_scope(engine) as session:
        before = _counts(session, settings, username, address)
        window = dt.timedelta(seconds=settings.login_window_seconds)
        session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - window))  # type: ignore[arg-type]
        session.add(LoginFailure(username=username, address=address))
        session.flush()
        after = _counts(session, settings, username, address)
        locked = max(c.retry_after for c in after)
        for what, value, was, now in zip(
            ("username", "address"), (username, address), before, after, strict=True
        ):
            if now.retry_after and not was.retry_after:
                audit.record_system(
                    session,
                    actor=f"address:{address}",
                    action="lockout",
                    entity=f"login_{what}",
                    entity_id=value,
                    after={
                        "username": username,
                        "address": address,
                        "failures": now.failures,
                        "window_seconds": settings.login_window_seconds,
                        "retry_after_seconds": now.retry_after,
                    },
                )
        return locked


def log_in(engine: Engine, settings: Settings, username: str, password: str, address: str) -> User:
    """The user with these credentials. Raises `LoginLocked` when the username or the
    address is locked out (or this failure locks it), `PermissionError` for wrong
    credentials."""
    username = username[:64]
    address = (address or "unknown")[:64]
    with Session(engine) as session:
        counts = _counts(session, settings, username, address)
        locked = max(c.retry_after for c in counts)
        if locked:
            raise LoginLocked(locked)
        user = authenticate(session, username, password)
    if user is None:
        locked = _note_failure(engine, settings, username, address)
        if locked:
            raise LoginLocked(locked)
        raise PermissionError("wrong username or password")
    if counts[0].failures:
        with session_scope(engine) as session:
            session.execute(delete(LoginFailure).where(LoginFailure.username == username))  # type: ignore[arg-type]
    return user


def client_address(host: str | None) -> str:
    return (host or "unknown")[:64]
