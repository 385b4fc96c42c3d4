"""Refund requests: the client asks for (part of) the escrow back before any work was delivered.

requested → accepted (by the creator: escrow → refunds, the provider call queued by the same
`_refund` as every refund) → refunded (the provider took it: `on_refund_sent`); requested →
declined (by the creator, with a note: the client may then open a dispute on the order,
`POST /v1/orders/{id}/dispute`, shown as `dispute_path`); requested → cancelled (by the client).

Only while the money is in escrow and no work was delivered for it: a whole order before its
first delivery, a funded milestone never submitted. A partial refund lowers the price of the
order or milestone (orders/amendments.py), so the rest stays in escrow for the creator and a
release pays exactly it. The processing fee is never refunded (payments/processing_fees.py).

Every change locks the order first (as approvals, deliveries and disputes do), so an acceptance
racing an approval has one winner.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.errors import InvalidTransition, NotOwner
from reelbyte.core.money import Money
from reelbyte.identity.models import User
from reelbyte.orders import amendments
from reelbyte.orders import service as orders
from reelbyte.orders.errors import OrderNotActive, UsesMilestones
from reelbyte.orders.models import Milestone, MilestoneStatus, Order
from reelbyte.payments import ledger
from reelbyte.payments.errors import (
    InvalidRefundTarget,
    NothingInEscrow,
    RefundExceedsEscrow,
    RefundRequestNotFound,
    RefundRequestOpen,
    WorkDelivered,
)
from reelbyte.payments.models import Payment, RefundRequest, RefundRequestStatus
from reelbyte.payments.service import _refund, held_sources
from reelbyte.projects.errors import CurrencyMismatch

RS = RefundRequestStatus


async def request_refund(
    session: AsyncSession,
    user: User,
    *,
    order_id: uuid.UUID | None,
    milestone_id: uuid.UUID | None,
    amount: Money | None,
    reason: str,
) -> tuple[RefundRequest, Order]:
    """The client asks; all of what escrow holds for it unless `amount` says less."""
    order, milestone = await _locked_target(session, user, order_id, milestone_id)
    if order.client_id != user.id:
        raise NotOwner("Only the client of this order can ask for a refund.")
    if not _no_work_delivered(order, milestone):
        raise WorkDelivered()
    _, _, held = await _escrow_of(session, order, milestone)
    if amount is not None and amount.currency != order.currency:
        raise CurrencyMismatch(
            f"Refunds are paid in the order's currency ({order.currency}).",
            details={"expected": order.currency},
        )
    amount_minor = held if amount is None else amount.minor
    _check_amount(amount_minor, held, order.currency)
    if await _open_request(session, order, milestone) is not None:
        raise RefundRequestOpen()
    request = RefundRequest(
        order_id=order.id,
        milestone_id=milestone.id if milestone else None,
        requested_by=user.id,
        amount_minor=amount_minor,
        currency=order.currency,
        reason=reason,
    )
    session.add(request)
    await session.flush()
    await orders.record(session, order, "refund_requested", actor=user, note=reason, data=_data(request))
    return request, order


async def accept(session: AsyncSession, user: User, request_id: uuid.UUID) -> tuple[RefundRequest, Order]:
    """The creator agrees: the amount leaves escrow now and the provider pays it back (a job)."""
    order, request = await _locked_request(session, user, request_id)
    if order.creator_id != user.id:
        raise NotOwner("Only the creator of this order can accept a refund request.")
    _require_requested(request, RS.ACCEPTED)
    milestone = await _locked_milestone(session, request)
    payment, escrow, held = await _escrow_of(session, order, milestone)
    _check_amount(request.amount_minor, held, order.currency)
    refund = await _refund(session, payment, escrow, request.amount_minor, reason=f"request:{request.id}")
    request.status, request.refund_id, request.decided_at = RS.ACCEPTED, refund.id, utcnow()
    await amendments.refund_accepted(
        session, order, milestone, request.amount_minor, actor=user, data=_data(request)
    )
    await session.flush()
    return request, order


async def decline(
    session: AsyncSession, user: User, request_id: uuid.UUID, note: str
) -> tuple[RefundRequest, Order]:
    """The creator says no; the client may open a dispute on the order instead."""
    order, request = await _locked_request(session, user, request_id)
    if order.creator_id != user.id:
        raise NotOwner("Only the creator of this order can decline a refund request.")
    _require_requested(request, RS.DECLINED)
    request.status, request.decline_note, request.decided_at = RS.DECLINED, note, utcnow()
    await orders.record(session, order, "refund_declined", actor=user, note=note, data=_data(request))
    await session.flush()
    return request, order


async def cancel(session: AsyncSession, user: User, request_id: uuid.UUID) -> tuple[RefundRequest, Order]:
    order, request = await _locked_request(session, user, request_id)
    if order.client_id != user.id:
        raise NotOwner("Only the client who asked can withdraw a refund request.")
    _require_requested(request, RS.CANCELLED)
    request.status, request.decided_at = RS.CANCELLED, utcnow()
    await orders.record(session, order, "refund_cancelled", actor=user, data=_data(request))
    await session.flush()
    return request, order


async def get_for(session: AsyncSession, user: User, request_id: uuid.UUID) -> tuple[RefundRequest, Order]:
    """A refund request, for the parties of its order and admins (anyone else: 404)."""
    row = (
        await session.execute(
            select(RefundRequest, Order)
            .join(Order, Order.id == RefundRequest.order_id)
            .where(RefundRequest.id == request_id, orders.readable_orders(user))
        )
    ).first()
    if row is None:
        raise RefundRequestNotFound()
    return row[0], row[1]


async def list_for_order(
    session: AsyncSession, user: User, order_id: uuid.UUID
) -> tuple[Sequence[RefundRequest], Order]:
    order = await orders.get_order(session, user, order_id)
    rows = await session.scalars(
        select(RefundRequest)
        .where(RefundRequest.order_id == order.id)
        .order_by(RefundRequest.created_at, RefundRequest.id)
    )
    return rows.all(), order


async def on_refund_sent(session: AsyncSession, refund_id: uuid.UUID, order: Order) -> None:
    """The provider took the refund of an accepted request: it is refunded."""
    request = await lock_one(session, select(RefundRequest).where(RefundRequest.refund_id == refund_id))
    if request is None or request.status is not RS.ACCEPTED:
        return  # a refund of a cancellation or a dispute, or told before
    request.status, request.refunded_at = RS.REFUNDED, utcnow()
    await orders.record(session, order, "refund_sent", actor=None, data=_data(request))


# --- rules --------------------------------------------------------------------------------


async def _locked_target(
    session: AsyncSession, user: User, order_id: uuid.UUID | None, milestone_id: uuid.UUID | None
) -> tuple[Order, Milestone | None]:
    if (order_id is None) == (milestone_id is None):
        raise InvalidRefundTarget()
    if milestone_id is not None:
        return await orders.lock_milestone(session, milestone_id, reader=user)
    assert order_id is not None
    order = await orders.lock_for(session, user, order_id)
    if order.uses_milestones:
        raise UsesMilestones("This order is paid milestone by milestone: ask for a milestone's refund.")
    return order, None


def _no_work_delivered(order: Order, milestone: Milestone | None) -> bool:
    if milestone is not None:
        return milestone.submitted_at is None and milestone.status is not MilestoneStatus.APPROVED
    return order.delivered_at is None


async def _escrow_of(
    session: AsyncSession, order: Order, milestone: Milestone | None
) -> tuple[Payment, ledger.Account, int]:
    """The payment that funded it, its escrow and what that holds now (409 if nothing)."""
    if order.status not in orders.PAID_STATES:
        raise OrderNotActive(f"The order is {order.status.value}.", details={"status": order.status.value})
    if milestone is not None and milestone.status not in orders.HELD_MILESTONE_STATES:
        raise NothingInEscrow(
            f"This milestone is {milestone.status.value}.", details={"status": milestone.status.value}
        )
    target = milestone.id if milestone else None
    for payment, escrow, held in await held_sources(session, order):
        if payment.milestone_id == target:
            return payment, escrow, held
    raise NothingInEscrow()


def _check_amount(amount_minor: int, held: int, currency: str) -> None:
    if amount_minor > held:
        raise RefundExceedsEscrow(details={"held": Money.from_minor(held, currency).model_dump()})


async def _open_request(session: AsyncSession, order: Order, milestone: Milestone | None) -> uuid.UUID | None:
    same_target = (
        RefundRequest.milestone_id == milestone.id if milestone else RefundRequest.milestone_id.is_(None)
    )
    return await session.scalar(
        select(RefundRequest.id).where(
            RefundRequest.order_id == order.id, same_target, RefundRequest.status == RS.REQUESTED
        )
    )


async def _locked_request(
    session: AsyncSession, user: User, request_id: uuid.UUID
) -> tuple[Order, RefundRequest]:
    """The order locked first, then the request (one lock order with approvals and webhooks)."""
    order_id = await session.scalar(select(RefundRequest.order_id).where(RefundRequest.id == request_id))
    if order_id is None:
        raise RefundRequestNotFound()
    order = await lock_one(session, select(Order).where(Order.id == order_id, orders.readable_orders(user)))
    if order is None:
        raise RefundRequestNotFound()
    request = await lock_one(session, select(RefundRequest).where(RefundRequest.id == request_id))
    assert request is not None  # requests are never deleted
    return order, request


async def _locked_milestone(session: AsyncSession, request: RefundRequest) -> Milestone | None:
    if request.milestone_id is None:
        return None
    return await lock_one(session, select(Milestone).where(Milestone.id == request.milestone_id))


def _require_requested(request: RefundRequest, to: RefundRequestStatus) -> None:
    if request.status is not RS.REQUESTED:
        raise InvalidTransition(
            "refund_request",
            request.status.value,
            to.value,
            f"This refund request is {request.status.value} already.",
        )


def _data(request: RefundRequest) -> dict[str, object]:
    return {
        "refund_request": str(request.id),
        "milestone": str(request.milestone_id) if request.milestone_id else None,
        "amount_minor": request.amount_minor,
    }
