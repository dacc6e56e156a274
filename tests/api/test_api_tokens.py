"""Token revocation: a password change, a deactivation and a logout outdate every token of the
user at once — on every request, on renewal and on open event streams; a revoked API key
ends its streams; tokens issued without a version are refused."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import httpx
import jwt
import pytest
from sqlalchemy.engine import Engine

from api.app import create_app
from api.auth import create_api_key
from api.models import Role
from api.pages import COOKIE, PAGE_HEADER
from rosters.db import session_scope
from tests.api.conftest import (
    PASSWORD,
    SECRET,
    Api,
    add_users,
    api_settings,
    bearer,
    login,
    wait_for,
)
from tests.api.server import serving


def _me(api: Api, headers: dict[str, str]) -> int:
    return api.client.get("/me", headers=headers).status_code


def test_a_password_change_outdates_the_users_tokens(api: Api) -> None:
    old = login(api.client, "dispatcher")
    assert _me(api, old) == 200
    r = api.client.patch(
        "/users/dispatcher", json={"password": "a new password 2"}, headers=api.as_("admin")
    )
    assert r.status_code == 200, r.text
    assert _me(api, old) == 401
    assert _me(api, api.as_("viewer")) == 200  # other users keep theirs
    assert _me(api, login(api.client, "dispatcher", "a new password 2")) == 200


def test_a_deactivation_outdates_tokens_even_after_reactivation(api: Api) -> None:
    old = login(api.client, "viewer")
    admin = api.as_("admin")
    assert api.client.patch("/users/viewer", json={"active": False}, headers=admin).is_success
    assert _me(api, old) == 401
    assert api.client.patch("/users/viewer", json={"active": True}, headers=admin).is_success
    assert _me(api, old) == 401


def test_logout_outdates_every_token_of_the_user(api: Api) -> None:
    first, second = login(api.client, "commander"), login(api.client, "commander")
    assert api.client.post("/auth/logout", headers=first).status_code == 204
    assert _me(api, first) == 401 and _me(api, second) == 401
    assert _me(api, login(api.client, "commander")) == 200


def test_renewal_refuses_an_outdated_token(api: Api) -> None:
    token = login(api.client, "viewer")["Authorization"].split()[1]
    renew = {"headers": {PAGE_HEADER: "1"}, "cookies": {COOKIE: token}}
    api.client.cookies.clear()
    assert api.client.post("/pages/session", **renew).status_code == 200  # type: ignore[arg-type]
    api.client.cookies.clear()
    api.client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    api.client.cookies.clear()
    assert api.client.post("/pages/session", **renew).status_code == 401  # type: ignore[arg-type]


def test_a_token_without_a_version_is_refused(api: Api) -> None:
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    unversioned = jwt.encode({"sub": "admin", "role": "admin", "exp": exp}, SECRET, "HS256")
    assert _me(api, {"Authorization": f"Bearer {unversioned}"}) == 401
    assert _me(api, bearer(Role.ADMIN)) == 200


@pytest.fixture
def live(fresh_engine: Engine, password_hash: str) -> Iterator[tuple[str, Engine]]:
    add_users(fresh_engine, password_hash)
    app = create_app(api_settings(stream_check_seconds=0.2), fresh_engine)
    with serving(app) as base:
        yield base, fresh_engine


def _stream_until_closed(base: str, headers: dict[str, str], opened: threading.Event) -> None:
    with httpx.stream("GET", f"{base}/events", headers=headers, timeout=30) as r:
        assert r.status_code == 200
        opened.set()
        for _ in r.iter_lines():
            pass


def _watch(base: str, headers: dict[str, str]) -> tuple[threading.Thread, threading.Event]:
    opened = threading.Event()
    reader = threading.Thread(target=_stream_until_closed, args=(base, headers, opened))
    reader.start()
    assert opened.wait(20)
    return reader, opened


def test_an_open_stream_ends_when_its_user_logs_out(live: tuple[str, Engine]) -> None:
    base, _ = live
    r = httpx.post(f"{base}/auth/token", data={"username": "viewer", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    reader, _ = _watch(base, headers)
    other, _ = _watch(base, bearer(Role.DISPATCHER))
    assert httpx.post(f"{base}/auth/logout", headers=headers).status_code == 204
    reader.join(timeout=20)
    assert not reader.is_alive()  # the server ended the stream
    assert other.is_alive()  # another user's stream stays open
    assert httpx.post(f"{base}/auth/logout", headers=bearer(Role.DISPATCHER)).is_success
    other.join(timeout=20)
    assert not other.is_alive()


def test_an_open_stream_ends_when_its_api_key_is_revoked(live: tuple[str, Engine]) -> None:
    base, engine = live
    with session_scope(engine) as session:
        _, key = create_api_key(session, "wall-screen", "viewer", "admin")
    reader, _ = _watch(base, {"X-API-Key": key})
    r = httpx.delete(f"{base}/api-keys/wall-screen", headers=bearer(Role.ADMIN))
    assert r.status_code == 204
    wait_for(lambda: not reader.is_alive(), seconds=20)
    assert httpx.get(f"{base}/events", headers={"X-API-Key": key}).status_code == 401
