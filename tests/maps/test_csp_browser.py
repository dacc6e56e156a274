"""The Content-Security-Policy in Chromium: an injected inline handler or script without the
request's nonce does not run and is reported, while the page's own inline scripts (which
the server tagged with the nonce) do. Every browser test fails on a reported violation (the
`browser_page` fixture), so the wall, plan and drill pages are checked by their own tests."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine

from api.app import create_app
from tests.api.conftest import api_settings
from tests.api.server import serving

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html><html><body>
<img src="/nothing.png" onerror="window.pwned = 'handler'">
<script>window.ours = 'ran';</script>
<div id="out"></div>
</body></html>"""


def test_injected_handlers_are_blocked_and_own_scripts_run(
    fresh_engine: Engine, browser_page: Any
) -> None:
    app = create_app(api_settings(), fresh_engine)

    @app.get("/csp-probe")
    def probe() -> HTMLResponse:
        return HTMLResponse(PAGE)

    page = browser_page.page
    with serving(app) as base:
        page.goto(f"{base}/csp-probe")
        page.wait_for_function("() => window.ours === 'ran'")
        page.wait_for_function("() => document.querySelector('img').complete")  # it failed
        assert page.evaluate("() => window.pwned === undefined")
        deadline = time.monotonic() + 10
        while not any("inline event handler" in m for m in browser_page.csp):
            assert time.monotonic() < deadline, browser_page.csp
            page.evaluate("() => 0")  # lets Playwright deliver the console messages
    browser_page.csp.clear()  # the violation was the point of this test
