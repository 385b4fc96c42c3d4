"""Local stand-ins for an OpenTelemetry collector (OTLP/HTTP) and Sentry's ingest, speaking their
wire formats: what `reelbyte serve` sends them is decoded and kept for the tests to read."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

T = TypeVar("T")


@dataclass
class Span:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]
    status_code: int
    service: str
    events: list[str] = field(default_factory=list)


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def decode_spans(body: bytes) -> list[Span]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    Span(
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        kind=span.kind,
                        attributes={a.key: _value(a.value) for a in span.attributes},
                        status_code=span.status.code,
                        service=str(resource.get("service.name")),
                        events=[event.name for event in span.events],
                    )
                )
    return spans


def parse_envelope(body: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """Sentry's envelope: a header line, then items, each a header line and a payload (of the
    header's `length`, or up to the end of the line)."""
    items = []
    _, _, rest = body.partition(b"\n")
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return items


class Receiver:
    """An HTTP server on a free local port, in a thread; subclasses say what a POST means."""

    def __init__(self) -> None:
        receiver = self
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                status, answer = receiver.received(self.path, body)
                self.send_response(status)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_GET(self) -> None:  # any GET: the target of an outgoing call
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def received(self, path: str, body: bytes) -> tuple[int, bytes]:
        raise NotImplementedError

    def __enter__(self: T) -> T:
        assert isinstance(self, Receiver)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class OtlpReceiver(Receiver):
    """`POST /v1/traces` with an ExportTraceServiceRequest (protobuf), as the SDK's exporter sends."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[Span] = []
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def received(self, path: str, body: bytes) -> tuple[int, bytes]:
        if path != "/v1/traces":
            return 404, b""
        with self.lock:
            self.spans.extend(decode_spans(body))
        return 200, ExportTraceServiceResponse().SerializeToString()

    def spans_where(self, found: Callable[[list[Span]], T | None], timeout: float = 20.0) -> T:
        """Wait until `found(spans so far)` is something, and return it."""
        return _wait(lambda: found(list(self.spans)), timeout, lambda: f"spans: {self.spans}")


class SentryIngest(Receiver):
    """`POST /api/<project>/envelope/`, for the DSN `http://key@127.0.0.1:<port>/<project>`."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.dsn = f"http://public@127.0.0.1:{self.port}/1"

    def received(self, path: str, body: bytes) -> tuple[int, bytes]:
        if path != "/api/1/envelope/":
            return 404, b""
        with self.lock:
            self.raw.append(body)
            self.events.extend(
                json.loads(payload)
                for header, payload in parse_envelope(body)
                if header.get("type") == "event"
            )
        return 200, b"{}"

    def event_where(self, matches: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> dict[str, Any]:
        return _wait(
            lambda: next((event for event in list(self.events) if matches(event)), None),
            timeout,
            lambda: f"events: {self.events}",
        )


def _wait(probe: Callable[[], T | None], timeout: float, describe: Callable[[], str]) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result is not None and result != []:
            return result
        time.sleep(0.1)
    raise AssertionError(f"not received within {timeout:.0f}s; {describe()}")


def spans_named(spans: list[Span], name: str) -> Iterator[Span]:
    return (span for span in spans if span.name == name)
