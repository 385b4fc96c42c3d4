"""Traces and error reports: a `reelbyte serve` process with OTEL_EXPORTER_OTLP_ENDPOINT and
SENTRY_DSN set, pointed at local stand-ins of a collector and of Sentry's ingest (tests/core/fakes),
and the suite's own app, which runs with both unset.

Tracing is process-wide state (the global tracer provider, patched libraries): it is switched on
only in the server process, never in the test process, so the rest of the suite runs untraced."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from reelbyte.core import telemetry
from reelbyte.core.config import Settings
from reelbyte.core.db import get_database, transaction
from reelbyte.core.errors import AppError, NotFound
from reelbyte.core.jobs import defer
from tests.conftest import PROJECT_ROOT, s3_env
from tests.core.fakes.receivers import OtlpReceiver, SentryIngest, Span

pytestmark = pytest.mark.slow

START_TIMEOUT = 240.0
SERVER_SPAN = 2  # opentelemetry.proto's SpanKind: SPAN_KIND_SERVER
CLIENT_SPAN = 3
CONSUMER_SPAN = 5
STATUS_ERROR = 2
SECRET_TOKEN = "Bearer s3cr3t-access-token"
SECRET_COOKIE = "session=c00kie-value"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class InstrumentedServer:
    """`reelbyte serve` (with the test routes of tests/core/fakes) on the suite's database, Redis
    and S3, with its job worker in-process and telemetry sent to the fakes."""

    def __init__(self, settings: Settings, otlp: OtlpReceiver, sentry: SentryIngest, data_dir: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stderr_path = data_dir / "serve.err"
        assert settings.database_url is not None
        assert settings.redis_url is not None
        env = {key: value for key, value in os.environ.items() if not key.startswith("TEST_")}
        env.update(s3_env(settings))
        env.update(
            {
                "DATABASE_URL": settings.database_url,
                "REDIS_URL": settings.redis_url,
                "REELBYTE_DATA_DIR": str(data_dir),
                "PUBLIC_URL": self.base,
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "INFO",
                # Nothing listens there: the e-mail job fails, as a job with a bug would.
                "EMAIL_BACKEND": "smtp",
                "SMTP_PORT": str(_free_port()),
                "SMTP_TIMEOUT_SECONDS": "2",
                "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "100",  # export within 0.1 s, not 5 s
                "SENTRY_DSN": sentry.dsn,
                "OUTGOING_URL": f"{otlp.endpoint}/ping",
            }
        )
        uv = shutil.which("uv")
        assert uv is not None, "uv is not on PATH"
        script = PROJECT_ROOT / "tests" / "core" / "fakes" / "serve_with_test_routes.py"
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [uv, "run", "python", str(script), "--port", str(self.port), "--no-web", "--worker"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )

    def log(self) -> list[dict[str, Any]]:
        lines = self.stderr_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited\n{self.stderr_path.read_text()[-4000:]}"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise AssertionError(f"not up within {START_TIMEOUT:.0f}s\n{self.stderr_path.read_text()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@pytest.fixture(scope="module")
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def sentry() -> Iterator[SentryIngest]:
    with SentryIngest() as ingest:
        yield ingest


@pytest.fixture(scope="module")
def server(settings: Settings, otlp: OtlpReceiver, sentry: SentryIngest) -> Iterator[InstrumentedServer]:
    data_dir = Path(tempfile.mkdtemp(prefix="rb-otel-", dir="/tmp"))
    instance = InstrumentedServer(settings, otlp, sentry, data_dir)
    try:
        instance.wait_ready()
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _registration() -> dict[str, str]:
    name = f"traced-{uuid.uuid4().hex[:8]}"
    return {
        "email": f"{name}@example.com",
        "username": name,
        "password": "Sup3r!Secret-pass",
        "full_name": "Traced User",
        "role": "client",
    }


def _server_span(spans: list[Span], request_id: str) -> Span | None:
    return next(
        (s for s in spans if s.kind == SERVER_SPAN and s.attributes.get("request_id") == request_id), None
    )


def test_a_request_is_a_server_span_with_sql_and_job_spans_in_its_trace(
    server: InstrumentedServer, otlp: OtlpReceiver
) -> None:
    request_id = f"register-{uuid.uuid4().hex[:8]}"
    response = httpx.post(
        f"{server.base}/v1/auth/register", json=_registration(), headers={"X-Request-ID": request_id}
    )
    assert response.status_code == 201, response.text

    request_span = otlp.spans_where(lambda spans: _server_span(spans, request_id))
    assert request_span.name == "POST /v1/auth/register"
    assert request_span.service == "reelbyte-api"
    assert request_span.attributes["http.route"] == "/v1/auth/register"
    status = request_span.attributes.get(
        "http.status_code", request_span.attributes.get("http.response.status_code")
    )
    assert status == 201

    def sql_children(spans: list[Span]) -> list[Span]:
        return [s for s in spans if s.parent_span_id == request_span.span_id and "db.system" in s.attributes]

    statements = otlp.spans_where(sql_children)
    assert all(s.trace_id == request_span.trace_id for s in statements)
    assert any("INSERT INTO users" in str(s.attributes.get("db.statement", "")) for s in statements)

    # The e-mail job it deferred runs in the worker: a span of the same trace, its child. Nothing
    # listens on SMTP_PORT, so the job fails and its span says so.
    def job_span(spans: list[Span]) -> Span | None:
        return next(
            (s for s in spans if s.name == "send_email" and s.trace_id == request_span.trace_id), None
        )

    job = otlp.spans_where(job_span, timeout=40)
    assert job.kind == CONSUMER_SPAN
    assert job.parent_span_id == request_span.span_id
    assert job.attributes["messaging.destination.name"] == "email"
    assert job.attributes["procrastinate.job.attempts"] == 0
    assert job.status_code == STATUS_ERROR
    assert "exception" in job.events

    # The request's log line carries the trace id, to go from a log line to its trace.
    lines = [
        line
        for line in server.log()
        if line.get("request_id") == request_id and line.get("event") == "request"
    ]
    assert lines, "no request log line"
    assert lines[0]["trace_id"] == request_span.trace_id


def test_an_outgoing_httpx_call_is_a_client_span_of_the_request(
    server: InstrumentedServer, otlp: OtlpReceiver
) -> None:
    request_id = f"outgoing-{uuid.uuid4().hex[:8]}"
    response = httpx.get(f"{server.base}/v1/outgoing", headers={"X-Request-ID": request_id})
    assert response.json() == {"status": 204}

    request_span = otlp.spans_where(lambda spans: _server_span(spans, request_id))

    def client_span(spans: list[Span]) -> Span | None:
        return next(
            (s for s in spans if s.kind == CLIENT_SPAN and s.parent_span_id == request_span.span_id), None
        )

    call = otlp.spans_where(client_span)
    assert call.name == "GET"
    assert call.trace_id == request_span.trace_id
    assert str(call.attributes.get("url.full", call.attributes.get("http.url"))).endswith("/ping")


def test_probes_are_not_traced(server: InstrumentedServer, otlp: OtlpReceiver) -> None:
    assert httpx.get(f"{server.base}/health").status_code == 200
    marker = f"after-probe-{uuid.uuid4().hex[:8]}"
    httpx.get(f"{server.base}/v1/categories", headers={"X-Request-ID": marker})
    otlp.spans_where(lambda spans: _server_span(spans, marker))  # exported after the probe's would be
    assert not [s for s in otlp.spans if s.kind == SERVER_SPAN and "health" in s.name]


def _exception_types(event: dict[str, Any]) -> list[str]:
    return [value.get("type", "") for value in event.get("exception", {}).get("values", [])]


def test_unhandled_errors_reach_sentry_without_secrets_and_named_errors_do_not(
    server: InstrumentedServer, sentry: SentryIngest
) -> None:
    not_found = httpx.get(f"{server.base}/v1/gigs/{uuid.uuid4()}")
    invalid = httpx.post(f"{server.base}/v1/auth/register", json={"email": "not an address"})
    assert (not_found.status_code, invalid.status_code) == (404, 422)

    request_id = f"boom-{uuid.uuid4().hex[:8]}"
    response = httpx.get(
        f"{server.base}/v1/boom",
        headers={"X-Request-ID": request_id, "Authorization": SECRET_TOKEN, "Cookie": SECRET_COOKIE},
    )
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"

    event = sentry.event_where(lambda e: e.get("tags", {}).get("request_id") == request_id)
    assert _exception_types(event) == ["RuntimeError"]
    assert event["request"]["url"].endswith("/v1/boom")
    headers = {name.lower() for name in event["request"].get("headers", {})}
    assert not headers & {"authorization", "cookie"}
    assert "cookies" not in event["request"]
    assert event["release"].startswith("reelbyte@")
    sent = b"".join(sentry.raw)  # anywhere: headers, frames' local variables, breadcrumbs
    assert b"s3cr3t-access-token" not in sent
    assert b"c00kie-value" not in sent

    named = {cls.__name__ for cls in AppError.registry.values()} | {"RequestValidationError", "HTTPException"}
    reported = {kind for e in sentry.events for kind in _exception_types(e)}
    assert not reported & named, reported


def test_a_failing_job_reaches_sentry(server: InstrumentedServer, sentry: SentryIngest) -> None:
    response = httpx.post(f"{server.base}/v1/auth/register", json=_registration())
    assert response.status_code == 201, response.text

    # aiosmtplib's error for the SMTP server nobody runs, from the send_email job.
    event = sentry.event_where(lambda e: any(t.startswith("SMTP") for t in _exception_types(e)), timeout=40)
    frames = event["exception"]["values"][-1].get("stacktrace", {}).get("frames", [])
    assert any(frame.get("function") == "send_email" for frame in frames)


# --- telemetry unset: the suite's own app and worker ----------------------------------------


async def test_with_nothing_set_nothing_is_instrumented(app: FastAPI, client: httpx.AsyncClient) -> None:
    from opentelemetry import trace
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from sqlalchemy import event

    assert not telemetry.tracing()
    assert type(trace.get_tracer_provider()).__name__ == "ProxyTracerProvider"  # the API's no-op default
    assert not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)  # no server spans
    engine = get_database().engine.sync_engine
    assert not any("opentelemetry" in repr(listener) for listener in _engine_listeners(engine, event))

    assert (await client.get("/v1/categories")).status_code == 200

    async def defer_one(session: Any) -> None:
        await defer(session, "send_email", to="nobody@example.com", template="verify_email", context={})

    await transaction(defer_one)
    async with get_database().engine.connect() as connection:
        args = (await connection.execute(text("SELECT args FROM procrastinate_jobs"))).scalar_one()
    assert telemetry.TRACE_CONTEXT_KWARG not in args


def _engine_listeners(engine: Any, event: Any) -> list[Any]:
    return [
        listener
        for name in ("before_cursor_execute", "after_cursor_execute")
        for listener in getattr(engine.dispatch, name)
        if event.contains(engine, name, listener)
    ]


# --- the before_send filter ------------------------------------------------------------------


def _event(url: str) -> dict[str, Any]:
    return {
        "request": {
            "url": url,
            "headers": {
                "Authorization": SECRET_TOKEN,
                "Cookie": SECRET_COOKIE,
                "X-API-Key": "rb_live_x",
                "Accept": "*/*",
            },
            "cookies": {"session": "c00kie-value"},
            "data": {"password": "Sup3r!Secret-pass"} if "/auth/" in url else {"title": "A gig"},
        }
    }


def test_the_filter_strips_secrets_and_every_request_body() -> None:
    scrubbed = telemetry.scrub_event(_event("http://api.example/v1/auth/login"), {})  # type: ignore[arg-type]
    assert scrubbed is not None
    assert scrubbed["request"]["headers"] == {"Accept": "*/*"}
    assert "cookies" not in scrubbed["request"]
    assert "data" not in scrubbed["request"]

    other = telemetry.scrub_event(_event("http://api.example/v1/gigs"), {})  # type: ignore[arg-type]
    assert other is not None
    assert "data" not in other["request"]
    assert other["request"]["headers"] == {"Accept": "*/*"}


def test_the_filter_drops_named_client_errors_only() -> None:
    def hint(error: BaseException) -> Any:
        return {"exc_info": (type(error), error, None)}

    assert telemetry.scrub_event({}, hint(NotFound())) is None
    assert telemetry.scrub_event({}, hint(RuntimeError("bug"))) is not None
