"""Workbench tests: a real server (uvicorn on loopback) on a fresh database holding the small
test city (tests/api/city.py: its roster and a published plan) and one user of every role,
and Debian Chromium driven by Playwright with every request checked to stay on this machine.

Fixtures:
- `bench`: the running server (`.base`, `.engine`, `.city`, `.app`), with `.api(role)` the
  bearer headers of the JSON API for setting things up;
- `browser_page` (from tests/maps/conftest.py): a fresh browser context, 1280×800 unless a
  test resizes it (`set_viewport_size`), `.shot(name)` saves a screenshot under
  test-artifacts/maps/ — workbench tests save theirs with `shot(page, name)` below under
  test-artifacts/workbench/ instead;
- `log_in(page, base, path, user)`: through the login form, landing on ``path``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api.app import create_app
from api.auth import hash_password
from api.models import Role
from tests.api.city import City, load_city
from tests.api.conftest import PASSWORD, add_users, api_settings, bearer
from tests.api.server import serving
from tests.maps.conftest import BrowserPage, browser_page, chromium  # noqa: F401 (fixtures)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workbench"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1920, "height": 1080}


@dataclass
class Bench:
    base: str
    app: FastAPI
    engine: Engine
    city: City

    def api(self, role: Role = Role.COMMANDER) -> dict[str, str]:
        return bearer(role)


@pytest.fixture(scope="session")
def bench_password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def bench(fresh_engine: Engine, bench_password_hash: str) -> Iterator[Bench]:
    add_users(fresh_engine, bench_password_hash)
    city = load_city(fresh_engine)
    app = create_app(api_settings(), fresh_engine)
    with serving(app) as base:
        yield Bench(base, app, fresh_engine, city)


def log_in(page: Any, base: str, path: str, user: str = "commander") -> None:
    """Open ``path``, get sent to the login form, log in as ``user``, land on ``path``."""
    page.goto(f"{base}{path}")
    page.wait_for_url("**/pages/login?**")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.split("?")[0].endswith(path.split("?")[0]))


def shot(bp: BrowserPage, name: str) -> Path:
    """A screenshot of the page as the user sees it, kept as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    bp.page.screenshot(path=str(path), full_page=False)
    return path
