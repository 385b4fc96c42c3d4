"""The process's Redis client (redis.asyncio)."""

from __future__ import annotations

from redis.asyncio import Redis

_redis: Redis | None = None


def init_redis(url: str) -> Redis:
    global _redis
    _redis = Redis.from_url(url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2)
    return _redis


def get_redis() -> Redis:
    if _redis is None:
        raise RuntimeError("Redis is not initialised: call init_redis() first")
    return _redis


async def close_redis() -> None:
    global _redis
    if _redis is not None:
        await _redis.aclose()
        _redis = None
