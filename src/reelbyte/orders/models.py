"""Orders, their event history, deliveries, milestones and disputes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from reelbyte.core.types import pg_enum

MAX_TITLE_CHARS = 200


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    REVISION_REQUESTED = "revision_requested"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DISPUTED = "disputed"


class MilestoneStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be funded
    FUNDED = "funded"  # money in escrow, work under way
    SUBMITTED = "submitted"  # work handed in, waiting for the client
    APPROVED = "approved"  # released to the creator
    CANCELLED = "cancelled"  # the order was cancelled; funded money refunded


class DisputeStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Order(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "platform_fee_minor >= 0 AND creator_earnings_minor >= 0 "
            "AND platform_fee_minor + creator_earnings_minor = amount_minor",
            name="fee_plus_earnings_is_amount",
        ),
        CheckConstraint(
            "revisions_used >= 0 AND revisions_used <= revisions_allowed", name="revisions_range"
        ),
        CheckConstraint(
            "(gig_id IS NOT NULL AND package_id IS NOT NULL) OR proposal_id IS NOT NULL", name="has_source"
        ),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    creator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    gig_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("gigs.id", ondelete="SET NULL"), index=True)
    package_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("packages.id", ondelete="SET NULL"))
    proposal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="RESTRICT"), unique=True
    )
    # What was bought, as it was when ordered (the gig or package may change later).
    title: Mapped[str] = mapped_column(String(200))
    package_tier: Mapped[str | None] = mapped_column(String(16))
    # The package's video spec when ordered: what deliveries are checked against (catalog's
    # VideoSpec, stored form); a later change to the package does not move the goalposts.
    video_spec: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    requirements: Mapped[str | None] = mapped_column(Text)

    amount_minor: Mapped[int] = mapped_column(BigInteger)
    platform_fee_minor: Mapped[int] = mapped_column(BigInteger)
    creator_earnings_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    fee_percentage: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    delivery_days: Mapped[int] = mapped_column(Integer)
    revisions_allowed: Mapped[int] = mapped_column(Integer)
    revisions_used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    uses_milestones: Mapped[bool] = mapped_column(default=False, server_default="false")

    status: Mapped[OrderStatus] = mapped_column(
        pg_enum(OrderStatus, "order_status"),
        default=OrderStatus.PENDING_PAYMENT,
        server_default="pending_payment",
    )
    paid_at: Mapped[datetime | None]
    delivery_date: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # A pending request to cancel after payment: who asked and why; the other party accepts.
    cancellation_requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    cancellation_reason: Mapped[str | None] = mapped_column(Text)


Index("ix_orders_client_status", Order.client_id, Order.status, Order.created_at.desc())
Index("ix_orders_creator_status", Order.creator_id, Order.status, Order.created_at.desc())


class OrderEvent(Base):
    """The order's history: every transition, and other notable moments."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class Delivery(UUIDPrimaryKey, Base):
    """The creator hands the work over (again, after a revision request)."""

    __tablename__ = "deliveries"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # A milestone's submission, on an order paid by milestones (None: the order's own delivery).
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text)
    revision_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class Deliverable(UUIDPrimaryKey, Base):
    """A piece of the work: a link (`url`) or a file uploaded for the order (`upload_id`). Added
    while working (no delivery yet), with a delivery, or with a milestone's submission."""

    __tablename__ = "deliverables"
    # Neither, once the creator deleted the file of an order cancelled since: the row stays as
    # the record of what was handed in (media refuses deleting it while the order is live).
    __table_args__ = (CheckConstraint("url IS NULL OR upload_id IS NULL", name="link_or_file"),)

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(2048))
    upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(MAX_TITLE_CHARS))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class Milestone(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "platform_fee_minor >= 0 AND creator_earnings_minor >= 0 "
            "AND platform_fee_minor + creator_earnings_minor = amount_minor",
            name="fee_plus_earnings_is_amount",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    platform_fee_minor: Mapped[int] = mapped_column(BigInteger)
    creator_earnings_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[datetime | None]
    status: Mapped[MilestoneStatus] = mapped_column(
        pg_enum(MilestoneStatus, "milestone_status"),
        default=MilestoneStatus.PENDING,
        server_default="pending",
    )
    deliverables: Mapped[list[str]] = mapped_column(ARRAY(String(2048)), default=list, server_default="{}")
    submission_note: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    funded_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]


class Dispute(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint(
            "status = 'open' OR (refund_minor >= 0 AND release_minor >= 0)", name="resolution_not_negative"
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    opened_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(
        pg_enum(DisputeStatus, "dispute_status"), default=DisputeStatus.OPEN, server_default="open"
    )
    status_before: Mapped[str] = mapped_column(String(32))
    refund_minor: Mapped[int | None] = mapped_column(BigInteger)
    release_minor: Mapped[int | None] = mapped_column(BigInteger)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]


# At most one open dispute per order.
Index(
    "uq_disputes_one_open_per_order", Dispute.order_id, unique=True, postgresql_where=text("status = 'open'")
)


class DeliveryComment(UUIDPrimaryKey, Timestamps, Base):
    """A review note pinned to a moment (and optionally a spot) of a delivery, Frame.io-style.

    A top-level comment carries the timecode and the optional normalised position (x, y in
    0..1 of the frame); a reply hangs under a top-level comment (never under a reply) and shares
    its timecode. Threads are resolved as a whole, on the top-level comment. A later delivery
    may address a thread (`addressed_by_delivery_id`). A deleted top-level comment that still
    has replies stays as a placeholder (`deleted_at` set, no text) so its thread keeps its place.
    """

    __tablename__ = "delivery_comments"
    __table_args__ = (
        CheckConstraint("timecode_ms >= 0", name="timecode_not_negative"),
        CheckConstraint("(x IS NULL) = (y IS NULL)", name="both_or_no_position"),
        CheckConstraint("x IS NULL OR (x BETWEEN 0 AND 1 AND y BETWEEN 0 AND 1)", name="position_normalised"),
        CheckConstraint("(text IS NULL) = (deleted_at IS NOT NULL)", name="text_unless_deleted"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("delivery_comments.id", ondelete="CASCADE"), index=True
    )
    timecode_ms: Mapped[int] = mapped_column(Integer)
    x: Mapped[float | None] = mapped_column(Float)
    y: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    addressed_by_delivery_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )


# The review list of a delivery: by timecode, then in time order.
Index(
    "ix_delivery_comments_delivery_timecode",
    DeliveryComment.delivery_id,
    DeliveryComment.timecode_ms,
    DeliveryComment.created_at,
)
