"""Conversations and messages: who may read and write, read state, blocks, reports.

Rules:
- Only the two participants see a conversation or its messages; anyone else gets 404.
- Blocking works both ways for messaging: if either user blocked the other, neither can start a
  conversation with or send (or edit) a message to the other (403). Reading old messages,
  deleting your own and reporting stay possible.
- Before the two users have any order together, contact details in a message (e-mail
  addresses, phone numbers, payment handles: contact_details.py) are stored and delivered
  masked, and the conversation is flagged for review (`flagged_at`, set once); edits too.
  MASK_CONTACT_DETAILS=false turns this off.
- Frames for the sockets are published after the unit of work commits (`after_commit`), to
  both participants (the sender's other devices also show what they sent); a unit that rolls
  back publishes nothing. No function here commits: the caller's unit of work does.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, delete, exists, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import service as catalog_service
from reelbyte.core.config import get_settings
from reelbyte.core.db import after_commit, utcnow
from reelbyte.core.errors import InvalidCursor, NotOwner
from reelbyte.core.pagination import newest_first
from reelbyte.core.ratelimit import Limit, hit
from reelbyte.identity import service as identity_service
from reelbyte.identity.models import User
from reelbyte.media.attach import attachable, attached_file, attached_files
from reelbyte.media.models import UploadPurpose
from reelbyte.messaging import events, presence
from reelbyte.messaging.contact_details import mask_contact_details
from reelbyte.messaging.errors import (
    AlreadyReported,
    BlockedByUser,
    CannotBlockYourself,
    CannotMessageYourself,
    CannotReportYourself,
    ClientIdReused,
    ConversationNotFound,
    InvalidTargetId,
    MessageDeleted,
    MessageNotFound,
    MessageRateLimited,
    NotInContext,
    RecipientUnavailable,
    UserBlocked,
)
from reelbyte.messaging.hub import publish_many
from reelbyte.messaging.models import (
    Conversation,
    ConversationParticipant,
    Message,
    Report,
    ReportTarget,
    UserBlock,
)
from reelbyte.messaging.schemas import (
    MAX_MESSAGE_CHARS,
    BlockedUser,
    ConversationOut,
    ConversationStart,
    MessageCreate,
    MessageOut,
    Participant,
    PresenceOut,
    ReadState,
    ReportCreate,
    UnreadCount,
    frame,
    is_withheld,
)
from reelbyte.orders import service as orders_service
from reelbyte.projects import service as projects_service
from reelbyte.reviews import service as reviews_service

CP = ConversationParticipant


def _pair(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    # Python orders UUIDs by their 128-bit value, PostgreSQL by their bytes: the same order.
    return (a, b) if a < b else (b, a)


def _other(conversation: Conversation, user_id: uuid.UUID) -> uuid.UUID:
    return conversation.user_high if conversation.user_low == user_id else conversation.user_low


def _publish_after_commit(
    session: AsyncSession, user_ids: list[uuid.UUID], server_frame: dict[str, Any]
) -> None:
    """Send `server_frame` to these users' sockets once the unit of work commits (never if it rolls back)."""

    async def send() -> None:
        await publish_many(user_ids, server_frame)

    after_commit(session, send)


async def _outs(session: AsyncSession, messages: Sequence[Message], viewer_id: uuid.UUID) -> list[MessageOut]:
    """The messages as shown to `viewer_id` (a participant), their uploaded files in one query."""
    files = await attached_files(
        session,
        (
            m.attachment_upload_id
            for m in messages
            if m.attachment_upload_id and m.deleted_at is None and not is_withheld(m, viewer_id)
        ),
    )
    return [
        MessageOut.of(
            m, files.get(m.attachment_upload_id) if m.attachment_upload_id else None, viewer_id=viewer_id
        )
        for m in messages
    ]


async def _out(session: AsyncSession, message: Message, viewer_id: uuid.UUID) -> MessageOut:
    return (await _outs(session, [message], viewer_id))[0]


# --- guards -------------------------------------------------------------------------------


async def _participation(
    session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID, *, lock: bool = False
) -> tuple[Conversation, ConversationParticipant]:
    query = (
        select(Conversation, CP)
        .join(CP, and_(CP.conversation_id == Conversation.id, CP.user_id == user_id))
        .where(Conversation.id == conversation_id)
    )
    if lock:
        query = query.with_for_update(of=CP)
    row = (await session.execute(query.execution_options(populate_existing=True))).first()
    if row is None:
        raise ConversationNotFound()
    return row[0], row[1]


async def _visible_message(
    session: AsyncSession, user_id: uuid.UUID, message_id: int, *, lock: bool = False
) -> tuple[Message, Conversation]:
    """The message if the user takes part in its conversation (404 otherwise)."""
    query = (
        select(Message, Conversation)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(CP, and_(CP.conversation_id == Message.conversation_id, CP.user_id == user_id))
        .where(Message.id == message_id)
    )
    if lock:
        query = query.with_for_update(of=Message)
    row = (await session.execute(query.execution_options(populate_existing=True))).first()
    if row is None:
        raise MessageNotFound()
    return row[0], row[1]


async def _ensure_can_message(session: AsyncSession, sender_id: uuid.UUID, recipient_id: uuid.UUID) -> None:
    """One query on the send path: the recipient's account is open and no block stands between."""
    row = (
        await session.execute(
            select(
                User.is_active,
                exists().where(UserBlock.blocker_id == recipient_id, UserBlock.blocked_id == sender_id),
                exists().where(UserBlock.blocker_id == sender_id, UserBlock.blocked_id == recipient_id),
            ).where(User.id == recipient_id)
        )
    ).first()
    if row is None or not row[0]:
        raise RecipientUnavailable()
    _, blocked_by_recipient, blocked_by_sender = row
    if blocked_by_recipient:
        raise BlockedByUser()
    if blocked_by_sender:
        raise UserBlocked()


async def _count_message_against_limit(user_id: uuid.UUID) -> None:
    settings = get_settings()
    if not settings.rate_limit_enabled:
        return
    verdict = await hit(f"messages:user:{user_id}", Limit.parse(settings.rate_limit_messages))
    if not verdict.allowed:
        raise MessageRateLimited(
            details={"retry_after": verdict.reset_seconds},
            headers=verdict.headers(),
        )


def _masked(content: str) -> str:
    """The text with its contact details masked, cut to the longest message (markers are longer
    than what they hide)."""
    return mask_contact_details(content).text[:MAX_MESSAGE_CHARS]


async def _screened(session: AsyncSession, conversation: Conversation, content: str) -> str:
    """The text as it is stored and delivered: before any order between the two users, with its
    contact details masked, and then the conversation flagged for review (the first time)."""
    if not get_settings().mask_contact_details or conversation.order_id is not None:
        return content
    found = mask_contact_details(content)
    if not found.masked or await orders_service.any_order_between(
        session, conversation.user_low, conversation.user_high
    ):
        return content
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.flagged_at.is_(None))
        .values(flagged_at=utcnow())
    )
    return found.text[:MAX_MESSAGE_CHARS]


# --- conversations ------------------------------------------------------------------------


async def _context(
    session: AsyncSession, user: User, other: User, data: ConversationStart
) -> tuple[str, uuid.UUID | None, uuid.UUID | None]:
    parties = {user.id, other.id}
    if data.order_id is not None:
        order = await orders_service.get_order(session, user, data.order_id)
        if {order.client_id, order.creator_id} != parties:
            raise NotInContext("Both participants must be the order's client and creator.")
        return f"order:{order.id}", order.id, None
    if data.project_id is not None:
        # The read-only lookup: talking about a project is not a view of its page (view_project).
        project = await projects_service.get_project(session, user, data.project_id)
        if project.client_id not in parties:
            raise NotInContext("One participant must be the project's client.")
        return f"project:{project.id}", None, project.id
    return "", None, None


async def start_conversation(
    session: AsyncSession, user: User, data: ConversationStart
) -> tuple[ConversationOut, bool]:
    """Start (or find: same pair, same context) a conversation; optionally send its first message.

    Returns the conversation and whether it is new. The unique index on (user_low, user_high,
    context) settles concurrent starts: the loser's insert does nothing and it reads the winner's.
    """
    if data.participant_id == user.id:
        raise CannotMessageYourself()
    other = await identity_service.get_public_user(session, data.participant_id)
    await _ensure_can_message(session, user.id, other.id)
    context, order_id, project_id = await _context(session, user, other, data)
    if data.message is not None:
        await _count_message_against_limit(user.id)

    low, high = _pair(user.id, other.id)
    conversation_id: uuid.UUID | None = await session.scalar(
        pg_insert(Conversation)
        .values(
            id=uuid.uuid4(),
            user_low=low,
            user_high=high,
            context=context,
            order_id=order_id,
            project_id=project_id,
            created_at=utcnow(),
            last_activity_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_low", "user_high", "context"])
        .returning(Conversation.id)
    )
    created = conversation_id is not None
    if created:
        await session.execute(
            pg_insert(CP).values([{"conversation_id": conversation_id, "user_id": u} for u in (low, high)])
        )
    else:
        conversation_id = await session.scalar(
            select(Conversation.id).where(
                Conversation.user_low == low, Conversation.user_high == high, Conversation.context == context
            )
        )
        assert conversation_id is not None
        # Starting it again brings it back from my archive.
        await session.execute(
            update(CP)
            .where(CP.conversation_id == conversation_id, CP.user_id == user.id)
            .values(archived_at=None)
        )
    sent: MessageOut | None = None
    if data.message is not None:
        conversation = await session.get_one(Conversation, conversation_id)
        first = await _append(session, conversation, user.id, data.message, None)
        assert first is not None  # only a client_id can make it a duplicate
        sent = MessageOut.of(first)
    if sent is not None:
        _publish_after_commit(session, [other.id, user.id], frame("message", sent))
    assert conversation_id is not None
    return await get_conversation(session, user.id, conversation_id), created


async def _latest_activity_page(
    session: AsyncSession,
    query: Select[Conversation, ConversationParticipant],
    cursor: str | None,
    limit: int,
) -> tuple[list[tuple[Conversation, ConversationParticipant]], str | None]:
    """A keyset page of conversations, latest activity first.

    Activity times can tie, so the cursor is composite: the last row's (last_activity_at, id),
    URL-safe base64 of `<iso time>|<uuid>`. A cursor that does not decode is `InvalidCursor`."""
    if cursor is not None:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            at_text, _, id_text = raw.partition("|")
            at, last_id = datetime.fromisoformat(at_text), uuid.UUID(id_text)
            if at.tzinfo is None:
                raise ValueError("naive time")
        except (ValueError, binascii.Error, UnicodeDecodeError) as error:
            raise InvalidCursor() from error
        query = query.where(tuple_(Conversation.last_activity_at, Conversation.id) < tuple_(at, last_id))
    query = query.order_by(Conversation.last_activity_at.desc(), Conversation.id.desc()).limit(limit + 1)
    rows = [(row[0], row[1]) for row in (await session.execute(query)).all()]
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1][0]
    raw_cursor = f"{last.last_activity_at.isoformat()}|{last.id}".encode()
    return rows[:limit], base64.urlsafe_b64encode(raw_cursor).decode().rstrip("=")


async def list_conversations(
    session: AsyncSession, user_id: uuid.UUID, cursor: str | None, limit: int, *, archived: bool = False
) -> tuple[list[ConversationOut], str | None]:
    """My conversations that I have not archived (or, with `archived`, those I have), newest
    activity first."""
    query = (
        select(Conversation, CP)
        .join(CP, and_(CP.conversation_id == Conversation.id, CP.user_id == user_id))
        .where(CP.archived_at.is_not(None) if archived else CP.archived_at.is_(None))
    )
    rows, next_cursor = await _latest_activity_page(session, query, cursor, limit)
    return await _views(session, user_id, rows), next_cursor


async def get_conversation(
    session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID
) -> ConversationOut:
    conversation, mine = await _participation(session, user_id, conversation_id)
    return (await _views(session, user_id, [(conversation, mine)]))[0]


async def require_participant(session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """For other domains: 404 unless the user takes part in the conversation."""
    await _participation(session, user_id, conversation_id)


async def archive_conversation(session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """Hide it from my list only; the other side keeps it; a new message brings it back."""
    _, mine = await _participation(session, user_id, conversation_id, lock=True)
    if mine.archived_at is None:
        mine.archived_at = utcnow()


async def unarchive_conversation(
    session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID
) -> ConversationOut:
    """Bring it back to my list (unarchiving one that is not archived changes nothing)."""
    conversation, mine = await _participation(session, user_id, conversation_id, lock=True)
    if mine.archived_at is not None:
        mine.archived_at = None
        await session.flush()
    return (await _views(session, user_id, [(conversation, mine)]))[0]


async def _views(
    session: AsyncSession, user_id: uuid.UUID, rows: Sequence[tuple[Conversation, ConversationParticipant]]
) -> list[ConversationOut]:
    if not rows:
        return []
    ids = [conversation.id for conversation, _ in rows]
    other_ids = {_other(conversation, user_id) for conversation, _ in rows}
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(other_ids)))}
    last_messages = {
        m.conversation_id: m
        for m in await session.scalars(
            select(Message)
            .where(Message.conversation_id.in_(ids))
            .ext(distinct_on(Message.conversation_id))
            .order_by(Message.conversation_id, Message.id.desc())
        )
    }
    last_views = {m.conversation_id: m for m in await _outs(session, list(last_messages.values()), user_id)}
    unread = await _unread_by_conversation(session, user_id, ids)
    presences = await _presences(session, user_id, other_ids)
    their_reads = dict(
        (
            await session.execute(
                select(CP.conversation_id, CP.last_read_message_id).where(
                    CP.conversation_id.in_(ids), CP.user_id != user_id
                )
            )
        ).all()
    )
    views = []
    for conversation, mine in rows:
        views.append(
            ConversationOut(
                id=conversation.id,
                participant=Participant.of(users[_other(conversation, user_id)]),
                order_id=conversation.order_id,
                project_id=conversation.project_id,
                created_at=conversation.created_at,
                last_activity_at=conversation.last_activity_at,
                last_message=last_views.get(conversation.id),
                unread_count=unread.get(conversation.id, 0),
                archived=mine.archived_at is not None,
                participant_last_read_message_id=their_reads.get(conversation.id),
                participant_presence=presences[_other(conversation, user_id)],
            )
        )
    return views


async def _presences(
    session: AsyncSession, user_id: uuid.UUID, other_ids: set[uuid.UUID]
) -> dict[uuid.UUID, PresenceOut]:
    """The presence of my conversation partners, in one Redis round trip; a partner with a block
    between us (either way) shows offline and never seen, as the live frames never cross a block."""
    blocks = await session.execute(
        select(UserBlock.blocker_id, UserBlock.blocked_id).where(
            or_(
                and_(UserBlock.blocker_id == user_id, UserBlock.blocked_id.in_(other_ids)),
                and_(UserBlock.blocked_id == user_id, UserBlock.blocker_id.in_(other_ids)),
            )
        )
    )
    blocked = {blocked_id if blocker_id == user_id else blocker_id for blocker_id, blocked_id in blocks.all()}
    found = await presence.lookup_many(other_ids - blocked)
    return {
        other: PresenceOut(user_id=other, online=False, last_seen_at=None)
        if other in blocked
        else PresenceOut(user_id=other, online=found[other][0], last_seen_at=found[other][1])
        for other in other_ids
    }


async def _unread_by_conversation(
    session: AsyncSession, user_id: uuid.UUID, conversation_ids: list[uuid.UUID] | None = None
) -> dict[uuid.UUID, int]:
    """Messages from the other side after my read mark (deleted ones do not count)."""
    query = (
        select(Message.conversation_id, func.count())
        .join(CP, and_(CP.conversation_id == Message.conversation_id, CP.user_id == user_id))
        .where(
            Message.sender_id != user_id,
            Message.deleted_at.is_(None),
            Message.id > func.coalesce(CP.last_read_message_id, 0),
        )
        .group_by(Message.conversation_id)
    )
    if conversation_ids is not None:
        query = query.where(Message.conversation_id.in_(conversation_ids))
    return {conversation_id: int(count) for conversation_id, count in (await session.execute(query)).all()}


async def unread_counts(session: AsyncSession, user_id: uuid.UUID) -> UnreadCount:
    """Unread messages in all my conversations, archived ones included."""
    counts = await _unread_by_conversation(session, user_id)
    return UnreadCount(
        total=sum(counts.values()), conversations={str(k): v for k, v in counts.items() if v > 0}
    )


def _blocked_either_way(user_id: uuid.UUID, other_id: object) -> ColumnElement[bool]:
    return exists().where(
        or_(
            and_(UserBlock.blocker_id == user_id, UserBlock.blocked_id == other_id),
            and_(UserBlock.blocker_id == other_id, UserBlock.blocked_id == user_id),
        )
    )


async def partner_ids(session: AsyncSession, user_id: uuid.UUID, limit: int = 1000) -> list[uuid.UUID]:
    """Everyone I share a conversation with and no block stands between (to tell them when I
    come online or leave)."""
    rows = await session.scalars(
        select(CP.user_id)
        .where(
            CP.conversation_id.in_(select(CP.conversation_id).where(CP.user_id == user_id)),
            CP.user_id != user_id,
            ~_blocked_either_way(user_id, CP.user_id),
        )
        .distinct()
        .limit(limit)
    )
    return list(rows)


async def unread_in(session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID) -> int:
    return (await _unread_by_conversation(session, user_id, [conversation_id])).get(conversation_id, 0)


async def unread_between(
    session: AsyncSession, user_id: uuid.UUID, after_message_id: int, through_message_id: int, limit: int
) -> list[tuple[Message, User]]:
    """My unread messages with ids in (after, through], oldest first, with their senders.

    Leaves out deleted and hidden messages and those of users I blocked (for the e-mail digest).
    """
    rows = await session.execute(
        select(Message, User)
        .join(CP, and_(CP.conversation_id == Message.conversation_id, CP.user_id == user_id))
        .join(User, User.id == Message.sender_id)
        .where(
            Message.sender_id != user_id,
            Message.deleted_at.is_(None),
            Message.hidden_at.is_(None),
            Message.id > func.coalesce(CP.last_read_message_id, 0),
            Message.id > after_message_id,
            Message.id <= through_message_id,
            ~exists().where(UserBlock.blocker_id == user_id, UserBlock.blocked_id == Message.sender_id),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return [(message, sender) for message, sender in rows.all()]


# --- messages -----------------------------------------------------------------------------


async def _append(
    session: AsyncSession,
    conversation: Conversation,
    sender_id: uuid.UUID,
    content: str,
    url: str | None,
    client_id: str | None = None,
    upload_id: uuid.UUID | None = None,
) -> Message | None:
    """Store a new message; None if the sender already has one with this client_id (a
    concurrent send of the same message that committed first)."""
    content = await _screened(session, conversation, content)
    now = utcnow()
    message: Message | None = await session.scalar(
        pg_insert(Message)
        .values(
            conversation_id=conversation.id,
            sender_id=sender_id,
            content=content,
            attachment_url=url,
            attachment_upload_id=upload_id,
            client_id=client_id,
            created_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=[Message.sender_id, Message.client_id],
            index_where=Message.client_id.is_not(None),
        )
        .returning(Message)
    )
    if message is None:
        return None
    await session.execute(
        update(Conversation).where(Conversation.id == conversation.id).values(last_activity_at=now)
    )
    # A new message brings the conversation back for whoever archived it, and what I sent, I have read.
    is_sender = CP.user_id == sender_id
    await session.execute(
        update(CP)
        .where(CP.conversation_id == conversation.id)
        .values(
            archived_at=None,
            last_read_message_id=case(
                (is_sender, func.greatest(func.coalesce(CP.last_read_message_id, 0), message.id)),
                else_=CP.last_read_message_id,
            ),
            last_read_at=case((is_sender, now), else_=CP.last_read_at),
        )
        .execution_options(synchronize_session=False)
    )
    await events.message_sent.emit(session, events.MessageSent(message, _other(conversation, sender_id)))
    return message


async def list_messages(
    session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID, cursor: int | None, limit: int
) -> tuple[list[MessageOut], int | None]:
    """Newest first; the cursor is the id of the last message seen."""
    await _participation(session, user_id, conversation_id)
    query = select(Message).where(Message.conversation_id == conversation_id)
    messages, next_cursor = await newest_first(session, query, Message.id, cursor=cursor, limit=limit)
    return await _outs(session, messages, user_id), next_cursor


async def send_message(
    session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID, data: MessageCreate
) -> MessageOut:
    """Send a message; sent again with the same client_id, the message already sent is the answer
    (and its frame goes to the sender's sockets again, for a client that reconnected).

    An uploaded file (`attachment_upload_id`) must be the sender's, made for this conversation,
    and ready (media.attach.attachable)."""
    conversation, _ = await _participation(session, user_id, conversation_id)
    if data.client_id is not None and (sent_before := await _sent_before(session, user_id, data)):
        return await _resent(session, sent_before, conversation_id, data)
    other = _other(conversation, user_id)
    await _ensure_can_message(session, user_id, other)
    attachment = None
    if data.attachment_upload_id is not None:
        sender = await session.get_one(User, user_id)
        upload = await attachable(
            session,
            sender,
            data.attachment_upload_id,
            UploadPurpose.MESSAGE_ATTACHMENT,
            target_id=conversation.id,
        )
        attachment = attached_file(upload)
    await _count_message_against_limit(user_id)
    message = await _append(
        session,
        conversation,
        user_id,
        data.content,
        data.attachment_url,
        data.client_id,
        data.attachment_upload_id,
    )
    if message is None:
        sent_before = await _sent_before(session, user_id, data)
        assert sent_before is not None  # the insert met it, and rows are never removed but by cascade
        return await _resent(session, sent_before, conversation_id, data)
    sent = MessageOut.of(message, attachment)
    _publish_after_commit(session, [other, user_id], frame("message", sent))
    return sent


async def _sent_before(session: AsyncSession, sender_id: uuid.UUID, data: MessageCreate) -> Message | None:
    return await session.scalar(
        select(Message).where(Message.sender_id == sender_id, Message.client_id == data.client_id)
    )


async def _resent(
    session: AsyncSession, message: Message, conversation_id: uuid.UUID, data: MessageCreate
) -> MessageOut:
    """The answer to a message sent again: the first one, if it is the same message (its text
    as sent, or as stored with contact details masked)."""
    sent_as = (message.conversation_id, message.attachment_url, message.attachment_upload_id)
    same_text = message.content in (data.content, _masked(data.content))
    if not same_text or sent_as != (conversation_id, data.attachment_url, data.attachment_upload_id):
        raise ClientIdReused()
    sent = await _out(session, message, message.sender_id)
    _publish_after_commit(session, [message.sender_id], frame("message", sent))
    return sent


async def edit_message(
    session: AsyncSession, user_id: uuid.UUID, message_id: int, content: str
) -> MessageOut:
    message, conversation = await _visible_message(session, user_id, message_id, lock=True)
    if message.sender_id != user_id:
        raise NotOwner("Only the sender can edit a message.")
    if message.deleted_at is not None:
        raise MessageDeleted()
    other = _other(conversation, user_id)
    await _ensure_can_message(session, user_id, other)
    message.content = await _screened(session, conversation, content)
    message.edited_at = utcnow()
    await session.flush()
    edited = await _out(session, message, user_id)
    # The other side of a hidden message never gets its text, edited or not.
    readers = [user_id] if message.hidden_at is not None else [other, user_id]
    _publish_after_commit(session, readers, frame("edit", edited))
    return edited


async def delete_message(session: AsyncSession, user_id: uuid.UUID, message_id: int) -> None:
    """Soft delete by the sender: the message stays in place, shown as deleted, its content hidden."""
    message, conversation = await _visible_message(session, user_id, message_id, lock=True)
    if message.sender_id != user_id:
        raise NotOwner("Only the sender can delete a message.")
    if message.deleted_at is not None:
        return
    message.deleted_at = utcnow()
    await session.flush()
    _publish_after_commit(
        session, [_other(conversation, user_id), user_id], frame("delete", MessageOut.of(message))
    )


async def mark_read(session: AsyncSession, user_id: uuid.UUID, message_id: int) -> ReadState:
    """Mark this message and every earlier one in its conversation read (a mark never moves back)."""
    message, conversation = await _visible_message(session, user_id, message_id)
    _, mine = await _participation(session, user_id, conversation.id, lock=True)
    advanced = mine.last_read_message_id is None or mine.last_read_message_id < message.id
    if advanced:
        mine.last_read_message_id = message.id
        mine.last_read_at = utcnow()
        await session.flush()
    assert mine.last_read_message_id is not None
    state = ReadState(
        conversation_id=conversation.id,
        last_read_message_id=mine.last_read_message_id,
        last_read_at=mine.last_read_at or utcnow(),
        unread_count=await unread_in(session, user_id, conversation.id),
    )
    if advanced and state.unread_count == 0:
        await events.conversation_read.emit(session, events.ConversationRead(user_id, conversation.id))
    if advanced:
        receipt = {
            "conversation_id": str(conversation.id),
            "user_id": str(user_id),
            "message_id": state.last_read_message_id,
            "read_at": state.last_read_at.isoformat(),
        }
        _publish_after_commit(session, [_other(conversation, user_id), user_id], frame("read", receipt))
    return state


async def typing(session: AsyncSession, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """Tell the other participant I am typing (nothing is stored)."""
    conversation, _ = await _participation(session, user_id, conversation_id)
    other = _other(conversation, user_id)
    await _ensure_can_message(session, user_id, other)
    typing_frame = frame("typing", {"conversation_id": str(conversation_id), "user_id": str(user_id)})
    _publish_after_commit(session, [other], typing_frame)


# --- blocks -------------------------------------------------------------------------------


async def block(session: AsyncSession, user_id: uuid.UUID, target_id: uuid.UUID) -> None:
    if target_id == user_id:
        raise CannotBlockYourself()
    await identity_service.get_public_user(session, target_id)
    await session.execute(
        pg_insert(UserBlock).values(blocker_id=user_id, blocked_id=target_id).on_conflict_do_nothing()
    )


async def unblock(session: AsyncSession, user_id: uuid.UUID, target_id: uuid.UUID) -> None:
    await session.execute(
        delete(UserBlock).where(UserBlock.blocker_id == user_id, UserBlock.blocked_id == target_id)
    )


async def list_blocked(session: AsyncSession, user_id: uuid.UUID, limit: int = 1000) -> list[BlockedUser]:
    rows = await session.execute(
        select(UserBlock, User)
        .join(User, User.id == UserBlock.blocked_id)
        .where(UserBlock.blocker_id == user_id)
        .order_by(UserBlock.created_at.desc())
        .limit(limit)
    )
    return [BlockedUser(user=Participant.of(user), blocked_at=entry.created_at) for entry, user in rows.all()]


# --- reports ------------------------------------------------------------------------------


async def _check_report_target(
    session: AsyncSession, user: User, target: ReportTarget, target_id: str
) -> str:
    """Validate the target (it must exist and be visible to the reporter); return its canonical id."""
    if target is ReportTarget.MESSAGE:
        if not target_id.isdigit() or len(target_id) > 18:
            raise MessageNotFound()
        message, _ = await _visible_message(session, user.id, int(target_id))
        if message.sender_id == user.id:
            raise CannotReportYourself("You cannot report your own message.")
        return str(message.id)
    try:
        parsed = uuid.UUID(target_id)
    except ValueError as error:
        raise InvalidTargetId(f"A {target.value} id is a UUID.") from error
    if target is ReportTarget.USER:
        if parsed == user.id:
            raise CannotReportYourself("You cannot report yourself.")
        await identity_service.get_public_user(session, parsed)
    elif target is ReportTarget.GIG:
        await catalog_service.get_gig(session, str(parsed), user)
    elif target is ReportTarget.REVIEW:
        # A review not shown yet (or removed) exists for nobody but its author.
        review = await reviews_service.get_review(session, user, parsed)
        if review.reviewer.id == user.id:
            raise CannotReportYourself("You cannot report your own review.")
    elif target is ReportTarget.PROJECT:
        project = await projects_service.get_project(session, user, parsed)
        if project.client_id == user.id:
            raise CannotReportYourself("You cannot report your own project.")
    return str(parsed)


async def create_report(session: AsyncSession, user: User, data: ReportCreate) -> Report:
    """Store a report for the moderators. Blocks do not matter: you can report whoever blocked you."""
    target_id = await _check_report_target(session, user, data.target_type, data.target_id)
    report_id = await session.scalar(
        pg_insert(Report)
        .values(
            id=uuid.uuid4(),
            reporter_id=user.id,
            target_type=data.target_type,
            target_id=target_id,
            reason=data.reason,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["reporter_id", "target_type", "target_id"])
        .returning(Report.id)
    )
    if report_id is None:
        raise AlreadyReported()
    return await session.get_one(Report, report_id)


async def hide_message(session: AsyncSession, message_id: int) -> bool:
    """A moderator hides a message: its sender still reads it (marked hidden), the other
    participant gets it without its text. Hiding it again changes nothing; False: no such message."""
    hidden = await session.scalar(
        update(Message)
        .where(Message.id == message_id)
        .values(hidden_at=func.coalesce(Message.hidden_at, utcnow()))
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    )
    return hidden is not None


# --- your data (GDPR): export and erasure, for the privacy domain ---------------------------

# What an erased account's messages say instead (the conversations stay, for the other side).
ERASED_MESSAGE = "[erased]"


async def personal_data(session: AsyncSession, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """The messages the user sent, oldest first, for their data export: as the conversation
    shows them, with the text of those they deleted too (it is still stored)."""
    sent = list(
        await session.scalars(select(Message).where(Message.sender_id == user_id).order_by(Message.id))
    )
    return [
        {**shown.model_dump(mode="json"), "content": message.content}
        for message, shown in zip(sent, await _outs(session, sent, user_id), strict=True)
    ]


async def erase_personal_data(session: AsyncSession, user_id: uuid.UUID) -> set[uuid.UUID]:
    """An erased account's messages keep their place in the conversations, without their text
    or links (their uploaded files are deleted by the media domain); returns the conversations
    they are in."""
    conversation_ids = await session.scalars(
        update(Message)
        .where(Message.sender_id == user_id)
        .values(content=ERASED_MESSAGE, attachment_url=None)
        .returning(Message.conversation_id)
        .execution_options(synchronize_session=False)
    )
    return set(conversation_ids)
