"""CSRF protection of the cookie-authenticated page forms (login included).

Every browser gets a random `pingan_csrf` cookie (HttpOnly, SameSite=Strict) the first time a
page is rendered for it; the token a form or an htmx request must send back is the cookie's
HMAC under the server's secret key, as the hidden field ``csrf_token`` or the header
``X-CSRF-Token``. Another site can neither read the token nor make the browser send the
cookie (SameSite=Strict), and the login form's token exists before anyone is logged in, so
login CSRF (logging a victim into an attacker's account) is refused too. As a second,
independent check a cross-site ``Origin`` or ``Sec-Fetch-Site: cross-site`` is refused.

`CsrfMiddleware` sets the cookie on the response of a request that minted one;
`csrf_token(request)` gives a page its token; `check_csrf` is the dependency of every page
route that changes something.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError

COOKIE = "pingan_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_STATE_KEY = "csrf_new_cookie"


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token this browser's forms must carry (mints the cookie when there is none)."""
    value = request.cookies.get(COOKIE) or getattr(request.state, _STATE_KEY, None)
    if not value:
        value = secrets.token_urlsafe(32)
        setattr(request.state, _STATE_KEY, value)
    return _sign(request.app.state.settings.secret_key, value)


def same_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def verify(request: Request, submitted: str | None) -> bool:
    """Whether ``submitted`` is this browser's token and the request comes from our pages."""
    value = request.cookies.get(COOKIE)
    if not value or not submitted or not same_origin(request):
        return False
    expected = _sign(request.app.state.settings.secret_key, value)
    return hmac.compare_digest(expected, submitted)


async def check_csrf(request: Request) -> None:
    """Dependency of page routes that write: refuses (403) a request without the token."""
    submitted = request.headers.get(HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        submitted = value if isinstance(value, str) else None
    if not verify(request, submitted):
        raise ApiError(
            403,
            "页面已过期或来源不明，请刷新页面后重试"
            " (CSRF token missing or wrong: reload the page and try again)",
        )


class CsrfMiddleware:
    """Sets the CSRF cookie on the response of a request that minted one (pure ASGI, so
    streamed responses pass untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                state: dict[str, Any] = scope.get("state", {})
                value = state.get(_STATE_KEY)
                if value:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    cookie = f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}"
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
