"""Security headers on every response; a Content-Security-Policy with a per-request script
nonce on every HTML page, the nonce on every inline script; no inline event handlers in the
pages' templates and scripts."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from api.security_headers import add_nonce, page_policy, tile_source
from tests.api.conftest import Api, api_settings

ROOT = Path(__file__).resolve().parents[2]
NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'")


def _base_headers(headers: dict[str, str]) -> None:
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_every_response_gets_the_headers(api: Api) -> None:
    for r in (
        api.client.get("/health"),
        api.client.get("/me"),  # a 401 problem
        api.client.get("/static/pingan/pages.js"),
        api.client.get("/openapi.json"),
    ):
        _base_headers(r.headers)  # type: ignore[arg-type]
        assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_a_page_gets_a_nonce_policy_and_its_scripts_the_nonce(api: Api) -> None:
    r = api.client.get("/docs")  # Swagger UI: an inline script
    _base_headers(r.headers)  # type: ignore[arg-type]
    policy = r.headers["content-security-policy"]
    match = NONCE.search(policy)
    assert match, policy
    for part in (
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "connect-src 'self'",
        "img-src 'self' data: blob:",
    ):
        assert part in policy
    script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    tags = re.findall(r"<script\b[^>]*>", r.text)
    assert tags and all(f'nonce="{match.group(1)}"' in t for t in tags), tags
    assert int(r.headers["content-length"]) == len(r.content)
    again = NONCE.search(api.client.get("/docs").headers["content-security-policy"])
    assert again and again.group(1) != match.group(1)  # a fresh nonce per request


def test_the_nonce_is_in_request_state_and_kept_when_written(fresh_engine: Engine) -> None:
    app = create_app(api_settings(), fresh_engine)

    @app.get("/nonce-probe")
    def probe(request: Request) -> HTMLResponse:
        nonce = request.state.csp_nonce
        return HTMLResponse(f'<script nonce="{nonce}">1</script><SCRIPT src="/x.js"></SCRIPT>')

    with TestClient(app) as client:
        r = client.get("/nonce-probe")
    nonce = NONCE.search(r.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
    tagged = f'<SCRIPT nonce="{nonce}" src="/x.js"></SCRIPT>'
    assert r.text == f'<script nonce="{nonce}">1</script>{tagged}'


def test_the_login_page(api: Api) -> None:
    page = api.client.get("/pages/login")
    assert page.status_code == 200 and "nonce-" in page.headers["content-security-policy"]
    _base_headers(page.headers)  # type: ignore[arg-type]


def test_intranet_tiles_may_be_drawn() -> None:
    assert tile_source("http://{s}.tiles.intranet:8080/{z}/{x}/{y}.png") == (
        "http://*.tiles.intranet:8080"
    )
    assert tile_source("") == "" and tile_source("/tiles/{z}/{x}/{y}.png") == ""
    assert "img-src 'self' data: blob: https://map.local" in page_policy(
        "n", "https://map.local/{z}/{x}/{y}.png"
    )


def test_every_script_that_runs_gets_the_nonce_and_data_blocks_do_not() -> None:
    body = (
        b'<html><script>a</script><script type="module" src="/m.js"></script><scripts>'
        b'<script type="application/json" id="d">{}</script><script nonce="X">b</script>'
        b"<script type='text/javascript'>c</script>"
    )
    assert add_nonce(body, "N") == (
        b'<html><script nonce="N">a</script>'
        b'<script nonce="N" type="module" src="/m.js"></script><scripts>'
        b'<script type="application/json" id="d">{}</script><script nonce="X">b</script>'
        b"<script nonce=\"N\" type='text/javascript'>c</script>"
    )


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def test_no_inline_event_handlers_in_the_pages() -> None:
    files = [
        *ROOT.glob("maps/templates/*.html"),
        *ROOT.glob("maps/static/pingan/*.js"),
        *ROOT.glob("api/workbench/templates/**/*.html"),
        *ROOT.glob("api/static/workbench/*.js"),
    ]
    assert files
    offending = [str(f) for f in files if INLINE_HANDLER.search(f.read_text(encoding="utf-8"))]
    assert not offending, offending
