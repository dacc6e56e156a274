"""The workbench's shared parts: the CSRF check of page writes (form field and htmx header),
the login redirect of pages and htmx requests, and the page layout with its vendored htmx."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from api.csrf import COOKIE
from api.workbench.common import PageCtx, page, page_write, render
from tests.api.conftest import PASSWORD, add_users, api_settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
HX_TOKEN = re.compile(r'"X-CSRF-Token": "([^"]+)"')


def _client(engine: Engine, password_hash: str) -> TestClient:
    add_users(engine, password_hash)
    app = create_app(api_settings(), engine)
    router = APIRouter()

    @router.get("/pages/wall/test-layout")
    def layout(ctx: Annotated[PageCtx, Depends(page("wall"))]) -> object:
        return render(ctx, "base.html", title="测试")

    @router.post("/pages/wall/test-write")
    def write(ctx: Annotated[PageCtx, Depends(page_write("wall"))]) -> dict[str, str]:
        return {"by": ctx.who.name}

    app.include_router(router)
    return TestClient(app)


def _log_in(client: TestClient) -> None:
    token = TOKEN.search(client.get("/pages/login").text)
    assert token
    data = {"username": "viewer", "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/pages/login", data=data, follow_redirects=False).status_code == 303


def test_page_writes_need_the_browsers_csrf_token(
    fresh_engine: Engine, bench_password_hash: str
) -> None:
    with _client(fresh_engine, bench_password_hash) as client:
        out = client.get("/pages/wall/test-layout", follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"].startswith("/pages/login?")
        htmx = client.post("/pages/wall/test-write", headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/pages/login")

        _log_in(client)
        html = client.get("/pages/wall/test-layout").text
        assert '<html lang="zh-CN">' in html and "/static/htmx/htmx.min.js" in html
        hx = HX_TOKEN.search(html)
        assert hx
        assert client.post("/pages/wall/test-write").status_code == 403
        wrong = client.post("/pages/wall/test-write", headers={"X-CSRF-Token": "x" * 64})
        assert wrong.status_code == 403
        ok = client.post("/pages/wall/test-write", headers={"X-CSRF-Token": hx.group(1)})
        assert ok.status_code == 200 and ok.json() == {"by": "viewer"}
        form = client.post("/pages/wall/test-write", data={"csrf_token": hx.group(1)})
        assert form.status_code == 200
        # the token belongs to this browser's cookie: another cookie makes it worthless
        client.cookies.set(COOKIE, "someone-else")
        stolen = client.post("/pages/wall/test-write", headers={"X-CSRF-Token": hx.group(1)})
        assert stolen.status_code == 403
        assert client.get("/static/htmx/htmx.min.js").status_code == 200
