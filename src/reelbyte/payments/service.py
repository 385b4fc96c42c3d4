"""Payments: checkout, provider notices, refunds, withdrawals and balances.

Every money movement is a ledger transfer with an idempotency key derived from what caused it
("payment:<id>:paid", "order:<id>:release", ...), so a webhook, job or request that runs twice
moves the money once. Nothing here commits: the route or job opens the unit of work; the jobs
that follow (a refund or payout through the provider) are deferred inside it, by name.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.jobs import defer
from reelbyte.core.money import Money
from reelbyte.core.pagination import newest_first
from reelbyte.identity.models import User
from reelbyte.orders import service as orders
from reelbyte.orders.errors import MilestoneNotFound, OrderNotFound, UsesMilestones
from reelbyte.orders.models import Milestone, MilestoneStatus, Order, OrderStatus
from reelbyte.payments import events, ledger, payout_methods
from reelbyte.payments import methods as payment_methods
from reelbyte.payments.errors import (
    InsufficientFunds,
    InvalidCheckoutTarget,
    NotPayable,
    PaymentNotFound,
    PayoutProviderNotConfigured,
    ProviderUnavailable,
)
from reelbyte.payments.ledger import Leg
from reelbyte.payments.models import (
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransfer,
    Payment,
    PaymentStatus,
    PayoutMethod,
    Refund,
    RefundStatus,
    Withdrawal,
    WithdrawalStatus,
)
from reelbyte.payments.processing_fees import processing_fee_minor
from reelbyte.payments.providers import provider_named
from reelbyte.payments.providers.base import PaymentRequest, PayoutRejected, ProviderError, ProviderPayment

log = structlog.get_logger(__name__)

# The jobs that ask the provider (payments/jobs.py), deferred by name.
SEND_REFUND_TASK = "send_refund"
PAY_OUT_TASK = "pay_out"
# A payout the provider has not settled yet (PayPal's PENDING item) is asked about again after this.
PENDING_PAYOUT_RECHECK = timedelta(minutes=15)

PS = PaymentStatus
# Where a payment may go from where it is; anything else a notice says is ignored (out of order).
PAYMENT_TRANSITIONS: dict[PaymentStatus, set[PaymentStatus]] = {
    PS.OPEN: {PS.PENDING, PS.PAID, PS.FAILED, PS.EXPIRED, PS.CANCELED},
    PS.PENDING: {PS.PAID, PS.FAILED, PS.EXPIRED, PS.CANCELED},
    PS.PAID: {PS.REFUNDED},
    PS.FAILED: set(),
    PS.EXPIRED: set(),
    PS.CANCELED: set(),
    PS.REFUNDED: set(),
}


# --- checkout -----------------------------------------------------------------------------


async def checkout(
    session: AsyncSession,
    user: User,
    *,
    order_id: uuid.UUID | None,
    milestone_id: uuid.UUID | None,
    method: str | None = None,
) -> Payment:
    """Start paying an order (or one milestone of it); an open checkout (with the same method,
    if one is named) is handed out again. A method no configured provider offers for this
    amount: 422, nothing created."""
    order, milestone = await _payable(session, user, order_id, milestone_id)
    same_target = Payment.milestone_id == milestone.id if milestone else Payment.milestone_id.is_(None)
    open_ones = select(Payment).where(
        Payment.order_id == order.id, same_target, Payment.status.in_([PS.OPEN, PS.PENDING])
    )
    if method is not None:
        open_ones = open_ones.where(Payment.method == method)
    existing = await session.scalar(open_ones.limit(1))
    if existing is not None:
        return existing
    amount = milestone.amount_minor if milestone else order.amount_minor
    payment_id = uuid.uuid4()
    provider = await payment_methods.provider_for(method, amount, order.currency)
    fee = processing_fee_minor(provider.name, method, amount)  # charged on top (processing_fees.py)
    base = get_settings().public_url.rstrip("/")
    try:
        remote = await provider.create_payment(
            PaymentRequest(
                amount_minor=amount + fee,
                currency=order.currency,
                description=f"ReelByte order {order.title}"[:255],
                redirect_url=f"{base}/payments/return/{payment_id}",
                webhook_url=f"{base}/v1/payments/webhook",  # Mollie's (and the sandbox's) form notice
                metadata={"payment_id": str(payment_id), "order_id": str(order.id)},
                method=method,
            )
        )
    except ProviderError as error:
        raise ProviderUnavailable() from error
    payment = Payment(
        id=payment_id,
        order_id=order.id,
        milestone_id=milestone.id if milestone else None,
        payer_id=user.id,
        provider=provider.name,
        provider_payment_id=remote.id,
        method=method,
        amount_minor=amount + fee,
        processing_fee_minor=fee,
        currency=order.currency,
        status=PaymentStatus(remote.status),
        checkout_url=remote.checkout_url or "",
    )
    session.add(payment)
    await session.flush()
    return payment


async def _payable(
    session: AsyncSession, user: User, order_id: uuid.UUID | None, milestone_id: uuid.UUID | None
) -> tuple[Order, Milestone | None]:
    """Lock what is being paid for and check it can be paid by this user now."""
    if (order_id is None) == (milestone_id is None):
        raise InvalidCheckoutTarget()
    if milestone_id is not None:
        order, milestone = await orders.lock_milestone(session, milestone_id, reader=user)
        if order.client_id != user.id:
            raise MilestoneNotFound()
        if not orders.milestone_fundable(order, milestone):
            raise NotPayable(
                f"This milestone is {milestone.status.value}; it cannot be paid.",
                details={"status": milestone.status.value},
            )
        return order, milestone
    assert order_id is not None
    order = await orders.lock_for(session, user, order_id)
    if order.client_id != user.id:
        raise OrderNotFound()
    if order.uses_milestones:
        raise UsesMilestones("This order is paid milestone by milestone.")
    if order.status is not OrderStatus.PENDING_PAYMENT:
        raise NotPayable(
            f"This order is {order.status.value}; it cannot be paid.", details={"status": order.status.value}
        )
    return order, None


async def find_payment(session: AsyncSession, payment_id: uuid.UUID) -> Payment | None:
    """A payment by its id, for the page the payer returns to (the id is unguessable)."""
    return await session.get(Payment, payment_id)


async def get_payment_for(session: AsyncSession, user: User, payment_id: uuid.UUID) -> Payment:
    """A payment, for the parties of its order and admins (anyone else: 404)."""
    payment = await session.scalar(
        select(Payment)
        .join(Order, Order.id == Payment.order_id)
        .where(Payment.id == payment_id, orders.readable_orders(user))
    )
    if payment is None:
        raise PaymentNotFound()
    return payment


# --- provider notices ---------------------------------------------------------------------


async def handle_notice(session: AsyncSession, provider_name: str, provider_payment_id: str) -> Payment:
    """A provider says a payment changed. Never trust the notice: read the payment back.

    A provider that cannot be read is a 503 (`provider_unavailable`): the unit of work rolls
    back and the provider sends the notice again later. (The sandbox reads its books on
    connections of its own, so notices holding the app's connections never starve it.)"""
    payment_id = await payment_id_at_provider(session, provider_name, provider_payment_id)
    if payment_id is None:
        raise PaymentNotFound()
    return await read_back(session, provider_name, payment_id, provider_payment_id)


async def payment_id_at_provider(
    session: AsyncSession, provider_name: str, provider_payment_id: str
) -> uuid.UUID | None:
    return await session.scalar(
        select(Payment.id).where(
            Payment.provider == provider_name, Payment.provider_payment_id == provider_payment_id
        )
    )


async def read_back(
    session: AsyncSession, provider_name: str, payment_id: uuid.UUID, provider_payment_id: str
) -> Payment:
    try:
        remote = await provider_named(provider_name).get_payment(provider_payment_id)
    except ProviderError as error:
        raise ProviderUnavailable("Could not read the payment back from the provider.") from error
    return await apply_remote_status(session, payment_id, remote)


async def apply_remote_status(
    session: AsyncSession, payment_id: uuid.UUID, remote: ProviderPayment
) -> Payment:
    """Apply what the provider says, under the order's and the payment's locks, exactly once."""
    order_id = await session.scalar(select(Payment.order_id).where(Payment.id == payment_id))
    assert order_id is not None
    order = await orders.lock_order(session, order_id)
    payment = await lock_one(session, select(Payment).where(Payment.id == payment_id))
    assert payment is not None
    new_status = PaymentStatus(remote.status) if remote.status in PS.__members__.values() else None
    if new_status is None or new_status not in PAYMENT_TRANSITIONS[payment.status]:
        return payment  # a duplicate or out-of-order notice: nothing changes
    if remote.amount_minor != payment.amount_minor or remote.currency != payment.currency:
        log.error("payment_amount_mismatch", payment_id=str(payment.id), remote=remote)
        return payment
    payment.status = new_status
    if new_status is PS.PAID:
        await _on_paid(session, order, payment)
    await session.flush()
    return payment


async def _on_paid(session: AsyncSession, order: Order, payment: Payment) -> None:
    payment.paid_at = utcnow()
    milestone = (
        await lock_one(session, select(Milestone).where(Milestone.id == payment.milestone_id))
        if payment.milestone_id
        else None
    )
    escrow = (
        ledger.milestone_escrow(milestone.id, order.client_id, order.currency)
        if milestone
        else ledger.order_escrow(order.id, order.client_id, order.currency)
    )
    held = escrowed_part(payment)
    legs = [
        Leg(ledger.clearing(payment.provider, payment.currency), -payment.amount_minor, EntryKind.PAYMENT),
        Leg(escrow, held, EntryKind.PAYMENT),
    ]
    if payment.processing_fee_minor:
        legs.append(
            Leg(ledger.processing_fees(payment.currency), payment.processing_fee_minor, EntryKind.FEE)
        )
    await ledger.post(
        session,
        idempotency_key=f"payment:{payment.id}:paid",
        kind="payment",
        reference_type="payment",
        reference_id=payment.id,
        legs=legs,
    )
    still_wanted = (
        orders.milestone_fundable(order, milestone)
        if milestone
        else order.status is OrderStatus.PENDING_PAYMENT
    )
    if not still_wanted:
        # Paid through an old checkout after the order was cancelled or paid otherwise: give it back.
        await _refund(session, payment, escrow, held, reason="not_payable")
        return
    if milestone:
        await orders.mark_milestone_funded(session, order, milestone)
    else:
        await orders.mark_paid(session, order)


# --- refunds ------------------------------------------------------------------------------


def escrowed_part(payment: Payment) -> int:
    """What a payment put in escrow: all of it but the processing fee, which is never refunded."""
    return payment.amount_minor - payment.processing_fee_minor


async def _refund(
    session: AsyncSession, payment: Payment, escrow: ledger.Account, amount: int, reason: str
) -> Refund:
    """Move `amount` from escrow to the refunds account and queue the provider call."""
    refund = Refund(payment_id=payment.id, amount_minor=amount, currency=payment.currency, reason=reason)
    session.add(refund)
    await session.flush()
    await ledger.post(
        session,
        idempotency_key=f"payment:{payment.id}:refund:{reason}",
        kind="refund",
        reference_type="refund",
        reference_id=refund.id,
        legs=[
            Leg(escrow, -amount, EntryKind.REFUND),
            Leg(ledger.refunds(payment.currency), amount, EntryKind.REFUND),
        ],
    )
    await defer(session, SEND_REFUND_TASK, refund_id=str(refund.id))
    return refund


async def send_refund(session: AsyncSession, refund_id: uuid.UUID) -> None:
    """The job's work: ask the provider to pay the refund back (idempotently), then book it."""
    refund = await lock_one(session, select(Refund).where(Refund.id == refund_id))
    if refund is None or refund.status is RefundStatus.REFUNDED:
        return
    payment = await lock_one(session, select(Payment).where(Payment.id == refund.payment_id))
    assert payment is not None
    remote = await provider_named(payment.provider).create_refund(
        provider_payment_id=payment.provider_payment_id,
        amount_minor=refund.amount_minor,
        currency=refund.currency,
        idempotency_key=f"refund:{refund.id}",
    )
    refund.status = RefundStatus.REFUNDED
    refund.provider_refund_id = remote.id
    await ledger.post(
        session,
        idempotency_key=f"refund:{refund.id}:sent",
        kind="refund_sent",
        reference_type="refund",
        reference_id=refund.id,
        legs=[
            Leg(ledger.refunds(refund.currency), -refund.amount_minor, EntryKind.REFUND),
            Leg(ledger.clearing(payment.provider, refund.currency), refund.amount_minor, EntryKind.REFUND),
        ],
    )
    refunded = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.payment_id == payment.id, Refund.status == RefundStatus.REFUNDED
        )
    )
    if int(refunded or 0) >= escrowed_part(payment):
        payment.status = PS.REFUNDED
    await session.flush()
    order = await session.get_one(Order, payment.order_id)
    await events.refund_sent.emit(session, events.RefundSent(refund, payment, order))


async def _payments_of(
    session: AsyncSession, order: Order, milestone: Milestone | None = None
) -> list[Payment]:
    query = select(Payment).where(Payment.order_id == order.id, Payment.status == PS.PAID)
    if milestone is not None:
        query = query.where(Payment.milestone_id == milestone.id)
    return list(await session.scalars(query))


async def held_sources(session: AsyncSession, order: Order) -> list[tuple[Payment, ledger.Account, int]]:
    """Each escrow still holding money for the order, with the payment that funded it."""
    sources = []
    for payment in await _payments_of(session, order):
        escrow = (
            ledger.milestone_escrow(payment.milestone_id, order.client_id, order.currency)
            if payment.milestone_id
            else ledger.order_escrow(order.id, order.client_id, order.currency)
        )
        balance = await ledger.balance_of(session, escrow)
        if balance > 0:
            sources.append((payment, escrow, balance))
    return sources


# --- releases (on orders' signals) --------------------------------------------------------


async def release(
    session: AsyncSession,
    *,
    key: str,
    escrow: ledger.Account,
    creator_id: uuid.UUID,
    amount: int,
    fee: int,
    reference_id: uuid.UUID,
) -> None:
    """Escrow pays the creator `amount` gross, of which `fee` goes to the platform."""
    currency = escrow.currency
    legs = [
        Leg(escrow, -amount, EntryKind.RELEASE),
        Leg(ledger.available(creator_id, currency), amount, EntryKind.EARNING),
    ]
    if fee:
        legs += [
            Leg(ledger.available(creator_id, currency), -fee, EntryKind.FEE),
            Leg(ledger.revenue(currency), fee, EntryKind.FEE),
        ]
    await ledger.post(
        session,
        idempotency_key=key,
        kind="release",
        reference_type="order",
        reference_id=reference_id,
        legs=legs,
    )


# --- withdrawals --------------------------------------------------------------------------


async def withdraw(
    session: AsyncSession, user: User, amount: Money, payout_method_id: uuid.UUID | None = None
) -> Withdrawal:
    """Move the amount from available to in transit and queue the payout to the named payout
    method (the default otherwise), which must be verified; 409 beyond the balance. The payout
    provider's fee (PAYOUT_FEES) is fixed now and kept back when it is paid."""
    quote = await payout_methods.quote(session, user, amount, payout_method_id, lock=True)
    provider_name, _ = payout_methods.payout_target(quote.method)
    try:
        provider_named(provider_name)
    except ValueError as error:
        raise PayoutProviderNotConfigured(details={"provider": quote.method.provider.value}) from error
    withdrawal = Withdrawal(
        user_id=user.id,
        amount_minor=amount.minor,
        currency=amount.currency,
        provider=provider_name,
        payout_method_id=quote.method.id,
        fee_minor=quote.fee_minor,
    )
    session.add(withdrawal)
    await session.flush()
    try:
        await ledger.post(
            session,
            idempotency_key=f"withdrawal:{withdrawal.id}:requested",
            kind="withdrawal",
            reference_type="withdrawal",
            reference_id=withdrawal.id,
            legs=[
                Leg(ledger.available(user.id, amount.currency), -amount.minor, EntryKind.WITHDRAWAL),
                Leg(ledger.in_transit(user.id, amount.currency), amount.minor, EntryKind.WITHDRAWAL),
            ],
        )
    except InsufficientFunds as error:  # said in the words of a withdrawal
        raise InsufficientFunds() from error
    await defer(session, PAY_OUT_TASK, withdrawal_id=str(withdrawal.id))
    return withdrawal


async def pay_out(session: AsyncSession, withdrawal_id: uuid.UUID) -> WithdrawalStatus:
    """The job's work. Safe to repeat after a crash at any point: the provider payout and each
    ledger transfer are keyed by the withdrawal, so it is paid exactly once."""
    withdrawal = await lock_one(session, select(Withdrawal).where(Withdrawal.id == withdrawal_id))
    if withdrawal is None or withdrawal.status is not WithdrawalStatus.REQUESTED:
        return withdrawal.status if withdrawal else WithdrawalStatus.FAILED
    if await _held(session, withdrawal):
        log.info("withdrawal_held", withdrawal_id=str(withdrawal.id), reason="creator suspended")
        return withdrawal.status
    provider = provider_named(withdrawal.provider)
    method_id = withdrawal.payout_method_id
    method = await session.get(PayoutMethod, method_id) if method_id else None
    try:
        if method is None:  # asked for before payout methods existed: nowhere known to pay
            raise PayoutRejected("no payout method: add one and withdraw again")
        _, destination = payout_methods.payout_target(method)
        payout = await provider.create_payout(
            destination=destination,
            amount_minor=withdrawal.amount_minor - withdrawal.fee_minor,
            currency=withdrawal.currency,
            idempotency_key=f"withdrawal:{withdrawal.id}",
        )
    except PayoutRejected as error:
        withdrawal.status = WithdrawalStatus.FAILED
        withdrawal.failure_reason = str(error)
        # The money goes back to the creator's balance.
        back = ledger.available(withdrawal.user_id, withdrawal.currency)
        await _settle_withdrawal(session, withdrawal, "failed", back, EntryKind.REVERSAL)
    else:
        withdrawal.provider_payout_id = payout.id
        if payout.status == "pending":  # asked again later, with the same key: the same payout
            await defer(
                session,
                PAY_OUT_TASK,
                schedule_at=utcnow() + PENDING_PAYOUT_RECHECK,
                withdrawal_id=str(withdrawal.id),
            )
            log.info("payout_pending", withdrawal_id=str(withdrawal.id), payout_id=payout.id)
            return withdrawal.status
        withdrawal.status = WithdrawalStatus.PAID
        withdrawal.paid_at = utcnow()
        out = ledger.clearing(provider.name, withdrawal.currency)
        await _settle_withdrawal(session, withdrawal, "paid", out, EntryKind.PAYOUT)
        await events.withdrawal_paid.emit(session, withdrawal)
    await session.flush()
    return withdrawal.status


async def _held(session: AsyncSession, withdrawal: Withdrawal) -> bool:
    """A suspended creator's withdrawals wait (still requested) until the suspension ends
    (`resume_payouts`) or an admin releases one (`release_withdrawal`)."""
    suspended = await session.scalar(select(User.suspended_at).where(User.id == withdrawal.user_id))
    return suspended is not None and withdrawal.released_at is None


async def held_withdrawal(session: AsyncSession, withdrawal_id: uuid.UUID) -> Withdrawal | None:
    """The withdrawal, locked, if it is waiting on its creator's suspension; else None."""
    withdrawal = await lock_one(session, select(Withdrawal).where(Withdrawal.id == withdrawal_id))
    if withdrawal is None or withdrawal.status is not WithdrawalStatus.REQUESTED:
        return None
    return withdrawal if await _held(session, withdrawal) else None


async def release_withdrawal(session: AsyncSession, withdrawal: Withdrawal) -> None:
    """Pay a held withdrawal out although its creator is still suspended (an admin's call)."""
    withdrawal.released_at = utcnow()
    await defer(session, PAY_OUT_TASK, withdrawal_id=str(withdrawal.id))


async def resume_payouts(session: AsyncSession, user_id: uuid.UUID) -> None:
    """A suspension ended: its held withdrawals go to the payout job again."""
    waiting = await session.scalars(
        select(Withdrawal.id).where(
            Withdrawal.user_id == user_id, Withdrawal.status == WithdrawalStatus.REQUESTED
        )
    )
    for withdrawal_id in waiting:
        await defer(session, PAY_OUT_TASK, withdrawal_id=str(withdrawal_id))


async def _settle_withdrawal(
    session: AsyncSession, withdrawal: Withdrawal, outcome: str, to: ledger.Account, kind: EntryKind
) -> None:
    """Empty the withdrawal's "in transit" amount into `to` (paid out, or back to available);
    paid out, the payout provider's fee goes to its own account and `to` gets the rest."""
    fee = withdrawal.fee_minor if outcome == "paid" else 0
    legs = [
        Leg(ledger.in_transit(withdrawal.user_id, withdrawal.currency), -withdrawal.amount_minor, kind),
        Leg(to, withdrawal.amount_minor - fee, kind),
    ]
    if fee:
        legs.append(Leg(ledger.payout_fees(withdrawal.currency), fee, EntryKind.PAYOUT_FEE))
    await ledger.post(
        session,
        idempotency_key=f"withdrawal:{withdrawal.id}:{outcome}",
        kind="payout" if outcome == "paid" else "withdrawal_failed",
        reference_type="withdrawal",
        reference_id=withdrawal.id,
        legs=legs,
    )


# --- balances and history -----------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    available_minor: int
    pending_minor: int
    in_transit_minor: int
    currency: str


async def balance(session: AsyncSession, user: User) -> Balance:
    currency = get_settings().default_currency
    available = await ledger.balance_of(session, ledger.available(user.id, currency))
    transit = await ledger.balance_of(session, ledger.in_transit(user.id, currency))
    return Balance(available, await _pending_earnings(session, user.id, currency), transit, currency)


async def _pending_earnings(session: AsyncSession, creator_id: uuid.UUID, currency: str) -> int:
    """What escrow holds for the creator's active orders, net of the platform fee."""
    active = [
        OrderStatus.IN_PROGRESS,
        OrderStatus.DELIVERED,
        OrderStatus.REVISION_REQUESTED,
        OrderStatus.DISPUTED,
    ]
    whole = await session.scalar(
        select(func.coalesce(func.sum(Order.creator_earnings_minor), 0)).where(
            Order.creator_id == creator_id,
            Order.currency == currency,
            Order.status.in_(active),
            Order.uses_milestones.is_(False),
        )
    )
    staged = await session.scalar(
        select(func.coalesce(func.sum(Milestone.creator_earnings_minor), 0))
        .join(Order, Order.id == Milestone.order_id)
        .where(
            Order.creator_id == creator_id,
            Order.currency == currency,
            Order.status.in_(active),
            Milestone.status.in_([MilestoneStatus.FUNDED, MilestoneStatus.SUBMITTED]),
        )
    )
    return int(whole or 0) + int(staged or 0)


@dataclass(frozen=True)
class HistoryRow:
    entry: LedgerEntry
    transfer: LedgerTransfer
    account_kind: str


async def transactions(
    session: AsyncSession, user: User, cursor: int | None, limit: int
) -> tuple[Sequence[HistoryRow], int | None]:
    """The user's ledger entries, newest first; the cursor is the last entry id seen."""
    query = (
        select(LedgerEntry, LedgerTransfer, LedgerAccount.kind)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransfer, LedgerTransfer.id == LedgerEntry.transfer_id)
        .where(LedgerAccount.owner_id == user.id)
    )
    rows, next_cursor = await newest_first(
        session, query, LedgerEntry.id, cursor=cursor, limit=limit, scalars=False
    )
    return [HistoryRow(entry, transfer, kind.value) for entry, transfer, kind in rows], next_cursor
