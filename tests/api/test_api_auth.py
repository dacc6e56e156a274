"""Login, tokens, API keys, users (admin only), the CLI's first admin, and the offline docs."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import deps as api_deps
from api.app import create_app
from cli.main import app as cli
from rosters.db import make_engine
from tests.api.conftest import PASSWORD, SECRET, Api, api_settings, login


def test_login_and_me(api: Api) -> None:
    c = api.client
    headers = login(c, "dispatcher")
    me = c.get("/me", headers=headers).json()
    assert me == {"name": "dispatcher", "role": "dispatcher", "kind": "user"}
    wrong = c.post("/auth/token", data={"username": "dispatcher", "password": "nope-nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    nobody = c.post("/auth/token", data={"username": "ghost", "password": PASSWORD})
    assert nobody.status_code == 401


def test_expired_or_forged_tokens_are_refused(api: Api) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    expired = jwt.encode({"sub": "admin", "exp": past}, SECRET, algorithm="HS256")
    forged = jwt.encode(
        {"sub": "admin", "exp": past + dt.timedelta(hours=1)}, "other", algorithm="HS256"
    )
    for token in (expired, forged, "garbage"):
        r = api.client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401


def test_guessed_credentials_are_answered_late(api: Api) -> None:
    """A forged token or an unknown API key waits `auth_failure_delay_seconds` (1 s here, the
    default) for its 401; an expired token signed by the server is refused at once."""
    assert api.client.app.state.settings.auth_failure_delay_seconds == 1.0  # type: ignore[attr-defined]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    expired = jwt.encode({"sub": "admin", "ver": 0, "exp": past}, SECRET, algorithm="HS256")
    forged = jwt.encode({"sub": "admin", "ver": 0, "exp": past}, "x" * 40, algorithm="HS256")
    guessed_key = "pak_" + "a" * 12 + "_" + "b" * 22
    took = {}
    for name, headers in (
        ("expired", {"Authorization": f"Bearer {expired}"}),
        ("forged", {"Authorization": f"Bearer {forged}"}),
        ("key", {"X-API-Key": guessed_key}),
    ):
        t0 = time.monotonic()
        assert api.client.get("/me", headers=headers).status_code == 401
        took[name] = time.monotonic() - t0
    assert took["forged"] >= 1.0 and took["key"] >= 1.0
    assert took["expired"] < 1.0


def test_users_are_managed_by_admins_only(api: Api) -> None:
    c = api.client
    body = {"username": "li", "password": "long-enough-pw", "role": "viewer"}
    assert c.post("/users", json=body, headers=api.as_("commander")).status_code == 403
    r = c.post("/users", json=body, headers=api.as_("admin"))
    assert r.status_code == 201 and r.json()["role"] == "viewer"
    assert c.post("/users", json=body, headers=api.as_("admin")).status_code == 409
    short = c.post(
        "/users", json={**body, "username": "x", "password": "short"}, headers=api.as_("admin")
    )
    assert short.status_code == 422 and short.json()["errors"][0]["loc"] == ["body", "password"]
    li = login(c, "li", "long-enough-pw")
    assert c.post("/jurisdictions", json={}, headers=li).status_code == 403
    # promoted: the new role applies at once, even to the token already issued
    c.patch("/users/li", json={"role": "commander"}, headers=api.as_("admin"))
    assert c.get("/me", headers=li).json()["role"] == "commander"
    c.patch("/users/li", json={"active": False}, headers=api.as_("admin"))
    assert c.get("/me", headers=li).status_code == 401
    names = [u["username"] for u in c.get("/users", headers=api.as_("admin")).json()]
    assert "li" in names
    entry = c.get("/audit", params={"entity": "user"}, headers=api.as_("admin")).json()
    assert entry["items"][0]["before"]["active"] is True
    assert "password_hash" not in str(entry)


def test_api_keys_for_machines(api: Api) -> None:
    c = api.client
    r = c.post(
        "/api-keys", json={"name": "gps-feed", "role": "dispatcher"}, headers=api.as_("admin")
    )
    assert r.status_code == 201
    key = r.json()["key"]
    assert "key" not in c.get("/api-keys", headers=api.as_("admin")).json()[0]
    me = c.get("/me", headers={"X-API-Key": key}).json()
    assert me == {"name": "key:gps-feed", "role": "dispatcher", "kind": "key"}
    assert c.get("/me", headers={"X-API-Key": key[:-2] + "xx"}).status_code == 401
    assert c.delete("/api-keys/gps-feed", headers=api.as_("viewer")).status_code == 403
    assert c.delete("/api-keys/gps-feed", headers=api.as_("admin")).status_code == 204
    assert c.get("/me", headers={"X-API-Key": key}).status_code == 401


def test_a_key_of_no_active_prefix_is_refused_without_a_lookup(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guessed keys are refused from the active keys' prefixes (kept while the database is
    unchanged); a key made or revoked counts from the next request."""
    lookups: list[str] = []
    real = api_deps._key_lookup

    def counted(engine: Any, key: str) -> Any:
        lookups.append(key)
        return real(engine, key)

    monkeypatch.setattr(api_deps, "_key_lookup", counted)
    c, admin = api.client, api.as_("admin")
    guessed = "pak_0123456789ab_" + "x" * 43
    assert c.get("/me", headers={"X-API-Key": guessed}).status_code == 401
    assert lookups == []
    key = c.post("/api-keys", json={"name": "wall", "role": "viewer"}, headers=admin).json()["key"]
    assert c.get("/me", headers={"X-API-Key": key}).status_code == 200
    wrong_secret = key[:-2] + "xx"  # a known prefix: looked up, refused
    assert c.get("/me", headers={"X-API-Key": wrong_secret}).status_code == 401
    assert lookups == [key, wrong_secret]
    assert c.delete("/api-keys/wall", headers=admin).status_code == 204
    assert c.get("/me", headers={"X-API-Key": key}).status_code == 401
    assert lookups == [key, wrong_secret]  # revoked: no longer a prefix


def test_first_admin_comes_from_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    add = ["--database-url", url, "user", "create-admin", "--username", "root"]
    r = runner.invoke(cli, [*add, "--password", "s3cret-admin-pw"])
    assert r.exit_code == 0, r.output
    again = runner.invoke(cli, [*add, "--password", "s3cret-admin-pw"])
    assert again.exit_code == 1 and "taken" in again.output
    weak = runner.invoke(
        cli, ["--database-url", url, "user", "add", "u2", "--role", "viewer", "--password", "123"]
    )
    assert weak.exit_code == 1
    ok = runner.invoke(
        cli,
        [
            "--database-url",
            url,
            "user",
            "add",
            "u2",
            "--role",
            "dispatcher",
            "--password",
            "12345678",
        ],
    )
    assert ok.exit_code == 0, ok.output
    engine = make_engine(url)
    with TestClient(create_app(api_settings(), engine)) as client:
        assert (
            client.get("/me", headers=login(client, "root", "s3cret-admin-pw")).json()["role"]
            == "admin"
        )
        assert (
            client.get("/me", headers=login(client, "u2", "12345678")).json()["role"]
            == "dispatcher"
        )
    engine.dispose()


def test_docs_are_served_without_any_cdn(api: Api) -> None:
    c = api.client
    page = c.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text and "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        assert f"/static/swagger/{asset}" in page.text
        assert c.get(f"/static/swagger/{asset}").status_code == 200
    spec = c.get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    assert c.get("/redoc").status_code == 404
