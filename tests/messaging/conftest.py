"""Messaging fixtures: a subscriber to the users' Redis channels, to see the frames published."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio.client import PubSub

from reelbyte.core.redis import get_redis
from reelbyte.messaging.hub import CHANNEL_PREFIX


@pytest.fixture
async def subscriber() -> AsyncIterator[PubSub]:
    pubsub = get_redis().pubsub()
    try:
        yield pubsub
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()  # type: ignore[no-untyped-call]


async def listen(pubsub: PubSub, user_id: str) -> None:
    """Subscribe to the user's channel, and wait until the subscription stands."""
    await pubsub.subscribe(f"{CHANNEL_PREFIX}{user_id}")
    assert await pubsub.get_message(timeout=2.0) is not None  # the subscribe confirmation


async def frames(pubsub: PubSub, within: float = 2.0) -> list[dict[str, Any]]:
    """The frames published, the first within `within` seconds, the rest right after it."""
    seen = []
    while (message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=within)) is not None:
        seen.append(json.loads(message["data"]))
        within = 0.3
    return seen
