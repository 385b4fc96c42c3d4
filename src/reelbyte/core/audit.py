"""The audit log: every admin action, whatever domain it belongs to (a suspension, a dispute
resolved, a review removed, a category changed), written in the same unit of work as the action
itself, so an action and its record land together or not at all. Cross-cutting, so any domain
records with `audit.record` without importing the admin domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Select, String, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, utcnow
from reelbyte.core.pagination import newest_first

if TYPE_CHECKING:
    from reelbyte.identity.models import User


class AuditEntry(Base):
    """One admin action: who, what, on which target, the target before and after, why, when.

    Append-only: a trigger (migration 0028) refuses UPDATE and DELETE, so an entry cannot be
    rewritten, even by the application."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))  # null: a job
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


Index("ix_audit_log_target", AuditEntry.target_type, AuditEntry.target_id, AuditEntry.id)
Index("ix_audit_log_actor", AuditEntry.actor_id, AuditEntry.id)


async def record(
    session: AsyncSession,
    actor: User | None,
    action: str,
    target: tuple[str, uuid.UUID | int | str],
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
    session: AsyncSession, action: str, target: tuple[str, uuid.UUID | int | str]
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
