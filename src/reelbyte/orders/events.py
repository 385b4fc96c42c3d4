"""What the orders domain announces; payments (above it) moves the money on these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from reelbyte.core.events import Signal
from reelbyte.orders.models import DeliveryComment, Dispute, Milestone, Order, OrderEvent


@dataclass(frozen=True)
class DisputeResolution:
    order: Order
    dispute: Dispute
    refund_minor: int
    release_minor: int


# The client approved (or the order auto-completed): release the order's escrow.
order_completed: Signal[Order] = Signal("order_completed")
# A paid order was cancelled: refund what is still held for it.
order_cancelled_after_payment: Signal[Order] = Signal("order_cancelled_after_payment")
# A milestone was approved: release that milestone's escrow.
milestone_approved: Signal[Milestone] = Signal("milestone_approved")
# An admin split a disputed order's held money between the parties.
dispute_resolved: Signal[DisputeResolution] = Signal("dispute_resolved")
# Every OrderEvent written (by service.record), with its order: notifications tell the parties.
order_event_recorded: Signal[tuple[Order, OrderEvent]] = Signal("order_event_recorded")


CommentChangeKind = Literal["created", "edited", "deleted", "resolved", "unresolved", "addressed"]


@dataclass(frozen=True)
class CommentChange:
    """A review comment on a delivery changed; `comment` is the comment as shown to the parties
    (CommentOut, as JSON), taken before a deletion removes the row."""

    order: Order
    row: DeliveryComment
    kind: CommentChangeKind
    actor_id: uuid.UUID
    comment: dict[str, Any]


# A timecoded review comment was posted, edited, deleted, resolved, reopened or addressed by a
# delivery: messaging sends it live to both parties, notifications tells the other of a new one.
delivery_comment_changed: Signal[CommentChange] = Signal("delivery_comment_changed")
