"""A creator with 10,000 published reviews: their reviews page under load, and what publishing
one more review costs.

Run (after `REELBYTE_DATA_DIR=.reelbyte/bench-search uv run reelbyte seed --scale 100000 --random-seed 42`):

    uv run python -m bench.reviews_load [seconds per scenario, default 10] [connections, default 16]

Gives one seeded creator 10,000 completed orders from the seeded clients, each with a published
review (once: a second run finds them), with publication dates over two years, and their
running totals built by the service's own statements. Then one `reelbyte serve` answers
`GET /v1/reviews/users/{id}` — the first page with its summary, and pages 1-50 in every sort —
from 16 connections (the client of bench/search_load.py). Last, in this process, 200 more
reviews are published one unit of work each (the reviews' service: the rows, the totals, the
creator's and the gig's rating): the time of one publication, whatever the reviews before it.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bench._common import machine, median, percentile, write_section
from bench.search_load import (
    DATA_DIR,
    cycle,
    query,
    run_scenario,
    start_server,
    stop_server,
    wait_ready,
)
from reelbyte.core.config import get_settings
from reelbyte.core.db import transaction
from reelbyte.core.embedded import EmbeddedServices
from reelbyte.core.migrate import upgrade
from reelbyte.core.runtime import Runtime
from reelbyte.reviews import service

REVIEWS = 10_000
PUBLISHED_HERE = 200
MARKER = "bench-reviews"  # the orders' title, to find them again

_CREATE_ORDERS = text("""
    INSERT INTO orders (id, client_id, creator_id, gig_id, package_id, title, amount_minor, platform_fee_minor,
        creator_earnings_minor, currency, fee_percentage, delivery_days, revisions_allowed, status,
        completed_at)
    SELECT gen_random_uuid(), clients.id, :creator, :gig,
           (SELECT id FROM packages WHERE gig_id = :gig ORDER BY id LIMIT 1), :title, 5000, 750, 4250, 'EUR', 15, 3, 1,
           'completed', now() - make_interval(days => 11 + (n % 720))
    FROM generate_series(1, :count) AS n
    JOIN LATERAL (SELECT id FROM users WHERE role = 'client' ORDER BY id OFFSET (n % 500) LIMIT 1) AS clients ON true
""")
_CREATE_REVIEWS = text("""
    INSERT INTO reviews (id, order_id, author_id, reviewee_id, gig_id, rating, communication_rating,
        quality_rating, timeliness_rating, comment, published_at, weight, helpful_count)
    SELECT gen_random_uuid(), o.id, o.client_id, o.creator_id, o.gig_id, r.stars, r.stars,
           greatest(1, r.stars - 1), 5, 'Bench review ' || o.id, o.completed_at + interval '1 day',
           power(2::numeric, extract(epoch FROM o.completed_at + interval '1 day' - :epoch) / (86400 * :half_life)),
           (abs(hashtext(o.id::text)) % 40)
    FROM orders o
    CROSS JOIN LATERAL (SELECT CASE WHEN abs(hashtext(o.id::text)) % 10 = 0 THEN 2 ELSE 4 + abs(hashtext(o.id::text)) % 2 END AS stars) AS r
    WHERE o.title = :title AND o.creator_id = :creator
    RETURNING id
""")


async def _seed() -> tuple[uuid.UUID, uuid.UUID]:
    """The bench creator and gig: seeded once, with their reviews and totals."""

    async def seed(session: AsyncSession) -> tuple[uuid.UUID, uuid.UUID]:
        found = (
            await session.execute(
                text("SELECT creator_id, gig_id FROM orders WHERE title = :title LIMIT 1"), {"title": MARKER}
            )
        ).first()
        if found is not None:
            return found[0], found[1]
        creator, gig = (
            await session.execute(text("SELECT creator_id, id FROM gigs WHERE is_active ORDER BY id LIMIT 1"))
        ).one()
        await session.execute(
            _CREATE_ORDERS, {"creator": creator, "gig": gig, "title": MARKER, "count": REVIEWS}
        )
        settings = get_settings()
        ids = list(
            (
                await session.execute(
                    _CREATE_REVIEWS,
                    {
                        "title": MARKER,
                        "creator": creator,
                        "epoch": service.WEIGHT_EPOCH,
                        "half_life": settings.review_half_life_days,
                    },
                )
            ).scalars()
        )
        await service._move_totals(session, ids, sign=1)
        review = await session.get(service.Review, ids[0])
        await service._store_ratings(session, [review])
        return creator, gig

    return await transaction(seed)


async def _publication_times(creator: uuid.UUID, gig: uuid.UUID) -> list[float]:
    """Publish PUBLISHED_HERE more reviews of the creator, one unit of work each (ms)."""
    title = f"{MARKER}-more-{uuid.uuid4().hex[:6]}"

    async def prepare(session: AsyncSession) -> list[uuid.UUID]:
        await session.execute(
            _CREATE_ORDERS, {"creator": creator, "gig": gig, "title": title, "count": PUBLISHED_HERE}
        )
        ids = list(
            (
                await session.execute(
                    text(
                        "INSERT INTO reviews (id, order_id, author_id, reviewee_id, gig_id, rating, "
                        "communication_rating, quality_rating, timeliness_rating) "
                        "SELECT gen_random_uuid(), id, client_id, creator_id, gig_id, 5, 5, 5, 5 "
                        "FROM orders WHERE title = :title RETURNING id"
                    ),
                    {"title": title},
                )
            ).scalars()
        )
        return ids

    ids = await transaction(prepare)
    times = []
    for review_id in ids:
        started = time.perf_counter()
        await transaction(lambda session, review_id=review_id: service.publish(session, [review_id]))
        times.append((time.perf_counter() - started) * 1000)
    return times


async def main(seconds: float, connections: int) -> None:
    embedded = EmbeddedServices(Path(DATA_DIR))
    settings = get_settings()
    settings.database_url = embedded.start_postgres()
    settings.redis_url = embedded.start_redis()
    upgrade(settings.database_url)
    runtime = Runtime(settings)
    await runtime.start()
    try:
        creator, gig = await _seed()
        server = start_server()
        try:
            await wait_ready()
            first = f"/v1/reviews/users/{creator}"
            pages = [
                query(first, page=random.randint(1, 50), sort=sort)
                for sort in ("newest", "helpful", "highest", "lowest")
                for _ in range(50)
            ]
            results = [
                await run_scenario(
                    "GET /v1/reviews/users/{id}: the first page and its summary",
                    cycle([first]),
                    seconds,
                    connections,
                ),
                await run_scenario(
                    "GET /v1/reviews/users/{id}: pages 1-50, every sort", cycle(pages), seconds, connections
                ),
            ]
        finally:
            stop_server(server)
        times = await _publication_times(creator, gig)
    finally:
        await runtime.stop()
        embedded.stop()
    rows = "\n".join(
        f"| {r.name} | {len(r.latencies_ms) / r.seconds:.0f} | {percentile(r.latencies_ms, 50):.1f} | "
        f"{percentile(r.latencies_ms, 99):.1f} | {r.errors} |"
        for r in results
    )
    body = f"""
Command: `uv run python -m bench.reviews_load {seconds:g} {connections}` ({machine()}; the 100,000-gig
catalog of `reelbyte seed --scale 100000 --random-seed 42`; one creator with {REVIEWS:,} published
reviews; one `reelbyte serve`, rate limits off; {connections} keep-alive connections, {seconds:g} s per
scenario after a warm-up, the client sharing the 2 cores).

| scenario | req/s | p50 ms | p99 ms | errors |
| --- | --- | --- | --- | --- |
{rows}

Publishing one more review (one unit of work: the review row, the creator's and the gig's running
totals, their stored rating and count), {len(times)} in a row: median {median(times):.1f} ms,
p99 {percentile(times, 99):.1f} ms — the same with 10 reviews before it as with 10,000: the totals
move by the review's own terms, and no read recounts the reviews.
"""
    print(body)
    write_section("Reviews of a creator with 10,000 reviews", body)


if __name__ == "__main__":
    numbers = [float(a) for a in sys.argv[1:]]
    asyncio.run(main(numbers[0] if numbers else 10.0, int(numbers[1]) if len(numbers) > 1 else 16))
