"""The process's Redis client (redis.asyncio), bounded and behind a circuit breaker.

Redis is never the only copy of anything a request needs: rate limits fall back to counters in
the process, view counts and caches are skipped, presence reads as offline. So a Redis that is
down or hung must cost a request little: every call is bounded by REDIS_TIMEOUT_SECONDS, and
after a call fails the breaker opens for `BREAKER_OPEN_SECONDS`, during which calls fail at
once with `RedisUnavailable` (a redis `ConnectionError`, which those fallbacks already catch)
instead of waiting for the timeout again. Then one call probes; its success closes the breaker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reelbyte.core.config import get_settings

log = structlog.get_logger(__name__)

BREAKER_OPEN_SECONDS = 5.0
# What says Redis is unreachable or hung (an error reply such as WRONGTYPE says nothing of the kind).
_OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)

_redis: Redis | None = None


class RedisUnavailable(RedisConnectionError):
    """Raised without touching the network while the breaker is open."""


class CircuitBreaker:
    """Closed while calls succeed; open for `open_seconds` after a failure; then half-open: one
    call goes through as a probe (the others still fail fast for up to `probe_seconds`)."""

    def __init__(self, open_seconds: float, probe_seconds: float) -> None:
        self.open_seconds = open_seconds
        self.probe_seconds = probe_seconds
        self._failed = False
        self._closed_again_at = 0.0

    @property
    def is_open(self) -> bool:
        return self._failed and time.monotonic() < self._closed_again_at

    def before_call(self) -> None:
        """Raise `RedisUnavailable` while open; past the open period, let this call probe."""
        if not self._failed:
            return
        now = time.monotonic()
        if now < self._closed_again_at:
            raise RedisUnavailable("Redis failed a moment ago; not trying again yet")
        self._closed_again_at = now + self.probe_seconds

    def succeeded(self) -> None:
        if self._failed:
            log.info("redis_available_again")
        self._failed = False

    def failed(self, error: BaseException) -> None:
        if not self._failed:
            log.warning("redis_unavailable", error=str(error), retry_in_seconds=self.open_seconds)
        self._failed = True
        self._closed_again_at = time.monotonic() + self.open_seconds

    @contextmanager
    def call(self) -> Iterator[None]:
        """Around one call to Redis: refused while open, and its outcome recorded."""
        self.before_call()
        try:
            yield
        except _OUTAGES as error:
            self.failed(error)
            raise
        self.succeeded()


class GuardedRedis(Redis):
    """A Redis client whose commands and pipelines go through a `CircuitBreaker`."""

    breaker: CircuitBreaker

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        with self.breaker.call():
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> GuardedPipeline:
        pipeline = GuardedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipeline.breaker = self.breaker
        return pipeline


class GuardedPipeline(Pipeline):
    breaker: CircuitBreaker

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        with self.breaker.call():
            return await super().execute(raise_on_error)

    async def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        with self.breaker.call():
            return await super().immediate_execute_command(*args, **options)  # type: ignore[no-untyped-call]


def connect_redis(url: str) -> GuardedRedis:
    """A client for `url` with bounded waits: connecting, each reply, and a free pooled
    connection each take at most REDIS_TIMEOUT_SECONDS; a dropped connection is retried once
    (Redis restarted), a timeout is not (a hung Redis would only be waited for again)."""
    settings = get_settings()
    timeout = settings.redis_timeout_seconds
    pool = BlockingConnectionPool.from_url(
        url,
        decode_responses=True,
        max_connections=settings.redis_max_connections,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,)),
    )
    client = GuardedRedis(connection_pool=pool)
    client.auto_close_connection_pool = True
    client.breaker = CircuitBreaker(open_seconds=BREAKER_OPEN_SECONDS, probe_seconds=2 * timeout)
    return client


def init_redis(url: str) -> Redis:
    global _redis
    _redis = connect_redis(url)
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
