"""Every page route that changes something, enumerated from the app's routes: without the
browser's CSRF token it is refused (403) even for a commander; a viewer with a valid token is
refused (403) on every one; and after all the refusals the database is exactly as before.

A new write route under /pages/ is walked by this test without being listed anywhere. The
login, logout and session-renewal routes are the only exceptions (named below, with why)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine

from api.app import create_app
from api.models import Role
from tests.api.city import City, load_city
from tests.api.conftest import PASSWORD, add_users, api_settings, bearer

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
HX_TOKEN = re.compile(r'"X-CSRF-Token": "([^"]+)"')
#: not role-checked page writes: the login form (its own CSRF check, refused 403 below too),
#: logout (anyone may log themselves out; a cross-site Origin is refused) and the renewal of
#: an open page's cookie (needs a header no cross-site form can send)
NOT_ROLE_CHECKED = {"/pages/login", "/pages/logout", "/pages/session"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def city(fresh_engine: Engine, bench_password_hash: str) -> City:
    add_users(fresh_engine, bench_password_hash)
    return load_city(fresh_engine)


@pytest.fixture
def client(fresh_engine: Engine, city: City) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(), fresh_engine)) as c:
        yield c


def _log_in(client: TestClient, user: str) -> str:
    """Log in through the form; the CSRF token a page gives its htmx requests."""
    client.cookies.clear()
    token = TOKEN.search(client.get("/pages/login").text)
    assert token
    data = {"username": user, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/pages/login", data=data, follow_redirects=False).status_code == 303
    hx = HX_TOKEN.search(client.get("/pages/me").text)
    assert hx
    return hx.group(1)


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every API route with its full path, through included routers (FastAPI keeps an
    included router as one entry that refers to the original)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # an included router
            inner = prefix + getattr(route.include_context, "prefix", "")
            yield from _routes(route.original_router.routes, inner)


def write_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route under /pages/ that is not a GET."""
    found = []
    for path, route in _routes(client.app.routes):  # type: ignore[attr-defined]
        if path.startswith("/pages/"):
            found.extend((method, path) for method in sorted(route.methods & WRITE_METHODS))
    return sorted(set(found))


def _url(path: str, ids: dict[str, str]) -> str:
    """The path with its parameters filled with things that exist (else 1)."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids.get(m.group(1), "1"), path)


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for name, table in meta.tables.items()
        }


def _ids(client: TestClient) -> dict[str, str]:
    """An incident that exists, and ids of rows of the test city."""
    r = client.post(
        "/incidents",
        json={"code": "JQ-W1", "kind": "盗窃", "lon": 100.47, "lat": 38.96, "severity": 2},
        headers=bearer(Role.DISPATCHER),
    )
    assert r.status_code == 201, r.text
    return {"code": "JQ-W1", "plan_id": "1", "person_id": "1", "job_id": "1"}


FORM = {"csrf_token": "", "kind": "remove", "row": "1", "days": "1", "confirm": "yes"}


def test_every_page_write_needs_the_token_and_the_role(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    checked = [(m, p) for m, p in write_routes(client) if p not in NOT_ROLE_CHECKED]
    # the workbench's writes are all here (plan, roster, leave, import, drills, incidents)
    for prefix in ("/pages/plan/", "/pages/roster", "/pages/leave", "/pages/import"):
        assert any(p.startswith(prefix) for _, p in checked), prefix
    for prefix in ("/pages/drills/", "/pages/incidents"):
        assert any(p.startswith(prefix) for _, p in checked), prefix
    ids = _ids(client)
    viewer = TestClient(client.app)
    token = _log_in(viewer, "viewer")
    _log_in(client, "commander")
    before = _snapshot(fresh_engine)

    not_refused = []
    for method, path in checked:
        url = _url(path, ids)
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            r = client.request(method, url, data=FORM, headers=headers, follow_redirects=False)
            if r.status_code != 403 or "CSRF" not in r.text:
                not_refused.append((method, url, headers, r.status_code))
    assert not_refused == [], f"writes done without the CSRF token: {not_refused}"

    for method, path in checked:
        url = _url(path, ids)
        for body in (FORM | {"csrf_token": token}, None):
            r = viewer.request(
                method,
                url,
                data=body,
                headers={"X-CSRF-Token": token} if body is None else {},
                follow_redirects=False,
            )
            if r.status_code != 403 or "viewer" not in r.text:
                not_refused.append((method, url, r.status_code, r.text[:200]))
    assert not_refused == [], f"writes a viewer was not refused: {not_refused}"

    after = _snapshot(fresh_engine)
    changed = [name for name in before if before[name] != after.get(name)]
    assert changed == [], f"tables changed by refused requests: {changed}"
    # the viewer's token itself was good: the viewer may still do what viewers may
    assert viewer.post("/pages/logout", follow_redirects=False).status_code == 303


#: who may write under each path (admins may all); the first matching pattern counts
WRITERS: list[tuple[str, frozenset[str]]] = [
    (r"^/pages/roster/\{\w+\}/account$", frozenset()),
    (r"^/pages/(plan|roster|leave|import)\b", frozenset({"commander"})),
    (r"^/pages/drills/", frozenset({"commander", "training_officer"})),
    (r"^/pages/incidents\b", frozenset({"commander", "dispatcher"})),
]


def _writers(path: str) -> frozenset[str]:
    for pattern, roles in WRITERS:
        if re.search(pattern, path):
            return roles
    raise AssertionError(f"{path}: who may write here? (add it to WRITERS)")


def test_each_role_is_refused_the_writes_of_other_roles(
    client: TestClient, fresh_engine: Engine, city: City
) -> None:
    """A dispatcher may not plan, a training officer may not dispatch, a commander may not
    link logins (admins only): refused (403, the role named) with a valid token, nothing
    changed."""
    checked = [(m, p) for m, p in write_routes(client) if p not in NOT_ROLE_CHECKED]
    ids = _ids(client)
    tokens = {}
    browsers = {}
    for role in ("commander", "dispatcher", "training_officer"):
        browsers[role] = TestClient(client.app)
        tokens[role] = _log_in(browsers[role], role)
    before = _snapshot(fresh_engine)
    not_refused = []
    tried = 0
    for method, path in checked:
        for role, browser in browsers.items():
            if role in _writers(path):
                continue
            tried += 1
            r = browser.request(
                method,
                _url(path, ids),
                data=FORM | {"csrf_token": tokens[role]},
                follow_redirects=False,
            )
            if r.status_code != 403 or role not in r.text:
                not_refused.append((role, method, path, r.status_code, r.text[:120]))
    assert not_refused == [], f"writes done by a role that may not: {not_refused}"
    assert tried >= len(checked)  # every write is refused to one of these roles at least
    assert _snapshot(fresh_engine) == before
