"""HTTP routes of conversations, messages, blocks, reports and WebSocket tickets (under /v1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query, Response, status

from reelbyte.catalog.errors import GigNotFound
from reelbyte.core.errors import InvalidCursor, NotOwner, RateLimited, error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.core.security import AccessClaims
from reelbyte.identity.deps import CurrentUser, access_claims
from reelbyte.identity.errors import UserNotFound
from reelbyte.media.errors import UploadKindMismatch, UploadNotFound, UploadNotReady, UploadPurposeMismatch
from reelbyte.messaging import errors, schemas, service, tickets
from reelbyte.orders.errors import OrderNotFound
from reelbyte.projects.errors import ProjectNotFound
from reelbyte.reviews.errors import ReviewNotFound

conversations_router = APIRouter(prefix="/conversations", tags=["messaging"])
messages_router = APIRouter(prefix="/messages", tags=["messaging"])
blocks_router = APIRouter(prefix="/users", tags=["messaging"])
reports_router = APIRouter(prefix="/reports", tags=["messaging"])
ws_ticket_router = APIRouter(prefix="/ws", tags=["messaging"])

Limit = Annotated[int, Query(ge=1, le=100, description="items per page (at most 100)")]

# What stands between a sender and the other participant (closed account, a block either way).
SEND_REFUSALS = (errors.RecipientUnavailable, errors.BlockedByUser, errors.UserBlocked)
# A route's own 429 replaces the router's in OpenAPI, so the global limit is named again here.
MESSAGE_LIMITS = (errors.MessageRateLimited, RateLimited)
# An uploaded file that is not the sender's (404), not made for this conversation or of a kind
# not taken (422), or not processed yet (409).
ATTACHMENT_REFUSALS = (UploadNotFound, UploadPurposeMismatch, UploadKindMismatch, UploadNotReady)


@conversations_router.get(
    "", response_model=schemas.ConversationPage, responses=error_responses(InvalidCursor)
)
async def list_conversations(
    user: CurrentUser,
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 20,
    archived: Annotated[
        bool, Query(description="list the conversations I archived instead of the others")
    ] = False,
) -> schemas.ConversationPage:
    """My conversations (archived ones left out, or only those with `archived=true`), newest
    activity first; pass `next_cursor` on. Each carries the other participant's presence."""
    items, next_cursor = await service.list_conversations(session, user.id, cursor, limit, archived=archived)
    return schemas.ConversationPage(items=items, next_cursor=next_cursor)


@conversations_router.get("/unread-count", response_model=schemas.UnreadCount)
async def unread_count(user: CurrentUser, session: SessionDep) -> schemas.UnreadCount:
    return await service.unread_counts(session, user.id)


@conversations_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ConversationOut,
    responses={
        200: {"description": "The conversation already existed", "model": schemas.ConversationOut},
        **error_responses(
            errors.CannotMessageYourself,
            UserNotFound,
            *SEND_REFUSALS,
            OrderNotFound,
            ProjectNotFound,
            errors.NotInContext,
            *MESSAGE_LIMITS,
            errors.ConversationNotFound,
        ),
    },
)
async def start_conversation(
    data: schemas.ConversationStart, user: CurrentUser, session: SessionDep, response: Response
) -> schemas.ConversationOut:
    """Start a conversation (201), or get the one that exists for this pair and context (200)."""
    conversation, created = await service.start_conversation(session, user, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return conversation


@conversations_router.get(
    "/{conversation_id}",
    response_model=schemas.ConversationOut,
    responses=error_responses(errors.ConversationNotFound),
)
async def get_conversation(
    conversation_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.ConversationOut:
    return await service.get_conversation(session, user.id, conversation_id)


@conversations_router.delete(
    "/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.ConversationNotFound),
)
async def archive_conversation(conversation_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Archive it for me only; a new message brings it back."""
    await service.archive_conversation(session, user.id, conversation_id)


@conversations_router.post(
    "/{conversation_id}/unarchive",
    response_model=schemas.ConversationOut,
    responses=error_responses(errors.ConversationNotFound),
)
async def unarchive_conversation(
    conversation_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.ConversationOut:
    """Bring an archived conversation back to my list (one not archived stays as it is)."""
    return await service.unarchive_conversation(session, user.id, conversation_id)


@conversations_router.get(
    "/{conversation_id}/messages",
    response_model=schemas.MessagePage,
    responses=error_responses(errors.ConversationNotFound),
)
async def list_messages(
    conversation_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
    limit: Limit = 50,
) -> schemas.MessagePage:
    """Newest first; pass `next_cursor` for older messages."""
    items, next_cursor = await service.list_messages(
        session, user.id, conversation_id, int(cursor) if cursor else None, limit
    )
    return schemas.MessagePage(items=items, next_cursor=str(next_cursor) if next_cursor else None)


@conversations_router.post(
    "/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.MessageOut,
    responses=error_responses(
        errors.ConversationNotFound,
        errors.ClientIdReused,
        *SEND_REFUSALS,
        *ATTACHMENT_REFUSALS,
        *MESSAGE_LIMITS,
    ),
)
async def send_message(
    conversation_id: uuid.UUID, data: schemas.MessageCreate, user: CurrentUser, session: SessionDep
) -> schemas.MessageOut:
    """Send a message (1 to 5,000 characters); rate limited per user (RATE_LIMIT_MESSAGES).

    Attach a link (`attachment_url`) or a file you uploaded for this conversation
    (`attachment_upload_id`: purpose `message_attachment`, target_id = the conversation, once it
    is ready), not both; the file comes back as `attachment`, its URLs signed for the participants.

    With a `client_id`, sending again is safe: the message already sent is the answer (201 again),
    and a different message under the same client_id is refused (409 `client_id_reused`). The
    chat socket takes the same body as a `message` frame."""
    return await service.send_message(session, user.id, conversation_id, data)


MessageId = Annotated[int, Path(ge=1, le=2**63 - 1, description="a message id")]


@messages_router.put(
    "/{message_id}",
    response_model=schemas.MessageOut,
    responses=error_responses(errors.MessageNotFound, NotOwner, errors.MessageDeleted, *SEND_REFUSALS),
)
async def edit_message(
    message_id: MessageId, data: schemas.MessageUpdate, user: CurrentUser, session: SessionDep
) -> schemas.MessageOut:
    """The sender edits a message; it is marked edited with the time."""
    return await service.edit_message(session, user.id, message_id, data.content)


@messages_router.delete(
    "/{message_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.MessageNotFound, NotOwner),
)
async def delete_message(message_id: MessageId, user: CurrentUser, session: SessionDep) -> None:
    """The sender deletes a message: it stays in place, shown as deleted, its content hidden."""
    await service.delete_message(session, user.id, message_id)


@messages_router.post(
    "/{message_id}/read",
    response_model=schemas.ReadState,
    responses=error_responses(errors.MessageNotFound, errors.ConversationNotFound),
)
async def mark_read(message_id: MessageId, user: CurrentUser, session: SessionDep) -> schemas.ReadState:
    """Mark this message and every earlier one in its conversation read."""
    return await service.mark_read(session, user.id, message_id)


@blocks_router.get("/me/blocked", response_model=schemas.BlockedList)
async def list_blocked(user: CurrentUser, session: SessionDep) -> schemas.BlockedList:
    return schemas.BlockedList(items=await service.list_blocked(session, user.id))


@blocks_router.post(
    "/{user_id}/block",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.CannotBlockYourself, UserNotFound),
)
async def block_user(user_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Block a user: neither of you can message the other until you unblock them."""
    await service.block(session, user.id, user_id)


@blocks_router.delete("/{user_id}/block", status_code=status.HTTP_204_NO_CONTENT)
async def unblock_user(user_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.unblock(session, user.id, user_id)


@reports_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ReportOut,
    responses=error_responses(
        errors.MessageNotFound,
        errors.CannotReportYourself,
        errors.InvalidTargetId,
        UserNotFound,
        GigNotFound,
        ReviewNotFound,
        ProjectNotFound,
        errors.AlreadyReported,
    ),
)
async def create_report(
    data: schemas.ReportCreate, user: CurrentUser, session: SessionDep
) -> schemas.ReportOut:
    """Report a user, gig, review, project or message to the moderators (once per target); it
    must be one you can see and not your own."""
    return schemas.ReportOut.model_validate(await service.create_report(session, user, data))


@ws_ticket_router.post(
    "/ticket", response_model=schemas.WsTicket, responses=error_responses(errors.RealtimeUnavailable)
)
async def ws_ticket(
    user: CurrentUser, claims: Annotated[AccessClaims, Depends(access_claims)], response: Response
) -> schemas.WsTicket:
    """Trade the access token for a short-lived, single-use ticket: connect with `?ticket=` to
    `/v1/ws/chat` or `/v1/ws/notifications` (also served at `/ws/chat`, `/ws/notifications`).

    503 `realtime_unavailable` when Redis cannot be reached: retry shortly, read over HTTP meanwhile."""
    response.headers["Cache-Control"] = "no-store"
    ticket = await tickets.issue(user.id, claims.session_id)
    return schemas.WsTicket(ticket=ticket, expires_in=tickets.TICKET_TTL_SECONDS)
