"""Uploaded files: one row per file a user sends to storage, with what the probe found and the
derived files (thumbnails, poster, preview, storyboard) the processing job made."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey
from reelbyte.core.types import pg_enum

MAX_FILENAME_CHARS = 255


class UploadKind(enum.StrEnum):
    VIDEO = "video"
    IMAGE = "image"
    DOCUMENT = "document"


class UploadPurpose(enum.StrEnum):
    """What the file is for: decides where it is kept, who may see it and what it may be."""

    AVATAR = "avatar"
    PORTFOLIO = "portfolio"
    GIG_GALLERY = "gig_gallery"
    DELIVERABLE = "deliverable"  # an order's delivery or a milestone's submission
    MESSAGE_ATTACHMENT = "message_attachment"
    PROPOSAL_ATTACHMENT = "proposal_attachment"
    PROJECT_ATTACHMENT = "project_attachment"


class UploadState(enum.StrEnum):
    PENDING = "pending"  # waiting for the browser's upload and `complete`
    PROCESSING = "processing"  # verified; the job probes it and makes the derived files
    READY = "ready"
    FAILED = "failed"  # `failure_reason` says why; its objects are gone


class Upload(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "uploads"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("stored_bytes >= 0", name="stored_bytes_not_negative"),
        CheckConstraint(f"char_length(filename) <= {MAX_FILENAME_CHARS}", name="filename_length"),
        CheckConstraint("(state = 'failed') = (failure_reason IS NOT NULL)", name="reason_when_failed"),
        Index("ix_uploads_owner_newest", "owner_id", "created_at"),
        Index("ix_uploads_pending", "created_at", postgresql_where="state = 'pending'"),
        Index("ix_uploads_target", "target_id", postgresql_where="target_id IS NOT NULL"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[UploadKind] = mapped_column(pg_enum(UploadKind, "upload_kind"))
    purpose: Mapped[UploadPurpose] = mapped_column(pg_enum(UploadPurpose, "upload_purpose"))
    # The gig, order, conversation or project the file is for (by purpose; none for avatars and
    # portfolio items, which belong to the owner).
    target_id: Mapped[uuid.UUID | None]
    filename: Mapped[str] = mapped_column(String(MAX_FILENAME_CHARS))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)  # declared, then checked against the object
    storage_key: Mapped[str] = mapped_column(String(500), unique=True)
    multipart_id: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[UploadState] = mapped_column(
        pg_enum(UploadState, "upload_state"), default=UploadState.PENDING
    )
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # Counted against the owner's quota: the declared size until processed, then the original
    # and its derived files.
    stored_bytes: Mapped[int] = mapped_column(BigInteger)
    probe: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # role → {key, content_type, size, width, height, duration_seconds, …} (media/service.py).
    derived: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    completed_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    # A delivered video measured against its order's package spec (media/spec.py: Report as
    # JSON), when the check has run; only deliverable videos are checked.
    spec_report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    spec_checked_at: Mapped[datetime | None]
