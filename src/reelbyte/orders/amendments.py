"""Changes to an order's amounts after it was made: milestone edits and refunds before work.

Milestones are edited by the order's client alone while they are unfunded (pending); the
creator is told (an order event, so a notification). The creator agreed to the order's total,
so the milestones must keep adding up to it: an amount changes only together with others that
balance it (`rebalance_milestones`), otherwise 422 `milestone_total_mismatch`.

A refund the creator accepted lowers the price of what it refunds (payments moves the money):
the order's (or milestone's) amount, platform fee and creator earnings are what is left in
escrow, so a later release pays the creator exactly the rest. A refund of all of it cancels
the order (or the milestone).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.errors import NotOwner
from reelbyte.identity.models import User
from reelbyte.orders.errors import (
    DuplicateMilestone,
    MilestoneNotEditable,
    MilestoneNotFound,
    MilestoneTotalMismatch,
    OrderNotActive,
)
from reelbyte.orders.models import Milestone, MilestoneStatus, Order, OrderStatus
from reelbyte.orders.service import (
    PAID_STATES,
    _milestone_transition,
    _milestones,
    lock_for,
    lock_milestone,
    record,
    split_fee,
    transition,
)
from reelbyte.projects.errors import CurrencyMismatch

EDITABLE_ORDER_STATES = {OrderStatus.PENDING_PAYMENT, *PAID_STATES}


@dataclass(frozen=True)
class MilestoneChanges:
    """What PUT /milestones/{id} may change; None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    due_date: datetime | None = None
    amount_minor: int | None = None
    currency: str | None = None
    clear_due_date: bool = False


# --- milestone edits ----------------------------------------------------------------------


def _require_editable(order: Order, user: User) -> None:
    if order.client_id != user.id:
        raise NotOwner("Only the client of this order can change its milestones.")
    if order.status not in EDITABLE_ORDER_STATES:
        raise OrderNotActive(f"The order is {order.status.value}.", details={"status": order.status.value})


def _require_unfunded(milestone: Milestone) -> None:
    if milestone.status is not MilestoneStatus.PENDING:
        raise MilestoneNotEditable(
            f"This milestone is {milestone.status.value}; only a pending one can be changed.",
            details={"milestone_id": str(milestone.id), "status": milestone.status.value},
        )


def _check_total(order: Order, milestones: list[Milestone], amounts: dict[uuid.UUID, int]) -> None:
    total = sum(amounts.get(m.id, m.amount_minor) for m in milestones)
    if total != order.amount_minor:
        raise MilestoneTotalMismatch(
            details={"order_amount_minor": order.amount_minor, "milestones_total_minor": total}
        )


def _set_amount(order: Order, milestone: Milestone, amount_minor: int) -> None:
    milestone.amount_minor = amount_minor
    milestone.platform_fee_minor, milestone.creator_earnings_minor = split_fee(
        amount_minor, order.fee_percentage
    )


def _refresh_order_fee(order: Order, milestones: list[Milestone]) -> None:
    """The order's fee stays the sum of its milestones' fees (as when they were planned)."""
    order.platform_fee_minor = sum(m.platform_fee_minor for m in milestones)
    order.creator_earnings_minor = order.amount_minor - order.platform_fee_minor


async def edit_milestone(
    session: AsyncSession, user: User, milestone_id: uuid.UUID, changes: MilestoneChanges
) -> Milestone:
    """The client changes an unfunded milestone; an amount that breaks the total is 422."""
    order, milestone = await lock_milestone(session, milestone_id, reader=user)
    _require_editable(order, user)
    _require_unfunded(milestone)
    if changes.currency is not None and changes.currency != order.currency:
        raise CurrencyMismatch(
            f"Milestones are paid in the order's currency ({order.currency}).",
            details={"expected": order.currency},
        )
    if changes.amount_minor is not None and changes.amount_minor != milestone.amount_minor:
        milestones = await _milestones(session, order.id, lock=True)
        _check_total(order, milestones, {milestone.id: changes.amount_minor})
    if changes.title is not None:
        milestone.title = changes.title
    if changes.description is not None:
        milestone.description = changes.description
    if changes.due_date is not None or changes.clear_due_date:
        milestone.due_date = changes.due_date
    await record(session, order, "milestones_edited", actor=user, data={"milestones": [str(milestone.id)]})
    await session.flush()
    return milestone


async def rebalance_milestones(
    session: AsyncSession, user: User, order_id: uuid.UUID, amounts: list[tuple[uuid.UUID, int, str]]
) -> list[Milestone]:
    """Change several unfunded milestones' amounts at once, keeping the order's total."""
    order = await lock_for(session, user, order_id)
    _require_editable(order, user)
    if not order.uses_milestones:
        raise MilestoneNotFound("This order has no milestones.")
    wanted = {milestone_id: amount for milestone_id, amount, _ in amounts}
    if len(wanted) != len(amounts):
        raise DuplicateMilestone()
    if any(currency != order.currency for _, _, currency in amounts):
        raise CurrencyMismatch(
            f"Milestones are paid in the order's currency ({order.currency}).",
            details={"expected": order.currency},
        )
    milestones = await _milestones(session, order.id, lock=True)
    by_id = {m.id: m for m in milestones}
    unknown = [str(i) for i in wanted if i not in by_id]
    if unknown:
        raise MilestoneNotFound(details={"milestone_ids": unknown})
    changed = [by_id[i] for i, amount in wanted.items() if by_id[i].amount_minor != amount]
    for milestone in changed:
        _require_unfunded(milestone)
    _check_total(order, milestones, wanted)
    for milestone in changed:
        _set_amount(order, milestone, wanted[milestone.id])
    _refresh_order_fee(order, milestones)
    if changed:
        ids = [str(m.id) for m in changed]
        await record(session, order, "milestones_edited", actor=user, data={"milestones": ids})
    await session.flush()
    return milestones


# --- refunds before work ------------------------------------------------------------------


async def refund_accepted(
    session: AsyncSession,
    order: Order,
    milestone: Milestone | None,
    amount_minor: int,
    *,
    actor: User,
    data: dict[str, Any],
) -> None:
    """Payments refunded `amount_minor` of what escrow held for the (locked) order or milestone."""
    if milestone is not None:
        await _milestone_refunded(session, order, milestone, amount_minor, actor=actor, data=data)
        return
    if amount_minor == order.amount_minor:
        await transition(
            session, order, OrderStatus.CANCELLED, actor=actor, kind="refund_accepted", data=data
        )
        return
    lower_price(order, amount_minor)
    await record(session, order, "refund_accepted", actor=actor, data=data)


def lower_price(order: Order, refund_minor: int) -> None:
    """A whole order's price less a partial refund; fee and earnings split again by the one rule."""
    order.amount_minor -= refund_minor
    order.platform_fee_minor, order.creator_earnings_minor = split_fee(
        order.amount_minor, order.fee_percentage
    )


async def _milestone_refunded(
    session: AsyncSession,
    order: Order,
    milestone: Milestone,
    amount_minor: int,
    *,
    actor: User,
    data: dict[str, Any],
) -> None:
    await record(session, order, "refund_accepted", actor=actor, data=data)
    milestones = await _milestones(session, order.id, lock=True)
    if amount_minor < milestone.amount_minor:
        order.amount_minor -= amount_minor
        _set_amount(order, milestone, milestone.amount_minor - amount_minor)
        _refresh_order_fee(order, milestones)
        return
    _milestone_transition(milestone, MilestoneStatus.CANCELLED)
    if any(m.status not in (MilestoneStatus.APPROVED, MilestoneStatus.CANCELLED) for m in milestones):
        return
    # Nothing left to fund or to work on: the order ends with what was approved, if anything.
    approved = any(m.status is MilestoneStatus.APPROVED for m in milestones)
    outcome = OrderStatus.COMPLETED if approved else OrderStatus.CANCELLED
    await transition(session, order, outcome, actor=actor, kind="completed" if approved else "cancelled")
