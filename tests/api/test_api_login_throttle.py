"""Login throttling: after N wrong passwords for a username, or M from one client address,
within the window, logins are refused with 429 and `Retry-After` (the right password too),
each lockout is audited, and the count is shared by every server process (it lives in the
database)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.models import AuditEntry, LoginFailure
from rosters.db import session_scope
from tests.api.conftest import PASSWORD, add_users, api_settings

LIMITS = {"login_max_failures": 3, "login_max_failures_per_address": 6, "login_window_seconds": 600}


def _client(engine: Engine) -> TestClient:
    return TestClient(create_app(api_settings(**LIMITS), engine))


@pytest.fixture
def client(fresh_engine: Engine, password_hash: str) -> Iterator[TestClient]:
    add_users(fresh_engine, password_hash)
    with _client(fresh_engine) as c:
        yield c


def _token(c: TestClient, user: str, password: str) -> httpx.Response:
    return c.post("/auth/token", data={"username": user, "password": password})


def _lockouts(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == "lockout")).all())


def test_a_username_is_locked_after_n_failures(client: TestClient, fresh_engine: Engine) -> None:
    assert [_token(client, "viewer", "wrong-pass").status_code for _ in range(2)] == [401, 401]
    locked = _token(client, "viewer", "wrong-pass")
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 0 < int(locked.headers["retry-after"]) <= 600
    again = _token(client, "viewer", PASSWORD)  # even the right password
    assert again.status_code == 429 and int(again.headers["retry-after"]) > 0
    assert _token(client, "dispatcher", PASSWORD).status_code == 200  # others may log in
    [entry] = _lockouts(fresh_engine)
    assert (entry.entity, entry.entity_id) == ("login_username", "viewer")
    assert entry.after and entry.after["failures"] == 3 and entry.actor == "address:testclient"


def test_a_client_address_is_locked_after_m_failures(
    client: TestClient, fresh_engine: Engine
) -> None:
    codes = [_token(client, f"guess{i}", "wrong-pass").status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    r = _token(client, "commander", PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert [e.entity for e in _lockouts(fresh_engine)] == ["login_address"]


def test_success_clears_the_usernames_failures(client: TestClient) -> None:
    for _ in range(2):
        assert _token(client, "viewer", "wrong-pass").status_code == 401
    assert _token(client, "viewer", PASSWORD).status_code == 200
    assert [_token(client, "viewer", "wrong-pass").status_code for _ in range(2)] == [401, 401]


def test_failures_older_than_the_window_do_not_count(
    client: TestClient, fresh_engine: Engine
) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=601)
    with session_scope(fresh_engine) as s:
        for _ in range(5):
            s.add(LoginFailure(at=old, username="viewer", address="testclient"))
    assert _token(client, "viewer", PASSWORD).status_code == 200


def test_two_server_processes_share_the_count(client: TestClient, fresh_engine: Engine) -> None:
    with _client(fresh_engine) as other:
        assert _token(client, "viewer", "wrong-pass").status_code == 401
        assert _token(other, "viewer", "wrong-pass").status_code == 401
        assert _token(client, "viewer", "wrong-pass").status_code == 429
        assert _token(other, "viewer", PASSWORD).status_code == 429


def test_the_login_page_says_so_in_chinese(client: TestClient) -> None:
    def page_login(password: str) -> httpx.Response:
        form = client.get("/pages/login").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert match
        data = {"username": "viewer", "password": password, "csrf_token": match.group(1)}
        return client.post("/pages/login", data=data, follow_redirects=False)

    assert [page_login("wrong-pass").status_code for _ in range(2)] == [401, 401]
    locked = page_login("wrong-pass")
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "登录失败次数过多" in locked.text
    assert page_login(PASSWORD).status_code == 429
