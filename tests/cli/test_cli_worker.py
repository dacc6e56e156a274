"""`pingan worker` and `pingan plan patrol --distributed` refuse to start without a broker,
saying how to give one (the job engine itself is tested in tests/distributed/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from rosters.settings import get_settings

runner = CliRunner()


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.delenv("PINGAN_BROKER_URL", raising=False)
    monkeypatch.setenv("PINGAN_SETTINGS_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("PINGAN_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_worker_needs_a_broker(no_broker: None) -> None:
    result = runner.invoke(app, ["worker", "--concurrency", "1"])
    assert result.exit_code != 0
    assert "PINGAN_BROKER_URL" in result.output


def test_distributed_plan_needs_a_broker(no_broker: None, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["plan", "patrol", "--distributed", "--scenario", str(tmp_path / "x.json")]
    )
    assert result.exit_code != 0
    assert "PINGAN_BROKER_URL" in result.output
    assert not (tmp_path / "patrol-plan.json").exists()
