"""WebSocket endpoints: `/v1/ws/chat` and `/v1/ws/notifications`, also served at `/ws/chat` and
`/ws/notifications` (the same handlers; the paths without /v1 came first and stay).

Connect with `?ticket=` from `POST /v1/ws/ticket`. Close codes:
- 1008: missing, forged, used or expired ticket (or the account/session is no longer valid);
- 1009: a frame larger than 64 KiB;
- 1013: the client reads too slowly and its send queue overflowed (reconnect, catch up over HTTP);
- 1001: the server is shutting down; 1011: the server could not check the ticket.

Frames are JSON `{"type": ..., "data": {...}}`. On `/ws/chat` the client may send
`typing` `{"conversation_id"}`, `read` `{"message_id"}` and `message` `{"conversation_id",
"content", "attachment_url"? or "attachment_upload_id"?, "client_id"?}` (what
`POST /v1/conversations/{id}/messages` takes; the `message` frame that comes back on the sender's
sockets, carrying the client_id and any `attachment`, is the acknowledgement). Anything else gets
an `error` frame (`{"error", "message", "details"}`, the HTTP error format, with the `client_id`
of the message it refuses) and the connection stays open.
Each client frame is a unit of work of its own (`core.db.transaction`) that first checks the
socket's login session is still alive (a logged-out or suspended user's socket is closed, 1008):
its writes commit, and the frames it publishes go out, only when it succeeds.

Heartbeats: uvicorn pings every socket (protocol-level ping, WS_PING_INTERVAL_SECONDS) and drops
one whose pong does not come within WS_PING_TIMEOUT_SECONDS (`reelbyte serve` passes both, and
the 64 KiB frame limit, so that uvicorn refuses an oversized frame before reading it whole); the
hub refreshes the presence of its live sockets in Redis every 20 s, and a socket's presence
expires 60 s after its last refresh, so a dead instance's users go offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

import structlog
from fastapi import WebSocket
from pydantic import TypeAdapter, ValidationError
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.core.errors import AppError, InternalError, InvalidJson, Unauthorized
from reelbyte.core.routing import APIRouter
from reelbyte.identity import service as identity_service
from reelbyte.messaging import presence, service, tickets
from reelbyte.messaging.errors import InvalidFrame, UnknownFrameType, UnsupportedFrame
from reelbyte.messaging.hub import CLOSE_TIMEOUT_SECONDS, Connection, Kind, hub, publish_many
from reelbyte.messaging.schemas import (
    CLIENT_FRAME_TYPES,
    ClientFrame,
    MessageFrame,
    ReadFrame,
    TypingFrame,
    frame,
)
from reelbyte.messaging.tickets import TicketOwner

log = structlog.get_logger(__name__)

ws_router = APIRouter()

MAX_FRAME_BYTES = 64 * 1024
TYPING_MIN_INTERVAL = 1.0
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011

_client_frames: TypeAdapter[Any] = TypeAdapter(ClientFrame)


@ws_router.websocket("/v1/ws/chat")
@ws_router.websocket("/ws/chat")
async def chat_socket(websocket: WebSocket) -> None:
    """Live messages, edits, deletions, read receipts, typing and presence of my conversations."""
    await _serve(websocket, "chat")


@ws_router.websocket("/v1/ws/notifications")
@ws_router.websocket("/ws/notifications")
async def notifications_socket(websocket: WebSocket) -> None:
    """Live notifications (frames of type `notification`)."""
    await _serve(websocket, "notifications")


async def _authenticate(websocket: WebSocket) -> TicketOwner | None:
    owner = await tickets.consume(websocket.query_params.get("ticket"))
    if owner is None:
        return None
    try:
        await transaction(
            lambda session: identity_service.authenticate(session, owner.user_id, owner.session_id)
        )
    except Unauthorized:
        return None
    return owner


async def _serve(websocket: WebSocket, kind: Kind) -> None:
    # Accept first, so that a refused client sees a close code rather than a failed handshake.
    await websocket.accept()
    try:
        owner = await _authenticate(websocket)
    except (RedisError, OSError) as error:
        log.warning("ws_ticket_check_failed", error=str(error))
        await websocket.close(CLOSE_INTERNAL, "could not check the ticket")
        return
    if owner is None:
        await websocket.close(CLOSE_POLICY, "missing, invalid, used or expired ticket")
        return

    connection = Connection(websocket, owner.user_id, owner.session_id, kind)
    hub.register(connection)
    await _presence_changed(connection, online=True)
    reader = asyncio.create_task(_read_loop(connection))
    writer = asyncio.create_task(connection.write_loop())
    closing = asyncio.create_task(connection.closing.wait())
    try:
        await asyncio.wait({reader, writer, closing}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (reader, writer, closing):
            task.cancel()
        await asyncio.gather(reader, writer, closing, return_exceptions=True)
        hub.unregister(connection)
        if connection.closing.is_set():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    websocket.close(connection.close_code, connection.close_reason), CLOSE_TIMEOUT_SECONDS
                )
        with contextlib.suppress(Exception):
            await _presence_changed(connection, online=False)


async def _presence_changed(connection: Connection, *, online: bool) -> None:
    """Record the socket in Redis; tell my conversation partners when I come online or leave."""
    try:
        if online:
            changed = await presence.connected(connection.user_id, connection.id)
        else:
            changed = await presence.disconnected(connection.user_id, connection.id)
    except (RedisError, OSError) as error:
        log.warning("presence_unavailable", error=str(error))
        return
    if not changed:
        return
    partners = await transaction(lambda session: service.partner_ids(session, connection.user_id))
    _, last_seen = await presence.lookup(connection.user_id)
    data = {
        "user_id": str(connection.user_id),
        "online": online,
        "last_seen_at": last_seen.isoformat() if last_seen else None,
    }
    await publish_many(partners, frame("presence", data))


def _error(connection: Connection, error: AppError, client_id: str | None = None) -> None:
    """An `error` frame in the HTTP error format; the socket stays open."""
    body = {"error": error.code, "message": error.message, "details": error.details}
    if client_id is not None:
        body["client_id"] = client_id
    connection.send_frame(frame("error", body))


async def _read_loop(connection: Connection) -> None:
    websocket = connection.websocket
    last_typing: dict[uuid.UUID, float] = {}
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            if len(message.get("bytes") or b"") > MAX_FRAME_BYTES:
                connection.request_close(CLOSE_TOO_BIG, "frame larger than 64 KiB")
                return
            _error(connection, InvalidFrame("Send frames as JSON text, not binary."))
            continue
        if len(text) > MAX_FRAME_BYTES or len(text.encode()) > MAX_FRAME_BYTES:
            connection.request_close(CLOSE_TOO_BIG, "frame larger than 64 KiB")
            return
        await _handle(connection, text, last_typing)


async def _handle(connection: Connection, text: str, last_typing: dict[uuid.UUID, float]) -> None:
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        _error(connection, InvalidJson("The frame is not valid JSON."))
        return
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        _error(connection, InvalidFrame('A frame is an object: {"type": ..., "data": {...}}.'))
        return
    if raw["type"] not in CLIENT_FRAME_TYPES:
        _error(
            connection,
            UnknownFrameType(details={"type": raw["type"][:50], "allowed": list(CLIENT_FRAME_TYPES)}),
        )
        return
    if connection.kind != "chat":
        _error(connection, UnsupportedFrame())
        return
    try:
        parsed = _client_frames.validate_python(raw)
    except ValidationError as error:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        _error(connection, InvalidFrame("The frame is not valid.", details=details))
        return
    if isinstance(parsed, TypingFrame) and _too_soon(last_typing, parsed.data.conversation_id):
        return
    client_id = parsed.data.client_id if isinstance(parsed, MessageFrame) else None
    try:
        await transaction(lambda session: _apply(session, connection, parsed))
    except Unauthorized:
        connection.request_close(CLOSE_POLICY, "the session is no longer valid")
    except AppError as error:
        _error(connection, error, client_id)
    except Exception:
        log.exception("ws_frame_failed", user_id=str(connection.user_id))
        _error(connection, InternalError(), client_id)


def _too_soon(last_typing: dict[uuid.UUID, float], conversation_id: uuid.UUID) -> bool:
    """Typing frames go out at most once a second per conversation."""
    now = time.monotonic()
    if now - last_typing.get(conversation_id, 0.0) < TYPING_MIN_INTERVAL:
        return True
    if len(last_typing) >= 1000:
        last_typing.clear()
    last_typing[conversation_id] = now
    return False


async def _apply(session: AsyncSession, connection: Connection, parsed: Any) -> None:
    """One client frame's unit of work, on behalf of the socket's still-valid login session."""
    user_id = connection.user_id
    await identity_service.authenticate(session, user_id, connection.session_id)
    if isinstance(parsed, TypingFrame):
        await service.typing(session, user_id, parsed.data.conversation_id)
    elif isinstance(parsed, ReadFrame):
        await service.mark_read(session, user_id, parsed.data.message_id)
    else:
        assert isinstance(parsed, MessageFrame)
        await service.send_message(session, user_id, parsed.data.conversation_id, parsed.data)
