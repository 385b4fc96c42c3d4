"""Where a cached gig page's time goes: the whole request beside each of its parts alone.

Run (after `REELBYTE_DATA_DIR=.reelbyte/bench-search uv run reelbyte seed --scale 100000 --random-seed 42`):

    uv run python -m bench.gig_page_parts [rounds, default 5] 2>/dev/null

Calls the ASGI app directly (no socket) for `GET /v1/gigs/{slug}` over 200 gigs whose pages are
cached, and times each part of that request on its own — the unit of work around a statement,
the catalog version read, the Redis calls, the rate limit — and, for scale, a bare psycopg
query and a bare Redis GET. As in `reelbyte serve`, the catalog version watch runs, so a
cached page is served with the version and the page from memory. CPU time per call, medians of interleaved rounds (this process
only: PostgreSQL and Redis work in their own processes).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from sqlalchemy import select

from bench._common import ROOT, asgi_get_scope, empty_body, expect_200, machine, median, write_section
from reelbyte.catalog import pages, reads, service
from reelbyte.catalog.models import CatalogState
from reelbyte.core.config import get_settings
from reelbyte.core.db import transaction
from reelbyte.core.embedded import EmbeddedServices
from reelbyte.core.logging import configure_logging
from reelbyte.core.ratelimit import Limit, hit
from reelbyte.core.redis import get_redis
from reelbyte.core.runtime import Runtime
from reelbyte.main import create_app

DATA_DIR = ROOT / ".reelbyte" / "bench-search"
VERSION_STATEMENT = select(CatalogState.version).where(CatalogState.id == 1)


async def measure(rounds: int, database_url: str) -> dict[str, list[float]]:
    settings = get_settings()
    runtime = Runtime(settings)
    await runtime.start()
    app = create_app(settings)
    await pages.version_watch.start(database_url)
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq) as conn:
        slugs = [
            row[0]
            for row in conn.execute(
                "SELECT slug FROM gigs WHERE is_active AND price_from_minor IS NOT NULL ORDER BY id LIMIT 200"
            )
        ]
    raw = await psycopg.AsyncConnection.connect(libpq, autocommit=True)
    redis = get_redis()
    parts: dict[str, Callable[[str], Awaitable[Any]]] = {
        "the whole request (cached page)": lambda slug: app(
            asgi_get_scope(f"/v1/gigs/{slug}"), empty_body, expect_200
        ),
        "GET /health, the whole request": lambda slug: app(asgi_get_scope("/health"), empty_body, expect_200),
        "unit of work: the page from the cache (version and page in memory)": lambda slug: transaction(
            lambda s: reads.public_gig_page(s, slug), read_only=True
        ),
        "unit of work: reading the version from the table (what the watch saves)": lambda slug: transaction(
            lambda s: s.scalar(VERSION_STATEMENT), read_only=True
        ),
        "unit of work: the page from PostgreSQL (2 statements)": lambda slug: transaction(
            lambda s: reads.read_gig_page(s, slug), read_only=True
        ),
        "unit of work: the view (service.view_gig, cached)": lambda slug: transaction(
            lambda s: service.view_gig(s, slug, None), read_only=True
        ),
        "rate limit (from a block reserved in Redis)": lambda slug: hit("bench", Limit(10**9, 60)),
        "Redis GET of a page key": lambda slug: redis.get("catalog:page:none"),
        "bare psycopg: the catalog version": lambda slug: raw.execute(
            "SELECT version FROM catalog_state WHERE id = 1"
        ),
    }
    for slug in slugs:  # fill the cache
        await parts["the whole request (cached page)"](slug)
    gc.collect()
    gc.freeze()
    results: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for name, part in parts.items():
            started = time.process_time()
            for slug in slugs:
                await part(slug)
            results[name].append((time.process_time() - started) * 1e6 / len(slugs))
    await raw.close()
    await pages.version_watch.stop()
    await runtime.stop()
    return results


def main() -> None:
    numbers = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    rounds = numbers[0] if numbers else 5
    os.environ.setdefault("RATE_LIMIT_PUBLIC", "1000000000/minute")
    configure_logging("INFO", json=True)
    embedded = EmbeddedServices(DATA_DIR)
    try:
        settings = get_settings()
        settings.database_url = embedded.start_postgres()
        settings.redis_url = embedded.start_redis()
        results = asyncio.run(measure(rounds, settings.database_url))
    finally:
        embedded.stop()
    lines = [
        f"Command: `uv run python -m bench.gig_page_parts {rounds} 2>/dev/null` ({machine()}; 100,000 gigs; "
        f"200 gig pages, cached; CPU time of this process per call, medians of {rounds} interleaved rounds).",
        "",
        "| part | µs of CPU per call |",
        "| --- | --- |",
        *(f"| {name} | {median(samples):.0f} |" for name, samples in results.items()),
    ]
    body = "\n".join(lines)
    print(body)
    if "--write" in sys.argv:
        write_section("Where a cached gig page's time goes", body)


if __name__ == "__main__":
    main()
