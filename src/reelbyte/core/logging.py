"""structlog set-up: JSON lines (or readable console lines) carrying the request id.

Our own events (structlog loggers) are rendered by structlog and written straight to stderr:
no stdlib `logging` record, handler or lock on the way, and events below the level cost a no-op
call. Every request logs a line, so that path must be cheap (bench/layers.py: through stdlib
logging the line was a fifth of `/health`'s cost). Libraries' stdlib records (uvicorn,
SQLAlchemy, procrastinate) go through a stdlib handler that renders them the same way.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import orjson
import structlog

from reelbyte.core.telemetry import add_trace_ids

# Libraries whose INFO lines are noise to us: the embedded PostgreSQL logs every command it runs,
# with its whole output, over many lines (the CLI says in one line what it starts), and Alembic
# each plugin it loads (its migration lines stay).
QUIET_LOGGERS = ("uvicorn.access", "procrastinate", "pgserver", "alembic.runtime.plugins")

# The id of the request being answered (core/middleware.py sets it), on every line logged
# while it is. One context variable read per line: structlog's merge_contextvars copies the
# whole context to find its own, a cost every request's log line would pay.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def add_request_id(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event["request_id"] = request_id
    return event


class StderrLogger:
    """Writes each rendered event as one line to the current `sys.stderr` (looked up per line,
    so that a replaced stderr, as under pytest's capture, receives it)."""

    def __init__(self, name: str = "") -> None:
        self.name = name  # read by structlog.stdlib.add_logger_name

    def msg(self, message: str) -> None:
        sys.stderr.write(message + "\n")

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _logger_factory(*args: Any) -> StderrLogger:
    return StderrLogger(str(args[0]) if args else "")


def _json(event: Any, **_: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """JSON lines for machines (production, tests), one readable line per event for a terminal."""
    shared: list[structlog.types.Processor] = [
        add_request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_ids,  # only while tracing (core/telemetry.py)
    ]
    # The console renderer prints an exception's traceback itself (and warns if it was formatted).
    rendering: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(serializer=_json)]
        if json
        else [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(), sort_keys=False)]
    )
    numeric_level = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[*shared, *rendering],
        logger_factory=_logger_factory,
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric_level)
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
