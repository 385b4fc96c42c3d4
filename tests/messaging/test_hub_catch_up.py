"""Frames Redis could not carry: the sockets that may have missed them are closed (1012), so that
their clients reconnect and catch up over HTTP, instead of waiting for frames that never come."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from reelbyte.core.redis import get_redis
from reelbyte.messaging import hub as hub_module
from reelbyte.messaging.hub import CLOSE_MISSED_FRAMES, RECONNECT_FRAME, Connection, Hub, publish
from tests.messaging.conftest import frames, listen


def _socket(user_id: uuid.UUID, kind: str = "chat") -> Connection:
    # The hub only queues and closes here; no frame is written, so no real socket is needed.
    return Connection(None, user_id, None, kind)  # type: ignore[arg-type]


@pytest.fixture
async def own_hub() -> AsyncIterator[Hub]:
    hub = Hub()
    await hub.start()
    assert hub.ready.is_set()
    try:
        yield hub
    finally:
        await hub.stop()


async def _drop_connections_named(name: str) -> int:
    """Drop the Redis connections of that client name, as a Redis restart would."""
    clients = await get_redis().client_list()
    ids = [client["id"] for client in clients if client.get("name") == name]
    for client_id in ids:
        await get_redis().execute_command("CLIENT", "KILL", "ID", client_id)
    return len(ids)


async def test_a_subscriber_back_from_losing_redis_asks_every_socket_to_catch_up(own_hub: Hub) -> None:
    chat, notifications = _socket(uuid.uuid4()), _socket(uuid.uuid4(), "notifications")
    own_hub.register(chat)
    own_hub.register(notifications)
    assert await _drop_connections_named(own_hub.redis_client_name) >= 1

    # Subscribed again (ready), then the sockets are asked to catch up.
    await asyncio.wait_for(chat.closing.wait(), timeout=15)
    assert own_hub.ready.is_set()
    assert (chat.close_code, notifications.close_code) == (CLOSE_MISSED_FRAMES, CLOSE_MISSED_FRAMES)
    own_hub.unregister(chat)
    own_hub.unregister(notifications)


async def test_a_frame_redis_refused_closes_the_users_sockets_here_and_elsewhere(
    subscriber: PubSub, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = uuid.uuid4()
    here = _socket(user_id)
    hub_module.hub.register(here)
    await listen(subscriber, str(user_id))
    unreachable = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(hub_module, "get_redis", lambda: unreachable)
            await publish(user_id, {"type": "message", "text": "lost on the way"})
        assert here.closing.is_set()
        assert here.close_code == CLOSE_MISSED_FRAMES

        # Redis takes frames again: the next publish tells the user's sockets on every instance.
        await publish(uuid.uuid4(), {"type": "message", "text": "to someone else"})
        assert await frames(subscriber) == [{"type": RECONNECT_FRAME}]
        assert not hub_module._missed_frames
    finally:
        hub_module.hub.unregister(here)
        await unreachable.aclose()


async def test_the_reconnect_frame_closes_a_users_sockets_and_reaches_no_client(own_hub: Hub) -> None:
    user_id = uuid.uuid4()
    chat, notifications, other = _socket(user_id), _socket(user_id, "notifications"), _socket(uuid.uuid4())
    for connection in (chat, notifications, other):
        own_hub.register(connection)
    assert own_hub.deliver_locally(user_id, json.dumps({"type": RECONNECT_FRAME})) == 2
    assert chat.queue.empty()
    assert notifications.queue.empty()
    assert chat.close_code == notifications.close_code == CLOSE_MISSED_FRAMES
    assert not other.closing.is_set()
    for connection in (chat, notifications, other):
        own_hub.unregister(connection)
