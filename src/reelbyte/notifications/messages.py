"""New chat messages as notifications: a notice when the recipient is offline, and the digest.

- An offline recipient (no live socket, see messaging/presence.py) gets one unread
  `message_received` notification per conversation, written in the sender's transaction and
  replaced by a fresh one ("3 new messages from …") as more arrive, so that a chatty
  conversation does not flood the list; reading the whole conversation marks it read.
- The unread-message digest is worked out from the messages themselves by a job every minute,
  so sending a message writes nothing for it: a user is due when their newest unread message
  (not yet in a digest) is older than the quiet period, or the oldest is older than the
  maximum wait. One e-mail lists what is still unread; queueing it and moving the user's
  "covered up to" mark happen in one unit of work under an advisory lock, so a digest goes out
  once and no message is e-mailed twice. Messages older than the look-back window (the maximum
  wait plus an hour) are no longer e-mailed: if the workers were down longer than that, those
  stay in-app only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.jobs import job_app
from reelbyte.core.text import excerpt
from reelbyte.identity.models import User
from reelbyte.messaging import events as messaging_events
from reelbyte.messaging import presence
from reelbyte.messaging import service as messaging
from reelbyte.messaging.models import ConversationParticipant, Message
from reelbyte.notifications.models import MessageDigest, Notification
from reelbyte.notifications.service import MESSAGE_RECEIVED, notify, wants

log = structlog.get_logger(__name__)

DIGEST_TEMPLATE = "message_digest"
DIGEST_BATCH = 100
DIGEST_LOCK = 0x6469_6765_7374  # pg advisory lock key: one digest run at a time
LOOK_BACK_MARGIN = timedelta(hours=1)
DIGEST_MAX_MESSAGES = 200  # per e-mail; the rest stays for the reader to open
EXCERPTS_PER_CONVERSATION = 3
EXCERPT_CHARS = 280


@messaging_events.message_sent.connect
async def on_message_sent(session: AsyncSession, sent: messaging_events.MessageSent) -> None:
    online, _ = await presence.lookup(sent.recipient_id)
    if not online:
        await _notify_offline_recipient(session, sent.message, sent.recipient_id)


def _unread_notices(user_id: uuid.UUID, conversation_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    """The user's unread `message_received` notifications of one conversation."""
    return (
        Notification.user_id == user_id,
        Notification.type == MESSAGE_RECEIVED,
        Notification.reference_type == "conversation",
        Notification.reference_id == str(conversation_id),
        Notification.is_read.is_(False),
    )


@messaging_events.conversation_read.connect
async def on_conversation_read(session: AsyncSession, read: messaging_events.ConversationRead) -> None:
    """Reading the conversation answers its message notifications."""
    await session.execute(
        update(Notification)
        .where(*_unread_notices(read.user_id, read.conversation_id))
        .values(is_read=True, read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def _notify_offline_recipient(session: AsyncSession, message: Message, recipient_id: uuid.UUID) -> None:
    conversation_id = str(message.conversation_id)
    # The fresh notice below replaces the conversation's unread one.
    await session.execute(delete(Notification).where(*_unread_notices(recipient_id, message.conversation_id)))
    sender = await session.get_one(User, message.sender_id)
    unread = max(1, await messaging.unread_in(session, recipient_id, message.conversation_id))
    title = (
        f"New message from {sender.full_name}"
        if unread == 1
        else f"{unread} new messages from {sender.full_name}"
    )
    await notify(
        session,
        recipient_id,
        MESSAGE_RECEIVED,
        title[:200],
        excerpt(message.content, EXCERPT_CHARS),
        link=f"/conversations/{conversation_id}",
        reference=("conversation", conversation_id),
    )


# --- sending ------------------------------------------------------------------------------


@dataclass
class ConversationDigest:
    sender_name: str
    link: str
    count: int = 0
    excerpts: list[str] = field(default_factory=list)


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(
    name="notifications.send_message_digests",
    queue="notifications",
    queueing_lock="notifications.send_message_digests",
)
async def send_message_digests(timestamp: int) -> None:
    await send_due_digests()


async def send_due_digests(now: datetime | None = None) -> int:
    """Send every digest due at `now`, one batch per unit of work; return how many e-mails were queued."""
    at = now or utcnow()
    sent = 0
    while True:
        batch_sent, more = await transaction(lambda session: send_digest_batch(session, at))
        sent += batch_sent
        if not more:
            return sent


async def send_digest_batch(session: AsyncSession, now: datetime) -> tuple[int, bool]:
    """Queue up to DIGEST_BATCH digests due at `now`, inside the caller's unit of work, under the
    advisory lock that it holds until it ends. Returns (e-mails queued, whether more may be due);
    (0, False) when another run holds the lock."""
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(DIGEST_LOCK))):
        return 0, False  # another worker is at it
    due = await _due(session, now)
    sent = 0
    for user_id, covered_id, newest_id in due:
        sent += await _send_digest(session, user_id, covered_id, newest_id, now)
    return sent, len(due) == DIGEST_BATCH


async def _due(session: AsyncSession, now: datetime) -> list[tuple[uuid.UUID, int, int]]:
    """Users with unread messages not yet in a digest that have waited long enough: (user,
    the newest message an earlier digest covered, the newest message this one covers)."""
    settings = get_settings()
    quiet = timedelta(minutes=settings.message_digest_quiet_minutes)
    max_wait = timedelta(minutes=settings.message_digest_max_wait_minutes)
    CP = ConversationParticipant
    recipient = and_(CP.conversation_id == Message.conversation_id, CP.user_id != Message.sender_id)
    covered = func.coalesce(MessageDigest.emailed_through_message_id, 0)
    rows = await session.execute(
        select(CP.user_id, covered, func.max(Message.id))
        .select_from(Message)
        .join(CP, recipient)
        .outerjoin(MessageDigest, MessageDigest.user_id == CP.user_id)
        .where(
            Message.created_at > now - max(quiet, max_wait) - LOOK_BACK_MARGIN,
            Message.created_at <= now,
            Message.deleted_at.is_(None),
            Message.id > func.coalesce(CP.last_read_message_id, 0),
            Message.id > covered,
        )
        .group_by(CP.user_id, covered)
        .having(
            or_(func.max(Message.created_at) <= now - quiet, func.min(Message.created_at) <= now - max_wait)
        )
        .limit(DIGEST_BATCH)
    )
    return [(user_id, int(covered_id), int(newest_id)) for user_id, covered_id, newest_id in rows.all()]


async def _send_digest(
    session: AsyncSession, user_id: uuid.UUID, covered_id: int, newest_id: int, now: datetime
) -> int:
    """E-mail what is unread in (covered_id, newest_id]; then move the mark to newest_id
    whether or not anything was left to send."""
    sent = 0
    user = await session.get(User, user_id)
    if user is not None and user.is_active and wants(user, MESSAGE_RECEIVED, "email"):
        unread = await messaging.unread_between(session, user_id, covered_id, newest_id, DIGEST_MAX_MESSAGES)
        sent = await _queue_digest(session, user, unread)
    insert = pg_insert(MessageDigest).values(user_id=user_id, emailed_through_message_id=newest_id)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[MessageDigest.user_id],
            set_={
                "emailed_through_message_id": func.greatest(
                    MessageDigest.emailed_through_message_id, insert.excluded.emailed_through_message_id
                ),
                "last_sent_at": now if sent else MessageDigest.last_sent_at,
            },
        )
    )
    return sent


async def _queue_digest(session: AsyncSession, user: User, unread: list[tuple[Message, User]]) -> int:
    if not unread:
        return 0  # read in the meantime, or only from users they blocked
    conversations = _by_conversation(unread)
    total = sum(c.count for c in conversations)
    await queue_email(
        session,
        user.email,
        DIGEST_TEMPLATE,
        name=user.full_name,
        total=total,
        conversations=[vars(c) for c in conversations],
    )
    log.info("message_digest_queued", user_id=str(user.id), messages=total, conversations=len(conversations))
    return 1


def _by_conversation(unread: list[tuple[Message, User]]) -> list[ConversationDigest]:
    """Group oldest-first messages by conversation; the latest few of each become excerpts."""
    groups: dict[uuid.UUID, ConversationDigest] = {}
    for message, sender in unread:
        group = groups.setdefault(
            message.conversation_id,
            ConversationDigest(sender.full_name, f"/conversations/{message.conversation_id}"),
        )
        group.count += 1
        group.excerpts = [*group.excerpts, excerpt(message.content, EXCERPT_CHARS)][
            -EXCERPTS_PER_CONVERSATION:
        ]
    return sorted(groups.values(), key=lambda g: g.count, reverse=True)


async def forget_messages_of(
    session: AsyncSession, sender_id: uuid.UUID, conversation_ids: set[uuid.UUID]
) -> None:
    """The message notices that name an erased account and quote its messages go: in each of its
    conversations (of two), those its other participant got."""
    if conversation_ids:
        await session.execute(
            delete(Notification).where(
                Notification.type == MESSAGE_RECEIVED,
                Notification.reference_type == "conversation",
                Notification.reference_id.in_([str(conversation_id) for conversation_id in conversation_ids]),
                Notification.user_id != sender_id,
            )
        )
