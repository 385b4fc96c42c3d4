"""Idempotency-Key for money-moving POSTs.

The key is claimed by inserting a row in the route's unit of work, before the work; the answer
is stored in that row after it, and all of it commits together (or not at all: a request that
fails leaves the key free). A concurrent request with the same key waits on the unique index
until the first commits, then replays its answer; if the first rolled back, it does the work
itself. The same key with another body is refused with 409.
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

from reelbyte.payments.errors import IdempotencyKeyReused, InvalidIdempotencyKey
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
    """Claim `key` for this request in the current unit of work, or return the earlier answer."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(f"Idempotency-Key must have 1 to {MAX_KEY_LENGTH} characters.")
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
        raise IdempotencyKeyReused()
    assert record.response_status is not None  # stored in the same unit of work as the claim
    return Replay(record.response_status, record.response_body)


async def remember(
    session: AsyncSession, user_id: uuid.UUID, key: str | None, status_code: int, body: Any
) -> None:
    """Store the answer with the claim, before the unit of work commits."""
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
    """Do `work` and keep its answer under `key`, or replay the first answer given for `key`.

    All of it happens in the caller's unit of work, which commits the claim, the work and the
    answer together; a replay changes nothing (the claim inserted no row)."""
    replay = await claim(session, user_id, key, fingerprint(scope, body))
    if replay is not None:
        return replay.status_code, replay.body
    status_code, response = await work()
    await remember(session, user_id, key, status_code, response)
    return status_code, response
