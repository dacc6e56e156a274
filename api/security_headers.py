"""Security headers on every response, in one place.

Every response gets `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and
`Referrer-Policy: same-origin`. An HTML page gets a Content-Security-Policy whose scripts are
this server's files and the inline scripts carrying the request's nonce: the middleware makes
a fresh nonce per request (`request.state.csp_nonce`, for templates that want to write it
themselves) and adds it to every `<script` tag of a text/html response that lacks one — the
folium maps' inline scripts and the templates' alike. An injected script cannot carry the
nonce (user strings reach HTML escaped, so they never hold a raw `<script`), inline event
handlers (`onclick=…`) and `javascript:` URLs do not run, and no other site may frame a page.
Styles may stay inline (Leaflet and folium position everything with style attributes)."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_STATE = "csp_nonce"
_SCRIPT_TAG = re.compile(rb"(<script)\b([^>]*)>", re.IGNORECASE)
_TYPE = re.compile(rb"""\btype\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
#: script types a browser runs (a data block such as application/json needs no nonce)
_RUN = {b"", b"text/javascript", b"application/javascript", b"module"}

BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
_OURS = {h for h, _ in BASE_HEADERS} | {b"content-security-policy"}
#: what a response that is not a page may do when a browser opens it: nothing
NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'"


def tile_source(tile_url: str) -> str:
    """The CSP source of an intranet tile server (`{s}` subdomains become a wildcard)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = re.sub(r"\{[a-z]\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}"


def page_policy(nonce: str, tile_url: str = "") -> str:
    """The Content-Security-Policy of an HTML page."""
    images = " ".join(s for s in ("'self' data: blob:", tile_source(tile_url)) if s)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def add_nonce(body: bytes, nonce: str) -> bytes:
    """`body` with `nonce` on every `<script` tag of a script that runs and has none."""
    attribute = b' nonce="' + nonce.encode() + b'"'

    def tag(match: re.Match[bytes]) -> bytes:
        attrs = match.group(2)
        kind = _TYPE.search(attrs)
        if re.search(rb"\bnonce\s*=", attrs, re.IGNORECASE) or (
            kind and kind.group(1).lower() not in _RUN
        ):
            return match.group(0)
        return match.group(1) + attribute + attrs + b">"

    return _SCRIPT_TAG.sub(tag, body)


class SecurityHeadersMiddleware:
    """Pure ASGI (streams such as server-sent events pass through untouched)."""

    def __init__(self, app: ASGIApp, tile_url: str = "") -> None:
        self.app, self.tile_url = app, tile_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})[NONCE_STATE] = nonce
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                headers += BASE_HEADERS
                kind = dict(headers).get(b"content-type", b"").lower()
                if kind.startswith(b"text/html"):
                    policy = page_policy(nonce, self.tile_url)
                    headers.append((b"content-security-policy", policy.encode()))
                    encoded = any(k.lower() == b"content-encoding" for k, _ in headers)
                    if scope["method"] != "HEAD" and not encoded:
                        start = {**message, "headers": headers}  # held until the body is in
                        return
                    await send({**message, "headers": headers})
                    return
                headers.append((b"content-security-policy", NON_HTML_POLICY.encode()))
                await send({**message, "headers": headers})
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = add_nonce(b"".join(chunks), nonce)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, wrapped)
