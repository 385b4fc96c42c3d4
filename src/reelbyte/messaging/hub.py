"""The real-time hub: which sockets this process holds, and delivery across instances.

Any domain calls `publish(user_id, frame)` only after its unit of work commits: from an
after-commit hook (`core.db.after_commit(session, hook)`, dropped on rollback) or from a job
deferred in the transaction (notifications.push). The frame goes to the Redis channel
`ws:user:<id>`; every instance runs one subscriber task on the pattern `ws:user:*` and hands
each frame to its own sockets of that user (a user may have several devices, on several
instances). `notification` frames go to `/ws/notifications` sockets, every other type to
`/ws/chat` sockets.

Each socket has a bounded send queue drained by its own writer task; delivery only puts into
the queue, so a slow client never slows the subscriber or anybody else. When a queue overflows,
that socket is closed (code 1013) and the client should reconnect and catch up over HTTP.

Frames that Redis could not carry are never retried; the sockets that may have missed them are
closed instead (code 1012), and the client reconnects and catches up over HTTP: every socket of
an instance whose subscriber lost Redis, once it is subscribed again, and every socket of a user
a frame could not be published to (at once on this instance; on the others by a `hub.reconnect`
frame published as soon as Redis takes frames again).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from typing import Any, Literal

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.websockets import WebSocket

from reelbyte.core.config import get_settings
from reelbyte.core.metrics import WEBSOCKETS
from reelbyte.core.redis import get_redis
from reelbyte.messaging import presence

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "ws:user:"
SEND_QUEUE_SIZE = 256
CLOSE_TIMEOUT_SECONDS = 2.0
CLOSE_SLOW_CONSUMER = 1013  # "try again later": reconnect, then catch up over HTTP
CLOSE_MISSED_FRAMES = 1012  # "service restart": reconnect, then catch up over HTTP
# Published to a user's channel to close their sockets everywhere; never reaches a client.
RECONNECT_FRAME = "hub.reconnect"

Kind = Literal["chat", "notifications"]


class Connection:
    """One accepted socket: its user, its kind and its bounded outgoing queue."""

    def __init__(
        self, websocket: WebSocket, user_id: uuid.UUID, session_id: uuid.UUID | None, kind: Kind
    ) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.session_id = session_id  # the login session the socket was opened under
        self.kind = kind
        self.id = uuid.uuid4().hex
        self.queue: asyncio.Queue[str] = asyncio.Queue(SEND_QUEUE_SIZE)
        self.closing = asyncio.Event()
        self.close_code = 1000
        self.close_reason = ""

    def wants(self, frame_type: str) -> bool:
        return (frame_type == "notification") == (self.kind == "notifications")

    def offer(self, text: str) -> bool:
        """Queue a frame without waiting; a full queue closes the connection instead."""
        if self.closing.is_set():
            return False
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("ws_send_queue_overflow", user_id=str(self.user_id), connection=self.id)
            self.request_close(CLOSE_SLOW_CONSUMER, "send queue overflow: reconnect")
            return False
        return True

    def send_frame(self, frame: dict[str, Any]) -> bool:
        return self.offer(json.dumps(frame, separators=(",", ":"), default=str))

    def request_close(self, code: int, reason: str = "") -> None:
        if not self.closing.is_set():
            self.close_code, self.close_reason = code, reason
            self.closing.set()

    async def write_loop(self) -> None:
        """The only coroutine that writes to the socket (until it is closed)."""
        while True:
            text = await self.queue.get()
            await self.websocket.send_text(text)


class Hub:
    def __init__(self) -> None:
        self._connections: dict[uuid.UUID, set[Connection]] = defaultdict(set)
        self._tasks: list[asyncio.Task[None]] = []
        self._redis: Redis | None = None
        self.ready = asyncio.Event()
        # Names the subscriber's connection in Redis's CLIENT LIST.
        self.redis_client_name = f"reelbyte-ws-hub-{uuid.uuid4().hex[:12]}"

    # --- local registry -------------------------------------------------------------------

    def register(self, connection: Connection) -> None:
        connections = self._connections[connection.user_id]
        if connection not in connections:
            connections.add(connection)
            WEBSOCKETS.labels(connection.kind).inc()

    def unregister(self, connection: Connection) -> None:
        connections = self._connections.get(connection.user_id)
        if connections is not None:
            if connection in connections:
                connections.discard(connection)
                WEBSOCKETS.labels(connection.kind).dec()
            if not connections:
                del self._connections[connection.user_id]

    def local_connections(self, user_id: uuid.UUID) -> set[Connection]:
        return set(self._connections.get(user_id, ()))

    def deliver_locally(self, user_id: uuid.UUID, text: str) -> int:
        """Queue a published frame on this process's sockets of the user; returns how many."""
        connections = self._connections.get(user_id)
        if not connections:
            return 0
        try:
            frame_type = str(json.loads(text).get("type", ""))
        except (ValueError, AttributeError):
            log.warning("ws_bad_published_frame", user_id=str(user_id))
            return 0
        if frame_type == RECONNECT_FRAME:
            return self.ask_to_catch_up(connections)
        return sum(1 for c in list(connections) if c.wants(frame_type) and c.offer(text))

    def ask_to_catch_up(self, connections: set[Connection] | None = None) -> int:
        """Close `connections` (default: every socket here) so that their clients reconnect and
        catch up over HTTP on what they may have missed; returns how many."""
        chosen = (
            connections if connections is not None else {c for cs in self._connections.values() for c in cs}
        )
        for connection in list(chosen):
            connection.request_close(CLOSE_MISSED_FRAMES, "frames may have been missed: reconnect")
        return len(chosen)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the subscriber and the presence heartbeat (once per process)."""
        if self._tasks:
            return
        redis_url = get_settings().redis_url
        assert redis_url is not None, "start the runtime (Redis) before the hub"
        # A connection of its own without a read timeout: the subscriber waits on it for ever.
        self._redis = Redis.from_url(
            redis_url, decode_responses=True, socket_connect_timeout=2, client_name=self.redis_client_name
        )
        self._tasks = [
            asyncio.create_task(self._subscribe_loop(), name="ws-hub-subscriber"),
            asyncio.create_task(self._presence_loop(), name="ws-hub-presence"),
        ]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), timeout=5)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self.ready.clear()
        for connections in list(self._connections.values()):
            for connection in list(connections):
                connection.request_close(1001, "server shutting down")
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def _subscribe_loop(self) -> None:
        assert self._redis is not None
        delay = 0.5
        lost = False
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                self.ready.set()
                delay = 0.5
                if lost:
                    lost = False
                    closed = self.ask_to_catch_up()
                    log.info("ws_hub_subscriber_back", sockets_asked_to_catch_up=closed)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    channel = str(message["channel"])
                    try:
                        user_id = uuid.UUID(channel.removeprefix(CHANNEL_PREFIX))
                    except ValueError:
                        continue
                    self.deliver_locally(user_id, str(message["data"]))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                self.ready.clear()
                lost = True
                log.warning("ws_hub_subscriber_lost", error=str(error), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(presence.REFRESH_SECONDS)
            live = [(user_id, c.id) for user_id, cs in list(self._connections.items()) for c in cs]
            try:
                await presence.refresh(live)
            except (RedisError, OSError) as error:
                log.warning("presence_refresh_failed", error=str(error))
            await _tell_who_missed_frames()


hub = Hub()
# Users a frame could not be published to, whose sockets on other instances are still to be told.
_missed_frames: set[uuid.UUID] = set()


async def publish(user_id: uuid.UUID, frame: dict[str, Any]) -> None:
    """Send a frame to every open socket of the user, on any instance. Call after commit.

    Best effort: if Redis is down the frame is dropped (the data is in the database, and the
    client catches up over HTTP), and the caller is not failed for it.
    """
    text = json.dumps(frame, separators=(",", ":"), default=str)
    try:
        await get_redis().publish(f"{CHANNEL_PREFIX}{user_id}", text)
    except (RedisError, OSError) as error:
        log.warning("ws_publish_failed", user_id=str(user_id), type=frame.get("type"), error=str(error))
        hub.ask_to_catch_up(hub.local_connections(user_id))
        _missed_frames.add(user_id)
        return
    await _tell_who_missed_frames()


async def _tell_who_missed_frames() -> None:
    """Close, on every instance, the sockets of users a frame could not be published to."""
    while _missed_frames:
        user_id = _missed_frames.pop()
        try:
            await get_redis().publish(f"{CHANNEL_PREFIX}{user_id}", json.dumps({"type": RECONNECT_FRAME}))
        except (RedisError, OSError):
            _missed_frames.add(user_id)
            return


async def publish_many(user_ids: list[uuid.UUID], frame: dict[str, Any]) -> None:
    for user_id in dict.fromkeys(user_ids):
        await publish(user_id, frame)
