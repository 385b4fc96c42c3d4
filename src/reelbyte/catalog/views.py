"""Gig view counts: one Redis HINCRBY per view, flushed into `gigs.views_count` every minute.

A view costs no database write. The flush job (catalog/jobs.py) moves the counts over:

1. **Seal** — a Lua script renames the live hash to a batch key of its own and adds the batch
   to the pending set, atomically. Views arriving from then on go to a fresh live hash, so no
   increment is lost and none lands in a batch that is already being flushed.
2. **Apply** — each pending batch is added to the gigs in one UPDATE, in the transaction that
   also records the batch id (`gig_view_batches`). A batch is recorded at most once, so a
   batch flushed again (a worker died after the commit, before step 3; or two flushes ran at
   once) adds nothing the second time.
3. **Clear** — the batch key and its pending entry are deleted.

All keys share the `{gig_views}` hash tag, so the script also works on a Redis Cluster.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import GigViewBatch
from reelbyte.core.db import utcnow

log = structlog.get_logger(__name__)

LIVE_KEY = "catalog:{gig_views}:live"
PENDING_KEY = "catalog:{gig_views}:pending"
BATCH_KEY = "catalog:{gig_views}:batch:"
BATCH_MEMORY = timedelta(days=7)  # how long a flushed batch id is remembered
MAX_COUNT = 2**31 - 1
RECORD_TIMEOUT_SECONDS = 0.25  # a view is not worth holding a page up for

_SEAL = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('RENAME', KEYS[1], KEYS[2])
    redis.call('SADD', KEYS[3], ARGV[1])
    return 1
end
return 0
"""

# One UPDATE per batch; the CTE claims the batch id, and nothing is added if it was claimed before.
_APPLY = text("""
    WITH claimed AS (
        INSERT INTO gig_view_batches (id, views) VALUES (:batch_id, :total)
        ON CONFLICT (id) DO NOTHING
        RETURNING id
    )
    UPDATE gigs
    SET views_count = LEAST(gigs.views_count::bigint + counts.n, :max_count)
    FROM unnest(CAST(:gig_ids AS uuid[]), CAST(:counts AS bigint[])) AS counts(gig_id, n)
    WHERE gigs.id = counts.gig_id AND EXISTS (SELECT 1 FROM claimed)
""")


async def record_view(redis: Redis, gig_id: uuid.UUID) -> None:
    """Count one view. Never fails or stalls the request: a lost view is better than a slow page."""
    try:
        async with asyncio.timeout(RECORD_TIMEOUT_SECONDS):
            await redis.hincrby(LIVE_KEY, str(gig_id), 1)
    except (RedisError, TimeoutError) as error:
        log.warning("gig_view_not_counted", gig_id=str(gig_id), error=repr(error))


async def pending_views(redis: Redis) -> dict[uuid.UUID, int]:
    """Views counted but not flushed yet (live and sealed), by gig."""
    totals: dict[uuid.UUID, int] = {}
    keys = [LIVE_KEY] + [BATCH_KEY + batch for batch in await _pending_batches(redis)]
    for key in keys:
        for gig_id, n in _parse(await redis.hgetall(key)).items():
            totals[gig_id] = totals.get(gig_id, 0) + n
    return totals


async def _pending_batches(redis: Redis) -> list[str]:
    return sorted(_text(batch) for batch in await redis.smembers(PENDING_KEY))


@dataclass(frozen=True)
class FlushResult:
    batches: int
    views: int


async def flush_views(session: AsyncSession, redis: Redis) -> FlushResult:
    """Move the counted views into `gigs.views_count` (see the module docstring)."""
    new_batch = str(uuid.uuid4())
    await redis.eval(_SEAL, 3, LIVE_KEY, BATCH_KEY + new_batch, PENDING_KEY, new_batch)
    batches = views = 0
    for batch_id in await _pending_batches(redis):
        counts = _parse(await redis.hgetall(BATCH_KEY + batch_id))
        views += await apply_batch(session, uuid.UUID(batch_id), counts)
        batches += 1
        await redis.delete(BATCH_KEY + batch_id)
        await redis.srem(PENDING_KEY, batch_id)
    await session.execute(delete(GigViewBatch).where(GigViewBatch.flushed_at < utcnow() - BATCH_MEMORY))
    await session.commit()
    if views:
        log.info("gig_views_flushed", batches=batches, views=views)
    return FlushResult(batches=batches, views=views)


async def apply_batch(session: AsyncSession, batch_id: uuid.UUID, counts: dict[uuid.UUID, int]) -> int:
    """Add one batch to the gigs and commit; returns the views added (0 if it was added before)."""
    if not counts:
        return 0
    total = sum(counts.values())
    result = await session.execute(
        _APPLY,
        {
            "batch_id": batch_id,
            "total": min(total, MAX_COUNT),
            "max_count": MAX_COUNT,
            "gig_ids": list(counts),
            "counts": list(counts.values()),
        },
    )
    claimed = int(getattr(result, "rowcount", 0) or 0) > 0
    await session.commit()
    return total if claimed else 0


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _parse(raw: dict[bytes | str, bytes | str]) -> dict[uuid.UUID, int]:
    """Field → count, skipping anything that is not a gig id with a positive count."""
    counts: dict[uuid.UUID, int] = {}
    for field, value in raw.items():
        try:
            gig_id, n = uuid.UUID(_text(field)), int(value)
        except ValueError:
            log.warning("gig_view_field_skipped", field=field, value=value)
            continue
        if n > 0:
            counts[gig_id] = n
    return counts
