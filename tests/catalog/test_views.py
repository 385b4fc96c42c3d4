"""Views: counted in the serving process's memory, sent to Redis within a second, flushed into
gigs.views_count by the periodic job: no database write per view; no view lost and none counted twice, even when a flush is interrupted or two run
at once."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.jobs import flush_gig_views
from reelbyte.catalog.models import Gig
from reelbyte.catalog.views import gig_views
from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.core.jobs import job_app
from reelbyte.core.redis import get_redis
from reelbyte.core.views import FlushResult, ViewBatch, send_all_views
from tests.conftest import run_jobs
from tests.factories import Headers, get_row, make_gig, signed_up, update_gig

Creator = tuple[dict[str, Any], Headers]


async def _views_in_db(gig_id: str) -> int:
    row = await get_row(Gig, gig_id)
    assert row is not None
    return row.views_count


async def _flush() -> FlushResult:
    return await gig_views.flush_views(get_redis())


async def _sent_to_redis(gig_id: str) -> str | None:
    for _ in range(50):  # the send comes within a second
        sent: str | None = await get_redis().hget(gig_views.live_key, gig_id)
        if sent is not None:
            return sent
        await asyncio.sleep(0.1)
    return None


async def test_a_view_is_counted_in_memory_then_in_redis_until_the_flush(
    client: httpx.AsyncClient, creator: Creator, admin: Headers
) -> None:
    _, owner = creator
    _, visitor = await signed_up(client, "client")
    gig = await make_gig(client, owner)
    gig_id = uuid.UUID(gig["id"])
    for _ in range(3):
        assert (await client.get(f"/v1/gigs/{gig['id']}")).status_code == 200
    await client.get(f"/v1/gigs/{gig['slug']}", headers=visitor)
    await client.get(f"/v1/gigs/{gig['slug']}", headers=admin)
    await client.get(f"/v1/gigs/{gig['id']}", headers=owner)  # the creator's own views do not count
    await client.get(f"/v1/gigs/{gig['id']}/packages")  # nor does reading the packages
    await client.get("/v1/gigs")  # nor being listed

    assert await get_redis().hget(gig_views.live_key, gig["id"]) is None  # no round trip per view
    assert await _sent_to_redis(gig["id"]) == "5"  # one send, in the background
    assert await gig_views.pending_views(get_redis()) == {gig_id: 5}
    assert await _views_in_db(gig["id"]) == 0  # no database write per view

    result = await _flush()
    assert (result.batches, result.views) == (1, 5)
    assert await _views_in_db(gig["id"]) == 5
    assert (await client.get(f"/v1/gigs/{gig['id']}", headers=owner)).json()["stats"]["views"] == 5
    assert await get_redis().exists(gig_views.live_key, gig_views.pending_key) == 0
    assert await gig_views.pending_views(get_redis()) == {}

    assert (await _flush()).views == 0  # nothing new: nothing added
    await client.get(f"/v1/gigs/{gig['id']}")
    await _flush()
    assert await _views_in_db(gig["id"]) == 6


async def test_the_flush_does_not_touch_updated_at(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    await client.get(f"/v1/gigs/{gig['id']}")
    await _flush()
    row = await get_row(Gig, gig["id"])
    assert row is not None
    assert row.views_count == 1
    assert row.updated_at.isoformat().replace("+00:00", "Z") == gig["updated_at"]


async def test_views_of_inactive_gigs_are_not_counted(
    client: httpx.AsyncClient, creator: Creator, admin: Headers
) -> None:
    _, owner = creator
    gig = await make_gig(client, owner, is_active=False)
    assert (await client.get(f"/v1/gigs/{gig['id']}", headers=admin)).status_code == 200
    assert (await client.get(f"/v1/gigs/{gig['id']}")).status_code == 404
    assert await gig_views.pending_views(get_redis()) == {}


async def test_no_view_is_lost_or_doubled_while_flushes_run_concurrently(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, owner = creator
    gigs = [await make_gig(client, owner, title=f"Gig number {i}") for i in range(3)]
    per_gig = 40
    stop = asyncio.Event()

    async def view_all() -> None:
        for _ in range(per_gig):
            await asyncio.gather(*[client.get(f"/v1/gigs/{gig['id']}") for gig in gigs])
        stop.set()

    async def keep_flushing() -> int:
        flushes = 0
        while not stop.is_set():
            await asyncio.gather(_flush(), _flush())  # two flushers racing each other too
            flushes += 2
            await asyncio.sleep(0)
        return flushes

    _, flushes = await asyncio.gather(view_all(), keep_flushing())
    assert flushes > 2
    await _flush()
    for gig in gigs:
        assert await _views_in_db(gig["id"]) == per_gig
    async with get_database().sessions() as session:
        recorded = await session.scalar(select(func.sum(ViewBatch.views)))
    assert recorded == per_gig * len(gigs)


async def test_a_batch_interrupted_after_its_commit_is_not_counted_twice(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    gig_id = uuid.UUID(gig["id"])
    redis = get_redis()
    await redis.hincrby(gig_views.live_key, gig["id"], 4)

    # A flush that sealed its batch and committed it, then died before clearing it from Redis.
    batch = str(uuid.uuid4())
    assert await gig_views.seal(redis, batch)
    assert (
        await transaction(lambda session: gig_views.apply_batch(session, uuid.UUID(batch), {gig_id: 4})) == 4
    )
    assert await _views_in_db(gig["id"]) == 4
    await redis.hincrby(gig_views.live_key, gig["id"], 1)  # a view arriving meanwhile

    result = await _flush()  # picks the leftover batch up again
    assert result.batches == 2
    assert result.views == 1
    assert await _views_in_db(gig["id"]) == 5
    assert await redis.smembers(gig_views.pending_key) == set()
    assert await redis.keys(gig_views.batch_key + "*") == []


async def test_a_batch_that_died_before_its_commit_is_counted_by_the_next_flush(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    redis = get_redis()
    await redis.hincrby(gig_views.live_key, gig["id"], 7)
    batch = str(uuid.uuid4())
    await gig_views.seal(redis, batch)  # sealed, then died
    assert (await _flush()).views == 7
    assert await _views_in_db(gig["id"]) == 7


async def test_junk_and_vanished_gigs_in_the_counts_are_skipped(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    gone = await make_gig(client, owner, title="Soon deleted")
    redis = get_redis()
    await redis.hset(
        gig_views.live_key,
        mapping={gig["id"]: "2", gone["id"]: "3", "not-a-uuid": "5", str(uuid.uuid4()): "x", "": "1"},
    )
    await client.delete(f"/v1/gigs/{gone['id']}", headers=owner)
    await _flush()
    assert await _views_in_db(gig["id"]) == 2
    assert await redis.exists(gig_views.live_key, gig_views.pending_key) == 0


async def test_counts_never_overflow(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    await update_gig(gig["id"], views_count=2**31 - 10)
    await get_redis().hincrby(gig_views.live_key, gig["id"], 100)
    await _flush()
    assert await _views_in_db(gig["id"]) == 2**31 - 1


async def test_old_batch_records_are_pruned(client: httpx.AsyncClient, creator: Creator) -> None:
    old, recent = uuid.uuid4(), uuid.uuid4()

    async def add(session: AsyncSession) -> None:
        session.add(ViewBatch(id=old, views=1, flushed_at=utcnow() - timedelta(days=8)))
        session.add(ViewBatch(id=recent, views=1, flushed_at=utcnow() - timedelta(days=1)))

    await transaction(add)
    await _flush()
    async with get_database().sessions() as session:
        assert set(await session.scalars(select(ViewBatch.id))) == {recent}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_stopping_process_sends_the_views_it_holds() -> None:
    gig_id = uuid.uuid4()
    gig_views.record_view(gig_id)
    gig_views.record_view(gig_id)
    await send_all_views(get_redis())
    assert await get_redis().hget(gig_views.live_key, str(gig_id)) == "2"
    await send_all_views(get_redis())  # nothing held: nothing sent twice
    assert await get_redis().hget(gig_views.live_key, str(gig_id)) == "2"


async def test_views_that_cannot_reach_redis_are_dropped_quickly_and_quietly() -> None:
    unreachable = Redis(host="127.0.0.1", port=_closed_port(), socket_connect_timeout=2)
    gig_id = uuid.uuid4()
    try:
        started = time.monotonic()
        gig_views.record_view(gig_id)
        await gig_views.send_views(unreachable)  # no exception, and a stopping process is not held up
        assert time.monotonic() - started < 2
        await gig_views.send_views(get_redis())  # dropped: it may have reached Redis, never counted twice
        assert await get_redis().hget(gig_views.live_key, str(gig_id)) is None
    finally:
        await unreachable.aclose()


async def test_the_flush_runs_as_a_periodic_job(client: httpx.AsyncClient, creator: Creator) -> None:
    periodic = {(task.task.name, task.cron) for task in job_app.periodic_registry.periodic_tasks.values()}
    assert ("catalog.flush_gig_views", "* * * * *") in periodic
    assert ("catalog.recompute_creator_levels", "17 3 * * *") in periodic

    _, owner = creator
    gig = await make_gig(client, owner)
    await client.get(f"/v1/gigs/{gig['id']}")
    await client.get(f"/v1/gigs/{gig['id']}")
    await flush_gig_views.defer_async(timestamp=0)  # what the periodic deferrer does each minute
    await run_jobs()
    assert await _views_in_db(gig["id"]) == 2
    async with get_database().engine.connect() as connection:
        left = await connection.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'catalog.flush_gig_views'")
        )
    assert left == 0  # done, and deleted
