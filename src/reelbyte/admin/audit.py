"""The audit log: every admin action, written in the same transaction as the action itself, so
an action and its record land together or not at all."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.admin.models import AuditEntry
from reelbyte.core.pagination import newest_first
from reelbyte.identity.models import User


async def record(
    session: AsyncSession,
    actor: User | None,
    action: str,
    target: tuple[str, uuid.UUID | str],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Log `action` ("user.suspend") by `actor` (None: a job) on `target` (type, id)."""
    target_type, target_id = target
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
        reason=reason,
    )
    session.add(entry)
    await session.flush()
    return entry


async def latest(
    session: AsyncSession, action: str, target: tuple[str, uuid.UUID | str]
) -> AuditEntry | None:
    """The last time `action` was done to `target`."""
    target_type, target_id = target
    return await session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == action,
            AuditEntry.target_type == target_type,
            AuditEntry.target_id == str(target_id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


async def entries(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID | None,
    target: tuple[str | None, str | None],
    action: str | None,
    cursor: int | None,
    limit: int,
) -> tuple[list[AuditEntry], int | None]:
    """The log, newest first, filtered; a keyset page and the cursor of the next."""
    query: Select[AuditEntry] = select(AuditEntry)
    target_type, target_id = target
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if target_type is not None:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return await newest_first(session, query, AuditEntry.id, cursor=cursor, limit=limit)
