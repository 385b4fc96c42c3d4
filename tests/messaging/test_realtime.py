"""Real-time delivery across two real `reelbyte serve` processes on one PostgreSQL and Redis.

User A connects to instance 1 and user B to instance 2; what A does over HTTP on instance 1
reaches B live on instance 2 through Redis pub/sub. Also: tickets (missing, forged, reused,
expired → 1008), malformed and oversized frames, several devices, presence and slow clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from reelbyte.core.config import Settings
from reelbyte.core.redis import get_redis
from reelbyte.core.security import hash_secret_token
from reelbyte.messaging.hub import publish
from tests.conftest import PROJECT_ROOT, s3_env
from tests.factories import pair, signed_up, start_conversation

pytestmark = pytest.mark.slow

START_TIMEOUT = 60.0
RECEIVE_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Instance:
    """One `uv run reelbyte serve` on the test database and Redis (no embedded servers, no worker)."""

    def __init__(self, settings: Settings, logs: Path, **extra_env: str) -> None:
        assert settings.database_url is not None
        assert settings.redis_url is not None
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.log_path = logs / f"serve-{self.port}.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith("TEST_")}
        env.update(
            {
                "DATABASE_URL": settings.database_url,
                "REDIS_URL": settings.redis_url,
                **s3_env(settings),
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "INFO",
                "RATE_LIMIT_AUTHENTICATED": "100000/minute",
                "RATE_LIMIT_CREATOR": "100000/minute",
                **extra_env,
            }
        )
        uv = shutil.which("uv")
        assert uv is not None
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [uv, "run", "reelbyte", "serve", "--port", str(self.port), "--no-worker", "--no-web"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log_path.read_text()[-6000:]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=2) as http:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, f"serve exited\n{self.output()}"
                with contextlib.suppress(httpx.TransportError):
                    if http.get(f"{self.base}/health/ready").status_code == 200:
                        return
                time.sleep(0.2)
        raise AssertionError(f"serve not ready in {START_TIMEOUT:.0f}s\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@pytest.fixture(scope="module")
def instances(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Instance, Instance]]:
    logs = tmp_path_factory.mktemp("serve-logs")
    first, second = Instance(settings, logs), Instance(settings, logs)
    try:
        first.wait_ready()
        second.wait_ready()
        yield first, second
    finally:
        first.stop()
        second.stop()
        assert "Traceback" not in first.output() + second.output(), first.output() + second.output()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def _ticket(http: httpx.AsyncClient, instance: Instance, headers: dict[str, str]) -> str:
    response = await http.post(f"{instance.base}/v1/ws/ticket", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"])


@contextlib.asynccontextmanager
async def _socket(
    http: httpx.AsyncClient, instance: Instance, headers: dict[str, str], path: str = "/ws/chat"
) -> AsyncIterator[ClientConnection]:
    ticket = await _ticket(http, instance, headers)
    async with connect(f"{instance.ws_base}{path}?ticket={ticket}") as ws:
        yield ws


async def _next(ws: ClientConnection, type_: str, within: float = RECEIVE_TIMEOUT) -> dict[str, Any]:
    """The next frame of this type (others, such as presence, are skipped)."""
    deadline = time.monotonic() + within
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no {type_} frame within {within}s"
        received = json.loads(await asyncio.wait_for(ws.recv(), left))
        if received["type"] == type_:
            return dict(received)


async def _close_code(ws: ClientConnection, within: float = RECEIVE_TIMEOUT) -> int | None:
    with contextlib.suppress(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), within)
    return ws.close_code


async def test_a_message_sent_to_instance_one_reaches_the_recipient_on_instance_two(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    one, two = instances
    a, a_h = await signed_up(client, "client")
    b, b_h = await signed_up(client, "creator")
    started = await http.post(f"{one.base}/v1/conversations", json={"participant_id": b["id"]}, headers=a_h)
    assert started.status_code == 201, started.text
    cid = started.json()["id"]

    async with _socket(http, one, a_h) as a_ws, _socket(http, two, b_h) as b_ws:
        presence = await _next(a_ws, "presence")  # B came online (B connected after A)
        assert presence["data"]["user_id"] == b["id"]
        assert presence["data"]["online"] is True

        response = await http.post(
            f"{one.base}/v1/conversations/{cid}/messages", json={"content": "Live from one"}, headers=a_h
        )
        assert response.status_code == 201, response.text
        message = await _next(b_ws, "message")
        assert message["data"]["content"] == "Live from one"
        assert message["data"]["sender_id"] == a["id"]
        assert message["data"]["conversation_id"] == cid
        assert (await _next(a_ws, "message"))["data"]["id"] == message["data"]["id"]  # A's own devices

        # B types and reads over the socket on instance 2; A sees both on instance 1.
        await b_ws.send(json.dumps({"type": "typing", "data": {"conversation_id": cid}}))
        typing = await _next(a_ws, "typing")
        assert typing["data"] == {"conversation_id": cid, "user_id": b["id"]}
        await b_ws.send(json.dumps({"type": "read", "data": {"message_id": message["data"]["id"]}}))
        receipt = await _next(a_ws, "read")
        assert receipt["data"]["user_id"] == b["id"]
        assert receipt["data"]["message_id"] == message["data"]["id"]

        # Edits and deletions made on instance 1 reach instance 2.
        mid = message["data"]["id"]
        edited = await http.put(f"{one.base}/v1/messages/{mid}", json={"content": "Edited"}, headers=a_h)
        assert edited.status_code == 200, edited.text
        edit = await _next(b_ws, "edit")
        assert (edit["data"]["id"], edit["data"]["content"], edit["data"]["edited"]) == (mid, "Edited", True)
        assert (await http.delete(f"{one.base}/v1/messages/{mid}", headers=a_h)).status_code == 204
        deleted = await _next(b_ws, "delete")
        assert (deleted["data"]["id"], deleted["data"]["deleted"], deleted["data"]["content"]) == (
            mid,
            True,
            None,
        )

        profile = (await http.get(f"{one.base}/v1/users/{b['id']}")).json()
        assert profile["online"] is True

    # Both sockets closed: B goes offline, with a last-seen time.
    deadline = time.monotonic() + 10
    while (profile := (await http.get(f"{one.base}/v1/users/{b['id']}")).json())["online"]:
        assert time.monotonic() < deadline, profile
        await asyncio.sleep(0.1)
    assert profile["last_seen_at"] is not None


async def test_every_device_of_the_recipient_gets_the_frame(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    """On both paths of each socket: /v1/ws/chat and /ws/chat, /v1/ws/notifications and /ws/notifications."""
    one, two = instances
    _a, a_h = await signed_up(client, "client")
    b, b_h = await signed_up(client, "creator")
    async with (
        _socket(http, one, b_h) as phone,
        _socket(http, two, b_h, "/v1/ws/chat") as laptop,
        _socket(http, two, b_h) as tablet,
        _socket(http, one, b_h, "/v1/ws/chat") as watch,
        _socket(http, one, b_h, "/ws/notifications") as notifications,
        _socket(http, two, b_h, "/v1/ws/notifications") as v1_notifications,
    ):
        started = await http.post(
            f"{two.base}/v1/conversations", json={"participant_id": b["id"], "message": "to all"}, headers=a_h
        )
        assert started.status_code == 201, started.text
        for device in (phone, laptop, tablet, watch):
            assert (await _next(device, "message"))["data"]["content"] == "to all"

        # A notification published by any domain goes to the notification sockets only.
        await publish(uuid.UUID(b["id"]), {"type": "notification", "data": {"title": "Order paid"}})
        for socket_ in (notifications, v1_notifications):
            assert (await _next(socket_, "notification"))["data"] == {"title": "Order paid"}
            await socket_.send(json.dumps({"type": "typing", "data": {"conversation_id": str(uuid.uuid4())}}))
            assert (await _next(socket_, "error"))["data"]["error"] == "unsupported_frame"
        # ...and the chat sockets (either path) had no notification frame: the next frame is this one.
        await publish(uuid.UUID(b["id"]), {"type": "message", "data": {"marker": True}})
        for device in (phone, laptop, tablet, watch):
            assert json.loads(await asyncio.wait_for(device.recv(), RECEIVE_TIMEOUT))["data"] == {
                "marker": True
            }


async def test_connections_without_a_valid_ticket_are_closed_with_1008(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    one, two = instances
    _, headers = await signed_up(client, "client")

    for path in ("/ws/chat", "/v1/ws/chat", "/ws/notifications", "/v1/ws/notifications"):
        for query in ("", "?ticket=", "?ticket=forged-ticket-value", f"?ticket={'x' * 500}"):
            async with connect(f"{one.ws_base}{path}{query}") as ws:
                assert await _close_code(ws) == 1008, (path, query)

    ticket = await _ticket(http, one, headers)
    async with connect(f"{two.ws_base}/ws/chat?ticket={ticket}") as ws:  # valid on any instance, once
        await ws.send(json.dumps({"type": "bogus", "data": {}}))
        assert (await _next(ws, "error"))["data"]["error"] == "unknown_type"
    async with connect(f"{one.ws_base}/ws/chat?ticket={ticket}") as ws:
        assert await _close_code(ws) == 1008  # reused

    expiring = await _ticket(http, one, headers)
    await get_redis().pexpire(f"ws:ticket:{hash_secret_token(expiring)}", 50)
    await asyncio.sleep(0.2)
    async with connect(f"{one.ws_base}/ws/chat?ticket={expiring}") as ws:
        assert await _close_code(ws) == 1008  # expired

    # The access token itself is not a ticket.
    token = headers["Authorization"].removeprefix("Bearer ")
    async with connect(f"{one.ws_base}/ws/chat?ticket={token}") as ws:
        assert await _close_code(ws) == 1008


async def test_malformed_frames_get_an_error_and_the_connection_stays_open(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    one, _ = instances
    _a, a_h = await signed_up(client, "client")
    b, _ = await signed_up(client, "creator")
    _, out_h = await signed_up(client, "client")
    started = await http.post(
        f"{one.base}/v1/conversations", json={"participant_id": b["id"], "message": "hi"}, headers=a_h
    )
    conversation = started.json()

    async with _socket(http, one, out_h) as ws:
        cases = [
            ("not json", "invalid_json"),
            ("[1, 2]", "invalid_frame"),
            ('{"data": {}}', "invalid_frame"),
            ('{"type": "shout", "data": {}}', "unknown_type"),
            ('{"type": "message", "data": {"content": "x"}}', "invalid_frame"),
            ('{"type": "message", "data": {"conversation_id": "nope", "content": "x"}}', "invalid_frame"),
            ('{"type": "typing", "data": {"conversation_id": "nope"}}', "invalid_frame"),
            ('{"type": "typing", "data": {}}', "invalid_frame"),
            ('{"type": "read", "data": {"message_id": -1}}', "invalid_frame"),
            ('{"type": "read", "data": {"message_id": 99999999999999999999999}}', "invalid_frame"),
            ("[" * 100_00 + "]" * 100_00, "invalid_json"),
            # Someone else's conversation and message: as over HTTP, they do not exist for me.
            (
                json.dumps({"type": "typing", "data": {"conversation_id": conversation["id"]}}),
                "conversation_not_found",
            ),
            (
                json.dumps({"type": "read", "data": {"message_id": conversation["last_message"]["id"]}}),
                "message_not_found",
            ),
            (
                json.dumps(
                    {"type": "message", "data": {"conversation_id": conversation["id"], "content": "x"}}
                ),
                "conversation_not_found",
            ),
        ]
        for text, code in cases:
            await ws.send(text)
            error = await _next(ws, "error")
            assert error["data"]["error"] == code, (text[:80], error)
            assert set(error["data"]) == {"error", "message", "details"}
        # A refused message names its client_id, so that the client knows which one failed.
        intrusion = {"conversation_id": conversation["id"], "content": "x", "client_id": "mine-1"}
        await ws.send(json.dumps({"type": "message", "data": intrusion}))
        error = await _next(ws, "error")
        assert (error["data"]["error"], error["data"]["client_id"]) == ("conversation_not_found", "mine-1")
        await ws.send(b"\x00\x01binary")
        assert (await _next(ws, "error"))["data"]["error"] == "invalid_frame"

        # Still open and working after all that; nothing changed.
        await publish(uuid.UUID(await _user_id(http, one, out_h)), {"type": "message", "data": {"ok": True}})
        assert (await _next(ws, "message"))["data"] == {"ok": True}
    me = (await http.get(f"{one.base}/v1/conversations/{conversation['id']}", headers=a_h)).json()
    assert me["participant_last_read_message_id"] is None
    assert me["last_message"]["content"] == "hi"


async def test_messages_sent_over_the_socket_reach_the_other_instance_once(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    one, two = instances
    a, a_h, b, b_h = await pair(client)
    cid = (await start_conversation(client, a_h, b["id"]))["id"]

    async with _socket(http, one, a_h) as a_ws, _socket(http, two, b_h) as b_ws:
        sent = {
            "type": "message",
            "data": {"conversation_id": cid, "content": "Over the socket", "client_id": "s-1"},
        }
        await a_ws.send(json.dumps(sent))
        received = await _next(b_ws, "message")
        assert (received["data"]["content"], received["data"]["sender_id"]) == ("Over the socket", a["id"])
        ack = await _next(a_ws, "message")  # the sender's own sockets: the acknowledgement
        assert (ack["data"]["id"], ack["data"]["client_id"]) == (received["data"]["id"], "s-1")

        # The client lost its connection before the ack and sends again: acknowledged again, stored once.
        await a_ws.send(json.dumps(sent))
        again = await _next(a_ws, "message")
        assert again["data"]["id"] == received["data"]["id"]
        changed = {**sent, "data": {**sent["data"], "content": "Something else"}}
        await a_ws.send(json.dumps(changed))
        refused = await _next(a_ws, "error")
        assert (refused["data"]["error"], refused["data"]["client_id"]) == ("client_id_reused", "s-1")

        await a_ws.send(json.dumps({"type": "message", "data": {"conversation_id": cid, "content": "next"}}))
        assert (await _next(b_ws, "message"))["data"]["content"] == "next"  # no second copy before it

    page = (await http.get(f"{two.base}/v1/conversations/{cid}/messages", headers=b_h)).json()
    assert [m["content"] for m in page["items"]] == ["next", "Over the socket"]


async def test_a_socket_of_a_logged_out_session_is_closed_at_its_next_frame(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    one, _ = instances
    _a, a_h, b, b_h = await pair(client)
    cid = (await start_conversation(client, a_h, b["id"]))["id"]
    async with _socket(http, one, a_h) as ws:
        assert (await http.post(f"{one.base}/v1/auth/logout", headers=a_h)).status_code == 204
        await ws.send(json.dumps({"type": "message", "data": {"conversation_id": cid, "content": "after"}}))
        assert await _close_code(ws) == 1008
    page = (await http.get(f"{one.base}/v1/conversations/{cid}/messages", headers=b_h)).json()
    assert page["items"] == []


async def _user_id(http: httpx.AsyncClient, instance: Instance, headers: dict[str, str]) -> str:
    return str((await http.get(f"{instance.base}/v1/users/me", headers=headers)).json()["id"])


async def test_an_oversized_frame_closes_with_1009(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    one, _ = instances
    _, headers = await signed_up(client, "client")
    async with _socket(http, one, headers) as ws:
        await ws.send(json.dumps({"type": "typing", "data": {"pad": "x" * (64 * 1024)}}))
        assert await _close_code(ws) == 1009


async def _stalled_socket(instance: Instance, ticket: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads (tiny receive buffer)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, ("127.0.0.1", instance.port))
    request = (
        f"GET /ws/chat?ticket={ticket} HTTP/1.1\r\nHost: 127.0.0.1:{instance.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    )
    await loop.sock_sendall(sock, request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += await asyncio.wait_for(loop.sock_recv(sock, 1), RECEIVE_TIMEOUT)
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock


async def test_a_slow_client_is_dropped_without_slowing_the_others(
    client: httpx.AsyncClient, http: httpx.AsyncClient, instances: tuple[Instance, Instance]
) -> None:
    one, _ = instances
    b, b_h = await signed_up(client, "creator")
    frames, pad = 600, "x" * 60_000
    slow = await _stalled_socket(one, await _ticket(http, one, b_h))
    try:
        async with _socket(http, one, b_h) as fast:
            await asyncio.sleep(0.3)
            started = time.monotonic()
            for i in range(frames):
                await publish(uuid.UUID(b["id"]), {"type": "message", "data": {"i": i, "pad": pad}})
            received = [(await _next(fast, "message"))["data"]["i"] for _ in range(frames)]
            assert received == list(range(frames))  # all of them, in order, while the other stalls
            assert time.monotonic() - started < 30
        deadline = time.monotonic() + 10
        while "ws_send_queue_overflow" not in one.output():
            assert time.monotonic() < deadline, one.output()
            await asyncio.sleep(0.1)
    finally:
        slow.close()


async def test_heartbeats_drop_a_dead_connection_and_its_user_goes_offline(
    client: httpx.AsyncClient,
    http: httpx.AsyncClient,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A client that stopped answering pings (a vanished phone, a cut network) is dropped."""
    quick = Instance(
        settings,
        tmp_path_factory.mktemp("heartbeat"),
        # Dropped ~4 s after connecting: room to see it online first on a busy machine (0.5 + 1 s
        # dropped it before the first read once), well inside RECEIVE_TIMEOUT.
        WS_PING_INTERVAL_SECONDS="1",
        WS_PING_TIMEOUT_SECONDS="3",
    )
    try:
        quick.wait_ready()
        b, b_h = await signed_up(client, "creator")
        dead = await _stalled_socket(quick, await _ticket(http, quick, b_h))  # never answers a ping
        try:
            assert (await http.get(f"{quick.base}/v1/users/{b['id']}")).json()["online"] is True
            loop = asyncio.get_running_loop()
            started = time.monotonic()
            while await asyncio.wait_for(loop.sock_recv(dead, 65536), RECEIVE_TIMEOUT):
                pass  # pings (unanswered), until the server hangs up
            assert time.monotonic() - started < RECEIVE_TIMEOUT
        finally:
            dead.close()
        deadline = time.monotonic() + RECEIVE_TIMEOUT
        while (profile := (await http.get(f"{quick.base}/v1/users/{b['id']}")).json())["online"]:
            assert time.monotonic() < deadline, "still online after the server dropped the socket"
            await asyncio.sleep(0.1)
        assert profile["last_seen_at"] is not None
    finally:
        quick.stop()
    assert "Traceback" not in quick.output(), quick.output()
