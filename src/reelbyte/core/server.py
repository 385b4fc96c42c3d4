"""How `reelbyte serve` runs uvicorn: who may set the client address, and WebSocket handshakes
that are refused at once instead of left hanging."""

from __future__ import annotations

from typing import Any

import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from reelbyte.core.config import Settings


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, answering a handshake the `websockets` parser refuses.

    A request line or header over 8 KiB makes `websockets` write a 414 or 431 refusal (or, for
    a request it cannot read at all, an end of stream), but uvicorn flushes the parser's output
    only after a complete request, so the refusal stayed unsent and the client waited ~90 s."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if (
            not self.handshake_initiated
            and self.conn.handshake_exc is not None
            and not self.transport.is_closing()
        ):
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()


def uvicorn_config(
    app: Any, host: str, port: int, settings: Settings, max_frame_bytes: int
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1, so a local client could
        # pick its own address and dodge the per-IP limits: only TRUSTED_PROXIES decides
        # (core.ratelimit.client_ip).
        proxy_headers=False,
        # Longer than nginx's upstream keepalive_timeout (deploy/nginx/reelbyte.conf): the proxy
        # drops an idle connection first, never sends a request on one being closed here.
        timeout_keep_alive=5,
        ws=WebSocketProtocol,
        # Refuse an oversized WebSocket frame (1009) before reading it whole, and drop dead sockets.
        ws_max_size=max_frame_bytes,
        ws_ping_interval=settings.ws_ping_interval_seconds,
        ws_ping_timeout=settings.ws_ping_timeout_seconds,
    )
