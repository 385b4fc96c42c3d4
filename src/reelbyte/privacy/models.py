"""Data exports: one ZIP of a user's data, built by a job and kept in private storage."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, UUIDPrimaryKey, utcnow
from reelbyte.core.types import pg_enum


class ExportStatus(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class DataExport(UUIDPrimaryKey, Base):
    __tablename__ = "data_exports"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ExportStatus] = mapped_column(
        pg_enum(ExportStatus, "data_export_status"), default=ExportStatus.PENDING, server_default="pending"
    )
    # The ZIP's key in private storage, once built.
    storage_key: Mapped[str | None] = mapped_column(String(1024))
    size_bytes: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    completed_at: Mapped[datetime | None]
    # The e-mailed link works until then; a job removes the file afterwards.
    expires_at: Mapped[datetime | None]


# One export at a time per user: a second request while one is being built finds this index.
Index(
    "uq_data_exports_user_pending",
    DataExport.user_id,
    unique=True,
    postgresql_where=text("status = 'pending'"),
)
