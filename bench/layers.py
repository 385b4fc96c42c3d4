"""What every request pays before its endpoint runs: ReelByte's fixed cost, layer by layer.

    uv run python -m bench.layers [rounds, default 15] 2>/dev/null

Calls the ASGI app directly (no socket, no server), `GET /health` in a tight loop, in variants
interleaved round by round: the whole app, the app without its middleware (the edge and the
layers behind it: what routing and the route cost), and the whole app with the request log
line silenced; reports the median microseconds of CPU per request of each variant and what
leaving the part out saves. The floor is a bare FastAPI app with the same route. Logs go to stderr as in production (JSON lines); send
stderr to /dev/null as above so that the terminal does not slow the run.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from bench._common import asgi_get_scope, empty_body, expect_200, machine, median, write_section
from reelbyte.core import middleware
from reelbyte.core.config import get_settings
from reelbyte.core.db import init_database
from reelbyte.core.logging import configure_logging
from reelbyte.main import create_app

REQUESTS_PER_ROUND = 2_000


def bare_fastapi() -> Any:
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def reelbyte() -> Any:
    return create_app(get_settings())


def reelbyte_bare() -> Any:
    app = reelbyte()
    app.user_middleware = []
    return app


class Silent:
    """Stands in for the edge's request logger: the log line left out."""

    def info(self, *args: Any, **kwargs: Any) -> None: ...

    def exception(self, *args: Any, **kwargs: Any) -> None: ...


def variants() -> dict[str, Callable[[], Any]]:
    return {
        "bare FastAPI (the floor)": bare_fastapi,
        "ReelByte, every layer": reelbyte,
        "ReelByte, no middleware": reelbyte_bare,
    }


async def per_request_us(app: Any) -> float:
    started = time.process_time()
    for _ in range(REQUESTS_PER_ROUND):
        await app(asgi_get_scope("/health"), empty_body, expect_200)
    return (time.process_time() - started) * 1e6 / REQUESTS_PER_ROUND


async def measure(rounds: int) -> dict[str, list[float]]:
    apps = {name: build() for name, build in variants().items()}
    quiet_log = {"request log line off (logger silenced)": apps["ReelByte, every layer"]}
    results: dict[str, list[float]] = defaultdict(list)
    for app in [*apps.values()]:
        await per_request_us(app)  # warm-up: build the middleware stacks, fill caches
    for _ in range(rounds):
        for name, app in apps.items():
            results[name].append(await per_request_us(app))
        real_log = middleware.log
        middleware.log = Silent()
        try:
            for name, app in quiet_log.items():
                results[name].append(await per_request_us(app))
        finally:
            middleware.log = real_log
    return results


def report(results: dict[str, list[float]], rounds: int) -> str:
    full = median(results["ReelByte, every layer"])
    floor = median(results["bare FastAPI (the floor)"])
    lines = [
        f"Command: `uv run python -m bench.layers {rounds} 2>/dev/null` ({machine()}). `GET /health` called "
        f"{REQUESTS_PER_ROUND:,} times per round straight through the ASGI app (no socket), CPU time, "
        f"medians of {rounds} interleaved rounds; JSON request log lines to stderr (/dev/null).",
        "",
        "| variant | µs of CPU per request | saved by leaving the layer out |",
        "| --- | --- | --- |",
    ]
    for name, samples in results.items():
        value = median(samples)
        saved = "" if name.startswith(("bare", "ReelByte, every")) else f"{full - value:.1f}"
        lines.append(f"| {name} | {value:.1f} | {saved} |")
    lines += ["", f"ReelByte's fixed cost over bare FastAPI: **{full - floor:.1f} µs** per request."]
    return "\n".join(lines)


def prepare_process() -> None:
    """Logging as in production (JSON lines to stderr) and the database (connected lazily)."""
    configure_logging("INFO", json=True)
    init_database(get_settings().database_url or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    os.environ.setdefault("LOG_FORMAT", "json")
    prepare_process()
    results = asyncio.run(measure(rounds))
    body = report(results, rounds)
    print(body)
    if "--write" in sys.argv:
        write_section("Fixed cost per request, layer by layer", body)


if __name__ == "__main__":
    main()
