"""Shared set-up for benchmarks: the app on the embedded (or configured) servers, and the
helper that writes a section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
from collections.abc import AsyncIterator, Iterator, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx

from reelbyte.cli import resolved_services
from reelbyte.core.config import Settings, get_settings
from reelbyte.core.logging import configure_logging
from reelbyte.core.runtime import Runtime
from reelbyte.main import create_app

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks.md"


@contextmanager
def bench_settings(*, storage: bool = False) -> Iterator[Settings]:
    """The settings, with the embedded servers started for what is unset (with `storage`, the
    S3 server too) and stopped on the way out."""
    os.environ.setdefault("REELBYTE_DATA_DIR", str(ROOT / ".reelbyte" / "bench"))
    os.environ.setdefault("RATE_LIMIT_ENABLED", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    settings = get_settings()
    configure_logging(settings.log_level, settings.logs_as_json)
    with resolved_services(settings, storage=storage):
        yield settings


@asynccontextmanager
async def asgi_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    runtime = Runtime(settings)
    await runtime.start()
    try:
        transport = httpx.ASGITransport(app=create_app(settings), client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client
    finally:
        await runtime.stop()


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def serve_command(*options: str, gc_defaults: bool = False) -> list[str]:
    """`reelbyte serve` in this Python, or with `gc_defaults` as `bench/_serve_gc.py` runs it
    (Python's default collector settings, to measure what serve's tuning saves); the API only."""
    module = "bench._serve_gc" if gc_defaults else "reelbyte.cli"
    return [sys.executable, "-m", module, "serve", "--no-web", *options]


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of docs/benchmarks.md."""
    text = (
        RESULTS.read_text()
        if RESULTS.exists()
        else "# Benchmarks\n\nFigures are medians of one run on the machine named; ratios are measured side by side.\n"
    )
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text.rstrip() + "\n")


def asgi_get_scope(path: str) -> dict[str, Any]:
    """The ASGI scope of a plain `GET path` from 127.0.0.1, for calling an app directly."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def empty_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def expect_200(message: MutableMapping[str, Any]) -> None:
    """An ASGI `send` that drops the response and stops the run on any status but 200."""
    if message["type"] == "http.response.start" and message["status"] != 200:
        raise SystemExit(f"answered {message['status']}")
