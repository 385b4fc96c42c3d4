"""Plans and subscriptions, usage counters, and the outgoing webhooks' endpoints and deliveries."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
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

# --- plans and subscriptions --------------------------------------------------------------


class Plan(Timestamps, Base):
    """A plan as data (seeded by migration 0030, editable by admins). A null limit is unlimited."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint(
            "fee_percentage IS NULL OR (fee_percentage >= 0 AND fee_percentage <= 100)",
            name="fee_percentage_range",
        ),
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)  # free, pro, premium
    name: Mapped[str] = mapped_column(String(64))
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    trims_per_period: Mapped[int | None]
    hooks_per_period: Mapped[int | None]
    max_source_seconds: Mapped[int]
    storage_quota_mb: Mapped[int]
    api_access: Mapped[bool] = mapped_column(default=False, server_default="false")
    webhooks: Mapped[bool] = mapped_column(default=False, server_default="false")
    priority_processing: Mapped[bool] = mapped_column(default=False, server_default="false")
    # The marketplace fee on this plan's creators' sales; null: PLATFORM_FEE_PERCENTAGE.
    fee_percentage: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    display_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")


class SubscriptionStatus(enum.StrEnum):
    INCOMPLETE = "incomplete"  # checkout started, not paid yet
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a renewal failed: the grace period runs
    CANCELED = "canceled"  # ended: the user is back on Free


class Subscription(UUIDPrimaryKey, Timestamps, Base):
    """A user's paid plan with its provider. A user without a live one is on Free."""

    __tablename__ = "subscriptions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plans.code", ondelete="RESTRICT"))
    status: Mapped[SubscriptionStatus] = mapped_column(
        pg_enum(SubscriptionStatus, "subscription_status"), default=SubscriptionStatus.INCOMPLETE
    )
    provider: Mapped[str] = mapped_column(String(16))
    provider_subscription_id: Mapped[str | None] = mapped_column(String(255))
    provider_checkout_id: Mapped[str | None] = mapped_column(String(255))
    current_period_start: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default="false")
    past_due_since: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # The newest provider event applied (its time): an older one arriving late changes nothing.
    provider_updated_at: Mapped[datetime | None]


# One live subscription per user: two checkouts at once create one.
Index(
    "uq_subscriptions_user_live",
    Subscription.user_id,
    unique=True,
    postgresql_where=text("status IN ('incomplete', 'active', 'past_due')"),
)
# The renewal job's work: live subscriptions whose period has ended.
Index(
    "ix_subscriptions_period_end",
    Subscription.current_period_end,
    postgresql_where=text("status IN ('active', 'past_due')"),
)
Index(
    "uq_subscriptions_provider_id",
    Subscription.provider,
    Subscription.provider_subscription_id,
    unique=True,
    postgresql_where=text("provider_subscription_id IS NOT NULL"),
)


# --- usage ---------------------------------------------------------------------------------


class UsageMetric(enum.StrEnum):
    TRIM = "trim"
    AUTO_HOOK = "auto_hook"
    PROCESSING_SECONDS = "processing_seconds"
    STORAGE_BYTES = "storage_bytes"
    API_CALL = "api_call"


class UsageRecord(Base):
    """One metered action, written in the action's own transaction; the idempotency key makes a
    retried action count once."""

    __tablename__ = "usage_records"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    metric: Mapped[UsageMetric] = mapped_column(pg_enum(UsageMetric, "usage_metric"))
    quantity: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[date]
    idempotency_key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


Index(
    "uq_usage_records_key",
    UsageRecord.user_id,
    UsageRecord.metric,
    UsageRecord.idempotency_key,
    unique=True,
)


class UsageCounter(Base):
    """A user's use of one metric in one billing period: raised with a conditional UPDATE, so
    that at one use below the limit exactly one of many concurrent requests gets through."""

    __tablename__ = "usage_counters"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    metric: Mapped[UsageMetric] = mapped_column(pg_enum(UsageMetric, "usage_metric"), primary_key=True)
    period_start: Mapped[date] = mapped_column(primary_key=True)
    used: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The share of the limit already announced (80, 100), so each notice goes once a period.
    notified_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# --- outgoing webhooks ---------------------------------------------------------------------


class WebhookEndpoint(UUIDPrimaryKey, Timestamps, Base):
    """Where a Premium user (or an admin, for the platform) wants events sent, signed with the
    Standard Webhooks scheme. The secret is kept to sign with; it is shown once."""

    __tablename__ = "webhook_endpoints"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list, server_default="{}")
    secret: Mapped[str] = mapped_column(String(128))
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    # Deliveries failed in a row; at the limit the endpoint is disabled and its owner told.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(255))


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # retries exhausted (or the endpoint disabled)


class WebhookDelivery(UUIDPrimaryKey, Base):
    """One event for one endpoint; its id is the `webhook-id` header (the receiver's
    idempotency key), the same across retries."""

    __tablename__ = "webhook_deliveries"

    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[DeliveryStatus] = mapped_column(
        pg_enum(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_status_code: Mapped[int | None]
    last_latency_ms: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    delivered_at: Mapped[datetime | None]


Index(
    "ix_webhook_deliveries_endpoint_created", WebhookDelivery.endpoint_id, WebhookDelivery.created_at.desc()
)


class WebhookAttempt(Base):
    """One try at a delivery: the log the owner reads (status code, latency, error)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
