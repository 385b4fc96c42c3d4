"""structlog set-up: JSON lines (or readable console lines) carrying the request id."""

from __future__ import annotations

import logging
import sys

import structlog

# Libraries whose INFO lines are noise to us: the embedded PostgreSQL logs every command it runs,
# with its whole output, over many lines (the CLI says in one line what it starts), and Alembic
# each plugin it loads (its migration lines stay).
QUIET_LOGGERS = ("uvicorn.access", "procrastinate", "pgserver", "alembic.runtime.plugins")


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """JSON lines for machines (production, tests), one readable line per event for a terminal."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # The console renderer prints an exception's traceback itself (and warns if it was formatted).
    rendering: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if json
        else [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(), sort_keys=False)]
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *rendering,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
