"""Verifications of users (the badge); the audit log of admin actions is core/audit.py."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, func
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
