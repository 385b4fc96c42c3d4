"""The reputation numbers that other domains' events move, in the same transaction as the event:
completed orders, and the response time of a first reply in a conversation."""

from __future__ import annotations

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Gig
from reelbyte.identity.models import User
from reelbyte.messaging.events import MessageSent, message_sent
from reelbyte.orders.events import order_event_recorded
from reelbyte.orders.models import Order, OrderEvent, OrderStatus

# Over the creator's completed orders (with the one completing now): the percent first
# delivered by the due date, and the percent of their clients with two or more.
_DELIVERY_AND_REPEAT_RATES = text("""
    WITH completed AS (
        SELECT o.id, o.client_id, o.delivery_date,
               (SELECT min(d.created_at) FROM deliveries d WHERE d.order_id = o.id) AS first_delivery
        FROM orders o
        WHERE o.creator_id = :creator AND (o.status = 'completed' OR o.id = :order)
    ), clients AS (
        SELECT client_id, count(*) AS orders FROM completed GROUP BY client_id
    )
    UPDATE users SET
        on_time_delivery_percent = (
            SELECT round(100.0 * count(*) FILTER (WHERE first_delivery <= delivery_date) / count(*))
            FROM completed WHERE first_delivery IS NOT NULL AND delivery_date IS NOT NULL
            HAVING count(*) > 0
        ),
        repeat_client_percent = (
            SELECT round(100.0 * count(*) FILTER (WHERE orders >= 2) / count(*)) FROM clients HAVING count(*) > 0
        )
    WHERE id = :creator
""")


@order_event_recorded.connect
async def count_completed_order(session: AsyncSession, recorded: tuple[Order, OrderEvent]) -> None:
    """A completed order (approved, auto-completed, or a dispute settled in the creator's favour)
    counts for both parties' `total_orders` and for its gig's `orders_count`, and moves the
    creator's on-time delivery and repeat-client rates."""
    order, event = recorded
    if event.to_status != OrderStatus.COMPLETED.value:
        return
    # The order's own status is written after its event: count it in by id.
    await session.execute(_DELIVERY_AND_REPEAT_RATES, {"creator": order.creator_id, "order": order.id})
    await session.execute(
        update(User)
        .where(User.id.in_(sorted([order.client_id, order.creator_id])))
        .values(total_orders=User.total_orders + 1)
        .execution_options(synchronize_session=False)
    )
    if order.gig_id is not None:
        await session.execute(
            update(Gig)
            .where(Gig.id == order.gig_id)
            .values(orders_count=Gig.orders_count + 1)
            .execution_options(synchronize_session=False)
        )


# Is this the sender's first message in the conversation, after the other party wrote? (Two
# index probes: the chat's send path pays this on every message.)
_FIRST_REPLY = text("""
    SELECT NOT EXISTS (SELECT 1 FROM messages
                       WHERE conversation_id = :conversation AND id < :id AND sender_id = :sender)
       AND EXISTS (SELECT 1 FROM messages
                   WHERE conversation_id = :conversation AND id < :id AND sender_id <> :sender)
""")
# The median hours from the other party's first message to the user's first reply, over the
# conversations opened to the user in the last 90 days; rounded up to whole hours, at least 1.
_RESPONSE_TIME = text("""
    UPDATE users SET response_time_hours = (
        SELECT greatest(1, ceil(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)))::int
        FROM (
            SELECT extract(epoch FROM min(m.created_at) FILTER (WHERE m.sender_id = :user)
                                    - min(m.created_at) FILTER (WHERE m.sender_id <> :user)) / 3600 AS hours
            FROM messages m
            JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = :user
            GROUP BY m.conversation_id
            HAVING min(m.created_at) FILTER (WHERE m.sender_id <> :user) >= now() - interval '90 days'
               AND min(m.created_at) FILTER (WHERE m.sender_id <> :user)
                   < min(m.created_at) FILTER (WHERE m.sender_id = :user)
        ) AS replies
    )
    WHERE id = :user
""")


@message_sent.connect
async def time_first_reply(session: AsyncSession, sent: MessageSent) -> None:
    """A user's first reply in a conversation moves their response time."""
    message = sent.message
    first_reply = await session.scalar(
        _FIRST_REPLY, {"conversation": message.conversation_id, "id": message.id, "sender": message.sender_id}
    )
    if first_reply:
        await session.execute(_RESPONSE_TIME, {"user": message.sender_id})
