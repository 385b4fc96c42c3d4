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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
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
    REQUESTED = "requested"  # funds moved to "in transit", payout job queued (or the provider's
    # payout is pending: `provider_payout_id` is set and the job asks again later)
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
    # The method the payer chose at checkout (card, ideal, paypal, venmo, …); None: the provider's page offers all.
    method: Mapped[str | None] = mapped_column(String(32))
    # Part of amount_minor: the processing fee passed to the client (PROCESSING_FEES); on paid it
    # goes to the processing_fees account, the rest to escrow. Never refunded (providers keep it).
    processing_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


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
    # Where it is paid (None only on withdrawals made before payout methods existed).
    payout_method_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payout_methods.id", ondelete="RESTRICT"), index=True
    )
    # The payout provider's charge, fixed when the withdrawal is asked for (PAYOUT_FEES): the
    # creator receives amount - fee.
    fee_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


# --- the ledger ---------------------------------------------------------------------------


class AccountKind(enum.StrEnum):
    AVAILABLE = "available"  # a user's withdrawable balance
    IN_TRANSIT = "in_transit"  # a user's withdrawals being paid out
    ESCROW = "escrow"  # an order's or a milestone's held money
    REVENUE = "revenue"  # the platform's fees
    CLEARING = "clearing"  # the payment provider: money in and out of the platform
    REFUNDS = "refunds"  # refunds on their way back to clients
    PROCESSING_FEES = "processing_fees"  # processing fees clients paid on top (kept by the providers)
    PAYOUT_FEES = "payout_fees"  # what payout providers charge on withdrawals


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
    PAYOUT_FEE = "payout_fee"


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


# --- payout methods -----------------------------------------------------------------------


class PayoutProvider(enum.StrEnum):
    SANDBOX = "sandbox"
    STRIPE = "stripe"  # Stripe Connect Express account (acct_…)
    MOLLIE = "mollie"  # Mollie Connect organisation (org_…)
    PAYPAL = "paypal"  # PayPal Payouts to an e-mail address
    VENMO = "venmo"  # PayPal Payouts to a Venmo handle (US, USD)


class PayoutMethodStatus(enum.StrEnum):
    PENDING = "pending"  # onboarding started, the provider has not said yes yet
    NEEDS_INFO = "needs_info"  # the provider wants more from the creator
    VERIFIED = "verified"  # withdrawals may go here
    REJECTED = "rejected"  # the provider refused the account


class PayoutMethod(UUIDPrimaryKey, Timestamps, Base):
    """Where a creator's withdrawals are paid; verified only on the provider's say-so."""

    __tablename__ = "payout_methods"
    __table_args__ = (
        Index(
            "uq_payout_methods_one_default",
            "user_id",
            unique=True,
            postgresql_where=text("is_default AND deleted_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    provider: Mapped[PayoutProvider] = mapped_column(pg_enum(PayoutProvider, "payout_provider"))
    status: Mapped[PayoutMethodStatus] = mapped_column(
        pg_enum(PayoutMethodStatus, "payout_method_status"),
        default=PayoutMethodStatus.PENDING,
        server_default="pending",
    )
    # Stripe acct id, Mollie organisation id, PayPal e-mail or Venmo handle (None until known).
    provider_account_id: Mapped[str | None] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(64))  # safe to show: masked e-mail, last characters
    country: Mapped[str | None] = mapped_column(String(2))
    is_default: Mapped[bool] = mapped_column(default=False, server_default="false")
    # Changes with every onboarding link handed out, so that an older link (or OAuth state) is void.
    onboarding_nonce: Mapped[str] = mapped_column(String(32))
    verified_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


# --- refund requests ----------------------------------------------------------------------


class RefundRequestStatus(enum.StrEnum):
    REQUESTED = "requested"  # the client asked; the creator decides
    ACCEPTED = "accepted"  # the creator agreed: escrow moved to refunds, the provider call queued
    REFUNDED = "refunded"  # the provider took the refund: the money is on its way back
    DECLINED = "declined"  # the creator said no (the client may open a dispute)
    CANCELLED = "cancelled"  # the client withdrew the request


class RefundRequest(UUIDPrimaryKey, Timestamps, Base):
    """A client's request to get (part of) an order's or a milestone's escrow back before work."""

    __tablename__ = "refund_requests"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        # One open request per order (whole-order requests) and per milestone.
        Index(
            "uq_refund_requests_open_order",
            "order_id",
            unique=True,
            postgresql_where=text("status = 'requested' AND milestone_id IS NULL"),
        ),
        Index(
            "uq_refund_requests_open_milestone",
            "milestone_id",
            unique=True,
            postgresql_where=text("status = 'requested' AND milestone_id IS NOT NULL"),
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("milestones.id", ondelete="RESTRICT"))
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[RefundRequestStatus] = mapped_column(
        pg_enum(RefundRequestStatus, "refund_request_status"),
        default=RefundRequestStatus.REQUESTED,
        server_default="requested",
    )
    decline_note: Mapped[str | None] = mapped_column(Text)
    refund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("refunds.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]


# --- payout schedules ---------------------------------------------------------------------


class PayoutInterval(enum.StrEnum):
    MANUAL = "manual"  # the creator withdraws when they like (the default)
    WEEKLY = "weekly"  # on `weekday` (ISO: 1 Monday … 7 Sunday) every week
    MONTHLY = "monthly"  # on `day_of_month` (the month's last day when it has fewer days)


class PayoutSchedule(Timestamps, Base):
    """When a creator's whole available balance is paid out by itself (payments/schedules.py)."""

    __tablename__ = "payout_schedules"
    __table_args__ = (
        CheckConstraint("""("interval" = 'weekly') = (weekday IS NOT NULL)""", name="weekday_iff_weekly"),
        CheckConstraint("""("interval" = 'monthly') = (day_of_month IS NOT NULL)""", name="day_iff_monthly"),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_range"),
        CheckConstraint("day_of_month BETWEEN 1 AND 31", name="day_of_month_range"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    interval: Mapped[PayoutInterval] = mapped_column(pg_enum(PayoutInterval, "payout_interval"))
    weekday: Mapped[int | None] = mapped_column(SmallInteger)
    day_of_month: Mapped[int | None] = mapped_column(SmallInteger)


class ScheduledPayoutStatus(enum.StrEnum):
    REQUESTED = "requested"  # the period's withdrawal was made (`withdrawal_id`)
    SKIPPED = "skipped"  # no verified default payout method yet: the creator was told, once


class ScheduledPayout(UUIDPrimaryKey, Timestamps, Base):
    """A creator's scheduled payout of one period ("2026-W49", "2026-12"): one row per period at
    most (the unique key), so a period is paid out once whoever runs it, however often."""

    __tablename__ = "scheduled_payouts"
    __table_args__ = (UniqueConstraint("user_id", "period", name="uq_scheduled_payouts_user_id_period"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(16))
    status: Mapped[ScheduledPayoutStatus] = mapped_column(
        pg_enum(ScheduledPayoutStatus, "scheduled_payout_status")
    )
    withdrawal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("withdrawals.id", ondelete="RESTRICT"), unique=True
    )
