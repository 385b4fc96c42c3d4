"""Video jobs: one row per trim or auto-hooks request, with its progress and the clips it made."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey
from reelbyte.core.types import pg_enum


class VideoJobKind(enum.StrEnum):
    TRIM = "trim"
    AUTO_HOOKS = "auto_hooks"


class VideoJobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # `failure_reason` says why; the plan's use was given back
    CANCELLED = "cancelled"


FINISHED_STATES = (VideoJobState.SUCCEEDED, VideoJobState.FAILED, VideoJobState.CANCELLED)


class VideoJob(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "video_jobs"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("(state = 'failed') = (failure_reason IS NOT NULL)", name="reason_when_failed"),
        Index("ix_video_jobs_owner_newest", "owner_id", "created_at"),
        Index("ix_video_jobs_finished", "finished_at", postgresql_where="finished_at IS NOT NULL"),
        Index("ix_video_jobs_upload", "upload_id", postgresql_where="upload_id IS NOT NULL"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The source; a job outlives its source's deletion (its clips are files of their own).
    upload_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"))
    kind: Mapped[VideoJobKind] = mapped_column(pg_enum(VideoJobKind, "video_job_kind"))
    state: Mapped[VideoJobState] = mapped_column(
        pg_enum(VideoJobState, "video_job_state"), default=VideoJobState.QUEUED
    )
    # What was asked: {start_ms, end_ms, aspect} of a trim; {count, min_seconds, max_seconds} of hooks.
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    source_seconds: Mapped[float] = mapped_column(Float)
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # [{key, start_ms, end_ms, score, width, height, duration_seconds, size}], in the order made.
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    failure_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
