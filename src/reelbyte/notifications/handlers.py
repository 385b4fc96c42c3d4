"""What turns other domains' events into notifications (registered on import).

Listed in `reelbyte.registry.HANDLER_MODULES`, which the API and every worker load (workers emit
order events too: auto-completion, payment webhooks). Every handler runs in the emitter's unit
of work, so a notification exists only if the change that caused it commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.admin import events as admin_events
from reelbyte.core.money import Money
from reelbyte.identity import service as identity
from reelbyte.notifications.service import notify
from reelbyte.orders import events as order_events
from reelbyte.orders.models import Order, OrderEvent
from reelbyte.payments import events as payment_events
from reelbyte.payments import schedules as payment_schedules
from reelbyte.payments.models import Withdrawal
from reelbyte.projects import events as project_events
from reelbyte.projects.models import Project, ProjectInvite, ProjectStatus, Proposal
from reelbyte.reviews import events as review_events
from reelbyte.reviews.models import Review

Recipient = Literal["client", "creator", "other"]
Content = str | Callable[[Order, OrderEvent], str]


@dataclass(frozen=True)
class OrderNotice:
    recipient: Recipient
    type: str
    title: str
    content: Content  # a template formatted with the order's title as {title}, or a function

    def text(self, order: Order, event: OrderEvent) -> str:
        if callable(self.content):
            return self.content(order, event)
        return self.content.format(title=order.title)


def _dispute_outcome(order: Order, event: OrderEvent) -> str:
    """Where the held money went, from the amounts the admin chose."""
    refund, release = int(event.data.get("refund_minor", 0)), int(event.data.get("release_minor", 0))
    resolved = f"The dispute on the order “{order.title}” was resolved"
    if refund and release:
        refunded = Money.from_minor(refund, order.currency)
        released = Money.from_minor(release, order.currency)
        return (
            f"{resolved}: {refunded.value} {refunded.currency} was refunded to the client "
            f"and {released.value} {released.currency} released to the creator."
        )
    if refund:
        return f"{resolved}: the money was refunded to the client."
    if release:
        return f"{resolved}: the money was released to the creator."
    return f"{resolved}."


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
    "completed": _COMPLETED,  # the last milestone was approved
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
    "dispute_resolved": OrderNotice(  # the actor is an admin: both parties hear of it
        "other", "order_dispute_resolved", "Dispute resolved", _dispute_outcome
    ),
    "milestones_planned": OrderNotice(
        "other",
        "order_milestones_planned",
        "Milestones planned",
        "The order “{title}” was split into milestones.",
    ),
    "milestone_funded": OrderNotice(
        "creator",
        "order_milestone_funded",
        "Milestone funded",
        "A milestone of “{title}” was funded: you can start on it.",
    ),
    "milestone_submitted": OrderNotice(
        "client",
        "order_milestone_submitted",
        "Milestone submitted",
        "A milestone of “{title}” was submitted: please review it.",
    ),
    "milestone_approved": OrderNotice(
        "creator",
        "order_milestone_approved",
        "Milestone approved",
        "A milestone of “{title}” was approved: its payment is released.",
    ),
    "milestone_rejected": OrderNotice(
        "creator",
        "order_milestone_rejected",
        "Milestone sent back",
        "The client sent a milestone of “{title}” back for changes.",
    ),
    "milestones_edited": OrderNotice(
        "creator",
        "order_milestones_edited",
        "Milestones changed",
        "The client changed unfunded milestones of “{title}”.",
    ),
    "refund_requested": OrderNotice(
        "creator",
        "order_refund_requested",
        "Refund requested",
        "The client asked for a refund on “{title}”: accept or decline it.",
    ),
    "refund_accepted": OrderNotice(
        "client",
        "order_refund_accepted",
        "Refund accepted",
        "The creator accepted your refund request on “{title}”: the money is on its way back.",
    ),
    "refund_declined": OrderNotice(
        "client",
        "order_refund_declined",
        "Refund declined",
        "The creator declined your refund request on “{title}”. If you cannot agree, open a dispute.",
    ),
    "refund_cancelled": OrderNotice(
        "creator",
        "order_refund_cancelled",
        "Refund request withdrawn",
        "The client withdrew their refund request on “{title}”.",
    ),
    "refund_sent": OrderNotice(
        "client", "order_refund_sent", "Refund sent", "Your refund on “{title}” was paid back."
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
            notice.text(order, event),
            link=f"/orders/{order.id}",
            reference=("order", order.id),
        )
    if event.kind == "disputed":
        await _alert_admins(session, order, event)


async def _alert_admins(session: AsyncSession, order: Order, event: OrderEvent) -> None:
    """A dispute waits for an admin: every admin hears of it."""
    for admin_id in await identity.admin_ids(session):
        await notify(
            session,
            admin_id,
            "admin_dispute_opened",
            "Dispute to resolve",
            f"A dispute was opened on the order “{order.title}”: {event.note or 'no reason given'}",
            link=f"/admin/orders/{order.id}",
            reference=("order", order.id),
        )


DELIVERY_COMMENT = "order_delivery_comment"  # e-mailed by default, like every order_ type


@order_events.delivery_comment_changed.connect
async def on_delivery_comment(session: AsyncSession, change: order_events.CommentChange) -> None:
    """A new review comment (or reply) is news for the other party; edits and resolutions are
    not (they arrive live on the socket)."""
    if change.kind != "created":
        return
    order = change.order
    other = order.creator_id if change.actor_id == order.client_id else order.client_id
    seconds = change.row.timecode_ms // 1000
    at = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    what = "replied to a review comment" if change.row.parent_id else "left a review comment"
    await notify(
        session,
        other,
        DELIVERY_COMMENT,
        "New review comment",
        f"The other party {what} at {at} on the delivery of “{order.title}”.",
        link=f"/orders/{order.id}",  # the order's page shows its deliveries
        reference=("delivery_comment", change.row.id),
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


@project_events.creator_invited.connect
async def on_creator_invited(session: AsyncSession, payload: tuple[ProjectInvite, Project]) -> None:
    invite, project = payload
    await notify(
        session,
        invite.creator_id,
        "project_invited",
        "Invited to a project",
        f"You are invited to send a proposal for “{project.title}”.",
        link=f"/projects/{project.id}",
        reference=("project", project.id),
    )


@project_events.proposal_was_accepted.connect
async def on_proposal_accepted(session: AsyncSession, payload: tuple[Proposal, Project]) -> None:
    proposal, project = payload
    content = _proposal_outcome(project, "was accepted")
    await _tell_proposal_author(session, proposal, "proposal_accepted", "Proposal accepted", content)


@project_events.proposal_rejected.connect
async def on_proposal_rejected(session: AsyncSession, payload: tuple[Proposal, Project]) -> None:
    proposal, project = payload
    # Rejected in bulk, the project tells why: another proposal won, or the project was cancelled.
    if project.status is ProjectStatus.IN_PROGRESS:
        content = f"Another proposal was chosen for “{project.title}”."
    elif project.status is ProjectStatus.CANCELLED:
        content = f"The project “{project.title}” was cancelled."
    else:
        content = _proposal_outcome(project, "was declined")
    await _tell_proposal_author(session, proposal, "proposal_rejected", "Proposal declined", content)


def _proposal_outcome(project: Project, outcome: str) -> str:
    return f"Your proposal for “{project.title}” {outcome}."


async def _tell_proposal_author(
    session: AsyncSession, proposal: Proposal, type_: str, title: str, content: str
) -> None:
    await notify(
        session,
        proposal.creator_id,
        type_,
        title,
        content,
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
        link="/earnings",
        reference=("withdrawal", withdrawal.id),
    )


@review_events.review_published.connect
async def on_review_published(session: AsyncSession, review: Review) -> None:
    await notify(
        session,
        review.reviewee_id,
        "review_received",
        "New review",
        f"You received a {review.rating}-star review.",
        link=f"/orders/{review.order_id}",  # the order's page shows both reviews
        reference=("review", review.id),
    )


@review_events.review_replied.connect
async def on_review_replied(session: AsyncSession, review: Review) -> None:
    await notify(
        session,
        review.author_id,
        "review_reply_received",
        "Reply to your review",
        "The person you reviewed replied to your review.",
        link=f"/orders/{review.order_id}",  # the order's page shows both reviews
        reference=("review", review.id),
    )


@admin_events.user_warned.connect
async def on_user_warned(session: AsyncSession, warning: admin_events.ModerationWarning) -> None:
    what = "profile" if warning.target_type == "user" else warning.target_type
    await notify(
        session,
        warning.user_id,
        "moderation_warning",
        "A warning from the moderators",
        f"Your {what} was reported, and a moderator looked into it: {warning.note}",
        reference=(warning.target_type, warning.target_id),
    )


@payment_schedules.payout_skipped.connect
async def on_scheduled_payout_skipped(session: AsyncSession, skipped: payment_schedules.Skipped) -> None:
    await notify(
        session,
        skipped.user_id,
        "payout_method_required",
        "Scheduled payout waiting",
        "Your scheduled payout is due, but you have no verified payout method. Add one and it is "
        "paid out this period.",
        link="/earnings",
        reference=("payout_period", skipped.period),
    )
