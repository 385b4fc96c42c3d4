"""Accounts, sessions and their tokens, profiles and portfolios."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.config import get_settings
from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from reelbyte.core.types import TSVECTOR, pg_enum


class Role(enum.StrEnum):
    CREATOR = "creator"
    CLIENT = "client"
    HYBRID = "hybrid"
    ADMIN = "admin"

    def holds(self, wanted: Role) -> bool:
        """A hybrid user is both a creator and a client."""
        if self is wanted:
            return True
        return self is Role.HYBRID and wanted in (Role.CREATOR, Role.CLIENT)


class Availability(enum.StrEnum):
    FULL_TIME = "full-time"
    PART_TIME = "part-time"
    UNAVAILABLE = "unavailable"


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    CHANGE_EMAIL = "change_email"


class CreatorLevel(enum.StrEnum):
    """Seller levels, recomputed daily from track record (thresholds in catalog/levels.py)."""

    NEW = "new"
    RISING = "rising"
    PRO = "pro"
    TOP = "top"


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "hourly_rate_minor IS NULL OR hourly_rate_minor >= 0", name="hourly_rate_not_negative"
        ),
    )

    email: Mapped[str] = mapped_column(String(254))
    username: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(pg_enum(Role, "user_role"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    email_verified_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Set by an admin (admin/service.py): no log in, out of public lists, no new orders or
    # proposals, withdrawals held; until `suspended_until` passes (a job lifts it), or for good.
    suspended_at: Mapped[datetime | None]
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    # When an admin first verified the account (identity or portfolio): the badge.
    verified_at: Mapped[datetime | None]
    # A moderator hid the profile (a report resolved with hide_content): only its owner and admins see it.
    profile_hidden_at: Mapped[datetime | None]
    # The account was erased at its owner's request (GDPR art. 17): personal data anonymised,
    # orders and the ledger kept for the legal record.
    erased_at: Mapped[datetime | None]
    # The user's customer at the billing provider (Stripe's cus_…, Mollie's cst_…), made by a job.
    billing_customer_id: Mapped[str | None] = mapped_column(String(255))

    full_name: Mapped[str] = mapped_column(String(100))
    bio: Mapped[str | None] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    # The image the avatar was made from, when it was uploaded rather than linked. The FK is
    # created after both tables (use_alter): uploads.owner_id points back at users.
    avatar_upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL", use_alter=True), index=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    notification_preferences: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")

    skills: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list, server_default="{}")
    hourly_rate_minor: Mapped[int | None]
    hourly_rate_currency: Mapped[str | None] = mapped_column(String(3))
    availability: Mapped[Availability | None] = mapped_column(pg_enum(Availability, "availability"))
    website_url: Mapped[str | None] = mapped_column(String(2048))
    youtube_url: Mapped[str | None] = mapped_column(String(2048))
    instagram_url: Mapped[str | None] = mapped_column(String(2048))

    rating: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0"), server_default="0")
    total_reviews: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_orders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    response_time_hours: Mapped[int | None]
    # Of the creator's completed orders: the share first delivered by the due date, and the share
    # of their clients who came back for another (percent; null before the first completed order).
    on_time_delivery_percent: Mapped[int | None] = mapped_column(SmallInteger)
    repeat_client_percent: Mapped[int | None] = mapped_column(SmallInteger)
    creator_level: Mapped[CreatorLevel] = mapped_column(
        pg_enum(CreatorLevel, "creator_level"), default=CreatorLevel.NEW, server_default="new"
    )
    # Kept current by a database trigger (migration 0004): name over skills over bio.
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR, deferred=True)

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def must_verify_email(self) -> bool:
        """Ordering, publishing, proposing and withdrawing wait for a verified address (where the
        settings require one)."""
        return get_settings().email_verification_required and not self.is_email_verified

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


# E-mail and username are unique whatever their case.
Index("uq_users_email_lower", func.lower(User.email), unique=True)
Index("uq_users_username_lower", func.lower(User.username), unique=True)
Index("ix_users_search_vector", User.search_vector, postgresql_using="gin")
# The suspensions a job lifts when their time is up.
Index("ix_users_suspended_until", User.suspended_until, postgresql_where=text("suspended_until IS NOT NULL"))


class AuthSession(UUIDPrimaryKey, Base):
    """One login: a family of refresh tokens, each replacing the one before."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    ip_address: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(UUIDPrimaryKey, Base):
    __tablename__ = "refresh_tokens"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    expires_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]


class AccountToken(UUIDPrimaryKey, Base):
    """A single-use token sent by e-mail: verify the address, or reset the password."""

    __tablename__ = "account_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(pg_enum(TokenPurpose, "account_token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # For change_email: the address the link confirms (the account keeps the old one until then).
    new_email: Mapped[str | None] = mapped_column(String(254))


class ApiKey(UUIDPrimaryKey, Base):
    """A key a third party uses to act as the user, within `scopes` only. Only the SHA-256 hash
    of the key is kept, with its visible prefix to tell keys apart; the key is shown once."""

    __tablename__ = "api_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(24))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    last_used_ip: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    # Set while the owner's plan has no API access (a downgrade); cleared on an upgrade.
    disabled_at: Mapped[datetime | None]


class PortfolioItem(UUIDPrimaryKey, Base):
    __tablename__ = "portfolio_items"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    video_url: Mapped[str] = mapped_column(String(2048))
    thumbnail_url: Mapped[str | None] = mapped_column(String(2048))
    # Set when the video was uploaded rather than linked: its derived files and length.
    upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    poster_url: Mapped[str | None] = mapped_column(String(2048))
    preview_url: Mapped[str | None] = mapped_column(String(2048))
    stream_url: Mapped[str | None] = mapped_column(String(2048))
    duration_seconds: Mapped[float | None] = mapped_column(Double)
    is_highlight: Mapped[bool] = mapped_column(default=False, server_default="false")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
