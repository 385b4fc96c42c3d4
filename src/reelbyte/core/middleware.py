"""Pure ASGI middleware: request ids and access logs, security headers, body size, metrics, NUL
characters."""

from __future__ import annotations

import json
import os
import re
import time
from abc import ABC, abstractmethod
from urllib.parse import unquote_to_bytes

import structlog
from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware as _StarletteCORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reelbyte.core.errors import ControlCharacters, InternalError, error_response
from reelbyte.core.metrics import LATENCY, REQUESTS
from reelbyte.core.telemetry import annotate_request, report_exception

log = structlog.get_logger("reelbyte.http")

REQUEST_ID_HEADER = "x-request-id"
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


class RequestContextMiddleware(HttpMiddleware):
    """Gives every request an id (the client's X-Request-ID if sane), logs it, times it, and
    turns any unhandled exception into the standard 500 body, logged with that id."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = _incoming_request_id(scope) or os.urandom(16).hex()  # as random as a UUID4
        structlog.contextvars.bind_contextvars(request_id=request_id)
        annotate_request(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            log.exception("unhandled_error", path=scope["path"], method=scope["method"])
            report_exception(error)
            if response_started:
                raise
            response = error_response(InternalError.status_code, InternalError.code, InternalError.message)
            await response(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            _count(scope["method"], _route_template(scope), status, elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")


_MetricSeries = tuple[Counter, Histogram]
_SERIES: dict[tuple[str, str, int], _MetricSeries] = {}


def _count(method: str, route: str, status: int, elapsed: float) -> None:
    """One request in the metrics. The labelled series are looked up once per method, route
    and status (`labels()` costs a few microseconds that every request would pay)."""
    series = _SERIES.get((method, route, status))
    if series is None:
        series = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
        if len(_SERIES) < 10_000:  # routes are templates: a bounded set, unless something is wrong
            _SERIES[(method, route, status)] = series
    requests, latency = series
    requests.inc()
    latency.observe(elapsed)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_page = any(scope["path"].startswith(prefix) for prefix in HTML_PAGES)
        csp = PAGE_CSP if is_page else API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


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


class TrustedHostMiddleware:
    """Answers only to the configured host names (`*.example.com` matches subdomains)."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allow_any = "*" in allowed_hosts
        self.allowed_hosts = [host.lower() for host in allowed_hosts]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket") or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        response = error_response(400, "invalid_host", "This server does not answer to that host name.")
        await response(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        host = ""
        for name, value in scope.get("headers", []):
            if name == b"host":
                host = value.decode("latin-1").lower().rsplit(":", 1)[0] if b"]" not in value else ""
                break
        return any(
            host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
            for pattern in self.allowed_hosts
        )


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


class NulCharacterMiddleware(HttpMiddleware):
    """Refuses a NUL character anywhere in a request's text with 422 `control_characters`.

    PostgreSQL text cannot hold NUL, so a NUL in any field that reaches the database would end
    in a 500. Checked once, here, as the app will decode them: the path, the query string, the
    header values and text bodies (JSON, URL-encoded forms, multipart fields that are not
    files). File parts and other bodies (binary uploads) pass untouched."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = _nul_in_head(scope)
        if where is not None:
            await _refuse_nul(where, scope, receive, send)
            return
        kind = _text_body_kind(scope) if _has_body(scope) else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        body, replay = await _buffered(receive)
        if await _nul_in_body(kind, body, scope):
            await _refuse_nul("body", scope, replay, send)
            return
        await self.app(scope, replay, send)


def _nul_in_head(scope: Scope) -> str | None:
    if "\x00" in scope["path"]:
        return "path"
    if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        return "query"
    if any(b"\x00" in value for _, value in scope.get("headers", [])):
        return "header"
    return None


def _has_body(scope: Scope) -> bool:
    """HTTP/1.1 sends a body only with a Content-Length above 0 or a Transfer-Encoding."""
    for name, value in scope.get("headers", []):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"0", b"")):
            return True
    return False


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
