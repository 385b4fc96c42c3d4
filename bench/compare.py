"""ReelByte beside its floor, in interleaved rounds: the ratios of the hot paths.

Run (after `REELBYTE_DATA_DIR=.reelbyte/bench-search uv run reelbyte seed --scale 100000 --random-seed 42`):

    uv run python -m bench.compare [--rounds 3] [--seconds 5] [--connections 16] [--only REGEX] [--title "…"]

It starts the embedded PostgreSQL and Redis of `.reelbyte/bench-search` once, then three servers
on them, each one uvicorn process: `reelbyte serve --no-worker` (rate limits on, with limits
too high to refuse anything, so that their cost is paid), the floor (bench/floor.py: bare
Starlette + psycopg running ReelByte's SQL) and a bare FastAPI app (bench/peer.py) for
`/health`. Each round runs every scenario against every server, in an order that turns each
round, with wrk (Debian's package) from `--connections` keep-alive connections for
`--seconds`, after a 2 s unmeasured warm-up; a scenario with many paths (gig pages of 1,000
gigs, lists over every category) cycles through them from a Lua script. The search long tail
(bench/search_load.py's) gives every run paths of its own, asked of no server before, so that
no cache answers any of them. Reported: the medians
over the rounds of requests per second, of wrk's p99 latency and of the server's CPU per
request (from /proc), and ReelByte's throughput as a fraction of the floor's (and of bare
FastAPI's for /health). The results are written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench._common import ROOT, machine, median, write_section
from bench.search_load import long_tail_paths
from reelbyte.core.embedded import EmbeddedServices
from reelbyte.core.migrate import upgrade

DATA_DIR = Path(os.environ.get("REELBYTE_DATA_DIR", str(ROOT / ".reelbyte" / "bench-search")))
PORTS = {"reelbyte": 8810, "floor": 8811, "fastapi": 8812}
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Scenario:
    name: str
    paths: list[str]
    servers: tuple[str, ...]
    baseline: str = "floor"
    fresh: bool = False  # each run (warm-up too) its own paths, never asked before


def starts(scenario: Scenario, rounds: int, run: int) -> tuple[int, int]:
    """Where run number `run` (of rounds times servers) starts in the paths: its warm-up, and its
    measured part. A fresh scenario's runs each have a span of the paths to themselves."""
    if not scenario.fresh:
        return 0, 0
    span = len(scenario.paths) // (rounds * len(scenario.servers))
    return run * span, run * span + span // 4


@dataclass
class Run:
    requests_per_second: float
    p99_ms: float
    cpu_ms_per_request: float
    errors: int


def server_commands() -> dict[str, list[str]]:
    uvicorn = [sys.executable, "-m", "uvicorn", "--no-access-log", "--log-level", "warning", "--port"]
    return {
        "reelbyte": [
            sys.executable,
            "-m",
            "reelbyte.cli",
            "serve",
            "--no-worker",
            "--no-web",
            "--port",
            str(PORTS["reelbyte"]),
        ],
        "floor": [*uvicorn, str(PORTS["floor"]), "bench.floor:app"],
        "fastapi": [*uvicorn, str(PORTS["fastapi"]), "bench.peer:app"],
    }


@contextmanager
def servers(database_url: str, redis_url: str) -> Iterator[dict[str, int]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REELBYTE_DATA_DIR": str(DATA_DIR),
        "LOG_FORMAT": "json",
        "RATE_LIMIT_PUBLIC": "100000000/minute",
        "RATE_LIMIT_AUTHENTICATED": "100000000/minute",
        "PYTHONPATH": str(ROOT),
    }
    processes = {
        name: subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for name, command in server_commands().items()
    }
    try:
        for name in processes:
            wait_until_up(PORTS[name])
        yield {name: process.pid for name, process in processes.items()}
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=30)


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port} within 60 s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def lua_script(paths: list[str], script: Path) -> Path:
    quoted = ",\n".join('"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"' for path in paths)
    script.write_text(
        "local paths = {\n" + quoted + "\n}\nlocal i = 0\n"
        "init = function(args)\n  i = tonumber(args[1] or '0')\nend\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    return script


def wrk(
    port: int, script: Path, seconds: float, connections: int, start: int = 0
) -> tuple[float, float, int]:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            str(start),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, p99_ms, int(errors.group(1)) if errors else 0


def measure(
    pid: int, port: int, script: Path, seconds: float, connections: int, starts: tuple[int, int] = (0, 0)
) -> Run:
    wrk(port, script, 2, connections, starts[0])  # warm-up, unmeasured
    before = cpu_seconds(pid)
    rate, p99_ms, errors = wrk(port, script, seconds, connections, starts[1])
    cpu = cpu_seconds(pid) - before
    return Run(rate, p99_ms, cpu * 1000 / max(1.0, rate * seconds), errors)


def scenarios(database_url: str) -> list[Scenario]:
    rng = random.Random(42)
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        slugs = [
            row[0]
            for row in conn.execute(
                "SELECT slug FROM gigs WHERE is_active AND price_from_minor IS NOT NULL ORDER BY id LIMIT 5000"
            )
        ]
        categories = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM categories WHERE parent_id IS NULL AND is_active ORDER BY id"
            )
        ]
    return [
        Scenario("GET /health", ["/health"], ("reelbyte", "floor", "fastapi"), baseline="fastapi"),
        Scenario("GET /v1/gigs (default page)", ["/v1/gigs"], ("reelbyte", "floor")),
        Scenario(
            "GET /v1/gigs?category_id&sort_by=price_asc",
            [f"/v1/gigs?category_id={c}&sort_by=price_asc" for c in categories],
            ("reelbyte", "floor"),
        ),
        Scenario(
            "GET /v1/gigs?category_id&sort_by&page (1-5, every sort)",
            [
                f"/v1/gigs?category_id={c}&sort_by={s}&page={p}"
                for c in categories
                for s in ("popular", "newest", "price_asc", "price_desc", "rating")
                for p in range(1, 6)
            ],
            ("reelbyte", "floor"),
        ),
        Scenario(
            "GET /v1/gigs/{slug} (1,000 gigs)",
            [f"/v1/gigs/{s}" for s in rng.sample(slugs, 1000)],
            ("reelbyte", "floor"),
        ),
        Scenario(
            "GET /v1/search/gigs?q=… long tail (every request new)",
            long_tail_paths(random.Random(7), categories),
            ("reelbyte", "floor"),
            fresh=True,
        ),
    ]


def run(
    rounds: int, seconds: float, connections: int, only: str = ""
) -> tuple[list[Scenario], dict[tuple[str, str], list[Run]]]:
    embedded = EmbeddedServices(DATA_DIR)
    try:
        database_url = embedded.start_postgres()
        redis_url = embedded.start_redis()
        upgrade(database_url)
        plan = [scenario for scenario in scenarios(database_url) if re.search(only, scenario.name)]
        results: dict[tuple[str, str], list[Run]] = defaultdict(list)
        with tempfile.TemporaryDirectory() as folder, servers(database_url, redis_url) as pids:
            scripts = {
                scenario.name: lua_script(scenario.paths, Path(folder) / f"scenario-{number}.lua")
                for number, scenario in enumerate(plan)
            }
            for round_number in range(rounds):
                for scenario in plan:
                    turn = round_number % len(scenario.servers)
                    for position, name in enumerate(scenario.servers[turn:] + scenario.servers[:turn]):
                        run_number = round_number * len(scenario.servers) + position
                        result = measure(
                            pids[name],
                            PORTS[name],
                            scripts[scenario.name],
                            seconds,
                            connections,
                            starts(scenario, rounds, run_number),
                        )
                        results[(scenario.name, name)].append(result)
                        print(
                            f"round {round_number + 1} {scenario.name} {name}: {result.requests_per_second:.0f} req/s, "
                            f"p99 {result.p99_ms:.1f} ms, {result.cpu_ms_per_request:.2f} ms CPU/request",
                            flush=True,
                        )
        return plan, results
    finally:
        embedded.stop()


def report(plan: list[Scenario], results: dict[tuple[str, str], list[Run]], args: argparse.Namespace) -> str:
    lines = [
        f"Command: `uv run python -m bench.compare --rounds {args.rounds} --seconds {args.seconds:g} "
        f"--connections {args.connections}{f' --only {args.only!r}' if args.only else ''}` ({machine()}; 100,000 gigs from `reelbyte seed --scale 100000 "
        "--random-seed 42`; the three servers on the same embedded PostgreSQL and Redis; wrk "
        f"{args.connections} connections, {args.seconds:g} s per run after a 2 s warm-up; medians of "
        f"{args.rounds} interleaved rounds).",
        "",
        "| endpoint | server | req/s | p99 ms | server CPU ms/request | non-2xx | ratio to baseline |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for scenario in plan:
        base = median([r.requests_per_second for r in results[(scenario.name, scenario.baseline)]])
        for name in scenario.servers:
            runs = results[(scenario.name, name)]
            rate = median([r.requests_per_second for r in runs])
            ratio = f"**{rate / base:.2f}** of {scenario.baseline}" if name == "reelbyte" else ""
            lines.append(
                f"| {scenario.name} | {name} | {rate:,.0f} | {median([r.p99_ms for r in runs]):.1f} | "
                f"{median([r.cpu_ms_per_request for r in runs]):.2f} | {sum(r.errors for r in runs)} | {ratio} |"
            )
    return "\n".join(lines)


def wrk_parser(description: str, *, rounds: int, seconds: float) -> argparse.ArgumentParser:
    """The options of a benchmark that loads servers with wrk (and wrk, checked for)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--seconds", type=float, default=seconds)
    parser.add_argument("--connections", type=int, default=16)
    return parser


def main() -> None:
    parser = wrk_parser(__doc__.splitlines()[0], rounds=3, seconds=5)
    parser.add_argument("--title", default="Hot paths beside the floor")
    parser.add_argument("--only", default="", help="run only the scenarios whose name matches this regex")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    plan, results = run(args.rounds, args.seconds, args.connections, args.only)
    body = report(plan, results, args)
    print(body)
    if not args.no_write:
        write_section(args.title, body)


if __name__ == "__main__":
    main()
