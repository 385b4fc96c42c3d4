"""Logs: one readable line per event in development, JSON lines in production and tests (or
whenever LOG_FORMAT says so); the embedded servers' chatter stays out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from reelbyte.core.config import Settings
from reelbyte.core.logging import QUIET_LOGGERS, configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Give back the logging set-up configure_logging() changes."""
    saved_structlog = structlog.get_config()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    quieted = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    try:
        yield
    finally:
        structlog.configure(**saved_structlog)
        root.handlers = [h for h in saved_handlers if not type(h).__module__.startswith("_pytest")]
        root.setLevel(saved_level)
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)


def _settings(**values: str) -> Settings:
    return Settings(_env_file=None, secret_key="x" * 40, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("environment", "log_format", "as_json"),
    [
        ("development", "auto", False),
        ("production", "auto", True),
        ("test", "auto", True),
        ("development", "json", True),
        ("production", "console", False),
    ],
)
def test_log_format_auto_means_console_only_in_development(
    environment: str, log_format: str, as_json: bool
) -> None:
    assert _settings(environment=environment, log_format=log_format).logs_as_json is as_json


def _emit() -> None:
    structlog.get_logger("reelbyte.http").info("request", method="GET", path="/health", status=200)
    logging.getLogger("pgserver").info("Running commandline:\n%s\nwith kwargs: `%s`", "pg_ctl start", {})
    logging.getLogger("uvicorn.error").info("Application startup complete.")


@pytest.mark.usefixtures("restore_logging")
def test_development_prints_one_readable_line_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=_settings(environment="development").logs_as_json)
    _emit()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines  # the request and uvicorn's line; pgserver's chatter is quiet
    request, startup = lines
    assert not request.startswith("{")
    assert request.split()[-5:] == ["request", "[reelbyte.http]", "method=GET", "path=/health", "status=200"]
    assert "Application startup complete." in startup
    assert "pg_ctl" not in "\n".join(lines)


@pytest.mark.usefixtures("restore_logging")
def test_production_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=_settings(environment="production").logs_as_json)
    _emit()
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [entry["event"] for entry in entries] == ["request", "Application startup complete."]
    assert entries[0]["path"] == "/health"
    assert entries[0]["status"] == 200
