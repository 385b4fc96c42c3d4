"""Cached JSON pages of the catalog: gig pages, the first pages of gig lists, pages of popular
searches, and the totals of lists and searches (a number each).

A page is stored in Redis under the catalog version (`catalog_state`, moved on by database
triggers in every transaction that changes what such a page shows: gigs, packages, categories,
the creator fields a gig shows; migration 0016). A reader takes the version first, then the
page stored under it, so a page cached before a change is not served once the reader knows of
the change, whoever made it (a request, a job, a script). The views flush (once a minute)
moves it too, so under steady traffic a cached page lives at most a minute.

Where the reader takes the version from: a serving process holds it in memory (`VersionWatch`):
the trigger also sends `NOTIFY catalog_version` at commit, and the process LISTENs on a
connection of its own. That saves a database round trip per cached page — most of a cached
page's cost (docs/benchmarks.md). The memory is not trusted when it could be behind: after a
writing unit of work of this process commits (the next reader reads the table, so a process
sees its own changes at once), while the listening connection is down, and when it has heard
nothing for `WATCH_CHECK_SECONDS` (it reads the table again). Another process's change reaches
this one as fast as PostgreSQL delivers the notification (a millisecond or so). Without the
watch (tests, jobs, scripts), every reader reads the table.

The pages a process served last are also kept in its memory (`RecentPages`), under the same
keys: a page under a version never changes, so the hottest pages cost no Redis round trip.

Redis is an accelerator, never a dependency: without it pages are built from the database and
the failure is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import psycopg
import structlog
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import on_write_committed, reads_replica
from reelbyte.core.jobs import libpq_url
from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)

PAGE_PREFIX = "catalog:page:"
PAGE_TTL_SECONDS = 300
RECENT_PAGES = 1000  # pages kept in each process's memory (a few KB each)

_REDIS_ERRORS = (RedisError, OSError)

CHANNEL = "catalog_version"
WATCH_CHECK_SECONDS = 5.0
WATCH_NAME = "reelbyte-catalog-watch"  # the listening connection's application_name
VERSION_QUERY = "SELECT version FROM catalog_state WHERE id = 1"  # the listener and readers alike


class VersionWatch:
    """The catalog version in memory, kept current by `LISTEN catalog_version`.

    Notifications come in commit order, so the last one heard is the version. A read of the
    table is what makes an unknown version known, but only if nothing was heard or forgotten
    while it was in flight (`generation`): a read that began before a change committed must
    not stand for the state after it. What is heard while the version is unknown is not
    trusted either (it may predate this process's own write): the next read settles it."""

    def __init__(self) -> None:
        self._version: int | None = None  # None: not known to be current; read the table
        self.generation = 0
        self._listening = False
        self._task: asyncio.Task[None] | None = None

    def current(self) -> int | None:
        return self._version

    def read(self, version: int, generation: int) -> None:
        """The version read from the table by a read that began at `generation`."""
        if self._listening and generation == self.generation:
            self._version = version

    def heard(self, version: int) -> None:
        self.generation += 1
        if self._version is not None:
            self._version = version

    def forget(self) -> None:
        self.generation += 1
        self._version = None

    async def start(self, database_url: str) -> None:
        if self._task is None:
            self._task = asyncio.create_task(
                self._watch(libpq_url(database_url)), name="catalog-version-watch"
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self, conninfo: str) -> None:
        delay = 0.5
        while True:
            try:
                connect = psycopg.AsyncConnection.connect(
                    conninfo, autocommit=True, application_name=WATCH_NAME
                )
                async with await connect as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self._listening = True
                    delay = 0.5
                    await self._follow(connection)
            except (psycopg.Error, OSError) as error:
                log.warning("catalog_version_watch_lost", error=str(error), retry_in=delay)
            except Exception:
                log.exception("catalog_version_watch_failed", retry_in=delay)
            finally:
                self._listening = False
                self.forget()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _follow(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Read the version (after LISTEN, so that no change falls between), then follow what
        is heard; after a quiet spell read it again, which also proves the connection alive."""
        while True:
            generation = self.generation
            row = await (await connection.execute(VERSION_QUERY)).fetchone()
            self.read(int(row[0]) if row else 0, generation)
            async for notify in connection.notifies(timeout=WATCH_CHECK_SECONDS):
                if notify.payload.isdigit():
                    self.heard(int(notify.payload))
                else:  # not the trigger's: trust nothing until the table is read again
                    self.forget()


version_watch = VersionWatch()
on_write_committed(version_watch.forget)


async def catalog_version(session: AsyncSession) -> int:
    if reads_replica(session):
        # The watch follows the primary, which the replica's rows may lag: a page built from
        # them must go under the version they show, read from the replica itself first.
        return int(await session.scalar(text(VERSION_QUERY)) or 0)
    version = version_watch.current()
    if version is None:
        generation = version_watch.generation
        version = int(await session.scalar(text(VERSION_QUERY)) or 0)
        version_watch.read(version, generation)
    return version


class RecentPages:
    """The pages this process served last, in memory: a page under a version never changes, so
    the hottest pages need not come from Redis each time. Bounded in number, and kept no longer
    than Redis keeps them (a restored database could bring an old version number back)."""

    def __init__(self, max_pages: int, ttl_seconds: float) -> None:
        self._pages: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._max_pages = max_pages
        self._ttl = ttl_seconds

    def get(self, key: str) -> str | None:
        entry = self._pages.get(key)
        if entry is None:
            return None
        expires_at, body = entry
        if expires_at < time.monotonic():
            del self._pages[key]
            return None
        self._pages.move_to_end(key)
        return body

    def put(self, key: str, body: str) -> None:
        self._pages[key] = (time.monotonic() + self._ttl, body)
        self._pages.move_to_end(key)
        if len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()


recent_pages = RecentPages(RECENT_PAGES, PAGE_TTL_SECONDS)


def page_key(version: int, kind: str, parts: dict[str, Any]) -> str:
    digest = hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:32]
    return f"{PAGE_PREFIX}{kind}:v{version}:{digest}"


async def cached_page(
    session: AsyncSession,
    kind: str,
    parts: dict[str, Any],
    build: Callable[[], Awaitable[str | None]],
) -> str | None:
    """The page `kind` of `parts` from this process's recent pages or Redis, else `build()`'s
    (stored unless None: a page that must not be shared, such as one only its owner may see)."""
    key = page_key(await catalog_version(session), kind, parts)
    if (recent := recent_pages.get(key)) is not None:
        return recent
    try:
        cached = await get_redis().get(key)
    except _REDIS_ERRORS as error:
        log.warning("catalog_pages_unavailable", operation="get", error=str(error))
        return await build()
    if cached is not None:
        recent_pages.put(key, str(cached))
        return str(cached)
    body = await build()
    if body is not None:
        recent_pages.put(key, body)
        try:
            await get_redis().set(key, body, ex=PAGE_TTL_SECONDS)
        except _REDIS_ERRORS as error:
            log.warning("catalog_pages_unavailable", operation="set", error=str(error))
    return body
