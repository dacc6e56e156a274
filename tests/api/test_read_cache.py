"""The read cache (`api.read_cache`): a repeated read is answered from it, and nothing
committed since — through the API, straight into the database, a logout — is ever missed;
credentials are checked on every request; concurrent misses compute once.
On SQLite and on PostgreSQL (`fresh_engine`)."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api import read_cache
from api.app import create_app
from api.auth import create_token
from api.models import Role, User
from api.read_cache import HIT_HEADER, Kept, KeptAnswers
from rosters.db import session_scope
from rosters.models.geography import Jurisdiction
from tests.aio import run_in_new_loop
from tests.api.conftest import SECRET, Api, add_users, api_settings, bearer, login

HIT = HIT_HEADER[0].decode()


def _codes(api: Api, headers: dict[str, str]) -> tuple[bool, list[str]]:
    r = api.client.get("/jurisdictions", headers=headers)
    assert r.status_code == 200, r.text
    return r.headers.get(HIT) == "hit", [j["code"] for j in r.json()["items"]]


def test_a_repeated_read_is_kept_and_every_write_is_seen(api: Api) -> None:
    h = api.as_("admin")
    assert (
        api.client.post(
            "/jurisdictions", json={"code": "C", "name": "市", "level": "city"}, headers=h
        ).status_code
        == 201
    )
    assert _codes(api, h) == (False, ["C"])
    assert _codes(api, h) == (True, ["C"])
    # through the API
    body = {"code": "T1", "name": "镇", "level": "township", "parent": "C"}
    assert api.client.post("/jurisdictions", json=body, headers=h).status_code == 201
    assert _codes(api, h) == (False, ["C", "T1"])
    assert _codes(api, h) == (True, ["C", "T1"])
    # straight into the database, from a connection of its own
    with session_scope(api.engine) as session:
        session.add(Jurisdiction(code="T2", name="乡", level="township"))
    hit, codes = _codes(api, h)
    assert not hit and codes == ["C", "T1", "T2"]
    state = api.client.app.state  # type: ignore[attr-defined]
    assert state.read_cache.hits == 2


def test_the_answer_depends_on_the_query_and_the_token(api: Api) -> None:
    h = api.as_("admin")
    for code in ("A", "B"):
        body = {"code": code, "name": code, "level": "city"}
        assert api.client.post("/jurisdictions", json=body, headers=h).status_code == 201
    first = api.client.get("/jurisdictions", params={"limit": 1}, headers=h)
    again = api.client.get("/jurisdictions", params={"limit": 1, "offset": 1}, headers=h)
    assert HIT not in again.headers
    assert [j["code"] for j in again.json()["items"]] == ["B"] != first.json()["items"]
    viewer = api.as_("viewer")
    assert _codes(api, viewer)[0] is False  # another token: computed for it
    assert _codes(api, viewer)[0] is True


def test_credentials_are_checked_on_every_request(api: Api, password_hash: str) -> None:
    """A logout, a forged or an expired token: refused as without the cache."""
    h = login(api.client, "dispatcher")
    assert _codes(api, h)[0] is False and _codes(api, h)[0] is True
    forged = {"Authorization": h["Authorization"][:-4] + "AAAA"}
    assert api.client.get("/jurisdictions", headers=forged).status_code == 401
    user = User(username="dispatcher", role=Role.DISPATCHER.value, password_hash="")
    expired = {"Authorization": f"Bearer {create_token(SECRET, user, -1)[0]}"}
    assert api.client.get("/jurisdictions", headers=expired).status_code == 401
    assert api.client.post("/auth/logout", headers=h).status_code == 204
    r = api.client.get("/jurisdictions", headers=h)
    assert r.status_code == 401 and HIT not in r.headers


def test_api_keys_and_refusals_are_never_kept(api: Api) -> None:
    made = api.client.post(
        "/api-keys", json={"name": "wall", "role": "viewer"}, headers=api.as_("admin")
    )
    assert made.status_code == 201, made.text
    key = {"X-API-Key": made.json()["key"]}
    for _ in range(2):
        r = api.client.get("/jurisdictions", headers=key)
        assert r.status_code == 200 and HIT not in r.headers
        r = api.client.get("/jurisdictions", params={"limit": 0}, headers=api.as_("admin"))
        assert r.status_code == 422 and HIT not in r.headers


def test_no_cache_when_switched_off(fresh_engine: Engine, password_hash: str) -> None:
    add_users(fresh_engine, password_hash)
    app = create_app(api_settings(read_cache_entries=0), fresh_engine)
    with TestClient(app) as client:
        for _ in range(2):
            r = client.get("/jurisdictions", headers=bearer(Role.ADMIN))
            assert r.status_code == 200 and HIT not in r.headers
    assert len(app.state.read_cache) == 0 and app.state.read_cache.hits == 0


def _kept(stamp: str, body: bytes) -> Kept:
    return Kept(stamp, {"type": "http.response.start", "status": 200, "headers": []}, body)


def test_requests_asking_the_same_at_once_compute_it_once() -> None:
    async def scenario() -> tuple[list[Kept | None], KeptAnswers]:
        answers = KeptAnswers(8)
        key = ("/units", b"", b"token", b"")
        first = await answers.get(key, "s1")  # computes
        assert first is None
        waiting = [asyncio.create_task(answers.get(key, "s1")) for _ in range(20)]
        other_stamp = await answers.get(key, "s2")  # a later stamp does not wait for s1
        await asyncio.sleep(0)
        answers.done(key, "s1", _kept("s1", b"[1]"))
        answers.done(key, "s2", None)  # e.g. refused: nothing kept, nobody waits
        return [other_stamp, *await asyncio.gather(*waiting)], answers

    got, answers = run_in_new_loop(scenario())
    assert got[0] is None and all(k is not None and k.body == b"[1]" for k in got[1:])
    assert (answers.hits, answers.misses) == (20, 2)


def test_a_failed_computation_lets_the_waiters_compute() -> None:
    async def scenario() -> Kept | None:
        answers = KeptAnswers(8)
        key = ("/units", b"", b"token", b"")
        assert await answers.get(key, "s") is None
        waiter = asyncio.create_task(answers.get(key, "s"))
        await asyncio.sleep(0)
        answers.done(key, "s", None)
        return await waiter

    assert run_in_new_loop(scenario()) is None


def test_least_recently_used_answers_go_first() -> None:
    async def scenario() -> KeptAnswers:
        answers = KeptAnswers(2)
        keys = [(f"/{n}", b"", b"t", b"") for n in "abc"]
        for key in keys[:2]:
            await answers.get(key, "s")
            answers.done(key, "s", _kept("s", key[0].encode()))
        assert await answers.get(keys[0], "s") is not None  # a used last
        await answers.get(keys[2], "s")
        answers.done(keys[2], "s", _kept("s", b"c"))
        assert await answers.get(keys[1], "s") is None  # b dropped
        answers.done(keys[1], "s", None)
        return answers

    answers = run_in_new_loop(scenario())
    assert len(answers) == 2


def test_the_answers_kept_stay_within_their_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_cache, "MAX_BYTES", 9)

    async def scenario() -> KeptAnswers:
        answers = KeptAnswers(100)
        for n, body in enumerate((b"aaaa", b"bbbb", b"cccc", b"dd")):
            key = (f"/{n}", b"", b"t", b"")
            await answers.get(key, "s")
            answers.done(key, "s", _kept("s", body))
        return answers

    answers = run_in_new_loop(scenario())
    assert len(answers) == 2 and answers.bytes == 6  # "cccc" and "dd"
