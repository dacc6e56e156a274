"""Concurrency against a real uvicorn server: a request never holds a database connection it
does not need, so a flood of unauthenticated writes cannot exhaust the pool, and dispatchers
racing for one unit get exactly one winner and clear 409s — never a 5xx. A pool that is
exhausted anyway answers a problem+json 503 with Retry-After at once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.app import create_app
from api.models import Role
from api.pool import pool_options
from rosters.db import make_engine, session_scope
from rosters.demo_city import build_demo_city
from rosters.scenario_db import load_scenario_into_db
from rosters.settings import Settings
from tests.api.conftest import add_users, api_settings, bearer, centre_today
from tests.api.server import serving

CLIENTS = 50
#: a bound far above what the server needs and far below the old failure (every request
#: waited the 30 s pool timeout, then failed)
BOUND_SECONDS = 20.0


def sized_engine(engine: Engine, settings: Settings) -> Engine:
    """An engine on the same database as `engine`, its pool sized as a server's."""
    url = engine.url.render_as_string(hide_password=False)
    kwargs: dict[str, Any] = pool_options(settings, url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            path = conn.execute(text("SHOW search_path")).scalar_one()
        kwargs["connect_args"] = {"options": f"-csearch_path={path}"}
    return make_engine(url, **kwargs)


@pytest.fixture
def server(fresh_engine: Engine, password_hash: str) -> Iterator[tuple[str, Engine]]:
    add_users(fresh_engine, password_hash)
    settings = api_settings()
    engine = sized_engine(fresh_engine, settings)
    try:
        with serving(create_app(settings, engine)) as base:
            yield base, engine
    finally:
        engine.dispose()


async def _gather(
    requests: list[tuple[str, str, dict[str, Any]]], base: str
) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        return await asyncio.gather(*(client.request(m, u, **kw) for m, u, kw in requests))


def _all(requests: list[tuple[str, str, dict[str, Any]]], base: str) -> list[httpx.Response]:
    """Send every request at once, on an event loop of its own thread: the browser tests'
    session-wide Playwright keeps a loop running on the main thread, where asyncio.run fails."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _gather(requests, base)).result()


def _incident_body(lon: float, lat: float, code: str) -> dict[str, Any]:
    return {"code": code, "kind": "violent", "lon": lon, "lat": lat, "needs": {"headcount": 1}}


def test_unauthenticated_posts_never_exhaust_the_pool(server: tuple[str, Engine]) -> None:
    base, _ = server
    guesses = []
    for i in range(CLIENTS):
        headers = (
            {"X-API-Key": f"pak_{i:012x}_guessed-secret-{i}"}
            if i % 2
            else {"Authorization": f"Bearer forged.{i}.token"}
        )
        body = _incident_body(100.45, 38.93, f"X-{i}")
        guesses.append(("POST", "/incidents", {"json": body, "headers": headers}))
    t0 = time.monotonic()
    answers = _all(guesses, base)
    took = time.monotonic() - t0
    assert sorted({r.status_code for r in answers}) == [401], [r.text for r in answers][:3]
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers)
    assert took < BOUND_SECONDS, took
    # the server still answers a logged-in reader at once
    ok = httpx.get(f"{base}/me", headers=bearer(Role.VIEWER), timeout=10)
    assert ok.status_code == 200


def test_racing_dispatchers_get_one_winner_and_clear_conflicts(
    server: tuple[str, Engine],
) -> None:
    base, engine = server
    city = build_demo_city("small", start=centre_today(), days=1)
    with session_scope(engine) as session:
        load_scenario_into_db(session, city)
    h = bearer(Role.DISPATCHER)
    unit = httpx.get(f"{base}/units", params={"limit": 1}, headers=h, timeout=10).json()
    unit = unit["items"][0]
    body = _incident_body(unit["base_lon"], unit["base_lat"], "RACE-1")
    assert httpx.post(f"{base}/incidents", json=body, headers=h, timeout=30).status_code == 201
    r = httpx.post(f"{base}/incidents/RACE-1/suggest", json={}, headers=h, timeout=60)
    assert r.status_code == 200, r.text
    send = {"json": {"units": [unit["code"]]}, "headers": h}
    answers = _all([("POST", "/incidents/RACE-1/dispatch", send)] * CLIENTS, base)
    codes = [r.status_code for r in answers]
    assert codes.count(200) == 1, sorted(codes)
    assert codes.count(409) == CLIENTS - 1, sorted(codes)
    for r in answers:
        if r.status_code == 409:
            problem = r.json()
            assert r.headers["content-type"] == "application/problem+json"
            assert unit["code"] in problem["detail"] and "nothing dispatched" in problem["detail"]
    status = httpx.get(f"{base}/unit-status", headers=h, timeout=10).json()
    mine = [s for s in status if s["unit"] == unit["code"]]
    assert mine and mine[0]["status"] == "en_route" and mine[0]["incident"] == "RACE-1"


def test_an_exhausted_pool_answers_503_with_retry_after(
    fresh_engine: Engine, password_hash: str
) -> None:
    """Every connection held elsewhere: a request is refused within the pool timeout."""
    add_users(fresh_engine, password_hash)
    settings = api_settings(request_threads=1, job_workers=1, db_pool_timeout=0.2)
    engine = sized_engine(fresh_engine, settings)
    app: FastAPI = create_app(settings, engine)
    app.router.lifespan_context = _no_lifespan  # no background thread takes connections
    try:
        with serving(app) as base:
            held = []
            while True:  # every connection of the pool
                try:
                    held.append(engine.connect())
                except PoolTimeout:
                    break
            try:
                t0 = time.monotonic()
                r = httpx.get(f"{base}/units", headers=bearer(Role.VIEWER), timeout=30)
                took = time.monotonic() - t0
            finally:
                for conn in held:
                    conn.close()
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["retry-after"] == "1"
            assert took < 5, took
            assert httpx.get(f"{base}/units", headers=bearer(Role.VIEWER)).status_code == 200
    finally:
        engine.dispose()


def test_a_request_holds_one_connection_at_most(fresh_engine: Engine, password_hash: str) -> None:
    """Authentication of a write request runs before the request's session takes a
    connection: with a pool of one, a POST still gets through."""
    add_users(fresh_engine, password_hash)
    settings = api_settings()
    url = fresh_engine.url.render_as_string(hide_password=False)
    kwargs: dict[str, Any] = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 2}
    if fresh_engine.dialect.name == "postgresql":
        with fresh_engine.connect() as conn:
            path = conn.execute(text("SHOW search_path")).scalar_one()
        kwargs["connect_args"] = {"options": f"-csearch_path={path}"}
    engine = make_engine(url, **kwargs)
    seen: list[int] = []
    app = create_app(settings, engine)

    def watch(stop: threading.Event) -> None:
        while not stop.is_set():
            seen.append(engine.pool.checkedout())  # type: ignore[attr-defined]
            time.sleep(0.001)

    try:
        # no job runner, bus or scheduler competing for the single connection
        from fastapi.testclient import TestClient

        app.router.lifespan_context = _no_lifespan
        client = TestClient(app)
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(stop,))
        watcher.start()
        try:
            body = {"code": "J1", "name": "市", "level": "city"}
            r = client.post(
                "/jurisdictions",
                json=body,
                headers={"X-API-Key": "pak_000000000000_nope"},
            )
            assert r.status_code == 401
            r = client.post("/jurisdictions", json=body, headers=bearer(Role.COMMANDER))
            assert r.status_code in (201, 422), r.text
        finally:
            stop.set()
            watcher.join()
        assert max(seen) <= 1
    finally:
        engine.dispose()


class _NoLifespan:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


def _no_lifespan(app: FastAPI) -> _NoLifespan:
    return _NoLifespan()
