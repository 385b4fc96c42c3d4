"""The reputation numbers that other domains' events move, in the same transaction as the event."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Gig
from reelbyte.identity.models import User
from reelbyte.orders.events import order_event_recorded
from reelbyte.orders.models import Order, OrderEvent, OrderStatus


@order_event_recorded.connect
async def count_completed_order(session: AsyncSession, recorded: tuple[Order, OrderEvent]) -> None:
    """A completed order (approved, auto-completed, or a dispute settled in the creator's favour)
    counts for both parties' `total_orders` and for its gig's `orders_count`."""
    order, event = recorded
    if event.to_status != OrderStatus.COMPLETED.value:
        return
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
