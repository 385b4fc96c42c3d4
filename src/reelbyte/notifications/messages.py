"""New chat messages as notifications: a notice when the recipient is offline, and the digest.

Both start from `message_sent`, in the sender's transaction:
- an offline recipient (no live socket, see messaging/presence.py) gets one unread
  `message_received` notification per conversation, replaced by a fresh one ("3 new messages
  from …") as more arrive, so that a chatty conversation does not flood the list;
- the recipient's digest is (re)scheduled: due once nothing new arrived for the quiet period,
  and at the latest the maximum wait after the first unread message. A job every minute sends
  the due digests: one e-mail listing what is still unread and was not in an earlier digest.
  Taking the schedule, queueing the e-mail and moving the "covered up to" mark happen in one
  transaction, so a digest goes out once, and no message is e-mailed twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.jobs import job_app
from reelbyte.core.text import excerpt
from reelbyte.identity.models import User
from reelbyte.messaging import events as messaging_events
from reelbyte.messaging import presence
from reelbyte.messaging import service as messaging
from reelbyte.messaging.models import Message
from reelbyte.notifications.models import MessageDigest, Notification
from reelbyte.notifications.service import MESSAGE_RECEIVED, notify, wants

log = structlog.get_logger(__name__)

DIGEST_TEMPLATE = "message_digest"
DIGEST_BATCH = 100
DIGEST_MAX_MESSAGES = 200  # per e-mail; the rest stays for the reader to open
EXCERPTS_PER_CONVERSATION = 3
EXCERPT_CHARS = 280


@messaging_events.message_sent.connect
async def on_message_sent(session: AsyncSession, sent: messaging_events.MessageSent) -> None:
    await schedule_digest(session, sent.recipient_id)
    online, _ = await presence.lookup(sent.recipient_id)
    if not online:
        await _notify_offline_recipient(session, sent.message, sent.recipient_id)


async def _notify_offline_recipient(session: AsyncSession, message: Message, recipient_id: uuid.UUID) -> None:
    conversation_id = str(message.conversation_id)
    superseded = await session.execute(
        delete(Notification)
        .where(
            Notification.user_id == recipient_id,
            Notification.type == MESSAGE_RECEIVED,
            Notification.reference_type == "conversation",
            Notification.reference_id == conversation_id,
            Notification.is_read.is_(False),
        )
        .returning(Notification.id)
    )
    superseded.all()
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


async def schedule_digest(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Due after the quiet period from now, but no later than the maximum wait from the first."""
    settings = get_settings()
    now = utcnow()
    quiet = timedelta(minutes=settings.message_digest_quiet_minutes)
    max_wait = timedelta(minutes=settings.message_digest_max_wait_minutes)
    insert = pg_insert(MessageDigest).values(user_id=user_id, first_pending_at=now, due_at=now + quiet)
    first = func.coalesce(MessageDigest.first_pending_at, insert.excluded.first_pending_at)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[MessageDigest.user_id],
            set_={"first_pending_at": first, "due_at": func.least(insert.excluded.due_at, first + max_wait)},
        )
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
    async with get_database().sessions() as session:
        await send_due_digests(session)


async def send_due_digests(session: AsyncSession, now: datetime | None = None) -> int:
    """Send every digest due at `now`; return how many e-mails were queued."""
    now = now or utcnow()
    sent = 0
    while True:
        due = list(
            await session.scalars(
                select(MessageDigest)
                .where(MessageDigest.due_at <= now)
                .order_by(MessageDigest.due_at)
                .limit(DIGEST_BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if not due:
            await session.commit()
            return sent
        for digest in due:
            sent += await _send_digest(session, digest, now)
        await session.commit()


async def _send_digest(session: AsyncSession, digest: MessageDigest, now: datetime) -> int:
    digest.due_at = None
    digest.first_pending_at = None
    user = await session.get(User, digest.user_id)
    if user is None or not user.is_active or not wants(user, MESSAGE_RECEIVED, "email"):
        return 0
    unread = await messaging.unread_after(
        session, user.id, digest.emailed_through_message_id, DIGEST_MAX_MESSAGES
    )
    if not unread:
        return 0  # read in the meantime
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
    digest.emailed_through_message_id = max(message.id for message, _ in unread)
    digest.last_sent_at = now
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
