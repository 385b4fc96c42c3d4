"""Timecoded review comments on deliveries (Frame.io is the reference for how they feel).

The order's two parties pin comments to a moment of a delivery (`timecode_ms`, within the
delivered video when the delivery has one) and optionally to a spot on the frame (x, y in
0..1). A reply hangs under a top-level comment (one level deep) and shares its timecode.
Either party resolves or reopens a thread; only its author edits or deletes a comment.

Rules, decided here once:
- Who: the order's readers (its parties, admins) may read; only the parties may write. Anyone
  else gets 404 for the delivery and for each comment, as for the order itself.
- When: comments are written while the order is live (paid and being worked on, delivered,
  revising, or disputed: a dispute may point at frames). A completed or cancelled order's
  comments are read-only (409 `comments_closed`).
- Deleting a top-level comment that has replies keeps it as a placeholder (`deleted`, no
  text) so the thread stays where it was; anything else is removed, and a placeholder goes
  with its last reply.
- A milestone's submission is a delivery of the order too (`milestone_id`), reviewed the same
  way; rejecting the milestone bundles threads as a revision request does.
- A revision request may bundle comments (`comment_ids`, or every open thread with
  `include_open_comments`); the revision's order event lists them (`data.comment_ids`). The
  creator's next delivery says which threads it addresses; they are marked addressed by it.

Writes lock the order row first (the one lock order of the orders domain), so a comment never
lands on an order that is being completed or cancelled at the same moment. Every change emits
`events.delivery_comment_changed` in the unit of work: messaging publishes it to both parties'
chat sockets after commit, notifications tells the other party of a new comment.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.errors import NotOwner
from reelbyte.identity.models import User
from reelbyte.media.models import Upload, UploadKind
from reelbyte.orders import events, service
from reelbyte.orders.comment_schemas import CommentCreate, CommentOut, CommentThread
from reelbyte.orders.errors import (
    CommentDeleted,
    CommentsClosed,
    CommentsNotInOrder,
    DeliveryCommentNotFound,
    DeliveryNotFound,
    ReplyNotResolvable,
    ReplyToReply,
    TimecodePastVideo,
)
from reelbyte.orders.models import Deliverable, Delivery, DeliveryComment, Milestone, Order, OrderStatus
from reelbyte.orders.schemas import DeliverableIn

S = OrderStatus

# While the work is live (a dispute included); completed and cancelled orders are read-only.
COMMENTABLE_STATES = {S.IN_PROGRESS, S.DELIVERED, S.REVISION_REQUESTED, S.DISPUTED}
MAX_BUNDLED_COMMENTS = 200


# --- finding and guarding -------------------------------------------------------------------


async def _readable_delivery(session: AsyncSession, user: User, delivery_id: uuid.UUID) -> Delivery:
    delivery = await session.scalar(
        select(Delivery)
        .join(Order, Order.id == Delivery.order_id)
        .where(Delivery.id == delivery_id, service.readable_orders(user))
    )
    if delivery is None:
        raise DeliveryNotFound()
    return delivery


async def _locked_comment(
    session: AsyncSession, user: User, comment_id: uuid.UUID
) -> tuple[Order, DeliveryComment]:
    """The comment and its order, both locked (the order first), if `user` may read the order."""
    order_id = await session.scalar(
        select(DeliveryComment.order_id)
        .join(Order, Order.id == DeliveryComment.order_id)
        .where(DeliveryComment.id == comment_id, service.readable_orders(user))
    )
    if order_id is None:
        raise DeliveryCommentNotFound()
    order = await service.lock_order(session, order_id)
    comment = await lock_one(session, select(DeliveryComment).where(DeliveryComment.id == comment_id))
    if comment is None:  # deleted while we waited for the order's lock
        raise DeliveryCommentNotFound()
    return order, comment


def _require_party(order: Order, user: User) -> None:
    """Admins read the review, but only the order's two parties write in it."""
    if user.id not in (order.client_id, order.creator_id):
        raise NotOwner("Only the client or the creator of this order can comment on its deliveries.")


def _require_author(comment: DeliveryComment, user: User) -> None:
    if comment.author_id != user.id:
        raise NotOwner("Only its author can change or delete a comment.")


def _require_open(order: Order) -> None:
    if order.status not in COMMENTABLE_STATES:
        raise CommentsClosed(details={"status": order.status.value})


async def video_duration_ms(session: AsyncSession, delivery_id: uuid.UUID) -> int | None:
    """The longest processed video handed over with the delivery, in ms (None: no video)."""
    seconds = await session.scalar(
        select(func.max(cast(Upload.probe["duration_seconds"].astext, Float)))
        .join(Deliverable, Deliverable.upload_id == Upload.id)
        .where(Deliverable.delivery_id == delivery_id, Upload.kind == UploadKind.VIDEO)
    )
    return None if seconds is None else round(float(seconds) * 1000)


async def _changed(
    session: AsyncSession,
    order: Order,
    comment: DeliveryComment,
    kind: events.CommentChangeKind,
    actor: User,
    shown: CommentOut | None = None,
) -> None:
    """Announce the change (in the unit of work; the live frame goes out after commit)."""
    await session.flush()
    data = (shown or CommentOut.of(comment)).model_dump(mode="json")
    await events.delivery_comment_changed.emit(
        session, events.CommentChange(order, comment, kind, actor.id, data)
    )


# --- reading ------------------------------------------------------------------------------


async def list_comments(session: AsyncSession, user: User, delivery_id: uuid.UUID) -> list[CommentThread]:
    """The delivery's threads in timecode order (ties: oldest first), each with its replies
    oldest first: one query for the delivery, one for all its comments."""
    delivery = await _readable_delivery(session, user, delivery_id)
    rows = await session.scalars(
        select(DeliveryComment)
        .where(DeliveryComment.delivery_id == delivery.id)
        .order_by(DeliveryComment.timecode_ms, DeliveryComment.created_at, DeliveryComment.id)
    )
    comments = list(rows)
    replies: dict[uuid.UUID, list[CommentOut]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(CommentOut.of(comment))
    return [
        CommentThread(**CommentOut.of(c).model_dump(), replies=replies.get(c.id, []))
        for c in comments
        if c.parent_id is None
    ]


# --- writing ------------------------------------------------------------------------------


async def post_comment(
    session: AsyncSession, user: User, delivery_id: uuid.UUID, data: CommentCreate
) -> DeliveryComment:
    """A new thread at a timecode, or a reply under one (sharing its timecode)."""
    delivery = await _readable_delivery(session, user, delivery_id)
    order = await service.lock_order(session, delivery.order_id)
    _require_party(order, user)
    _require_open(order)
    if data.parent_id is not None:
        timecode = (await _parent(session, delivery, data.parent_id)).timecode_ms
    else:
        assert data.timecode_ms is not None  # the schema asks for it on a thread
        timecode = data.timecode_ms
        duration = await video_duration_ms(session, delivery.id)
        if duration is not None and timecode > duration:
            raise TimecodePastVideo(
                f"The delivered video is {duration} ms long.",
                details={"timecode_ms": timecode, "duration_ms": duration},
            )
    comment = DeliveryComment(
        order_id=order.id,
        delivery_id=delivery.id,
        author_id=user.id,
        parent_id=data.parent_id,
        timecode_ms=timecode,
        x=data.x,
        y=data.y,
        text=data.text,
    )
    session.add(comment)
    await _changed(session, order, comment, "created", user)
    return comment


async def _parent(session: AsyncSession, delivery: Delivery, parent_id: uuid.UUID) -> DeliveryComment:
    parent = await session.scalar(
        select(DeliveryComment).where(
            DeliveryComment.id == parent_id, DeliveryComment.delivery_id == delivery.id
        )
    )
    if parent is None:
        raise DeliveryCommentNotFound("No such comment on this delivery to reply to.")
    if parent.parent_id is not None:
        raise ReplyToReply(details={"thread_id": str(parent.parent_id)})
    if parent.deleted_at is not None:
        raise CommentDeleted("This thread's first comment was deleted: start a new thread.")
    return parent


async def edit_comment(
    session: AsyncSession, user: User, comment_id: uuid.UUID, text: str
) -> DeliveryComment:
    order, comment = await _locked_comment(session, user, comment_id)
    _require_author(comment, user)
    _require_open(order)
    if comment.deleted_at is not None:
        raise CommentDeleted()
    if comment.text != text:
        comment.text, comment.edited_at = text, utcnow()
        await _changed(session, order, comment, "edited", user)
    return comment


async def delete_comment(session: AsyncSession, user: User, comment_id: uuid.UUID) -> None:
    """Remove the comment; a thread's first comment with replies stays as a placeholder, and a
    placeholder goes with its last reply."""
    order, comment = await _locked_comment(session, user, comment_id)
    _require_author(comment, user)
    _require_open(order)
    if comment.deleted_at is not None:
        raise CommentDeleted()
    if comment.parent_id is None and await _reply_count(session, comment.id):
        comment.text, comment.deleted_at = None, utcnow()
        await _changed(session, order, comment, "deleted", user)
        return
    gone = CommentOut.of(comment).model_copy(update={"text": None, "deleted": True})
    await _changed(session, order, comment, "deleted", user, gone)
    await session.delete(comment)
    await session.flush()
    if comment.parent_id is not None:
        parent = await session.get(DeliveryComment, comment.parent_id)
        if (
            parent is not None
            and parent.deleted_at is not None
            and not await _reply_count(session, parent.id)
        ):
            await session.delete(parent)  # its frame went out when it became a placeholder
            await session.flush()


async def _reply_count(session: AsyncSession, comment_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(DeliveryComment).where(DeliveryComment.parent_id == comment_id)
    )
    return int(count or 0)


async def set_resolved(
    session: AsyncSession, user: User, comment_id: uuid.UUID, resolved: bool
) -> DeliveryComment:
    """Resolve or reopen a thread (on its first comment), by either party; idempotent."""
    order, comment = await _locked_comment(session, user, comment_id)
    _require_party(order, user)
    if comment.parent_id is not None:
        raise ReplyNotResolvable(details={"thread_id": str(comment.parent_id)})
    _require_open(order)
    if resolved == (comment.resolved_at is not None):
        return comment
    comment.resolved_at, comment.resolved_by = (utcnow(), user.id) if resolved else (None, None)
    await _changed(session, order, comment, "resolved" if resolved else "unresolved", user)
    return comment


# --- revisions and deliveries -------------------------------------------------------------


async def _threads_of(
    session: AsyncSession, order: Order, comment_ids: Sequence[uuid.UUID], *, not_on: uuid.UUID | None = None
) -> list[DeliveryComment]:
    """These live threads (top-level, not deleted) of the order's deliveries, in timecode
    order; any other id is refused with the list of those that are not."""
    wanted = list(dict.fromkeys(comment_ids))
    query = select(DeliveryComment).where(
        DeliveryComment.id.in_(wanted),
        DeliveryComment.order_id == order.id,
        DeliveryComment.parent_id.is_(None),
        DeliveryComment.deleted_at.is_(None),
    )
    if not_on is not None:
        query = query.where(DeliveryComment.delivery_id != not_on)
    threads = list(
        await session.scalars(
            query.order_by(DeliveryComment.timecode_ms, DeliveryComment.created_at, DeliveryComment.id)
        )
    )
    unknown = set(wanted) - {t.id for t in threads}
    if unknown:
        raise CommentsNotInOrder(details={"comment_ids": sorted(str(i) for i in unknown)})
    return threads


async def open_thread_ids(
    session: AsyncSession, order: Order, *, milestone_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """The order's open threads (only those on the milestone's deliveries, with `milestone_id`):
    top-level, live, unresolved and not yet addressed."""
    query = select(DeliveryComment.id).where(
        DeliveryComment.order_id == order.id,
        DeliveryComment.parent_id.is_(None),
        DeliveryComment.deleted_at.is_(None),
        DeliveryComment.resolved_at.is_(None),
        DeliveryComment.addressed_by_delivery_id.is_(None),
    )
    if milestone_id is not None:
        query = query.join(Delivery, Delivery.id == DeliveryComment.delivery_id).where(
            Delivery.milestone_id == milestone_id
        )
    rows = await session.scalars(
        query.order_by(DeliveryComment.timecode_ms, DeliveryComment.created_at, DeliveryComment.id)
    )
    return list(rows)


async def _bundle(
    session: AsyncSession,
    order: Order,
    comment_ids: Sequence[uuid.UUID],
    include_open_comments: bool,
    *,
    milestone_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """The threads a revision request bundles: those named (checked), then every open one."""
    bundled = [t.id for t in await _threads_of(session, order, comment_ids)] if comment_ids else []
    if include_open_comments:
        opened = await open_thread_ids(session, order, milestone_id=milestone_id)
        bundled = list(dict.fromkeys([*bundled, *opened]))
    return bundled


async def request_revision(
    session: AsyncSession,
    user: User,
    order_id: uuid.UUID,
    reason: str,
    comment_ids: Sequence[uuid.UUID],
    include_open_comments: bool,
) -> Order:
    """The client asks for a revision, bundling review threads: the ones named, and every open
    one with `include_open_comments`; the revision's event lists them (`data.comment_ids`)."""
    order = await service.lock_for(session, user, order_id)
    if order.client_id != user.id:
        raise NotOwner("Only the client of this order can do this.")
    bundled = await _bundle(session, order, comment_ids, include_open_comments)
    return await service.request_revision(session, user, order.id, reason, comment_ids=bundled)


async def reject_milestone(
    session: AsyncSession,
    user: User,
    milestone_id: uuid.UUID,
    reason: str,
    comment_ids: Sequence[uuid.UUID],
    include_open_comments: bool,
) -> Milestone:
    """The client sends a milestone's submission back, bundling review threads as a revision
    request does (`include_open_comments`: the open threads on the milestone's deliveries)."""
    order, milestone = await service.lock_milestone(session, milestone_id, reader=user)
    if order.client_id != user.id:
        raise NotOwner("Only the client of this order can do this.")
    bundled = await _bundle(session, order, comment_ids, include_open_comments, milestone_id=milestone.id)
    return await service.reject_milestone(session, user, milestone.id, reason, comment_ids=bundled)


async def deliver(
    session: AsyncSession,
    user: User,
    order_id: uuid.UUID,
    message: str,
    files: Sequence[DeliverableIn],
    addresses_comment_ids: Sequence[uuid.UUID],
) -> Delivery:
    """Deliver, marking the review threads (of earlier deliveries) this delivery addresses."""
    delivery = await service.deliver(session, user, order_id, message, files)
    if addresses_comment_ids:
        order = await service.lock_order(session, delivery.order_id)  # locked by deliver already
        threads = await _threads_of(session, order, addresses_comment_ids, not_on=delivery.id)
        for thread in threads:
            thread.addressed_by_delivery_id = delivery.id
            await _changed(session, order, thread, "addressed", user)
    return delivery


async def personal_data(session: AsyncSession, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """The review comments the user wrote on deliveries, oldest first, for their data export
    (a deleted one as its placeholder, without its text)."""
    written = await session.scalars(
        select(DeliveryComment)
        .where(DeliveryComment.author_id == user_id)
        .order_by(DeliveryComment.created_at, DeliveryComment.id)
    )
    return [CommentOut.of(comment).model_dump(mode="json") for comment in written]
