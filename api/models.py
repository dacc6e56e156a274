"""Tables of the server: users and API keys, the audit log, background solve jobs, the
events behind live updates, and the runs of scheduled jobs (one row per job and period, so
a scheduled job runs once even if two schedulers fired it)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Float, Index, LargeBinary, Table, Unicode, UniqueConstraint
from sqlmodel import Field, SQLModel

from rosters.models.common import json_column, one_of


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Role(StrEnum):
    ADMIN = "admin"
    COMMANDER = "commander"
    TRAINING_OFFICER = "training_officer"
    DISPATCHER = "dispatcher"
    VIEWER = "viewer"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (one_of("role", Role, "ck_app_user_role"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(default="", max_length=128)
    role: str = Field(max_length=32)
    password_hash: str = Field(max_length=256)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)
    #: carried in every token; bumped on password change, deactivation and logout, which
    #: makes every token issued before outdated
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: the roster person this login is (their badge; set by an admin): their page "my duties"
    person_badge: str | None = Field(default=None, max_length=64)


class ApiKey(SQLModel, table=True):
    """A key for a machine client. Only a hash of the secret is kept; `prefix` finds it."""

    __tablename__ = "api_key"
    __table_args__ = (one_of("role", Role, "ck_api_key_role"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16, unique=True, index=True)
    key_hash: str = Field(max_length=128)
    role: str = Field(max_length=32)
    active: bool = True
    created_by: str = Field(default="", max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_used_at: dt.datetime | None = None


class LoginFailure(SQLModel, table=True):
    """A wrong password (or unknown user): counted per username and per client address
    to lock out guessing (see `api.login_throttle`). Kept in the database so every server
    process sees the same counts; rows older than the window are deleted."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_at", "username", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    username: str = Field(max_length=64)
    address: str = Field(max_length=64, index=True)


class AuditEntry(SQLModel, table=True):
    """Who changed what and when: one row per write, with the record before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=64, index=True)
    role: str = Field(default="", max_length=32)
    action: str = Field(max_length=32, index=True)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    after: dict[str, Any] | None = Field(default=None, sa_column=json_column())


class Job(SQLModel, table=True):
    """A background solve: what was asked, how far it got, and what came out."""

    __tablename__ = "job"
    __table_args__ = (one_of("status", JobStatus, "ck_job_status"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=16, index=True)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    progress: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    error: str = Field(default="", max_length=2000)
    cancel_requested: bool = False
    worker: str = Field(default="", max_length=128)
    created_by: str = Field(default="", max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    heartbeat_at: dt.datetime | None = None


class Event(SQLModel, table=True):
    """A change pushed to live clients (unit status, incident, plan, job, alert). Every server
    process reads new rows, so a change made in one process reaches every client."""

    __tablename__ = "event"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=32, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))


class ScheduledRun(SQLModel, table=True):
    """One run of a scheduled job for one period (`key`, e.g. the plan's date)."""

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("job_id", "key", name="uq_scheduled_run_job_key"),)
    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=64, index=True)
    key: str = Field(max_length=64)
    worker: str = Field(default="", max_length=128)
    started_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    status: str = Field(default="running", max_length=16)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))


#: APScheduler 3's job store table (the columns `SQLAlchemyJobStore` defines), declared here
#: so the migration creates it and the scheduler never creates tables at run time.
APSCHEDULER_JOBS = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
