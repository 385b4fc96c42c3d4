"""Idempotency-Key for money-moving POSTs.

The key is claimed by inserting a row in the same transaction as the work; a concurrent request
with the same key waits on the unique index until the first commits, then replays its answer.
The same key with another body is refused with 409.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.errors import BadRequest, Conflict
from reelbyte.payments.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


def fingerprint(scope: str, body: Any) -> str:
    payload = json.dumps({"scope": scope, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


async def claim(
    session: AsyncSession, user_id: uuid.UUID, key: str | None, request_fingerprint: str
) -> Replay | None:
    """Claim `key` for this request in the current transaction, or return the earlier answer."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(
            f"Idempotency-Key must have 1 to {MAX_KEY_LENGTH} characters.", code="invalid_idempotency_key"
        )
    inserted = await session.scalar(
        insert(IdempotencyRecord)
        .values(user_id=user_id, key=key, request_fingerprint=request_fingerprint)
        .on_conflict_do_nothing(constraint="uq_idempotency_records_user_id_key")
        .returning(IdempotencyRecord.id)
    )
    if inserted is not None:
        return None
    record = await session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    assert record is not None
    if record.request_fingerprint != request_fingerprint:
        raise Conflict(
            "This Idempotency-Key was used for a different request.", code="idempotency_key_reused"
        )
    assert record.response_status is not None  # stored in the same transaction as the claim
    return Replay(record.response_status, record.response_body)


async def remember(
    session: AsyncSession, user_id: uuid.UUID, key: str | None, status_code: int, body: Any
) -> None:
    """Store the answer with the claim, before the transaction commits."""
    if key is None:
        return
    record = await session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    assert record is not None
    record.response_status = status_code
    record.response_body = body


async def run_once(
    session: AsyncSession,
    user_id: uuid.UUID,
    key: str | None,
    scope: str,
    body: Any,
    work: Callable[[], Awaitable[tuple[int, Any]]],
) -> tuple[int, Any]:
    """Do `work` (which must not commit) and commit with its answer, or replay the first answer."""
    replay = await claim(session, user_id, key, fingerprint(scope, body))
    if replay is not None:
        await session.rollback()
        return replay.status_code, replay.body
    status_code, response = await work()
    await remember(session, user_id, key, status_code, response)
    await session.commit()
    return status_code, response
