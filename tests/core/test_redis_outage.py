"""A Redis that is down or hung costs a request at most one bounded wait: the client's timeouts
are short, and after a failure the circuit breaker skips Redis at once for a few seconds. The
WebSocket ticket, which needs Redis, is a 503 `realtime_unavailable`, never a 500."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from redis.asyncio import BlockingConnectionPool

import reelbyte.core.redis
from reelbyte.core.config import Settings
from reelbyte.core.redis import CircuitBreaker, RedisUnavailable, get_redis, init_redis

PASSWORD = "Sup3r!Secret"
# Generous: the point is that the wait is bounded (about one REDIS_TIMEOUT_SECONDS), not fast.
BOUND_SECONDS = 3.0

PointRedis = Callable[[str], Awaitable[None]]


@pytest.fixture
async def hung_redis_url() -> AsyncIterator[str]:
    """A TCP server that accepts connections and never answers: a hung Redis."""
    held: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.fixture
async def point_redis(settings: Settings) -> AsyncIterator[PointRedis]:
    """Point the process's Redis client somewhere else; the real one is restored afterwards."""
    original = get_redis()

    async def point(url: str) -> None:
        if get_redis() is not original:
            await get_redis().aclose()
        init_redis(url)

    yield point
    if get_redis() is not original:
        await get_redis().aclose()
    reelbyte.core.redis._redis = original


async def _signed_up(client: httpx.AsyncClient) -> dict[str, str]:
    name = f"outage-{uuid.uuid4().hex[:10]}"
    email = f"{name}@example.com"
    body = {"email": email, "username": name, "password": PASSWORD, "full_name": "Outage", "role": "client"}
    assert (await client.post("/v1/auth/register", json=body)).status_code == 201
    login = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def _timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def test_a_hung_redis_delays_a_rate_limited_request_only_briefly(
    client: httpx.AsyncClient, point_redis: PointRedis, hung_redis_url: str, settings: Settings
) -> None:
    assert settings.rate_limit_enabled
    headers = await _signed_up(client)
    await point_redis(hung_redis_url)

    response, elapsed = await _timed(client.get("/v1/users/me", headers=headers))
    assert response.status_code == 200, response.text
    assert "ratelimit-limit" in response.headers  # counted, by the per-process fallback
    assert elapsed < BOUND_SECONDS

    # The breaker is open now: the next requests skip Redis without waiting for it at all.
    started = time.monotonic()
    for _ in range(5):
        assert (await client.get("/v1/users/me", headers=headers)).status_code == 200
    assert time.monotonic() - started < settings.redis_timeout_seconds * 2


@pytest.mark.parametrize("outage", ["hung", "down"])
async def test_the_websocket_ticket_is_a_503_while_redis_is_hung_or_down(
    client: httpx.AsyncClient, point_redis: PointRedis, hung_redis_url: str, outage: str
) -> None:
    headers = await _signed_up(client)
    await point_redis(hung_redis_url if outage == "hung" else "redis://127.0.0.1:1/0")  # nothing on port 1

    for _ in range(2):  # the first call meets the outage, the second the open breaker
        response, elapsed = await _timed(client.post("/v1/ws/ticket", headers=headers))
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "realtime_unavailable"
        assert elapsed < BOUND_SECONDS


async def test_the_pool_and_timeouts_are_bounded_by_the_settings(settings: Settings) -> None:
    pool = get_redis().connection_pool
    assert isinstance(pool, BlockingConnectionPool)
    assert pool.max_connections == settings.redis_max_connections
    assert pool.timeout == settings.redis_timeout_seconds
    kwargs: dict[str, Any] = pool.connection_kwargs
    assert kwargs["socket_timeout"] == kwargs["socket_connect_timeout"] == settings.redis_timeout_seconds
    assert Settings.model_fields["redis_max_connections"].default == 50


async def test_the_breaker_opens_after_a_failure_then_lets_one_probe_through() -> None:
    breaker = CircuitBreaker(open_seconds=0.2, probe_seconds=0.2)
    breaker.before_call()  # closed
    breaker.failed(ConnectionError("gone"))
    with pytest.raises(RedisUnavailable):
        breaker.before_call()
    await asyncio.sleep(0.25)
    breaker.before_call()  # the probe
    with pytest.raises(RedisUnavailable):
        breaker.before_call()  # the others wait for the probe's outcome
    breaker.succeeded()
    breaker.before_call()
    breaker.before_call()
    assert not breaker.is_open
