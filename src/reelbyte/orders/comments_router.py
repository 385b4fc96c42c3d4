"""HTTP routes of timecoded review comments on deliveries (under /v1); rules in comments.py."""

from __future__ import annotations

import uuid

from fastapi import status

from reelbyte.core.errors import NotOwner, error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentUser
from reelbyte.orders import comments, errors
from reelbyte.orders.comment_schemas import CommentCreate, CommentEdit, CommentOut, CommentThread

delivery_comments_router = APIRouter(prefix="/deliveries", tags=["orders"])
comments_router = APIRouter(prefix="/delivery-comments", tags=["orders"])

# Changing a comment: found (and readable), by the right person, on a live order.
CHANGE_ERRORS = (errors.DeliveryCommentNotFound, NotOwner, errors.CommentsClosed)


@delivery_comments_router.get(
    "/{delivery_id}/comments",
    response_model=list[CommentThread],
    responses=error_responses(errors.DeliveryNotFound),
)
async def list_comments(
    delivery_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[CommentThread]:
    """The delivery's review threads by timecode, each with its replies oldest first."""
    return await comments.list_comments(session, user, delivery_id)


@delivery_comments_router.post(
    "/{delivery_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentOut,
    responses=error_responses(
        errors.DeliveryNotFound,
        errors.DeliveryCommentNotFound,
        NotOwner,
        errors.CommentsClosed,
        errors.TimecodePastVideo,
        errors.ReplyToReply,
        errors.CommentDeleted,
    ),
)
async def post_comment(
    delivery_id: uuid.UUID, data: CommentCreate, user: CurrentUser, session: SessionDep
) -> CommentOut:
    """Pin a comment to a moment (and optionally a spot) of the delivery, or reply to a thread
    (`parent_id`). The other party is notified and both see it live on the chat socket."""
    return CommentOut.of(await comments.post_comment(session, user, delivery_id, data))


@comments_router.patch(
    "/{comment_id}",
    response_model=CommentOut,
    responses=error_responses(*CHANGE_ERRORS, errors.CommentDeleted),
)
async def edit_comment(
    comment_id: uuid.UUID, data: CommentEdit, user: CurrentUser, session: SessionDep
) -> CommentOut:
    """Change the text of your own comment."""
    return CommentOut.of(await comments.edit_comment(session, user, comment_id, data.text))


@comments_router.delete(
    "/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(*CHANGE_ERRORS, errors.CommentDeleted),
)
async def delete_comment(comment_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Delete your own comment; a thread's first comment with replies stays as a placeholder."""
    await comments.delete_comment(session, user, comment_id)


@comments_router.put(
    "/{comment_id}/resolve",
    response_model=CommentOut,
    responses=error_responses(*CHANGE_ERRORS, errors.ReplyNotResolvable),
)
async def resolve(comment_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> CommentOut:
    """Mark the thread resolved (either party; on its first comment)."""
    return CommentOut.of(await comments.set_resolved(session, user, comment_id, True))


@comments_router.delete(
    "/{comment_id}/resolve",
    response_model=CommentOut,
    responses=error_responses(*CHANGE_ERRORS, errors.ReplyNotResolvable),
)
async def unresolve(comment_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> CommentOut:
    """Reopen a resolved thread."""
    return CommentOut.of(await comments.set_resolved(session, user, comment_id, False))
