"""Other domains' events turned into outgoing webhook events (registered on import).

Listed in `reelbyte.registry.HANDLER_MODULES`, which the API and every worker load. Each
handler runs in the emitter's unit of work, as notifications' do: the deliveries (and their
jobs) exist only if the change that caused them commits. Each event is keyed by the row that
records it (the order event, the refund, the review, the message), so a handler that runs
again for the same event queues nothing new.

`video_job.completed` and `video_job.failed` are emitted by the video tools themselves
(studio/jobs.py: studio sits above billing, so it calls `webhooks.emit` directly).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import webhooks
from reelbyte.billing.webhook_schemas import (
    MessageData,
    OrderData,
    RefundData,
    ReviewData,
    WebhookEventType,
)
from reelbyte.core.db import utcnow
from reelbyte.core.money import Money
from reelbyte.messaging import events as messaging_events
from reelbyte.orders import events as order_events
from reelbyte.orders.models import Order, OrderEvent, OrderStatus
from reelbyte.payments import events as payment_events
from reelbyte.reviews import events as review_events
from reelbyte.reviews.models import Review

E = WebhookEventType

# Order events by their kind, then by the status they move the order to (several kinds end an
# order: approved, auto_completed, dispute_resolved…; `change` in the payload says which).
ORDER_EVENTS_BY_KIND = {"created": E.ORDER_CREATED, "paid": E.ORDER_PAID}
ORDER_EVENTS_BY_STATUS = {
    OrderStatus.DELIVERED.value: E.ORDER_DELIVERED,
    OrderStatus.COMPLETED.value: E.ORDER_COMPLETED,
    OrderStatus.CANCELLED.value: E.ORDER_CANCELLED,
    OrderStatus.DISPUTED.value: E.ORDER_DISPUTED,
}


def order_event_type(event: OrderEvent) -> WebhookEventType | None:
    by_kind = ORDER_EVENTS_BY_KIND.get(event.kind)
    if by_kind is not None:
        return by_kind
    return ORDER_EVENTS_BY_STATUS.get(event.to_status or "")


def order_data(order: Order, event: OrderEvent) -> OrderData:
    return OrderData(
        order_id=order.id,
        status=event.to_status or order.status.value,  # recorded before the order moves
        change=event.kind,
        title=order.title,
        client_id=order.client_id,
        creator_id=order.creator_id,
        gig_id=order.gig_id,
        amount=Money.from_minor(order.amount_minor, order.currency),
        created_at=order.created_at,
    )


@order_events.order_event_recorded.connect
async def on_order_event(session: AsyncSession, payload: tuple[Order, OrderEvent]) -> None:
    order, event = payload
    event_type = order_event_type(event)
    if event_type is None:
        return
    if event.id is None:
        await session.flush()  # the event's id keys its deliveries
    await webhooks.emit(
        session,
        event_type,
        order_data(order, event),
        parties=(order.client_id, order.creator_id),
        event_key=f"order_event:{event.id}",
    )


@payment_events.refund_sent.connect
async def on_refund_sent(session: AsyncSession, sent: payment_events.RefundSent) -> None:
    refund, order = sent.refund, sent.order
    data = RefundData(
        refund_id=refund.id,
        payment_id=sent.payment.id,
        order_id=order.id,
        amount=Money.from_minor(refund.amount_minor, refund.currency),
        reason=refund.reason,
    )
    await webhooks.emit(
        session,
        E.PAYMENT_REFUNDED,
        data,
        parties=(order.client_id, order.creator_id),
        event_key=f"refund:{refund.id}",
    )


@review_events.review_published.connect
async def on_review_published(session: AsyncSession, review: Review) -> None:
    data = ReviewData(
        review_id=review.id,
        order_id=review.order_id,
        gig_id=review.gig_id,
        author_id=review.author_id,
        reviewee_id=review.reviewee_id,
        rating=review.rating,
        communication_rating=review.communication_rating,
        quality_rating=review.quality_rating,
        timeliness_rating=review.timeliness_rating,
        comment=review.comment,
        # Published by an UPDATE … RETURNING: a copy loaded earlier in the session may lag.
        published_at=review.published_at or utcnow(),
    )
    await webhooks.emit(
        session, E.REVIEW_PUBLISHED, data, parties=(review.reviewee_id,), event_key=f"review:{review.id}"
    )


@messaging_events.message_sent.connect
async def on_message_sent(session: AsyncSession, sent: messaging_events.MessageSent) -> None:
    message = sent.message
    data = MessageData(
        message_id=message.id,
        conversation_id=message.conversation_id,
        sender_id=message.sender_id,
        recipient_id=sent.recipient_id,
        sent_at=message.created_at,
    )
    await webhooks.emit(
        session, E.MESSAGE_RECEIVED, data, parties=(sent.recipient_id,), event_key=f"message:{message.id}"
    )
