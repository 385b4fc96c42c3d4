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
    # What was asked: {start_ms, end_ms, aspect, crop} of a trim; {count, min_seconds, max_seconds,
    # crop} of hooks (jobs from before `crop` lack it: centre).
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    source_seconds: Mapped[float] = mapped_column(Float)
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # [{key, start_ms, end_ms, score, reason, scorer, width, height, duration_seconds, size}], in the
    # order made (reason and scorer: a hook's).
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    failure_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class AttachmentState(enum.StrEnum):
    PENDING = "pending"  # the clip is being copied and processed as an upload
    ATTACHED = "attached"
    FAILED = "failed"  # `failure_reason` says why; the copied file stays in the creator's uploads


class VideoJobAttachment(UUIDPrimaryKey, Timestamps, Base):
    """A job's clip on its way to a gig's gallery, the portfolio or an order's deliverables: the
    clip is copied into a new upload for that place, and placed there once it is processed."""

    __tablename__ = "video_job_attachments"
    __table_args__ = (
        CheckConstraint("(state = 'failed') = (failure_reason IS NOT NULL)", name="reason_when_failed"),
        Index("ix_video_job_attachments_job", "job_id", "result_index"),
    )

    # A job deleted (or expired) meanwhile leaves its attachments to finish: the copy is theirs.
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("video_jobs.id", ondelete="SET NULL"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    result_index: Mapped[int] = mapped_column(Integer)
    upload_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), unique=True)
    # Where it goes, in the upload purposes' words: portfolio, gig_gallery (target: the gig) or
    # deliverable (target: the order).
    destination: Mapped[str] = mapped_column(Text)
    target_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(Text)
    state: Mapped[AttachmentState] = mapped_column(
        pg_enum(AttachmentState, "video_job_attachment_state"), default=AttachmentState.PENDING
    )
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attached_at: Mapped[datetime | None]
