"""Redis caches of the catalog: the category tree and the tag counts.

A cache never decides an answer: when Redis cannot be reached the value is computed from the
database, and a failed invalidation is logged (entries expire on their own).

Each cache lives under a versioned key. A change bumps the version after its commit
(`invalidate_after_commit`, an after-commit hook of its unit of work, dropped if it rolls back),
so a reader that computed the value from the rows before the change writes it under the old
version, where nobody looks any more: no stale value outlives the change that made it stale.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import after_commit
from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)


class VersionedCache:
    def __init__(self, name: str, ttl_seconds: int) -> None:
        self.name = name
        self.version_key = f"catalog:{name}:version"
        self.ttl_seconds = ttl_seconds

    def value_key(self, version: str) -> str:
        return f"catalog:{self.name}:v{version}"

    async def get_or_compute(self, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The cached JSON value, or else `compute()`'s (then cached)."""
        redis = get_redis()
        try:
            version = _text(await redis.get(self.version_key) or "0")  # before the database is read
            cached = await redis.get(self.value_key(version))
        except RedisError as error:
            log.warning("catalog_cache_unavailable", cache=self.name, error=str(error))
            return await compute()
        if cached is not None:
            return json.loads(cached)
        value = await compute()
        try:
            await redis.set(self.value_key(version), json.dumps(value), ex=self.ttl_seconds)
        except RedisError as error:
            log.warning("catalog_cache_unavailable", cache=self.name, error=str(error))
        return value

    def invalidate_after_commit(self, session: AsyncSession) -> None:
        """Bump the version once the session's unit of work has committed its change."""
        after_commit(session, self.invalidate)

    async def invalidate(self) -> None:
        """Bump the version now (the change has committed)."""
        try:
            await get_redis().incr(self.version_key)
        except RedisError as error:
            log.error("catalog_cache_not_invalidated", cache=self.name, error=str(error))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


# The public category tree (active categories only); bumped by every admin change.
category_cache = VersionedCache("categories", ttl_seconds=3600)
# The most used tags over listed gigs; bumped by every change to a gig or its packages.
tag_cache = VersionedCache("tags", ttl_seconds=600)
