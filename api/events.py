"""Live updates. A change is recorded as an `Event` row in the same transaction as the change
(`publish`), so clients only ever see committed changes. Each server process runs one
`EventBus`: a thread that reads new event rows and hands them to the process's subscribers
(the SSE streams of GET /events). On PostgreSQL, `publish` also sends NOTIFY and the bus
LISTENs, so events reach every process at once; otherwise (SQLite: one process) the bus
polls the table every `events_poll_seconds`."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.models import Event

log = logging.getLogger("pingan.events")
CHANNEL = "pingan_events"
KINDS = ("unit_status", "incident", "plan", "job", "alert", "roster", "drill", "reminder")


def publish(session: Session, kind: str, payload: dict[str, Any]) -> Event:
    """Record an event in the caller's transaction (delivered when it commits)."""
    event = Event(kind=kind, payload=payload)
    session.add(event)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(event.id)})
    return event


def events_after(
    engine: Engine, after: int, kinds: Iterable[str] = (), limit: int = 500
) -> list[Event]:
    with Session(engine) as session:
        stmt = select(Event).where(Event.id > after)  # type: ignore[operator]
        kinds = list(kinds)
        if kinds:
            stmt = stmt.where(Event.kind.in_(kinds))  # type: ignore[attr-defined]
        return list(session.exec(stmt.order_by(Event.id).limit(limit)).all())  # type: ignore[arg-type]


def last_event_id(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.coalesce(func.max(Event.id), 0))).one())


@dataclass(eq=False)
class Subscriber:
    loop: asyncio.AbstractEventLoop
    kinds: frozenset[str]
    queue: asyncio.Queue[Event | None] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))

    def offer(self, event: Event) -> None:
        if self.kinds and event.kind not in self.kinds:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:  # a client too slow to read loses old events, not the server
            log.warning("live-update client too slow: event %s dropped", event.id)


def end_stream(sub: Subscriber) -> None:
    """End a subscriber's stream (from its own event loop)."""
    while True:  # make room: the end must get through even to a slow client
        try:
            sub.queue.put_nowait(None)
            return
        except asyncio.QueueFull:
            sub.queue.get_nowait()


class EventBus:
    def __init__(self, engine: Engine, poll_seconds: float) -> None:
        self.engine, self.poll = engine, poll_seconds
        self.subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pingan-events", daemon=True)
        self.last_id = 0

    def start(self) -> None:
        self.last_id = last_event_id(self.engine)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def wake(self) -> None:
        """Look for new events now (after a commit in this process)."""
        self._wake.set()

    def close_streams(self) -> int:
        """End every open stream (its client reconnects and resumes from its last event id),
        e.g. before the server stops. Returns how many were open."""
        with self._lock:
            subs = list(self.subscribers)
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(end_stream, sub)
            except RuntimeError:  # its loop is closed: the client is gone
                self.unsubscribe(sub)
        return len(subs)

    def subscribe(self, kinds: Iterable[str] = ()) -> Subscriber:
        sub = Subscriber(asyncio.get_running_loop(), frozenset(kinds))
        with self._lock:
            self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self.subscribers.discard(sub)

    def _deliver(self) -> None:
        while True:
            batch = events_after(self.engine, self.last_id)
            if not batch:
                return
            self.last_id = batch[-1].id  # type: ignore[assignment]
            with self._lock:
                subs = list(self.subscribers)
            for sub in subs:
                for event in batch:
                    try:
                        sub.loop.call_soon_threadsafe(sub.offer, event)
                    except RuntimeError:  # its loop is closed: the client is gone
                        self.unsubscribe(sub)
                        break

    def _run(self) -> None:
        listener = None
        while not self._stop.is_set():
            try:
                if listener is None and self.engine.dialect.name == "postgresql":
                    listener = _Listener(self.engine)
                if listener is not None:
                    listener.wait(self.poll, self._wake)
                else:
                    self._wake.wait(self.poll)
                self._wake.clear()
                self._deliver()
            except Exception:
                log.exception("event bus")
                if listener is not None:
                    listener.close()
                    listener = None
                self._stop.wait(self.poll)
        if listener is not None:
            listener.close()


class _Listener:
    """A pooled PostgreSQL connection LISTENing on the events channel."""

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        self.conn: Any = self.raw.driver_connection
        self.conn.autocommit = True
        self.conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, seconds: float, wake: threading.Event) -> None:
        """Return on a notification, on `wake`, or after `seconds`."""
        step = min(seconds, 0.25)
        waited = 0.0
        while waited < seconds and not wake.is_set():
            for _ in self.conn.notifies(timeout=step, stop_after=1):
                return
            waited += step

    def close(self) -> None:
        try:
            self.conn.execute(f"UNLISTEN {CHANNEL}")
            self.conn.autocommit = False
            self.raw.close()
        except Exception:
            self.raw.invalidate()
