"""Pure ASGI middleware: the edge every request passes (trusted hosts, request ids, access logs,
metrics, security headers, NUL characters) and the layers only some requests need (CORS, the
body size limit, NUL characters in bodies)."""

from __future__ import annotations

import functools
import json
import os
import re
import time
from abc import ABC, abstractmethod
from typing import Any
from urllib.parse import unquote_to_bytes

import structlog
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware as _StarletteCORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reelbyte.core.errors import ControlCharacters, InternalError, error_response
from reelbyte.core.logging import REQUEST_ID
from reelbyte.core.metrics import http_requests
from reelbyte.core.telemetry import annotate_request, report_exception

log = structlog.get_logger("reelbyte.http")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = [
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
# Swagger UI and ReDoc load their scripts from a CDN, so those pages get a looser policy.
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    b"img-src 'self' data: https:; font-src 'self' https://fonts.gstatic.com; "
    b"worker-src 'self' blob:; frame-ancestors 'none'"
)
HTML_PAGES = ("/docs", "/redoc", "/account/", "/sandbox/", "/payments/return/")


def _route_template(scope: Scope) -> str:
    # Since FastAPI 0.137 scope["route"].path of an included router's route lacks the prefixes
    # given to include_router(); the effective route context has the full path.
    context = scope.get("fastapi", {}).get("effective_route_context")
    route = scope.get("route")
    return getattr(context, "path", None) or getattr(route, "path", None) or "unmatched"


class HttpMiddleware(ABC):
    """A pure-ASGI middleware of HTTP requests (`handle`); WebSocket and lifespan scopes pass."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    @abstractmethod
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None: ...


class EdgeMiddleware:
    """The duties every request has, in one layer, and a door to the layers only some need.

    Every HTTP request: refused unless its host is trusted (400) or if its path, query or
    headers hold a NUL character (422); given an id (the client's X-Request-ID if sane) that
    its log lines and its response carry; timed, counted and logged; answered with the
    security headers; any unhandled exception turned into the standard 500. Only a request
    with an Origin header goes through CORS, and only one with a body through the body size
    limit and the NUL check of its body: most requests are body-less GETs from the web app's
    own origin, and each layer a request passes through costs it a few microseconds of CPU
    (bench/layers.py), so the cheap duties share one pass and the rest are skipped when they
    have nothing to do. WebSocket handshakes get the host check; lifespan passes."""

    def __init__(
        self, app: ASGIApp, *, allowed_hosts: list[str], cors: dict[str, Any], max_body_bytes: int
    ) -> None:
        self.app = app
        self.hosts = _TrustedHosts(allowed_hosts)
        self.with_body = BodySizeLimitMiddleware(NulInBodyMiddleware(app), max_bytes=max_body_bytes)
        self.cross_origin = CORSMiddleware(self.with_body, **cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket" and not self.hosts.allow(_RequestHead(scope).host):
            await _refuse_host(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        head = _RequestHead(scope)
        request_id = head.request_id or os.urandom(16).hex()  # as random as a UUID4
        context = REQUEST_ID.set(request_id)
        annotate_request(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        extra_headers = _response_headers(scope["path"], request_id, vary_origin=not head.origin)

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in extra_headers if header[0] not in present)
                message["headers"] = headers
            await send(message)

        try:
            await self._route(scope, head)(scope, receive, send_with_headers)
        except Exception as error:
            log.exception("unhandled_error", path=scope["path"], method=scope["method"])
            report_exception(error)
            if response_started:
                raise
            response = error_response(InternalError.status_code, InternalError.code, InternalError.message)
            await response(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            http_requests.record(scope["method"], _route_template(scope), status, elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            REQUEST_ID.reset(context)

    def _route(self, scope: Scope, head: _RequestHead) -> ASGIApp:
        """What answers the request: a refusal, or the app through the layers it needs."""
        if not self.hosts.allow(head.host):
            return _refuse_host
        where = _nul_in_head(scope, head)
        if where is not None:
            return functools.partial(_refuse_nul, where)
        if head.origin:
            return self.cross_origin
        return self.with_body if head.has_body else self.app


class _RequestHead:
    """What the edge reads from a request's headers, in one pass over them."""

    __slots__ = ("has_body", "host", "nul_in_header", "origin", "request_id")

    def __init__(self, scope: Scope) -> None:
        self.request_id: str | None = None
        self.host = b""
        self.origin = False
        self.has_body = False
        self.nul_in_header = False
        for name, value in scope["headers"]:
            if b"\x00" in value:
                self.nul_in_header = True
            if name == b"host":
                self.host = value
            elif name == b"origin":
                self.origin = True
            elif name == b"x-request-id":
                candidate = value.decode("latin-1")
                self.request_id = candidate if _VALID_REQUEST_ID.match(candidate) else None
            elif _declares_body(name, value):
                self.has_body = True


def _response_headers(path: str, request_id: str, *, vary_origin: bool) -> list[tuple[bytes, bytes]]:
    """The headers the edge adds to every response (unless the app set them already)."""
    return [
        (b"x-request-id", request_id.encode()),
        *_STATIC_HEADERS[path.startswith(HTML_PAGES), vary_origin],
    ]


# By (an HTML page?, Vary: Origin?): the security headers and the content policy, built once.
# Without an Origin header CORS is skipped, so the edge says what CORS would: the answer may
# vary with the Origin.
_STATIC_HEADERS: dict[tuple[bool, bool], tuple[tuple[bytes, bytes], ...]] = {
    (is_page, vary_origin): (
        *SECURITY_HEADERS,
        (b"content-security-policy", PAGE_CSP if is_page else API_CSP),
        *([(b"vary", b"Origin")] if vary_origin else []),
    )
    for is_page in (False, True)
    for vary_origin in (False, True)
}


class BodySizeLimitMiddleware(HttpMiddleware):
    """Refuses request bodies over `max_bytes` with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes
        self.message = f"The request body is larger than {max_bytes} bytes."

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(413, self.message)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "payload_too_large", self.message)
        await response(scope, receive, send)


class _BodyTooLarge(HTTPException):
    """An HTTPException, so that FastAPI's body parsing passes it on (it turns any other error
    into a 400) and the error handlers answer 413."""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class _TrustedHosts:
    """The host names the app answers to (`*.example.com` matches subdomains)."""

    def __init__(self, allowed_hosts: list[str]) -> None:
        self.allow_any = "*" in allowed_hosts
        self.patterns = [host.lower() for host in allowed_hosts]

    def allow(self, host_header: bytes) -> bool:
        if self.allow_any:
            return True
        host = host_header.decode("latin-1").lower().rsplit(":", 1)[0] if b"]" not in host_header else ""
        return any(
            host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
            for pattern in self.patterns
        )


async def _refuse_host(scope: Scope, receive: Receive, send: Send) -> None:
    response = error_response(400, "invalid_host", "This server does not answer to that host name.")
    await response(scope, receive, send)


class CORSMiddleware(_StarletteCORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the standard error format."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        reason = bytes(response.body).decode()
        headers = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        return error_response(400, "cors_rejected", f"{reason}.", headers=headers)


# A JSON string escape for NUL (U+0000), not itself escaped (`\\u0000` is a backslash and "u0000").
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_FORM_NUL = re.compile(rb"%00|\x00")


class NulInBodyMiddleware(HttpMiddleware):
    """Refuses a NUL character in a request's text body with 422 `control_characters`.

    PostgreSQL text cannot hold NUL, so a NUL in any field that reaches the database would end
    in a 500. Checked once, at the edge, as the app will decode them: the path, the query
    string and the header values (EdgeMiddleware) and, here, text bodies (JSON, URL-encoded
    forms, multipart fields that are not files). File parts and other bodies (binary uploads)
    pass untouched."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        has_body = any(_declares_body(name, value) for name, value in scope["headers"])
        kind = _text_body_kind(scope) if has_body else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        body, replay = await _buffered(receive)
        if await _nul_in_body(kind, body, scope):
            await _refuse_nul("body", scope, replay, send)
            return
        await self.app(scope, replay, send)


def _nul_in_head(scope: Scope, head: _RequestHead) -> str | None:
    if "\x00" in scope["path"]:
        return "path"
    if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        return "query"
    return "header" if head.nul_in_header else None


def _declares_body(name: bytes, value: bytes) -> bool:
    """HTTP/1.1 sends a body only with a Content-Length above 0 or a Transfer-Encoding."""
    return name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"0", b""))


def _text_body_kind(scope: Scope) -> str | None:
    """`json`, `form` or `multipart` for the bodies the app reads as text, else None."""
    content_type = Headers(scope=scope).get("content-type")
    if content_type is None:
        return "json"  # FastAPI reads a body without a content type as JSON
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return "json"
    if media_type == "application/x-www-form-urlencoded":
        return "form"
    if media_type == "multipart/form-data":
        return "multipart"
    return None


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a `receive` that hands it over again before the real one."""
    chunks: list[bytes] = []
    pending: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending.append(message)  # the client went away: let the app see that
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    pending.insert(0, {"type": "http.request", "body": body, "more_body": False})

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return body, replay


async def _nul_in_body(kind: str, body: bytes, scope: Scope) -> bool:
    if kind == "json":
        try:
            text = body.decode(json.detect_encoding(body), "surrogatepass")
        except UnicodeDecodeError:
            return False  # not JSON: the app refuses it as such
        return _JSON_NUL.search(text) is not None
    if kind == "form":
        return _FORM_NUL.search(body) is not None
    return await _nul_in_multipart_fields(scope, body)


async def _nul_in_multipart_fields(scope: Scope, body: bytes) -> bool:
    async def once() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(scope, once).form() as form:
            return any(isinstance(value, str) and "\x00" in value for _, value in form.multi_items())
    except Exception:  # a malformed multipart body: FastAPI answers it (400) when it parses it
        return False


async def _refuse_nul(where: str, scope: Scope, receive: Receive, send: Send) -> None:
    response = error_response(
        ControlCharacters.status_code,
        ControlCharacters.code,
        f"The request's {where} contains a NUL character (U+0000), which text cannot hold.",
        {"location": where},
    )
    await response(scope, receive, send)
