"""Answers to the busiest reads kept while the database has not changed (an ASGI middleware).

A command centre's screens ask for the same lists over and over (incidents, units' status,
people, drill sessions, plans, jobs, the standards report) and the data changes far less
often than it is read. For the paths in `cached_paths()` — each answer a function of the
database, the query string and the caller's token alone, nothing of the clock — a 200 answer
is kept under the key (path, query, bearer token, Accept-Language) with the database's data
stamp read *before* the answer was computed (`api.stamp_reader`), and a later request with
the same key is answered from it when the stamp reads the same: nothing committed since, by
any process, so the route would read the same rows and make the same decision about the
caller (the token's user, its version and role are rows too: a logout, a password change or
a deactivation changes the stamp). The token's signature and expiry are checked on every
request here, before anything kept is sent; anything else (no token, an API key, a token
that fails the check, no stamp) goes to the routes as before.

A kept answer is never older than the data: the stamp was read before the route read its
rows, so they are at least that new. Kept per server process: at most `entries` answers of
at most `MAX_BODY` bytes each and `MAX_BYTES` in all (least recently used dropped). An answer
sent from them carries `X-Pingan-Cache: hit`."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import token_claims
from api.stamp_reader import StampReader

#: GET paths beside the roster lists whose 200 answer depends on the database, the query and
#: the caller's token only
OTHER_READS = ("/incidents", "/unit-status", "/drills/sessions", "/plans", "/jobs", "/standards")


def cached_paths() -> frozenset[str]:
    """`OTHER_READS` and every roster list (`api.crud.list_rows`: rows as they are)."""
    from api.drill_resources import DRILL_RESOURCES
    from api.resources import RESOURCES

    lists = (f"/{res.name}" for res in (*RESOURCES, *DRILL_RESOURCES))
    return frozenset((*lists, *OTHER_READS))


MAX_BODY = 1 << 20
#: the most bytes of answers kept by one process
MAX_BYTES = 64 << 20
#: on every answer sent from what was kept
HIT_HEADER = (b"x-pingan-cache", b"hit")

Key = tuple[str, bytes, bytes, bytes]


@dataclass(frozen=True)
class Kept:
    stamp: str
    start: Message
    body: bytes


class KeptAnswers:
    """The answers of one server process, the ones being computed (so that requests asking
    the same at the same stamp wait for the one computing it: after a commit, fifty clients
    of the same list cost one computation, not fifty), and how often they were used."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.hits = self.misses = self.bytes = 0
        self._kept: OrderedDict[Key, Kept] = OrderedDict()
        self._computing: dict[tuple[Key, str], asyncio.Future[Kept | None]] = {}

    async def get(self, key: Key, stamp: str) -> Kept | None:
        """The answer kept for `key` at `stamp`, or the one being computed (awaited), or None:
        then the caller computes it and must call `done`."""
        kept = self._kept.get(key)
        if kept is not None and kept.stamp == stamp:
            self._kept.move_to_end(key)
            self.hits += 1
            return kept
        computing = self._computing.get((key, stamp))
        if computing is not None:
            kept = await asyncio.shield(computing)
            if kept is not None:
                self.hits += 1
                return kept
        else:
            self._computing[key, stamp] = asyncio.get_running_loop().create_future()
        self.misses += 1
        return None

    def done(self, key: Key, stamp: str, kept: Kept | None) -> None:
        """The answer computed for `key` at `stamp` (None: not to be kept, e.g. not a 200)."""
        computing = self._computing.pop((key, stamp), None)
        if computing is not None and not computing.done():
            computing.set_result(kept)
        if kept is None:
            return
        old = self._kept.pop(key, None)
        self.bytes += len(kept.body) - (len(old.body) if old is not None else 0)
        self._kept[key] = kept
        while len(self._kept) > self.entries or self.bytes > MAX_BYTES:
            _, dropped = self._kept.popitem(last=False)
            self.bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._kept)


def _request_key(scope: Scope) -> tuple[Key, str] | None:
    """The key and the bearer token of a request this cache may answer, else None."""
    token, language = b"", b""
    for name, value in scope["headers"]:
        if name == b"authorization":
            token = value
        elif name == b"x-api-key":
            return None  # keys are looked up (and their use recorded) by the routes
        elif name == b"accept-language":
            language = value
    scheme, _, credentials = token.partition(b" ")
    if scheme.lower() != b"bearer" or not credentials:
        return None
    return (scope["path"], scope["query_string"], credentials, language), credentials.decode(
        "latin-1"
    )


async def _cacheable(scope: Scope) -> tuple[KeptAnswers, Key, str] | None:
    """The answers, the key and the stamp of a request the cache may answer; None sends it to
    the routes (no bearer token, an API key, a token that fails the check — refused there in
    the usual words —, no stamp, the cache switched off)."""
    state = scope["app"].state
    kept: KeptAnswers = state.read_cache
    stamps: StampReader | None = state.stamps
    if stamps is None or not kept.entries:
        return None
    found = _request_key(scope)
    if found is None or token_claims(state.settings.secret_key, found[1]) is None:
        return None
    stamp = await stamps.read()
    return None if stamp is None else (kept, found[0], stamp)


class ReadCache:
    """The middleware: `app.state.read_cache` (a `KeptAnswers`) and `app.state.stamps` (an
    `api.stamp_reader.StampReader`, or None) are set by `create_app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.paths = app, cached_paths()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = None
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in self.paths:
            found = await _cacheable(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        kept, key, stamp = found
        answer = await kept.get(key, stamp)
        if answer is not None:
            await send(answer.start)
            await send({"type": "http.response.body", "body": answer.body, "more_body": False})
            return
        keeping = _Keeping(send, stamp)
        try:
            await self.app(scope, receive, keeping.send)
        finally:
            kept.done(key, stamp, keeping.kept)


class _Keeping:
    """A request's `send`, keeping a whole 200 answer that sets no cookie once it is sent."""

    def __init__(self, send: Send, stamp: str) -> None:
        self._send, self.stamp = send, stamp
        self._start: Message | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self.kept: Kept | None = None

    async def send(self, message: Message) -> None:
        await self._send(message)
        if message["type"] == "http.response.start":
            keep = message["status"] == 200 and not any(
                name.lower() == b"set-cookie" for name, _ in message.get("headers", [])
            )
            self._start = message if keep else None
        elif message["type"] == "http.response.body" and self._start is not None:
            body = message.get("body", b"")
            self._size += len(body)
            if self._size > MAX_BODY:
                self._start = None
                return
            self._chunks.append(body)
            if not message.get("more_body", False):
                start = self._start
                replay = {**start, "headers": [*start.get("headers", []), HIT_HEADER]}
                self.kept = Kept(self.stamp, replay, b"".join(self._chunks))
