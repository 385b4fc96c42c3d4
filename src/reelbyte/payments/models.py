"""Payments, refunds, withdrawals, the double-entry ledger, and idempotency records."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from reelbyte.core.types import pg_enum


class PaymentStatus(enum.StrEnum):
    """Mollie's names."""

    OPEN = "open"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REFUNDED = "refunded"


class WithdrawalStatus(enum.StrEnum):
    REQUESTED = "requested"  # funds moved to "in transit", payout job queued
    PAID = "paid"  # the provider paid it out
    FAILED = "failed"  # the payout failed; funds returned to the balance


class RefundStatus(enum.StrEnum):
    PENDING = "pending"  # funds moved out of escrow, the provider call queued
    REFUNDED = "refunded"  # the provider accepted the refund


class Payment(UUIDPrimaryKey, Timestamps, Base):
    """One checkout of an order (or of one milestone) at the provider."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        UniqueConstraint("provider", "provider_payment_id", name="uq_payments_provider_payment"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="RESTRICT"), index=True
    )
    payer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_payment_id: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(
        pg_enum(PaymentStatus, "payment_status"), default=PaymentStatus.OPEN, server_default="open"
    )
    checkout_url: Mapped[str] = mapped_column(String(2048))
    paid_at: Mapped[datetime | None]


class Refund(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[RefundStatus] = mapped_column(
        pg_enum(RefundStatus, "refund_status"), default=RefundStatus.PENDING, server_default="pending"
    )
    provider_refund_id: Mapped[str | None] = mapped_column(String(64))


class Withdrawal(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "withdrawals"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[WithdrawalStatus] = mapped_column(
        pg_enum(WithdrawalStatus, "withdrawal_status"),
        default=WithdrawalStatus.REQUESTED,
        server_default="requested",
    )
    provider: Mapped[str] = mapped_column(String(16))
    provider_payout_id: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[datetime | None]
    # An admin let it be paid out although its creator is suspended (a suspension holds payouts).
    released_at: Mapped[datetime | None]


# --- the ledger ---------------------------------------------------------------------------


class AccountKind(enum.StrEnum):
    AVAILABLE = "available"  # a user's withdrawable balance
    IN_TRANSIT = "in_transit"  # a user's withdrawals being paid out
    ESCROW = "escrow"  # an order's or a milestone's held money
    REVENUE = "revenue"  # the platform's fees
    CLEARING = "clearing"  # the payment provider: money in and out of the platform
    REFUNDS = "refunds"  # refunds on their way back to clients


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        # The database itself refuses an overdraft where one is not allowed.
        CheckConstraint("allow_negative OR balance_minor >= 0", name="no_overdraft"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[AccountKind] = mapped_column(pg_enum(AccountKind, "ledger_account_kind"))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    allow_negative: Mapped[bool] = mapped_column(default=False, server_default="false")
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class EntryKind(enum.StrEnum):
    """What an entry means to the account holder (shown in the transaction history)."""

    PAYMENT = "payment"
    EARNING = "earning"
    FEE = "fee"
    REFUND = "refund"
    WITHDRAWAL = "withdrawal"
    RELEASE = "release"
    PAYOUT = "payout"
    REVERSAL = "reversal"


class LedgerTransfer(Base):
    """One money movement: its entries sum to zero; its key makes it happen at most once."""

    __tablename__ = "ledger_transfers"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference_type: Mapped[str] = mapped_column(String(32))
    reference_id: Mapped[uuid.UUID] = mapped_column()
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


Index("ix_ledger_transfers_reference", LedgerTransfer.reference_type, LedgerTransfer.reference_id)


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (CheckConstraint("amount_minor <> 0", name="amount_not_zero"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    transfer_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transfers.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    kind: Mapped[EntryKind] = mapped_column(pg_enum(EntryKind, "ledger_entry_kind"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    balance_after_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


Index("ix_ledger_entries_account_id_desc", LedgerEntry.account_id, LedgerEntry.id.desc())


# --- idempotent requests ------------------------------------------------------------------


class IdempotencyRecord(Base):
    """The first answer to a money-moving POST with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_records_user_id_key"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


# --- the sandbox provider's own books -----------------------------------------------------


class SandboxPayment(Timestamps, Base):
    """What the built-in sandbox provider knows of a payment, as Mollie would on its side."""

    __tablename__ = "sandbox_payments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    redirect_url: Mapped[str] = mapped_column(String(2048))
    webhook_url: Mapped[str] = mapped_column(String(2048))
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SandboxPayout(Base):
    """Payouts the sandbox provider made; one per idempotency key, like a real provider."""

    __tablename__ = "sandbox_payouts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    destination: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class SandboxRefund(Base):
    __tablename__ = "sandbox_refunds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("sandbox_payments.id"))
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
