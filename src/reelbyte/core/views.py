"""View counts without a database write per view: counted in the serving process's memory,
sent to Redis (HINCRBY, one pipeline) within a second, and added to a table's `views_count` by
a periodic flush. Gigs and projects each have a `ViewCounter`.

A view costs the page no round trip (a Redis call per view was a fifth of a cached gig page's
CPU). The price: an instance killed outright loses the views of its last second; a stopping
instance sends what it holds (`send_all_views`). A send that fails is dropped, not retried, so
that a send which reached Redis but timed out is never counted twice.

The flush counts every view exactly once:

1. **Seal** — a Lua script renames the live hash to a batch key of its own and adds the batch
   to the pending set, atomically. Views arriving from then on go to a fresh live hash, so no
   increment is lost and none lands in a batch that is already being flushed.
2. **Apply** — each pending batch is added to the rows in one UPDATE, in a unit of work of its
   own (`core.db.transaction`) that also records the batch id (`view_batches`). A batch is
   recorded at most once, so a batch flushed again (a worker died after the commit, before
   step 3; or two flushes ran at once) adds nothing the second time.
3. **Clear** — once that unit has committed (an after-commit hook), the batch key and its
   pending entry are deleted.

One unit of work per batch, as two flushes racing each other take the batches in the same
order and so wait for each other rather than deadlock. Each counter's keys share a hash tag,
so the script also works on a Redis Cluster.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import Integer, delete, func, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, after_commit, transaction, utcnow
from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)

BATCH_MEMORY = timedelta(days=7)  # how long a flushed batch id is remembered
MAX_COUNT = 2**31 - 1
SEND_INTERVAL_SECONDS = 1.0  # how long a view waits in memory: what a killed instance loses
SEND_TIMEOUT_SECONDS = 1.0

_SEAL = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('RENAME', KEYS[1], KEYS[2])
    redis.call('SADD', KEYS[3], ARGV[1])
    return 1
end
return 0
"""


class ViewBatch(Base):
    """A batch of view counts already added (batch ids are random, so counters share the table).

    Recorded in the same transaction as the batch's UPDATE; rows older than BATCH_MEMORY are
    pruned by the flush."""

    __tablename__ = "view_batches"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(Integer)
    flushed_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow, index=True)


@dataclass(frozen=True)
class FlushResult:
    batches: int
    views: int


class ViewCounter:
    """The views of the rows of `table` (which has `id uuid` and `views_count integer`)."""

    def __init__(self, name: str, table: str) -> None:
        self.name = name
        tag = "{" + name + "}"
        self.live_key = f"views:{tag}:live"
        self.pending_key = f"views:{tag}:pending"
        self.batch_key = f"views:{tag}:batch:"
        self._unsent: Counter[uuid.UUID] = Counter()
        self._send: asyncio.TimerHandle | None = None
        self._send_loop: asyncio.AbstractEventLoop | None = None
        self._sending: set[asyncio.Task[None]] = set()
        _COUNTERS.append(self)
        # One UPDATE per batch; the CTE claims the batch id, and adds nothing if it was claimed
        # before. Other columns (`updated_at`) are left alone: a view changes nothing else.
        self._apply = text(f"""
            WITH claimed AS (
                INSERT INTO view_batches (id, views) VALUES (:batch_id, :total)
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            )
            UPDATE {table}
            SET views_count = LEAST({table}.views_count::bigint + counts.n, :max_count)
            FROM unnest(CAST(:ids AS uuid[]), CAST(:counts AS bigint[])) AS counts(id, n)
            WHERE {table}.id = counts.id AND EXISTS (SELECT 1 FROM claimed)
        """)  # noqa: S608 (the table name is ours, never a user's)

    def record_view(self, row_id: uuid.UUID) -> None:
        """Count one view, in memory; it reaches Redis with the next send, within a second."""
        self._unsent[row_id] += 1
        loop = asyncio.get_running_loop()
        if self._send is None or self._send_loop is not loop:  # (tests run a loop each)
            self._send = loop.call_later(SEND_INTERVAL_SECONDS, self._send_in_background)
            self._send_loop = loop

    def _send_in_background(self) -> None:
        task = asyncio.get_running_loop().create_task(self.send_views(get_redis()))
        self._sending.add(task)  # a strong reference until it is done
        task.add_done_callback(self._sending.discard)

    async def send_views(self, redis: Redis) -> None:
        """Send the views counted in memory to Redis. Never raises: the views of a failed send
        are dropped (logged), as they may have been counted by Redis already."""
        if self._send is not None:
            self._send.cancel()
            self._send = None
        unsent, self._unsent = self._unsent, Counter()
        if not unsent:
            return
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                pipeline = redis.pipeline(transaction=False)
                for row_id, views in unsent.items():
                    pipeline.hincrby(self.live_key, str(row_id), views)
                await pipeline.execute()
        except (RedisError, TimeoutError, OSError) as error:
            log.warning("views_not_counted", counter=self.name, views=unsent.total(), error=repr(error))

    async def pending_views(self, redis: Redis) -> dict[uuid.UUID, int]:
        """Views counted but not flushed yet (live and sealed), by row; this process's are sent
        first."""
        await self.send_views(redis)
        totals: dict[uuid.UUID, int] = {}
        keys = [self.live_key] + [self.batch_key + batch for batch in await self._pending_batches(redis)]
        for key in keys:
            for row_id, n in self._parse(await redis.hgetall(key)).items():
                totals[row_id] = totals.get(row_id, 0) + n
        return totals

    async def seal(self, redis: Redis, batch_id: str) -> bool:
        """Step 1: the live hash becomes batch `batch_id` (False when there was nothing live)."""
        sealed = await redis.eval(
            _SEAL, 3, self.live_key, self.batch_key + batch_id, self.pending_key, batch_id
        )
        return bool(sealed)

    async def flush_views(self, redis: Redis) -> FlushResult:
        """Move the counted views into `views_count` (see the module docstring). An entry point
        (the flush jobs call it): it opens a unit of work per batch. This process's views are
        sent first."""
        await self.send_views(redis)
        await self.seal(redis, str(uuid.uuid4()))
        batches = views = 0
        for batch_id in await self._pending_batches(redis):
            counts = self._parse(await redis.hgetall(self.batch_key + batch_id))
            views += await transaction(self._flush_batch(redis, batch_id, counts))
            batches += 1
        await transaction(prune_batches)
        if views:
            log.info("views_flushed", counter=self.name, batches=batches, views=views)
        return FlushResult(batches=batches, views=views)

    def _flush_batch(
        self, redis: Redis, batch_id: str, counts: dict[uuid.UUID, int]
    ) -> Callable[[AsyncSession], Awaitable[int]]:
        """The unit of work of one batch: apply it, and clear it from Redis once that commits."""

        async def clear() -> None:
            await redis.delete(self.batch_key + batch_id)
            await redis.srem(self.pending_key, batch_id)

        async def work(session: AsyncSession) -> int:
            added = await self.apply_batch(session, uuid.UUID(batch_id), counts)
            after_commit(session, clear)
            return added

        return work

    async def apply_batch(
        self, session: AsyncSession, batch_id: uuid.UUID, counts: dict[uuid.UUID, int]
    ) -> int:
        """Add one batch (in the caller's unit of work); returns the views added (0 if it was
        added before)."""
        if not counts:
            return 0
        total = sum(counts.values())
        result = await session.execute(
            self._apply,
            {
                "batch_id": batch_id,
                "total": min(total, MAX_COUNT),
                "max_count": MAX_COUNT,
                "ids": list(counts),
                "counts": list(counts.values()),
            },
        )
        claimed = int(getattr(result, "rowcount", 0) or 0) > 0
        return total if claimed else 0

    async def _pending_batches(self, redis: Redis) -> list[str]:
        return sorted(_text(batch) for batch in await redis.smembers(self.pending_key))

    def _parse(self, raw: dict[bytes | str, bytes | str]) -> dict[uuid.UUID, int]:
        """Field → count, skipping anything that is not a row id with a positive count."""
        counts: dict[uuid.UUID, int] = {}
        for field, value in raw.items():
            try:
                row_id, n = uuid.UUID(_text(field)), int(value)
            except ValueError:
                log.warning("view_field_skipped", counter=self.name, field=field, value=value)
                continue
            if n > 0:
                counts[row_id] = n
        return counts


_COUNTERS: list[ViewCounter] = []


def forget_unsent_views() -> None:
    """Drop every counter's views held in memory (Redis was emptied, as between tests)."""
    for counter in _COUNTERS:
        counter._unsent.clear()


async def send_all_views(redis: Redis) -> None:
    """Send every counter's views held in memory (a stopping process calls this)."""
    for counter in _COUNTERS:
        await counter.send_views(redis)


async def prune_batches(session: AsyncSession) -> None:
    """Forget the ids of batches flushed more than BATCH_MEMORY ago."""
    await session.execute(delete(ViewBatch).where(ViewBatch.flushed_at < utcnow() - BATCH_MEMORY))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
