"""The uvicorn server `reelbyte serve` runs (core.server.uvicorn_config), served for real on a
port: it believes no X-Forwarded-For of its own, and refuses an oversized WebSocket handshake at
once instead of holding the connection open."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from reelbyte.core.config import Settings
from reelbyte.core.ratelimit import client_ip
from reelbyte.core.server import uvicorn_config
from reelbyte.messaging.ws import MAX_FRAME_BYTES

ANSWER_WITHIN = 3.0


async def _whoami(request: Request) -> JSONResponse:
    return JSONResponse(
        {"peer": request.client.host if request.client else None, "client_ip": client_ip(request)}
    )


async def _chat(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[uvicorn.Config, int]]:
    """A tiny app behind exactly the uvicorn configuration `serve` builds."""
    app = Starlette(routes=[Route("/whoami", _whoami), WebSocketRoute("/ws/chat", _chat)])
    port = _free_port()
    config = uvicorn_config(app, "127.0.0.1", port, Settings(_env_file=None), MAX_FRAME_BYTES)  # type: ignore[call-arg]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield config, port
    finally:
        server.should_exit = True
        thread.join(10)


def _exchange(port: int, request: bytes) -> tuple[bytes, float]:
    """Send `request`, read until the server answers and closes (or the timeout); (answer, seconds)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN + 2) as sock:
        sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and b"HTTP/1.1 101" in received:
                    break  # an open WebSocket stays open
        except TimeoutError:
            pass
    return received, time.monotonic() - started


def _upgrade(path: str, extra_headers: str = "") -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra_headers}\r\n"
    ).encode()


def test_uvicorn_believes_no_forwarded_header(served: tuple[uvicorn.Config, int]) -> None:
    config, port = served
    request = b"GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.50\r\nConnection: close\r\n\r\n"
    answer, _ = _exchange(port, request)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    # uvicorn's default would have made the peer 203.0.113.50, and so every per-IP limit the forger's.
    assert b'"peer":"127.0.0.1"' in answer, answer
    assert b'"client_ip":"127.0.0.1"' in answer
    assert config.proxy_headers is False


def test_a_normal_websocket_upgrade_still_opens(served: tuple[uvicorn.Config, int]) -> None:
    _, port = served
    answer, _ = _exchange(port, _upgrade("/ws/chat?ticket=abc"))
    assert answer.startswith(b"HTTP/1.1 101"), answer[:200]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/ws/chat?ticket=" + "a" * 9000, "", b"414"),
        ("/ws/chat?ticket=" + "a" * 70000, "", b"414"),
        ("/ws/chat", "X-Padding: " + "b" * 9000 + "\r\n", b"431"),
    ],
    ids=["request line over 8 KiB", "request line over 64 KiB", "header over 8 KiB"],
)
def test_an_oversized_websocket_handshake_is_refused_at_once(
    served: tuple[uvicorn.Config, int], path: str, headers: str, status: bytes
) -> None:
    _, port = served
    answer, seconds = _exchange(port, _upgrade(path, headers))
    assert seconds < ANSWER_WITHIN, f"held open {seconds:.1f}s"
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
