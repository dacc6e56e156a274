"""Request bodies are bounded and checked before any route parses them (an ASGI middleware):

- each route has a body size limit (`BODY_LIMITS`, by path prefix; `DEFAULT_BODY_LIMIT` for
  the rest): a larger `Content-Length` is refused at once, and a body sent without one is
  counted as it arrives; either way the answer is 413 problem+json;
- a JSON body (`application/json`, `…+json`) must be well-formed UTF-8 JSON — else 400
  problem+json — and hold finite numbers only (NaN, Infinity and numbers beyond a float's
  range get 422), on every operation, before FastAPI decodes it.

The 413, 400 and 422 answers are documented on every operation (`api.app`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from api.errors import PROBLEM, FieldError, Problem
from optimizer.finite_json import NonFiniteNumber, loads_finite
from rosters.tables.limits import MAX_FILE_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB, MIB = 1024, 1024 * 1024
#: small JSON bodies (a person, an incident, a drill duty, a login form)
DEFAULT_BODY_LIMIT = 256 * KIB


@dataclass(frozen=True)
class BodyLimit:
    prefix: str
    max_bytes: int
    why: str


#: routes that take more than the default (first matching prefix wins)
BODY_LIMITS: tuple[BodyLimit, ...] = (
    BodyLimit("/import/", MAX_FILE_BYTES + MIB, "a table file (multipart upload)"),
    BodyLimit("/jurisdictions", 4 * MIB, "GeoJSON boundaries"),
    BodyLimit("/zones", 4 * MIB, "GeoJSON zone shapes"),
)


def body_limit(path: str) -> int:
    """The largest body (bytes) the route at `path` accepts."""
    for rule in BODY_LIMITS:
        if path.startswith(rule.prefix):
            return rule.max_bytes
    return DEFAULT_BODY_LIMIT


def _size(n: int) -> str:
    return f"{n // MIB} MB" if n >= MIB else f"{n // KIB} KB"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _problem(
    scope: Scope,
    send: Send,
    status: int,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
) -> None:
    body = Problem(
        title=title,
        status=status,
        detail=detail,
        instance=scope.get("path", ""),
        errors=errors or [],
    )
    data = json.dumps(body.model_dump(mode="json"), ensure_ascii=False).encode()
    headers = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(data)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class RequestLimits:
    """The middleware: size limits per route, then JSON well-formed and finite."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("path", ""))
        declared = _header(scope, b"content-length")
        if declared.strip().isdigit() and int(declared) > limit:
            await self._too_large(scope, send, limit)
            return
        if _is_json(_header(scope, b"content-type")):
            await self._json(scope, receive, send, limit)
        else:
            await self._streamed(scope, receive, send, limit)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        await _problem(
            scope,
            send,
            413,
            "Content Too Large",
            f"the request body is larger than {_size(limit)}, the limit of this route "
            f"(请求体超过本接口上限 {_size(limit)})",
        )

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Read the whole (bounded) body, check it, then hand it on unchanged."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(scope, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                loads_finite(body.decode("utf-8"))
            except NonFiniteNumber as exc:
                error = FieldError(loc=["body"], msg=str(exc))
                await _problem(
                    scope, send, 422, "Unprocessable Content", "the request is not valid", [error]
                )
                return
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON"
                await _problem(
                    scope,
                    send,
                    400,
                    "Bad Request",
                    f"the request body is not valid JSON: {reason} (请求体不是有效的 JSON)",
                )
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Count a body as the route reads it; past the limit the route sees the end of the
        body and whatever it answers is replaced by the 413."""
        size = 0
        exceeded = False

        async def counted() -> Message:
            nonlocal size, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    exceeded = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        started = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await self._too_large(scope, send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(scope, send, limit)


def install_request_limits(app: Any) -> None:
    """Put the body limits and the JSON check in front of every route of `app`."""
    app.add_middleware(RequestLimits)
