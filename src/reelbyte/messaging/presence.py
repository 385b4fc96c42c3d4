"""Online status and last seen, in Redis, shared by every instance.

Each open socket is a member of the user's sorted set `presence:<user>`, scored with the time it
expires; the hub refreshes the scores of its sockets every `REFRESH_SECONDS`. A user is online
while any member has not expired, so a crashed instance's sockets age out by themselves after
`TTL_SECONDS`. `presence:last_seen:<user>` holds the last time a socket of theirs was alive.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

import structlog
from redis.exceptions import RedisError

from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)

TTL_SECONDS = 60
REFRESH_SECONDS = 20
LAST_SEEN_TTL_SECONDS = 90 * 86400


def _members_key(user_id: uuid.UUID) -> str:
    return f"presence:{user_id}"


def _last_seen_key(user_id: uuid.UUID) -> str:
    return f"presence:last_seen:{user_id}"


async def connected(user_id: uuid.UUID, connection_id: str) -> bool:
    """Record a new socket; True if it made the user come online."""
    now = time.time()
    key = _members_key(user_id)
    async with get_redis().pipeline(transaction=True) as pipe:
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zcard(key)
        pipe.zadd(key, {connection_id: now + TTL_SECONDS})
        pipe.expire(key, TTL_SECONDS)
        pipe.set(_last_seen_key(user_id), now, ex=LAST_SEEN_TTL_SECONDS)
        results = await pipe.execute()
    return int(results[1]) == 0


async def disconnected(user_id: uuid.UUID, connection_id: str) -> bool:
    """Forget a socket; True if the user has no live socket left anywhere."""
    now = time.time()
    key = _members_key(user_id)
    async with get_redis().pipeline(transaction=True) as pipe:
        pipe.zrem(key, connection_id)
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zcard(key)
        pipe.set(_last_seen_key(user_id), now, ex=LAST_SEEN_TTL_SECONDS)
        results = await pipe.execute()
    return int(results[2]) == 0


async def refresh(connections: Iterable[tuple[uuid.UUID, str]]) -> None:
    """Heartbeat: keep these sockets (user id, connection id) alive for another TTL."""
    now = time.time()
    async with get_redis().pipeline(transaction=False) as pipe:
        count = 0
        for user_id, connection_id in connections:
            key = _members_key(user_id)
            pipe.zadd(key, {connection_id: now + TTL_SECONDS})
            pipe.expire(key, TTL_SECONDS)
            pipe.set(_last_seen_key(user_id), now, ex=LAST_SEEN_TTL_SECONDS)
            count += 1
        if count:
            await pipe.execute()


async def lookup(user_id: uuid.UUID) -> tuple[bool, datetime | None]:
    """(online, last seen) for a profile; (False, None) if Redis cannot say."""
    return (await lookup_many([user_id]))[user_id]


async def lookup_many(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[bool, datetime | None]]:
    """(online, last seen) of each user, in one round trip (a page of conversations); everyone
    (False, None) if Redis cannot say."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    now = time.time()
    try:
        async with get_redis().pipeline(transaction=False) as pipe:
            for user_id in ids:
                pipe.zcount(_members_key(user_id), now, "+inf")
                pipe.get(_last_seen_key(user_id))
            results = await pipe.execute()
    except (RedisError, OSError) as error:
        log.warning("presence_unavailable", error=str(error))
        return dict.fromkeys(ids, (False, None))
    found: dict[uuid.UUID, tuple[bool, datetime | None]] = {}
    for index, user_id in enumerate(ids):
        live, last_seen = results[2 * index], results[2 * index + 1]
        found[user_id] = (int(live) > 0, datetime.fromtimestamp(float(last_seen), UTC) if last_seen else None)
    return found
