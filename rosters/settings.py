"""One Settings object for the whole process, read from the environment (prefix `PINGAN_`)
and an optional `.env` / settings file (`PINGAN_SETTINGS_FILE`). Documented in the README."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PINGAN_",
        env_file=os.environ.get("PINGAN_SETTINGS_FILE", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: str = Field(
        default="sqlite:///pingan.db",
        description="SQLAlchemy URL; SQLite file by default, e.g. "
        "postgresql+psycopg://user@host:5432/pingan for PostgreSQL",
    )
    timezone: str = Field(default="Asia/Shanghai", description="local time zone of the centre")
    secret_key: str = Field(
        default="",
        description="token signing key, at least 32 random bytes (required by the server)",
    )
    token_minutes: int = Field(default=30, ge=1, description="lifetime of a login token")
    request_threads: int = Field(
        default=16,
        ge=1,
        le=500,
        description="blocking request work (database, password hashing) done at once per "
        "server process; its database pool holds twice as many connections plus "
        "2 × job_workers + 4 for the background threads",
    )
    db_pool_timeout: float = Field(
        default=0.5,
        gt=0,
        le=30,
        description="seconds a request waits for a free database connection before it is "
        "answered 503 with Retry-After",
    )
    auth_failure_delay_seconds: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="a forged token or an unknown API key is refused after this long "
        "(slows guessing; holds nothing meanwhile)",
    )
    read_cache_entries: int = Field(
        default=512,
        ge=0,
        le=100_000,
        description="answers of the busiest reads kept per server process while the "
        "database is unchanged (0 = none)",
    )
    login_max_failures: int = Field(
        default=10, ge=1, description="wrong passwords for one username before it is locked"
    )
    login_max_failures_per_address: int = Field(
        default=30, ge=1, description="wrong passwords from one client address before it is locked"
    )
    login_window_seconds: int = Field(
        default=900,
        ge=1,
        description="failures older than this are forgotten (so a lockout lasts at most this)",
    )
    stream_check_seconds: float = Field(
        default=5.0,
        gt=0,
        description="how often an open event stream checks that its login or key is still valid",
    )
    travel_service_url: str = Field(
        default="", description="OSRM-compatible table service; empty = great-circle model"
    )
    travel_timeout_seconds: float = Field(default=2.0, gt=0)
    tile_url: str = Field(
        default="", description="optional intranet tile template, e.g. Tianditu-style {z}/{x}/{y}"
    )
    standards_file: str = Field(
        default="", description="JSON file overriding the staffing-standard thresholds"
    )
    output_dir: str = Field(default="out", description="where `pingan demo` writes its outputs")
    server_host: str = Field(default="127.0.0.1", description="address `pingan serve` binds")
    server_port: int = Field(default=8000, ge=1, le=65535, description="port `pingan serve` binds")
    job_workers: int = Field(default=2, ge=1, description="solve jobs run at once per process")
    job_stale_seconds: float = Field(
        default=10.0,
        gt=0,
        description="a running solve job without a heartbeat for this long is marked failed",
    )
    broker_url: str = Field(
        default="",
        description="Celery broker (e.g. amqp://guest:guest@127.0.0.1:5672//): jobs then run "
        "on `pingan worker` processes; empty = in-process jobs",
    )
    job_queue: str = Field(
        default="pingan", max_length=200, description="broker queue of the solve parts"
    )
    job_part_tries: int = Field(
        default=3, ge=1, le=10, description="a job part that fails this often fails its job"
    )
    events_poll_seconds: float = Field(
        default=0.5, gt=0, description="how often live updates look for new events"
    )
    scheduler_enabled: bool = Field(
        default=True, description="run the scheduled jobs (one elected process runs them)"
    )
    nightly_plan_at: str = Field(
        default="22:00", description="local time the next day's patrol plan is made (HH:MM)"
    )
    nightly_plan_seconds: float = Field(
        default=300.0, gt=0, description="time limit of the nightly patrol solve"
    )
    drill_reminder_at: str = Field(
        default="07:30",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="local time each morning's drill reminders are made (HH:MM)",
    )
    drill_reminder_days: int = Field(
        default=3, ge=1, le=31, description="drills of how many days (from today) a reminder lists"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
