"""Money moves the orders domain asks for, through its signals (in the same unit of work)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.money import percentage_of
from reelbyte.orders import events
from reelbyte.orders.models import Milestone, Order
from reelbyte.payments import events as payment_events
from reelbyte.payments import ledger, refund_requests
from reelbyte.payments.ledger import Leg
from reelbyte.payments.models import EntryKind
from reelbyte.payments.service import _refund, held_sources, release


@events.order_completed.connect
async def release_order(session: AsyncSession, order: Order) -> None:
    await release(
        session,
        key=f"order:{order.id}:release",
        escrow=ledger.order_escrow(order.id, order.client_id, order.currency),
        creator_id=order.creator_id,
        amount=order.amount_minor,
        fee=order.platform_fee_minor,
        reference_id=order.id,
    )


@events.milestone_approved.connect
async def release_milestone(session: AsyncSession, milestone: Milestone) -> None:
    order = await session.get_one(Order, milestone.order_id)
    await release(
        session,
        key=f"milestone:{milestone.id}:release",
        escrow=ledger.milestone_escrow(milestone.id, order.client_id, order.currency),
        creator_id=order.creator_id,
        amount=milestone.amount_minor,
        fee=milestone.platform_fee_minor,
        reference_id=order.id,
    )


@events.order_cancelled_after_payment.connect
async def refund_cancelled_order(session: AsyncSession, order: Order) -> None:
    for payment, escrow, held in await held_sources(session, order):
        await _refund(session, payment, escrow, held, reason="cancelled")


@events.dispute_resolved.connect
async def split_disputed_order(session: AsyncSession, resolution: events.DisputeResolution) -> None:
    """Refund the client's part, then release the rest to the creator (less the fee on it)."""
    order = resolution.order
    to_refund, to_release = resolution.refund_minor, resolution.release_minor
    release_legs: list[Leg] = []
    for payment, escrow, held in await held_sources(session, order):
        refund_here = min(held, to_refund)
        if refund_here:
            await _refund(session, payment, escrow, refund_here, reason="dispute")
            to_refund -= refund_here
        release_here = min(held - refund_here, to_release)
        if release_here:
            release_legs.append(Leg(escrow, -release_here, EntryKind.RELEASE))
            to_release -= release_here
    assert to_refund == 0, "the split was checked against the held amount"
    assert to_release == 0, "the split was checked against the held amount"
    if not release_legs:
        return
    released = resolution.release_minor
    fee = percentage_of(released, order.fee_percentage)
    creator = ledger.available(order.creator_id, order.currency)
    release_legs.append(Leg(creator, released, EntryKind.EARNING))
    if fee:
        release_legs += [
            Leg(creator, -fee, EntryKind.FEE),
            Leg(ledger.revenue(order.currency), fee, EntryKind.FEE),
        ]
    await ledger.post(
        session,
        idempotency_key=f"dispute:{resolution.dispute.id}:release",
        kind="dispute_release",
        reference_type="order",
        reference_id=order.id,
        legs=release_legs,
    )


@payment_events.refund_sent.connect
async def settle_refund_request(session: AsyncSession, sent: payment_events.RefundSent) -> None:
    """A refund the creator accepted went through at the provider: its request is refunded."""
    await refund_requests.on_refund_sent(session, sent.refund.id, sent.order)
