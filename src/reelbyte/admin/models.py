"""Verifications of users, and the append-only audit log of every admin action."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, UUIDPrimaryKey, utcnow
from reelbyte.core.types import pg_enum


class VerificationKind(enum.StrEnum):
    IDENTITY = "identity"
    PORTFOLIO = "portfolio"


class UserVerification(UUIDPrimaryKey, Base):
    """An admin vouched for a user: their identity, or that their portfolio is their own work."""

    __tablename__ = "user_verifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[VerificationKind] = mapped_column(pg_enum(VerificationKind, "verification_kind"))
    note: Mapped[str | None] = mapped_column(Text)
    verified_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


Index("uq_user_verifications_user_kind", UserVerification.user_id, UserVerification.kind, unique=True)


class AuditEntry(Base):
    """One admin action: who, what, on which target, the target before and after, why, when.

    Append-only: a trigger (migration 0028) refuses UPDATE and DELETE, so an entry cannot be
    rewritten, even by the application."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))  # null: a job
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


Index("ix_audit_log_target", AuditEntry.target_type, AuditEntry.target_id, AuditEntry.id)
Index("ix_audit_log_actor", AuditEntry.actor_id, AuditEntry.id)
