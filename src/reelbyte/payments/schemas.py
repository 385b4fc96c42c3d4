"""Request and response bodies of payments, balances, transactions and withdrawals."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from reelbyte.core.money import Money, PositiveMoney
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.payments.models import Payment, Withdrawal
from reelbyte.payments.service import Balance, HistoryRow


class CheckoutRequest(RequestModel):
    order_id: uuid.UUID | None = None
    milestone_id: uuid.UUID | None = None
    # One of GET /payments/methods for this amount (card, ideal, bancontact, paypal, venmo, …);
    # unset: the provider's page offers all of its methods.
    method: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")] | None = None

    model_config = {"json_schema_extra": {"examples": [{"order_id": "6f1c2a8e-2d2b-4c1e-9a51-3f0b7a1d9c44"}]}}


class WithdrawRequest(RequestModel):
    amount: PositiveMoney
    # One of GET /payments/me/payout-methods (verified); unset: the default method.
    payout_method_id: uuid.UUID | None = None

    model_config = {"json_schema_extra": {"examples": [{"amount": {"currency": "EUR", "value": "120.00"}}]}}


class PaymentOut(ResponseModel):
    payment_id: uuid.UUID
    order_id: uuid.UUID
    milestone_id: uuid.UUID | None
    status: str
    checkout_url: str
    amount: Money
    provider: str
    method: str | None = None
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(
            payment_id=payment.id,
            order_id=payment.order_id,
            milestone_id=payment.milestone_id,
            status=payment.status.value,
            checkout_url=payment.checkout_url,
            amount=Money.from_minor(payment.amount_minor, payment.currency),
            provider=payment.provider,
            method=payment.method,
            created_at=payment.created_at,
            paid_at=payment.paid_at,
        )


class BalanceOut(ResponseModel):
    available: Money
    pending: Money
    in_transit: Money

    @classmethod
    def of(cls, balance: Balance) -> BalanceOut:
        return cls(
            available=Money.from_minor(balance.available_minor, balance.currency),
            pending=Money.from_minor(balance.pending_minor, balance.currency),
            in_transit=Money.from_minor(balance.in_transit_minor, balance.currency),
        )


class Reference(ResponseModel):
    type: str
    id: uuid.UUID


class TransactionOut(ResponseModel):
    id: int
    type: Literal["payment", "earning", "fee", "refund", "withdrawal", "release", "payout", "reversal"]
    account: str
    amount: Money
    balance_after: Money
    reference: Reference
    description: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: HistoryRow) -> TransactionOut:
        entry, transfer = row.entry, row.transfer
        return cls(
            id=entry.id,
            type=entry.kind.value,
            account=row.account_kind,
            amount=Money.from_minor(entry.amount_minor, entry.currency),
            balance_after=Money.from_minor(entry.balance_after_minor, entry.currency),
            reference=Reference(type=transfer.reference_type, id=transfer.reference_id),
            description=transfer.description,
            created_at=entry.created_at,
        )


class TransactionPage(ResponseModel):
    items: list[TransactionOut]
    next_cursor: str | None


class WithdrawalOut(ResponseModel):
    id: uuid.UUID
    amount: Money
    fee: Money  # the payout provider's, kept back: the creator receives amount - fee
    payout_method_id: uuid.UUID | None
    status: str
    failure_reason: str | None
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, withdrawal: Withdrawal) -> WithdrawalOut:
        return cls(
            id=withdrawal.id,
            amount=Money.from_minor(withdrawal.amount_minor, withdrawal.currency),
            fee=Money.from_minor(withdrawal.fee_minor, withdrawal.currency),
            payout_method_id=withdrawal.payout_method_id,
            status=withdrawal.status.value,
            failure_reason=withdrawal.failure_reason,
            created_at=withdrawal.created_at,
            paid_at=withdrawal.paid_at,
        )


class PaymentMethodOut(ResponseModel):
    id: str  # what a checkout's `method` names
    description: str
    provider: str


class PaymentMethodsOut(ResponseModel):
    amount: Money
    items: list[PaymentMethodOut]
