"""The server refuses to start with a signing key shorter than 32 bytes or visibly not random,
with a one-line reason that says how to make a good key."""

from __future__ import annotations

import secrets

import pytest
from typer.testing import CliRunner

from api.app import create_app
from api.signing_key import WeakSecretKey, key_problem
from cli.main import app as cli_app
from rosters.db import make_engine
from tests.api.conftest import api_settings

HOW = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


@pytest.mark.parametrize(
    "key",
    ["", "x", "too-short-key", "x" * 64, "changeme" * 6, "bench-secret-key-bench-secret-key"],
)
def test_create_app_refuses_a_weak_key(key: str) -> None:
    with pytest.raises(WeakSecretKey) as err:
        create_app(api_settings(secret_key=key), make_engine("sqlite://"))
    reason = str(err.value)
    assert "\n" not in reason and HOW in reason and "PINGAN_SECRET_KEY" in reason


@pytest.mark.parametrize(
    "key",
    [secrets.token_urlsafe(48), secrets.token_urlsafe(32), secrets.token_hex(32)],
    ids=["urlsafe-48", "urlsafe-32", "hex-32"],  # stable names: the same tests in every process
)
def test_random_keys_of_32_bytes_are_accepted(key: str) -> None:
    assert key_problem(key) is None


def test_serve_refuses_a_weak_key(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from rosters.settings import get_settings

    monkeypatch.setenv("PINGAN_SECRET_KEY", "x")
    monkeypatch.setenv("PINGAN_DATABASE_URL", f"sqlite:///{tmp_path}/serve.db")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "too short" in result.output and "token_urlsafe(48)" in result.output
