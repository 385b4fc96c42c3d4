"""A user's notifications. Ids grow with time, so they order the list and serve as cursors."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, utcnow


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    reference_type: Mapped[str | None] = mapped_column(String(50))
    reference_id: Mapped[str | None] = mapped_column(String(64))
    is_read: Mapped[bool] = mapped_column(default=False, server_default="false")
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


Index("ix_notifications_user_id_id", Notification.user_id, Notification.id.desc())
Index(
    "ix_notifications_user_id_unread",
    Notification.user_id,
    Notification.id.desc(),
    postgresql_where=text("NOT is_read"),
)


class MessageDigest(Base):
    """Per user: the newest message an unread-message digest already covered, so none is
    e-mailed twice. Written only when a digest goes out (the send path writes nothing here)."""

    __tablename__ = "message_digests"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    emailed_through_message_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_sent_at: Mapped[datetime | None]
