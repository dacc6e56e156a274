"""The prefixes of the active API keys, kept while the database's data stamp reads the same
(`api.stamp_reader`): a guessed key whose prefix is none of them is refused in the event loop,
without a worker thread or a database connection, so a flood of guesses costs the server
almost nothing. Any commit (a key made or revoked) changes the stamp, and the next key
request reads the prefixes again."""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.engine import Engine

from api.models import ApiKey


def _read_prefixes(engine: Engine) -> frozenset[str]:
    with engine.connect() as connection:
        rows = connection.execute(select(ApiKey.prefix).where(ApiKey.active))  # type: ignore[arg-type]
        return frozenset(prefix for (prefix,) in rows)


class KnownKeys:
    def __init__(self) -> None:
        self._stamp: str | None = None
        self._prefixes: frozenset[str] = frozenset()

    async def may_be_active(self, request: Request, key: str) -> bool:
        """False only when `key`'s prefix is certainly no active key's; `key` has the shape
        `auth.looks_like_api_key` checks."""
        stamps = request.app.state.stamps
        stamp = None if stamps is None else await stamps.read()
        if stamp is None:
            return True  # no stamp: the lookup decides
        if stamp != self._stamp:
            # read after the stamp: never older than it
            prefixes = await run_in_threadpool(_read_prefixes, request.app.state.engine)
            self._stamp, self._prefixes = stamp, prefixes
        return key.split("_", 2)[1] in self._prefixes
