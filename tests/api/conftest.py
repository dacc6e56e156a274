"""An API on a fresh database per test, with one logged-in user of every role.

`api` gives a TestClient (the real ASGI stack, lifespan included: job runner and event bus
run) and `headers[role]` the bearer-token headers of a user with that role. Passwords are
hashed once per run (argon2 is deliberately slow)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from api.auth import create_token, hash_password
from api.models import Role, User
from dispatch.situation import local_now
from rosters.db import session_scope
from rosters.settings import Settings

PASSWORD = "correct horse battery"
#: a signing key as `python -c "import secrets; print(secrets.token_urlsafe(48))"` makes one
SECRET = "OJ00YEzuff08zsj_1Jd9FguzAjbZndnQrC470hvoBtvGq0LP9Vb1yIZAdCth2z0p"


def centre_today() -> dt.date:
    """Today in the command centre's time zone (the settings' default, Asia/Shanghai), which
    the server's pages, plans and unit states read: the machine's date is a day behind from
    16:00 UTC on."""
    return local_now(Settings().timezone).date()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


def api_settings(**extra: Any) -> Settings:
    values: dict[str, Any] = {
        "secret_key": SECRET,
        "scheduler_enabled": False,
        "events_poll_seconds": 0.05,
        "job_workers": 1,
        "standards_file": "",
    }
    return Settings(**(values | extra))


def add_users(engine: Engine, password_hash: str) -> None:
    with session_scope(engine) as session:
        for role in Role:
            session.add(User(username=role.value, role=role.value, password_hash=password_hash))


@dataclass
class Api:
    client: TestClient
    engine: Engine
    headers: dict[str, dict[str, str]]

    def as_(self, role: str) -> dict[str, str]:
        return self.headers[role]


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def bearer(role: Role) -> dict[str, str]:
    """Headers of a token as POST /auth/token issues it (without paying argon2 each test)."""
    user = User(username=role.value, role=role.value, password_hash="")
    return {"Authorization": f"Bearer {create_token(SECRET, user, 30)[0]}"}


@pytest.fixture
def api(fresh_engine: Engine, password_hash: str) -> Iterator[Api]:
    add_users(fresh_engine, password_hash)
    app = create_app(api_settings(), fresh_engine)
    with TestClient(app) as client:
        headers = {role.value: bearer(role) for role in Role}
        yield Api(client, fresh_engine, headers)


def wait_for(check: Callable[[], Any], seconds: float = 60.0, every: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail after the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(every)
