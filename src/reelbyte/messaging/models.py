"""Conversations between two users, their messages, read state, blocks and reports."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, UUIDPrimaryKey, utcnow
from reelbyte.core.types import pg_enum


class Conversation(UUIDPrimaryKey, Base):
    """One pair of users in one context: none (''), 'order:<id>' or 'project:<id>'.

    The pair is stored ordered (user_low < user_high), so that a unique index on
    (user_low, user_high, context) makes two concurrent starts end with one conversation.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint("user_low < user_high", name="ordered_pair"),
        CheckConstraint("order_id IS NULL OR project_id IS NULL", name="one_context"),
    )

    user_low: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_high: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    context: Mapped[str] = mapped_column(String(64), default="", server_default="")
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    # When a message before any order between the two carried contact details (masked): for review.
    flagged_at: Mapped[datetime | None]


Index(
    "uq_conversations_pair_context",
    Conversation.user_low,
    Conversation.user_high,
    Conversation.context,
    unique=True,
)


class ConversationParticipant(Base):
    """One side of a conversation: how far they have read, and whether they archived it."""

    __tablename__ = "conversation_participants"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_read_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_read_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]


Index("ix_conversation_participants_user_id", ConversationParticipant.user_id)


MESSAGE_CLIENT_ID_LENGTH = 64


class Message(Base):
    """Ids grow with time, so they order a conversation and serve as read marks and cursors."""

    __tablename__ = "messages"
    __table_args__ = (CheckConstraint("char_length(content) BETWEEN 1 AND 5000", name="content_length"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text)
    attachment_url: Mapped[str | None] = mapped_column(String(2048))
    # A file uploaded for this conversation (purpose message_attachment); deleting the upload
    # leaves the message without it.
    attachment_upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL")
    )
    # Chosen by the sender's client, so that sending again (after a lost answer or a reconnect)
    # finds the message already sent instead of posting it twice.
    client_id: Mapped[str | None] = mapped_column(String(MESSAGE_CLIENT_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # A moderator hid the message (a report resolved with hide_content): its sender and admins still see it.
    hidden_at: Mapped[datetime | None]


Index("ix_messages_conversation_id_id", Message.conversation_id, Message.id)
Index(
    "uq_messages_sender_id_client_id",
    Message.sender_id,
    Message.client_id,
    unique=True,
    postgresql_where=Message.client_id.is_not(None),
)
# Deleting an upload sets its messages' attachment_upload_id to NULL: found by this index.
Index(
    "ix_messages_attachment_upload_id",
    Message.attachment_upload_id,
    postgresql_where=Message.attachment_upload_id.is_not(None),
)
# The digest job reads the last couple of hours of messages every minute; a BRIN index suits a
# column that grows with the table, and costs next to nothing to keep.
Index("ix_messages_created_at_brin", Message.created_at, postgresql_using="brin")


class UserBlock(Base):
    __tablename__ = "user_blocks"

    blocker_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class ReportTarget(enum.StrEnum):
    USER = "user"
    GIG = "gig"
    REVIEW = "review"
    MESSAGE = "message"
    PROJECT = "project"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class ReportAction(enum.StrEnum):
    """What a moderator did about a report (admin/reports.py)."""

    DISMISS = "dismiss"
    WARN = "warn"
    HIDE_CONTENT = "hide_content"
    SUSPEND_USER = "suspend_user"


class Report(UUIDPrimaryKey, Base):
    """Something a user flagged for the moderators, who work the queue (admin/reports.py)."""

    __tablename__ = "reports"

    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[ReportTarget] = mapped_column(pg_enum(ReportTarget, "report_target"))
    target_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(
        pg_enum(ReportStatus, "report_status"), default=ReportStatus.OPEN, server_default="open"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_action: Mapped[ReportAction | None] = mapped_column(pg_enum(ReportAction, "report_action"))
    resolution_note: Mapped[str | None] = mapped_column(Text)


Index("uq_reports_reporter_target", Report.reporter_id, Report.target_type, Report.target_id, unique=True)
Index("ix_reports_status_created_at", Report.status, Report.created_at)
# The queue counts the reports on the same target.
Index("ix_reports_target", Report.target_type, Report.target_id)
