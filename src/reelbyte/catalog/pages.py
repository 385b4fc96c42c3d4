"""Cached JSON pages of the catalog: gig pages, the first pages of gig lists, pages of popular
searches.

A page is stored in Redis under the catalog version (`catalog_state`, moved on by database
triggers in every transaction that changes what such a page shows: gigs, packages, categories,
the creator fields a gig shows; migration 0016). A reader reads the version first, then the
page stored under it, so once a change has committed no reader is served a page cached before
it, whoever made the change (a request, a job, a script). The views flush (once a minute)
moves it too, so under steady traffic a cached page lives at most a minute.

Redis is an accelerator, never a dependency: without it pages are built from the database and
the failure is logged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import structlog
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import CatalogState
from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)

PAGE_PREFIX = "catalog:page:"
PAGE_TTL_SECONDS = 300

_REDIS_ERRORS = (RedisError, OSError)


async def catalog_version(session: AsyncSession) -> int:
    return int(await session.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0)


def page_key(version: int, kind: str, parts: dict[str, Any]) -> str:
    digest = hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:32]
    return f"{PAGE_PREFIX}{kind}:v{version}:{digest}"


async def cached_page(
    session: AsyncSession,
    kind: str,
    parts: dict[str, Any],
    build: Callable[[], Awaitable[str | None]],
) -> str | None:
    """The page `kind` of `parts` from Redis, else `build()`'s (stored unless None: a page
    that must not be shared, such as one only its owner may see)."""
    key = page_key(await catalog_version(session), kind, parts)
    try:
        cached = await get_redis().get(key)
    except _REDIS_ERRORS as error:
        log.warning("catalog_pages_unavailable", operation="get", error=str(error))
        return await build()
    if cached is not None:
        return str(cached)
    body = await build()
    if body is not None:
        try:
            await get_redis().set(key, body, ex=PAGE_TTL_SECONDS)
        except _REDIS_ERRORS as error:
            log.warning("catalog_pages_unavailable", operation="set", error=str(error))
    return body
