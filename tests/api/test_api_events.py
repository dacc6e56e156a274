"""Live updates over Server-Sent Events through a real server: a change made through the API
and a change recorded by another process (a row written on another connection) both reach
the stream; replay from Last-Event-ID; kind filters; authentication."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from api.app import create_app
from api.events import publish
from api.models import Role
from rosters.db import session_scope
from tests.api.conftest import add_users, api_settings, bearer
from tests.api.server import serving


def read_events(
    base: str, headers: dict[str, str], want: int, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Read `want` events from the stream (fails on the read timeout if they never come)."""
    out: list[dict[str, Any]] = []
    with httpx.stream(
        "GET", f"{base}/events", headers=headers, params=params, timeout=httpx.Timeout(20.0)
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        for line in r.iter_lines():
            if line.startswith("id:"):
                event["id"] = int(line[3:].strip())
            elif line.startswith("event:"):
                event["event"] = line[6:].strip()
            elif line.startswith("data:"):
                event["data"] = json.loads(line[5:].strip())
            elif line == "" and "data" in event:
                out.append(event)
                event = {}
                if len(out) >= want:
                    break
    return out


def _other_process_writes(engine: Engine, ready: threading.Event) -> None:
    ready.wait(10)
    with session_scope(engine) as session:
        publish(session, "unit_status", {"units": ["U9"], "status": "standby"})


def test_changes_reach_the_stream(fresh_engine: Engine, password_hash: str) -> None:
    add_users(fresh_engine, password_hash)
    app = create_app(api_settings(), fresh_engine)
    viewer, commander = bearer(Role.VIEWER), bearer(Role.COMMANDER)
    with serving(app) as base:
        got: list[dict[str, Any]] = []
        subscribed = threading.Event()

        def listen() -> None:
            got.extend(read_events(base, viewer, 2, {"kind": ["roster", "unit_status"]}))

        reader = threading.Thread(target=listen)
        reader.start()
        # wait until the stream is open: the bus has a subscriber
        deadline = time.monotonic() + 10
        while not app.state.bus.subscribers and time.monotonic() < deadline:
            time.sleep(0.02)
        subscribed.set()
        _other_process_writes(fresh_engine, subscribed)
        httpx.post(
            f"{base}/import/jurisdictions",
            headers=commander,
            files={"file": ("j.csv", "code,name,level\nC,市,city\n".encode())},
        ).raise_for_status()
        reader.join(timeout=20)
        assert [e["event"] for e in got] == ["unit_status", "roster"]
        assert got[0]["data"]["units"] == ["U9"] and got[1]["data"]["kind"] == "jurisdictions"
        # replay: everything after the first event, from its id
        replay = read_events(base, {**viewer, "Last-Event-ID": str(got[0]["id"])}, 1)
        assert replay[0]["id"] == got[1]["id"]
        # a token is never taken from the URL (it would land in access logs)
        token = viewer["Authorization"].split()[1]
        query = {"after": 0, "access_token": token}
        assert httpx.get(f"{base}/events", params=query, timeout=5).status_code == 401
        assert httpx.get(f"{base}/events", timeout=5).status_code == 401
