"""The parts of a job run by the job engine: one row per part (a county of a patrol plan, the
whole of a job that does not split) and one for the merge. The row is the truth: a part's
task finds its input here, writes its progress and heartbeat here and stores its result here
once (the first finished run wins; `(job_id, key)` is unique)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models import utcnow
from rosters.models.common import json_column, one_of


class PartStatus(StrEnum):
    WAITING = "waiting"  # the merge, until every part is finished
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


PART_FINISHED = frozenset({PartStatus.DONE, PartStatus.FAILED, PartStatus.CANCELLED})
MERGE_KEY = "merge"


class JobPart(SQLModel, table=True):
    __tablename__ = "job_part"
    __table_args__ = (
        UniqueConstraint("job_id", "key", name="uq_job_part_key"),
        one_of("status", PartStatus, "ck_job_part_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("job.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    key: str = Field(max_length=128)
    status: str = Field(default=PartStatus.QUEUED.value, max_length=16)
    weight: float = 1.0
    params: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    progress: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    error: str = Field(default="", max_length=2000)
    attempts: int = 0
    worker: str = Field(default="", max_length=128)
    solved_by: str = Field(default="", max_length=128)
    seconds: float | None = None
    peak_rss_mb: float | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    heartbeat_at: dt.datetime | None = None
