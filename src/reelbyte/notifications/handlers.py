"""What turns other domains' events into notifications (registered on import).

Imported by main.py for the API and listed in core/jobs.py TASK_MODULES for the workers, which
emit order events too (auto-completion, payment webhooks). Every handler runs in the emitter's
transaction, so a notification exists only if the change that caused it commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.money import Money
from reelbyte.notifications.service import notify
from reelbyte.orders import events as order_events
from reelbyte.orders.models import Order, OrderEvent
from reelbyte.payments import events as payment_events
from reelbyte.payments.models import Withdrawal
from reelbyte.projects import events as project_events
from reelbyte.projects.models import Project, Proposal

Recipient = Literal["client", "creator", "other"]


@dataclass(frozen=True)
class OrderNotice:
    recipient: Recipient
    type: str
    title: str
    content: str  # formatted with the order's title as {title}


_CANCELLED = OrderNotice("other", "order_cancelled", "Order cancelled", "The order “{title}” was cancelled.")
_COMPLETED = OrderNotice(
    "creator",
    "order_completed",
    "Order completed",
    "The order “{title}” is complete: your earnings are released.",
)

ORDER_NOTICES: dict[str, OrderNotice] = {
    "paid": OrderNotice(
        "creator", "order_paid", "Order paid", "The order “{title}” was paid: you can start."
    ),
    "delivered": OrderNotice(
        "client", "order_delivered", "Order delivered", "The order “{title}” was delivered: please review it."
    ),
    "revision_requested": OrderNotice(
        "creator",
        "order_revision_requested",
        "Revision requested",
        "The client asked for a revision of “{title}”.",
    ),
    "approved": _COMPLETED,
    "auto_completed": _COMPLETED,
    "cancelled": _CANCELLED,
    "cancellation_accepted": _CANCELLED,
    "cancelled_late_delivery": _CANCELLED,
    "cancellation_requested": OrderNotice(
        "other",
        "order_cancellation_requested",
        "Cancellation requested",
        "The other party asked to cancel the order “{title}”.",
    ),
    "disputed": OrderNotice(
        "other", "order_disputed", "Dispute opened", "A dispute was opened on the order “{title}”."
    ),
}


def _recipients(order: Order, event: OrderEvent, recipient: Recipient) -> list[uuid.UUID]:
    if recipient == "client":
        return [order.client_id]
    if recipient == "creator":
        return [order.creator_id]
    parties = [order.client_id, order.creator_id]
    return [party for party in parties if party != event.actor_id]  # no actor (the system): both


@order_events.order_event_recorded.connect
async def on_order_event(session: AsyncSession, payload: tuple[Order, OrderEvent]) -> None:
    order, event = payload
    notice = ORDER_NOTICES.get(event.kind)
    if notice is None:
        return
    for user_id in _recipients(order, event, notice.recipient):
        await notify(
            session,
            user_id,
            notice.type,
            notice.title,
            notice.content.format(title=order.title),
            link=f"/orders/{order.id}",
            reference=("order", order.id),
        )


@project_events.proposal_created.connect
async def on_proposal_created(session: AsyncSession, payload: tuple[Proposal, Project]) -> None:
    proposal, project = payload
    await notify(
        session,
        project.client_id,
        "proposal_received",
        "Proposal received",
        f"You received a new proposal for “{project.title}”.",
        link=f"/projects/{project.id}/proposals",
        reference=("proposal", proposal.id),
    )


@project_events.proposal_was_accepted.connect
async def on_proposal_accepted(session: AsyncSession, payload: tuple[Proposal, Project]) -> None:
    await _tell_proposal_author(session, *payload, "proposal_accepted", "Proposal accepted", "was accepted")


@project_events.proposal_rejected.connect
async def on_proposal_rejected(session: AsyncSession, payload: tuple[Proposal, Project]) -> None:
    await _tell_proposal_author(session, *payload, "proposal_rejected", "Proposal declined", "was declined")


async def _tell_proposal_author(
    session: AsyncSession, proposal: Proposal, project: Project, type_: str, title: str, outcome: str
) -> None:
    await notify(
        session,
        proposal.creator_id,
        type_,
        title,
        f"Your proposal for “{project.title}” {outcome}.",
        link=f"/proposals/{proposal.id}",
        reference=("proposal", proposal.id),
    )


@payment_events.withdrawal_paid.connect
async def on_withdrawal_paid(session: AsyncSession, withdrawal: Withdrawal) -> None:
    amount = Money.from_minor(withdrawal.amount_minor, withdrawal.currency)
    await notify(
        session,
        withdrawal.user_id,
        "payout_paid",
        "Payout sent",
        f"Your withdrawal of {amount.value} {amount.currency} was paid out.",
        link="/payments/withdrawals",
        reference=("withdrawal", withdrawal.id),
    )
