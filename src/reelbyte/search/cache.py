"""Search's use of Redis: the popular queries, their result pages, and suggestions.

- Popular queries: a sorted set of normalised gig queries that found something, by count.
- Popular queries (searched POPULAR_CACHE_MIN times or more) have their result pages cached
  with the catalog's pages (catalog/pages.py), so changes show at once; the long tail of rare
  queries is never cached, so it cannot crowd Redis.
- Suggestions are cached briefly (SUGGESTION_TTL_SECONDS): they are asked for on every
  keystroke, and a few seconds' lag in a completion harms nobody.

Redis is an accelerator here, never a dependency: if it cannot be reached, searches and
suggestions still work (uncached) and the failure is logged.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from redis.exceptions import RedisError

from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)

POPULAR_KEY = "search:popular"
POPULAR_KEEP = 5_000  # the sorted set is trimmed to the most searched queries
SUGGESTION_PREFIX = "search:suggest:v1:"
POPULAR_CACHE_MIN = 3  # searches before a query's result pages are cached
SUGGESTION_TTL_SECONDS = 30

_REDIS_ERRORS = (RedisError, OSError)


async def record_search(query: str) -> None:
    """Count one search for `query` (already normalised) among the popular ones."""
    try:
        async with get_redis().pipeline(transaction=False) as pipe:
            pipe.zincrby(POPULAR_KEY, 1, query)
            # Keep the set bounded: drop all but the POPULAR_KEEP highest scores.
            pipe.zremrangebyrank(POPULAR_KEY, 0, -(POPULAR_KEEP + 1))
            await pipe.execute()
    except _REDIS_ERRORS as error:
        log.warning("search_cache_unavailable", operation="record_search", error=str(error))


async def popular_queries(limit: int) -> list[tuple[str, int]]:
    try:
        rows: list[Any] = await get_redis().zrevrange(POPULAR_KEY, 0, limit - 1, withscores=True)
    except _REDIS_ERRORS as error:
        log.warning("search_cache_unavailable", operation="popular_queries", error=str(error))
        return []
    return [(str(row[0]), int(row[1])) for row in rows]


async def search_counts(queries: list[str]) -> list[int]:
    """How often each of `queries` was searched (0 for never, or when Redis is away)."""
    if not queries:
        return []
    try:
        scores = await get_redis().zmscore(POPULAR_KEY, queries)
    except _REDIS_ERRORS as error:
        log.warning("search_cache_unavailable", operation="search_counts", error=str(error))
        return [0] * len(queries)
    return [int(score or 0) for score in scores]


async def cached_suggestions(query: str) -> list[dict[str, Any]] | None:
    try:
        raw = await get_redis().get(SUGGESTION_PREFIX + query)
    except _REDIS_ERRORS as error:
        log.warning("search_cache_unavailable", operation="cached_suggestions", error=str(error))
        return None
    if raw is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, list) else None


async def store_suggestions(query: str, items: list[dict[str, Any]]) -> None:
    try:
        await get_redis().set(SUGGESTION_PREFIX + query, json.dumps(items), ex=SUGGESTION_TTL_SECONDS)
    except _REDIS_ERRORS as error:
        log.warning("search_cache_unavailable", operation="store_suggestions", error=str(error))


async def is_popular(query: str) -> bool:
    try:
        score = await get_redis().zscore(POPULAR_KEY, query)
    except _REDIS_ERRORS as error:
        log.warning("search_cache_unavailable", operation="is_popular", error=str(error))
        return False
    return score is not None and score >= POPULAR_CACHE_MIN
