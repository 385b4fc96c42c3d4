"""Rate limits: fixed windows counted in Redis, shared by every instance.

A process takes hits from Redis in blocks (`_Leases`): most requests are counted in memory, and
only one in a block pays a round trip (a Redis script per request was a seventh of a cached
gig page's CPU). A block is at most an eighth of what is left of the window's budget, and one
hit near the limit, so the limit is exact for one process and never loose for several: hits
reserved but not spent count as used.

If Redis cannot be reached the limits fall back to counters in this process, so the API keeps
serving; the fallback is logged (once a minute at most).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import ipaddress
import math
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import Request, Response
from redis.exceptions import NoScriptError, RedisError

from reelbyte.core.config import get_settings
from reelbyte.core.errors import RateLimited, raises
from reelbyte.core.redis import get_redis
from reelbyte.core.routing import route_api_scopes
from reelbyte.core.security import InvalidToken, decode_access_token, presented_api_key

log = structlog.get_logger(__name__)

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}

# Add ARGV[2] hits to the window's counter, set its expiry on first use; return count and ms left.
_HIT_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


_HIT_SHA = hashlib.sha1(_HIT_SCRIPT.encode(), usedforsecurity=False).hexdigest()  # Redis names scripts so


async def _run_hit_script(key: str, window_ms: int, hits: int) -> Any:
    """EVALSHA, so that the script is not sent with every request; EVAL (which also makes Redis
    keep it) the first time a server has not seen it."""
    redis = get_redis()
    try:
        return await redis.evalsha(_HIT_SHA, 1, key, window_ms, hits)
    except NoScriptError:
        return await redis.eval(_HIT_SCRIPT, 1, key, window_ms, hits)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    @functools.lru_cache(maxsize=64)
    def parse(cls, text: str) -> Limit:
        """'100/minute', '3/hour', '10/30second' …"""
        amount, _, period = text.strip().partition("/")
        multiplier = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = period.lstrip("0123456789").rstrip("s")
        if unit not in _UNITS or not amount.isdigit() or int(multiplier) == 0:
            raise ValueError(f"not a rate limit: {text!r}")
        return cls(int(amount), int(multiplier) * _UNITS[unit])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


class _LocalCounters:
    """Per-process fixed windows, used only while Redis is unreachable."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, seconds: int) -> tuple[int, float]:
        now = time.monotonic()
        started, count = self._windows.get(key, (now, 0))
        if now - started >= seconds:
            started, count = now, 0
        count += 1
        self._windows[key] = (started, count)
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < 3600}
        return count, seconds - (now - started)


MAX_BLOCK = 50


@dataclass
class _Lease:
    """Hits of one window reserved in Redis by this process: the next to spend is `position`
    (the window's count as of that hit), `last` the last one reserved."""

    position: int
    last: int
    expires: float  # time.monotonic() at the window's end


class _Leases:
    """This process's reserved blocks of hits, by window key, and the reservations in flight:
    one at a time per window, as concurrent ones would each reserve a block sized for the same
    budget, together more than is left of it."""

    def __init__(self) -> None:
        self._leases: dict[str, _Lease] = {}
        self.reserving: dict[str, asyncio.Event] = {}

    def clear(self) -> None:
        self._leases.clear()
        self.reserving.clear()

    def spend(self, key: str) -> tuple[int, float] | None:
        """(the window's count as of this hit, seconds left) from a reserved block, or None."""
        lease = self._leases.get(key)
        if lease is None or lease.position > lease.last:
            return None
        seconds_left = lease.expires - time.monotonic()
        if seconds_left <= 0:
            return None
        count = lease.position
        lease.position += 1
        return count, seconds_left

    def block_size(self, key: str, limit: Limit) -> int:
        """How many hits to reserve: one the first time (the count is unknown), then an eighth
        of what the last reservation left of the budget (at most MAX_BLOCK)."""
        lease = self._leases.get(key)
        if lease is None:
            return 1
        return max(1, min(MAX_BLOCK, (limit.count - lease.last) // 8))

    def reserved(self, key: str, hits: int, count: int, seconds_left: float) -> int:
        """Record a reservation of `hits` that brought the window's count to `count`; returns
        the count as of its first hit, the one the request that reserved it spends."""
        first = count - hits + 1
        now = time.monotonic()
        if len(self._leases) > 10_000:
            self._leases = {k: v for k, v in self._leases.items() if v.expires > now}
        self._leases[key] = _Lease(position=first + 1, last=count, expires=now + seconds_left)
        return first


_leases = _Leases()
_local = _LocalCounters()


def forget_reserved_hits() -> None:
    """Forget every block this process holds (their counters are gone: Redis was emptied, as
    between tests)."""
    _leases.clear()


_last_fallback_log = 0.0


async def hit(key: str, limit: Limit) -> Verdict:
    """Count one request against `key` and say whether it may go on."""
    window = int(time.time() // limit.seconds)
    redis_key = f"ratelimit:{key}:{limit.seconds}:{window}"
    spent = _leases.spend(redis_key)
    count, seconds_left = spent if spent is not None else await _reserve(redis_key, limit)
    reset = max(1, math.ceil(seconds_left))
    return Verdict(
        allowed=count <= limit.count,
        limit=limit.count,
        remaining=max(0, limit.count - count),
        reset_seconds=reset,
    )


async def _reserve(redis_key: str, limit: Limit) -> tuple[int, float]:
    """Reserve a block of hits in Redis and spend its first: (the count as of it, seconds left).
    While another request of this process reserves for the window, wait for its block."""
    while (in_flight := _leases.reserving.get(redis_key)) is not None:
        await in_flight.wait()
        spent = _leases.spend(redis_key)
        if spent is not None:
            return spent
    _leases.reserving[redis_key] = done = asyncio.Event()
    try:
        hits = _leases.block_size(redis_key, limit)
        count, ttl_ms = await _run_hit_script(redis_key, limit.seconds * 1000, hits)
    except (RedisError, OSError) as error:
        _log_fallback(error)
        return _local.hit(redis_key, limit.seconds)
    finally:
        _leases.reserving.pop(redis_key, None)
        done.set()
    return _leases.reserved(redis_key, hits, int(count), ttl_ms / 1000), ttl_ms / 1000


def _log_fallback(error: BaseException) -> None:
    global _last_fallback_log
    now = time.monotonic()
    if now - _last_fallback_log > 60:
        _last_fallback_log = now
        log.warning("ratelimit_redis_unavailable", error=str(error))


def client_ip(request: Request) -> str:
    """The connection's address, or X-Forwarded-For's when the connection is a trusted proxy.

    Walks X-Forwarded-For from the right, skipping trusted proxies, so a client cannot forge
    its address by sending the header itself.
    """
    peer = request.client.host if request.client else "unknown"
    trusted = _trusted_networks()
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            # Junk instead of an address: the client is the last hop a trusted proxy vouched for.
            return hop if _is_address(hop) else client
        client = hop
    return client


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in get_settings().trusted_proxies]


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _tier_for(request: Request) -> tuple[str, str | None]:
    """(key, limit text) for the caller: admins get no limit (None); nor here does an API key on
    a route that takes keys, counted by `limit_api_key` once the key is known."""
    settings = get_settings()
    if _counted_per_key(request):
        return "api_key", None
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            claims = decode_access_token(token)
        except InvalidToken:
            pass  # counted as public; the route itself will answer 401
        else:
            if claims.role == "admin":
                return "admin", None
            limit = (
                settings.rate_limit_creator
                if claims.role in ("creator", "hybrid")
                else settings.rate_limit_authenticated
            )
            return f"user:{claims.user_id}", limit
    return f"ip:{client_ip(request)}", settings.rate_limit_public


async def _enforce(key: str, limit_text: str, response: Response) -> None:
    verdict = await hit(key, Limit.parse(limit_text))
    if not verdict.allowed:
        raise RateLimited(
            "Too many requests: slow down and try again later.",
            details={"retry_after": verdict.reset_seconds},
            headers=verdict.headers(),
        )
    response.headers.update(verdict.headers())


@raises(RateLimited)
async def global_rate_limit(request: Request, response: Response) -> None:
    """Router dependency: the per-IP / per-user / per-role limit on every API call."""
    if not get_settings().rate_limit_enabled:
        return
    key, limit_text = _tier_for(request)
    if limit_text is not None:
        await _enforce(f"global:{key}", limit_text, response)


def _counted_per_key(request: Request) -> bool:
    """An API key on a route that takes keys. On any other route the key is refused or unused:
    its request counts as a public one, per IP, so that made-up keys get no limit of their own."""
    return presented_api_key(request.headers) is not None and bool(route_api_scopes(request.scope))


@raises(RateLimited)
async def limit_api_key(request: Request, response: Response, key_id: uuid.UUID | None) -> None:
    """Count a request that presented an API key: against the key's own limit once the key is
    known (`key_id`); a key that did not authenticate, against its IP's public limit."""
    settings = get_settings()
    if not settings.rate_limit_enabled or not _counted_per_key(request):
        return  # counted by global_rate_limit already
    if key_id is None:
        await _enforce(f"global:ip:{client_ip(request)}", settings.rate_limit_public, response)
    else:
        await _enforce(f"global:api_key:{key_id}", settings.rate_limit_api_key, response)


def limit_per_ip(name: str, setting: str) -> Callable[[Request, Response], Coroutine[Any, Any, None]]:
    """Route dependency for a stricter per-IP limit, read from the named setting."""

    async def dependency(request: Request, response: Response) -> None:
        settings = get_settings()
        if settings.rate_limit_enabled:
            await _enforce(f"{name}:ip:{client_ip(request)}", getattr(settings, setting), response)

    return dependency
