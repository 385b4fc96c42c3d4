"""The fixed cost per request through a real socket, layer by layer.

    uv run python -m bench.layers_socket [--rounds 5] [--seconds 4] [--connections 16] [--write]

bench/layers.py calls the ASGI app in a tight loop, where the code of one request stays hot in
the CPU's caches; behind uvicorn, 16 connections' requests interleave with the server's own
work, and the same layers cost two to four times as much. So this runs the variants as
servers: each one uvicorn process (`--factory bench.layers_socket:<variant>`), `GET /health`
with wrk from `--connections` keep-alive connections, interleaved rounds (the order turns each
round), the server's CPU per request read from /proc. Reported: medians of CPU microseconds per
request and of requests per second, and what each layer adds. The ReelByte variants need no
database for `/health` (the pool connects lazily).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench._common import ROOT, machine, median, write_section
from bench.compare import Run, lua_script, measure, wait_until_up, wrk_parser
from bench.layers import Silent, bare_fastapi, prepare_process, reelbyte, reelbyte_bare
from reelbyte.core import middleware
from reelbyte.core.config import get_settings

FIRST_PORT = 8830


def _silenced() -> None:
    prepare_process()
    middleware.log = Silent()


def _edge(app: Any) -> Any:
    return middleware.EdgeMiddleware(
        app,
        allowed_hosts=get_settings().allowed_hosts,
        cors={"allow_origins": ["http://127.0.0.1"]},
        max_body_bytes=1024,
    )


class _HeadersOnly:
    """Adds the edge's response headers and nothing else: what the headers alone cost."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        extra = middleware._response_headers(scope["path"], "0" * 32, vary_origin=True)

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


# The factories uvicorn calls, by variant.
def bare() -> Any:
    return bare_fastapi()


def bare_with_headers() -> Any:
    return _HeadersOnly(bare_fastapi())


def bare_behind_edge_quiet() -> Any:
    _silenced()
    return _edge(bare_fastapi())


def bare_behind_edge() -> Any:
    prepare_process()
    return _edge(bare_fastapi())


def reelbyte_without_middleware() -> Any:
    prepare_process()
    return reelbyte_bare()


def reelbyte_quiet() -> Any:
    _silenced()
    return reelbyte()


def reelbyte_whole() -> Any:
    prepare_process()
    return reelbyte()


VARIANTS = {
    "bare FastAPI": bare,
    "bare FastAPI + the edge's response headers only": bare_with_headers,
    "bare FastAPI behind the edge, request log line off": bare_behind_edge_quiet,
    "bare FastAPI behind the edge": bare_behind_edge,
    "ReelByte, no middleware (routing, the 405 rule, FastAPI)": reelbyte_without_middleware,
    "ReelByte, request log line off": reelbyte_quiet,
    "ReelByte, every layer": reelbyte_whole,
}


def run(rounds: int, seconds: float, connections: int) -> dict[str, list[Run]]:
    env = {**os.environ, "LOG_FORMAT": "json", "PYTHONPATH": str(ROOT)}
    ports = {name: FIRST_PORT + number for number, name in enumerate(VARIANTS)}
    processes = {
        name: subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "--no-access-log", "--log-level", "warning"),
                *("--port", str(ports[name]), "--factory", f"bench.layers_socket:{factory.__name__}"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # the request log lines, as in production to a collector
            start_new_session=True,
        )
        for name, factory in VARIANTS.items()
    }
    results: dict[str, list[Run]] = defaultdict(list)
    try:
        for port in ports.values():
            wait_until_up(port)
        names = list(VARIANTS)
        with tempfile.TemporaryDirectory() as folder:
            script = lua_script(["/health"], Path(folder) / "health.lua")
            for round_number in range(rounds):
                turn = round_number % len(names)
                for name in names[turn:] + names[:turn]:
                    result = measure(processes[name].pid, ports[name], script, seconds, connections)
                    results[name].append(result)
                    print(
                        f"round {round_number + 1} {name}: {result.requests_per_second:.0f} req/s, "
                        f"{result.cpu_ms_per_request * 1000:.0f} µs CPU/request",
                        flush=True,
                    )
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=30)
    return results


def report(results: dict[str, list[Run]], args: argparse.Namespace) -> str:
    cpu = {name: median([r.cpu_ms_per_request * 1000 for r in runs]) for name, runs in results.items()}
    rate = {name: median([r.requests_per_second for r in runs]) for name, runs in results.items()}
    floor = cpu["bare FastAPI"]
    lines = [
        f"Command: `uv run python -m bench.layers_socket --rounds {args.rounds} --seconds {args.seconds:g} "
        f"--connections {args.connections} --write` ({machine()}). `GET /health` through uvicorn (httptools, "
        f"uvloop), wrk {args.connections} connections, {args.seconds:g} s per run after a 2 s warm-up; the "
        f"server's CPU from /proc; medians of {args.rounds} interleaved rounds; request log lines to /dev/null.",
        "",
        "| variant | µs of CPU per request | over bare FastAPI | req/s | req/s ÷ bare FastAPI |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in VARIANTS:
        lines.append(
            f"| {name} | {cpu[name]:.0f} | {cpu[name] - floor:+.0f} | {rate[name]:,.0f} | "
            f"{rate[name] / rate['bare FastAPI']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = wrk_parser(__doc__.splitlines()[0], rounds=5, seconds=4)
    parser.add_argument("--write", action="store_true", help="write the table to docs/benchmarks.md")
    args = parser.parse_args()
    body = report(run(args.rounds, args.seconds, args.connections), args)
    print(body)
    if args.write:
        write_section("Fixed cost per request through the socket, layer by layer", body)


if __name__ == "__main__":
    main()
