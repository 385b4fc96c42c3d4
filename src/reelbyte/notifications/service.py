"""Notifications: written in the caller's unit of work, pushed live and e-mailed after it commits.

`notify()` is what other domains' events end in (see handlers.py). It adds nothing of its own to
the transaction's fate: the row, the push job and the e-mail job commit or roll back with the
change that caused them, so nothing is ever announced for a change that did not happen.

Preferences live on the user (`notification_preferences`: `{type: {"in_app": bool, "email": bool}}`).
In-app is on unless switched off; e-mail is on by default for order, payment and usage-limit
types, and for new messages, whose e-mail is the unread digest (messages.py) rather than one
mail per message.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.errors import NotFound
from reelbyte.core.jobs import defer
from reelbyte.core.pagination import newest_first
from reelbyte.identity import service as identity
from reelbyte.identity.models import User
from reelbyte.notifications.errors import NotificationNotFound
from reelbyte.notifications.models import Notification
from reelbyte.notifications.schemas import NotificationOut

EMAIL_BY_DEFAULT_PREFIXES = ("order_", "payment_", "payout_", "usage_")
EMAILED_BY_DEFAULT = frozenset({"delivery_spec_failed"})  # a delivery to fix (media/spec_jobs.py)
EMAIL_TEMPLATE = "notification"
MESSAGE_RECEIVED = "message_received"
EMAILED_AS_DIGEST = frozenset({MESSAGE_RECEIVED})


def wants(user: User, type: str, channel: str) -> bool:
    """Whether `user` wants notifications of `type` on `channel` ("in_app" or "email")."""
    default = (
        channel == "in_app"
        or type.startswith(EMAIL_BY_DEFAULT_PREFIXES)
        or type in EMAILED_BY_DEFAULT
        or type in EMAILED_AS_DIGEST
    )
    preference = (user.notification_preferences or {}).get(type)
    if isinstance(preference, dict) and isinstance(preference.get(channel), bool):
        return bool(preference[channel])
    return default


async def notify(
    session: AsyncSession,
    user_id: uuid.UUID,
    type: str,
    title: str,
    content: str,
    link: str | None = None,
    reference: tuple[str, uuid.UUID | str | int] | None = None,
) -> Notification | None:
    """Notify `user_id` inside the caller's unit of work (which commits it, or not).

    Returns the in-app notification, or None when the user switched in-app off for `type` (or
    is gone). The live push and the e-mail are jobs, so they happen only after commit.
    """
    try:
        user = await identity.get_public_user(session, user_id)
    except NotFound:  # identity's UserNotFound: the account is gone or closed
        return None
    notification = None
    if wants(user, type, "in_app"):
        notification = Notification(
            user_id=user.id,
            type=type,
            title=title,
            content=content,
            link=link,
            reference_type=reference[0] if reference else None,
            reference_id=str(reference[1]) if reference else None,
            is_read=False,
        )
        session.add(notification)
        await session.flush()
        await session.refresh(notification)
        data = NotificationOut.of(notification).frame_data()
        await defer(session, "notifications.push", user_id=str(user.id), data=data)
    if type not in EMAILED_AS_DIGEST and wants(user, type, "email"):
        await queue_email(
            session,
            user.email,
            EMAIL_TEMPLATE,
            name=user.full_name,
            title=title,
            content=content,
            link=link,
        )
    return notification


# --- reading and managing one's own -------------------------------------------------------


async def list_notifications(
    session: AsyncSession, user_id: uuid.UUID, *, cursor: int | None, limit: int, unread_only: bool
) -> tuple[list[NotificationOut], int | None]:
    """Newest first; the cursor is the id of the last notification seen."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.is_read.is_(False))
    rows, next_cursor = await newest_first(session, query, Notification.id, cursor=cursor, limit=limit)
    return [NotificationOut.of(n) for n in rows], next_cursor


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.is_read.is_(False))
    )
    return int(count or 0)


async def _own(session: AsyncSession, user_id: uuid.UUID, notification_id: int) -> Notification:
    notification = await lock_one(
        session,
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id),
    )
    if notification is None:
        raise NotificationNotFound()
    return notification


async def mark_read(session: AsyncSession, user_id: uuid.UUID, notification_id: int) -> NotificationOut:
    notification = await _own(session, user_id, notification_id)
    if not notification.is_read:
        notification.is_read = True
        notification.read_at = utcnow()
        await session.flush()
    return NotificationOut.of(notification)


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.is_read.is_(False))
        .values(is_read=True, read_at=utcnow())
        .returning(Notification.id)
    )
    return len(result.all())


async def delete_notification(session: AsyncSession, user_id: uuid.UUID, notification_id: int) -> None:
    result = await session.execute(
        delete(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user_id)
        .returning(Notification.id)
    )
    if result.first() is None:
        raise NotificationNotFound()
