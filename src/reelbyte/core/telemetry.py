"""Traces (OpenTelemetry, exported over OTLP/HTTP) and error reports (Sentry), each only when set.

`configure_telemetry()` runs once per process, at the entry point (`reelbyte serve`, `reelbyte
worker`). Unset (OTEL_EXPORTER_OTLP_ENDPOINT, SENTRY_DSN), nothing is instrumented and the hooks
below return at once: no span, no exporter, no per-request work.

A traced request's context travels into the jobs it defers: `defer()` stores the W3C
`traceparent` among the job's arguments (`TRACE_CONTEXT_KWARG`), and the worker middleware
`run_job()` takes it out again before the task sees its arguments, so the job's span is a child
of the request's, in the same trace.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import structlog

# Nothing of OpenTelemetry or Sentry is imported here: a process without them pays nothing, not
# even the imports (the CLI loads this module through core/logging.py).
if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from procrastinate.job_context import JobContext
    from sentry_sdk.types import Event, Hint

    from reelbyte.core.config import Settings
    from reelbyte.core.db import Database

log = structlog.get_logger(__name__)

TRACE_CONTEXT_KWARG = "_trace_context"
# Probes and scrapes come every few seconds and say nothing about the work: never traced.
EXCLUDED_URLS = r"/health$,/health/ready$,/metrics$"
# Never sent to Sentry, whatever the SDK's own filter does.
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "x-api-key", "proxy-authorization"})

_provider: TracerProvider | None = None
_sentry = False


def release() -> str:
    return importlib.metadata.version("reelbyte")


def configure_telemetry(settings: Settings, *, service: str) -> None:
    """Start tracing and error reporting as configured; `service` names this process in traces
    unless OTEL_SERVICE_NAME does."""
    if settings.otel_exporter_otlp_endpoint and _provider is None:
        _start_tracing(settings, settings.otel_service_name or service, settings.otel_exporter_otlp_endpoint)
    if settings.sentry_dsn and not _sentry:
        _start_sentry(settings, settings.sentry_dsn)


def tracing() -> bool:
    return _provider is not None


def traces_url(endpoint: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL; traces go to its /v1/traces."""
    return endpoint.rstrip("/") + "/v1/traces"


def _start_tracing(settings: Settings, service: str, endpoint: str) -> None:
    global _provider
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    resource = Resource.create(
        {
            "service.name": service,
            "service.version": release(),
            "deployment.environment": settings.environment,
        }
    )
    provider = TracerProvider(
        resource=resource, sampler=ParentBased(TraceIdRatioBased(settings.otel_traces_sampler_arg))
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint))))
    from opentelemetry import trace

    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    log.info("tracing_started", service=service, endpoint=traces_url(endpoint))


def _start_sentry(settings: Settings, dsn: str) -> None:
    global _sentry
    import sentry_sdk
    from sentry_sdk.integrations.fastapi import FastApiIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=settings.sentry_environment or settings.environment,
        release=f"reelbyte@{release()}",
        # 0 means no Sentry tracing at all (None), not "trace, then drop every transaction".
        traces_sample_rate=settings.sentry_traces_sample_rate or None,
        send_default_pii=False,
        max_request_body_size="never",
        # Stack frames' local variables hold the ASGI scope, tokens and passwords (their
        # scrubber matches dict keys, not the scope's header pairs): never sent.
        include_local_variables=False,
        before_send=scrub_event,
        # Only the integrations listed: finding and importing every library Sentry knows took
        # seconds at each start (46 s on a loaded test machine, 2 s with these alone).
        auto_enabling_integrations=False,
        integrations=[
            StarletteIntegration(),
            FastApiIntegration(),
            # Errors are reported where they happen (requests, jobs), not once more per log line.
            LoggingIntegration(event_level=None),
        ],
    )
    _sentry = True
    log.info("error_reporting_started", environment=settings.sentry_environment or settings.environment)


def shutdown_telemetry() -> None:
    """Send what is still buffered (spans, error reports) before the process ends."""
    global _provider, _sentry
    if _provider is not None:
        _provider.shutdown()
        _provider = None
    if _sentry:
        import sentry_sdk

        sentry_sdk.flush(timeout=5)
        _sentry = False


# --- what the app, the database and the jobs call ----------------------------------------


def instrument_app(app: FastAPI) -> None:
    """A server span per request, named by its route template (not for probes and /metrics)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=_provider, excluded_urls=EXCLUDED_URLS, exclude_spans=["receive", "send"]
    )


def instrument_database(database: Database) -> None:
    """A span per SQL statement, on every engine of the process (primary, read, replica)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # The instrumentation declares SQLAlchemy < 2.1 but works with 2.1's engine events.
    SQLAlchemyInstrumentor().instrument(
        engines=[engine.sync_engine for engine in database.engines],
        tracer_provider=_provider,
        skip_dep_check=True,
    )


def annotate_request(request_id: str) -> None:
    """Put the request id on the request's span, to find a logged request's trace and back."""
    if _provider is not None:
        from opentelemetry import trace

        trace.get_current_span().set_attribute("request_id", request_id)


def report_exception(error: BaseException) -> None:
    """Send an unhandled error to Sentry (named 4xx errors are dropped by `scrub_event`)."""
    if _sentry:
        import sentry_sdk

        sentry_sdk.capture_exception(error)


def trace_context() -> dict[str, str] | None:
    """The current trace's W3C headers (`traceparent`), to carry into a job; None untraced."""
    if _provider is None:
        return None
    from opentelemetry import propagate

    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


async def run_job(call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: Any) -> Any:
    """procrastinate worker middleware around every job: takes the deferring request's trace
    context out of the arguments and, when tracing, runs the job in a span of its own."""
    job = context.job
    carrier = job.task_kwargs.pop(TRACE_CONTEXT_KWARG, None)
    if _provider is None:
        return await _reporting(call_next)
    from opentelemetry import propagate
    from opentelemetry.trace import SpanKind

    parent = propagate.extract(carrier) if isinstance(carrier, dict) else None
    attributes: dict[str, str | int] = {
        "messaging.system": "procrastinate",
        "messaging.destination.name": job.queue,
        "messaging.message.id": str(job.id),
        "procrastinate.job.attempts": job.attempts,
    }
    tracer = _provider.get_tracer(__name__)
    with tracer.start_as_current_span(
        job.task_name, context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    ):
        return await _reporting(call_next)


async def _reporting(call_next: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await call_next()
    except Exception as error:  # the span records it as it leaves; Sentry hears of it here
        report_exception(error)
        raise


def add_trace_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the active span's trace and span ids on the log line."""
    if _provider is None:
        return event
    from opentelemetry import trace

    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event["trace_id"] = format(span_context.trace_id, "032x")
        event["span_id"] = format(span_context.span_id, "016x")
    return event


def scrub_event(event: Event, hint: Hint) -> Event | None:
    """Sentry's before_send: drop named client errors, tag the request id, strip secrets."""
    from reelbyte.core.errors import AppError
    from reelbyte.core.logging import REQUEST_ID  # logging imports this module

    exc_info = hint.get("exc_info")
    if exc_info is not None and isinstance(exc_info[1], AppError) and exc_info[1].status_code < 500:
        return None
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event.setdefault("tags", {})["request_id"] = request_id
    request = event.get("request")
    if request is not None:
        _scrub_request(request)
    return event


def _scrub_request(request: dict[str, Any]) -> None:
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            name: value for name, value in headers.items() if name.lower() not in SECRET_HEADERS
        }
    request.pop("cookies", None)
    # Passwords, tokens and private messages travel in many routes' bodies: none is ever sent.
    request.pop("data", None)
