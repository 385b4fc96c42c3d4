"""Review comments on deliveries, live on the parties' chat sockets (registered on import).

Orders sits below messaging and may not import the hub: it emits
`orders.events.delivery_comment_changed` in its unit of work, and this handler publishes the
frame to both parties once that unit commits (a rolled-back change publishes nothing). The
frame: `{"type": "delivery_comment", "data": {"event": "created" | "edited" | "deleted" |
"resolved" | "unresolved" | "addressed", "order_id", "delivery_id", "actor_id", "comment": {…}}}`,
the comment as `GET /v1/deliveries/{id}/comments` shows it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import after_commit
from reelbyte.messaging.hub import publish_many
from reelbyte.orders import events as order_events

FRAME_TYPE = "delivery_comment"


@order_events.delivery_comment_changed.connect
async def publish_comment_change(session: AsyncSession, change: order_events.CommentChange) -> None:
    parties = [change.order.client_id, change.order.creator_id]
    frame = {
        "type": FRAME_TYPE,
        "data": {
            "event": change.kind,
            "order_id": str(change.order.id),
            "delivery_id": change.comment["delivery_id"],
            "actor_id": str(change.actor_id),
            "comment": change.comment,
        },
    }

    async def send() -> None:
        await publish_many(parties, frame)

    after_commit(session, send)
