"""Single-use WebSocket tickets.

A browser cannot set an Authorization header on a WebSocket, and an access token in a URL ends
up in logs. So the client trades its access token for a ticket over HTTP, and connects with
`?ticket=`. The ticket is random, stored in Redis only as its SHA-256 with a short TTL, and
consumed with GETDEL: it works once, on any instance, and never again. Without Redis no ticket
can be issued: `issue` raises `RealtimeUnavailable` (503), and the client retries later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from redis.exceptions import RedisError

from reelbyte.core.redis import get_redis
from reelbyte.core.security import hash_secret_token, new_secret_token
from reelbyte.messaging.errors import RealtimeUnavailable

log = structlog.get_logger(__name__)

TICKET_TTL_SECONDS = 45
MAX_TICKET_CHARS = 128


@dataclass(frozen=True)
class TicketOwner:
    user_id: uuid.UUID
    session_id: uuid.UUID | None


def _key(ticket: str) -> str:
    return f"ws:ticket:{hash_secret_token(ticket)}"


async def issue(user_id: uuid.UUID, session_id: uuid.UUID | None) -> str:
    ticket = new_secret_token()
    value = f"{user_id}:{session_id or ''}"
    try:
        await get_redis().set(_key(ticket), value, ex=TICKET_TTL_SECONDS)
    except (RedisError, OSError) as error:
        log.warning("ws_ticket_unavailable", error=str(error))
        raise RealtimeUnavailable() from error
    return ticket


async def consume(ticket: str | None) -> TicketOwner | None:
    """The ticket's owner, once; None for a missing, forged, used or expired ticket."""
    if not ticket or len(ticket) > MAX_TICKET_CHARS:
        return None
    value = await get_redis().getdel(_key(ticket))
    if not value:
        return None
    user_part, _, session_part = str(value).partition(":")
    try:
        return TicketOwner(uuid.UUID(user_part), uuid.UUID(session_part) if session_part else None)
    except ValueError:
        return None
