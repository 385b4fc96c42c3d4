"""Load test of the list and search endpoints against a real `reelbyte serve`.

Run (after `REELBYTE_DATA_DIR=.reelbyte/bench-search uv run reelbyte seed --scale 100000`):

    uv run python -m bench.search_load [seconds per scenario, default 20] [connections, default 16] [--gc-defaults]

It starts `reelbyte serve --no-worker` on 127.0.0.1 with the embedded servers of
`.reelbyte/bench-search` (rate limits off), then drives each scenario from 16 keep-alive connections
for a fixed time and records every request's latency. The load generator is a minimal
HTTP/1.1 client on asyncio streams rather than httpx: on a 2-core machine that also runs the
server and PostgreSQL, the client's own CPU time must stay small (it is about a tenth of
httpx's per request). Only 127.0.0.1 is ever contacted; loops are bounded by time.

Scenarios whose endpoint is not there (404 on the probe) are reported as skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from redis.asyncio import Redis

from bench._common import ROOT, machine, percentile, serve_command, write_section
from reelbyte.catalog.pages import PAGE_PREFIX
from reelbyte.core.embedded import EmbeddedServices

HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DATA_DIR = os.environ.get("REELBYTE_DATA_DIR", str(ROOT / ".reelbyte" / "bench-search"))

SEARCH_QUERIES = [
    "wedding video",
    "logo animation",
    "color grading",
    "tiktok",
    "youtube video editing",
    "explainer video",
    "music video",
    "podcast",
    "3d product animation",
    "instagram reels",
    "documentary",
    "sound design",
    "real estate video",
    "kinetic typography",
    "cinematic wedding film",
    '"brand film"',
    "subtitles -captions",
    "drone or travel",
    "whiteboard animation",
    "vfx",
]
TYPED = [
    "wedding vid",
    "logo",
    "col",
    "tik",
    "youtube sh",
    "expl",
    "music v",
    "pod",
    "3d",
    "insta",
    "docu",
    "sound d",
    "cinematic wed",
    "mot",
    "an",
    "vi",
    "re",
    "b-r",
    "maya",
    "leo m",
]


# --- a minimal keep-alive HTTP/1.1 client -----------------------------------------------------


class Connection:
    def __init__(self) -> None:
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, PORT)
        assert self.reader is not None
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nAccept: application/json\r\n\r\n"
        self.writer.write(request.encode())
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        if chunked:
            body = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


# --- scenarios ------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    statuses: dict[int, int] = field(default_factory=dict)
    single_p50_ms: float = 0.0  # one connection: the service time without queueing
    load: str = ""

    def row(self) -> str:
        if self.skipped:
            return f"| {self.name} | — | — | — | — | — | — | — | {self.skipped} |"
        n = len(self.latencies_ms)
        return (
            f"| {self.name} | {n} | {n / self.seconds:.0f} | {percentile(self.latencies_ms, 50):.1f} | "
            f"{percentile(self.latencies_ms, 99):.1f} | {max(self.latencies_ms):.1f} | "
            f"{self.single_p50_ms:.1f} | {self.load} | {self.errors} |"
        )


async def run_scenario(name: str, paths: Callable[[], str], seconds: float, connections: int) -> Result:
    result = Result(name)
    warm_until = time.perf_counter() + min(2.0, seconds / 5)
    deadline = warm_until + seconds

    async def worker() -> None:
        connection = Connection()
        try:
            while (now := time.perf_counter()) < deadline:
                path = paths()
                started = time.perf_counter()
                try:
                    status, _ = await connection.get(path)
                except (ConnectionError, OSError, asyncio.IncompleteReadError):
                    await connection.close()
                    status = 599
                elapsed = (time.perf_counter() - started) * 1000
                if now < warm_until:
                    continue  # warm-up: fill caches and pools, not measured
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status >= 400:
                    result.errors += 1
                result.latencies_ms.append(elapsed)
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    result.seconds = time.perf_counter() - max(started, warm_until)
    return result


def cycle(items: list[str], shuffle: bool = True) -> Callable[[], str]:
    pool = list(items)
    if shuffle:
        random.shuffle(pool)
    iterator: Iterator[str] = itertools.cycle(pool)
    return lambda: next(iterator)


def query(path: str, **params: object) -> str:
    clean = {k: v for k, v in params.items() if v is not None}
    return f"{path}?{urlencode(clean, doseq=True)}" if clean else path


def long_tail_paths(rng: random.Random, category_ids: list[int], count: int = 20_000) -> list[str]:
    """The long tail of gig search: `count` different (query, filters, sort, page), so that no
    request is answered from a cached page: this is what PostgreSQL costs."""
    paths: list[str] = []
    seen: set[str] = set()
    while len(paths) < count:
        extra: dict[str, object] = rng.choice(
            [
                {"sort_by": "relevance"},
                {"sort_by": "rating"},
                {"sort_by": "price_asc", "max_price": str(rng.randint(30, 400))},
                {"category_id": rng.choice(category_ids)},
                {"min_rating": rng.choice(["3.5", "4", "4.5"])},
                {"max_delivery_days": rng.randint(1, 10)},
            ]
        )
        path = query("/v1/search/gigs", q=rng.choice(SEARCH_QUERIES), page=rng.randint(1, 5), **extra)
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


# --- the server -----------------------------------------------------------------------------


def start_server(gc_defaults: bool = False) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REELBYTE_DATA_DIR": DATA_DIR,
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "development",
    }
    log = open(Path(DATA_DIR) / "bench-serve.log", "wb")  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        serve_command("--host", HOST, "--port", str(PORT), "--no-worker", gc_defaults=gc_defaults),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process


async def wait_ready(limit_seconds: float = 120.0) -> None:
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        connection = Connection()
        try:
            status, _ = await connection.get("/health/ready")
            if status == 200:
                return
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            await connection.close()
        await asyncio.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- main -----------------------------------------------------------------------------------


async def fetch_json(path: str) -> tuple[int, object]:
    connection = Connection()
    try:
        status, body = await connection.get(path)
    finally:
        await connection.close()
    return status, json.loads(body) if body else None


async def build_scenarios() -> list[tuple[str, Callable[[], str] | None, str | None]]:
    """(name, path generator or None, why skipped)."""
    status, body = await fetch_json(query("/v1/search/gigs", page_size=100, sort_by="newest"))
    assert status == 200, body
    assert isinstance(body, dict), body
    total = body["total"]
    slugs = [item["slug"] for item in body["items"]]
    for page in (2, 3, 4, 5):
        _, more = await fetch_json(query("/v1/search/gigs", page_size=100, sort_by="popular", page=page))
        assert isinstance(more, dict)
        slugs += [item["slug"] for item in more["items"]]
    status, tree = await fetch_json("/v1/categories")
    categories: list[tuple[int, list[int]]] = []
    if status == 200 and isinstance(tree, list):
        for node in tree:
            children = [child["id"] for child in node.get("children", node.get("subcategories", []))]
            categories.append((node["id"], children))
    if not categories:
        categories = [(i, []) for i in range(1, 9)]
    print(f"catalog: {total} listed gigs; {len(slugs)} sample slugs; {len(categories)} categories")

    rng = random.Random(7)

    def list_params() -> dict[str, object]:
        category, children = rng.choice(categories)
        return rng.choice(
            [
                {"sort_by": "popular"},
                {"sort_by": "newest"},
                {"category_id": category, "sort_by": "newest"},
                {"category_id": category, "sort_by": "rating"},
                {
                    "subcategory_id": rng.choice(children) if children else None,
                    "category_id": category,
                    "sort_by": "popular",
                },
                {"min_price": "50", "max_price": "150", "sort_by": "price_asc"},
                {"max_price": "40", "sort_by": "price_desc"},
                {"min_rating": "4.5", "sort_by": "rating"},
                {"max_delivery_days": 2, "sort_by": "popular"},
                {"creator_level": ["pro", "top"], "sort_by": "rating"},
                {"tags": ["color grading"], "sort_by": "popular"},
                {"category_id": category, "min_price": "20", "max_price": "300", "sort_by": "price_asc"},
                {"sort_by": "popular", "page": rng.randint(2, 20)},
            ]
        )

    list_paths = [query("/v1/gigs", **list_params()) for _ in range(500)]
    # The head: the 20 queries' first pages, as most searches are (served from the result
    # cache once a query has been searched three times; every change to a gig invalidates it).
    head_paths = [query("/v1/search/gigs", q=q) for q in SEARCH_QUERIES]
    for path in head_paths:  # searched often enough to count as popular, then cached
        for _ in range(4):
            await fetch_json(path)
    tail_paths = long_tail_paths(rng, [category for category, _ in categories])
    others = [
        query(
            "/v1/search/creators",
            q=rng.choice(["colorist", "motion", "wedding", "maya", "animator"]),
            page=rng.randint(1, 3),
        )
        for _ in range(200)
    ]
    others += [
        query("/v1/search/projects", q=rng.choice(SEARCH_QUERIES), page=rng.randint(1, 3)) for _ in range(200)
    ]
    typed = [t[:k] for t in TYPED for k in range(2, len(t) + 1)]
    # Every (text, limit) pair once: no request can be answered from the suggestion cache.
    cold = [query("/v1/search/suggestions", q=t, limit=limit) for limit in range(1, 21) for t in typed]
    warm = [query("/v1/search/suggestions", q=t) for t in typed]

    scenarios: list[tuple[str, Callable[[], str] | None, str | None]] = []
    probe, _ = await fetch_json(query("/v1/gigs", page_size=1))
    if probe == 200:
        scenarios.append(("GET /v1/gigs (13 filter/sort mixes)", cycle(list_paths), None))
    else:
        scenarios.append(("GET /v1/gigs", None, f"not served yet ({probe})"))
    probe, _ = await fetch_json(f"/v1/gigs/{slugs[0]}")
    if probe == 200:
        scenarios.append(("GET /v1/gigs/{slug}", cycle([f"/v1/gigs/{s}" for s in slugs]), None))
    else:
        scenarios.append(("GET /v1/gigs/{slug}", None, f"not served yet ({probe})"))
    scenarios.append(("GET /v1/search/gigs?q=… head: 20 popular queries, page 1", cycle(head_paths), None))
    scenarios.append(("GET /v1/search/gigs?q=… long tail: every request new", cycle(tail_paths, False), None))
    scenarios.append(("GET /v1/search/creators and /projects?q=…", cycle(others), None))
    scenarios.append(("GET /v1/search/suggestions (uncached)", cycle(cold), None))
    scenarios.append(("GET /v1/search/suggestions (typing, 30 s cache)", cycle(warm), None))
    return scenarios


async def forget_cached_pages() -> None:
    """Start from no cached pages: a run after another would find the pages that one cached
    (the lists' and the long tail's above all) and measure Redis instead of the work."""
    client = Redis.from_url(EmbeddedServices(Path(DATA_DIR)).start_redis())  # the server's own
    try:
        keys = [key async for key in client.scan_iter(match=f"{PAGE_PREFIX}*", count=1000)]
        for start in range(0, len(keys), 1000):
            await client.delete(*keys[start : start + 1000])
    finally:
        await client.aclose()


async def main(seconds: float, connections: int, gc_defaults: bool) -> None:
    server = start_server(gc_defaults)
    try:
        await wait_ready()
        await forget_cached_pages()
        scenarios = await build_scenarios()
        results: list[Result] = []
        for name, paths, skipped in scenarios:
            if paths is None:
                results.append(Result(name, skipped=skipped))
                print(f"{name}: skipped ({skipped})")
                continue
            single = await run_scenario(name, paths, min(5.0, seconds), 1)
            result = await run_scenario(name, paths, seconds, connections)
            result.single_p50_ms = percentile(single.latencies_ms, 50)
            result.load = f"{os.getloadavg()[0]:.1f}"
            results.append(result)
            print(result.row(), result.statuses)
    finally:
        stop_server(server)

    table = "\n".join(result.row() for result in results)
    body = f"""
Command: `REELBYTE_DATA_DIR=.reelbyte/bench-search uv run reelbyte seed --scale 100000 --random-seed 42`, then
`uv run python -m bench.search_load {seconds:g} {connections}{" --gc-defaults" if gc_defaults else ""}`
({machine()}; embedded PostgreSQL 16 and Redis on the same machine; one `reelbyte serve` process,
rate limits off; no page cached at the start: earlier runs' pages are dropped). Each scenario
runs {seconds:g} s after a short unmeasured warm-up, from
{connections} keep-alive connections; latency is measured per request by the client
(bench/search_load.py), which shares the 2 cores with the server and PostgreSQL. "p50 ms, 1
connection" is the same scenario from one connection for 5 s first: the time a request takes
without waiting behind others. "load avg" is the machine's 1-minute load average after the
scenario (other work on the machine shows there). Errors count statuses of 400 and above.

| scenario | requests | req/s | p50 ms | p99 ms | max ms | p50 ms, 1 connection | load avg | errors |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
{table}
"""
    if gc_defaults:
        body = (
            "The same, with the server started by `bench/_serve_gc.py` (`reelbyte serve` with "
            "Python's default garbage-collector settings).\n" + body
        )
    print(body)
    title = "Search and gig lists under load (N = 100,000)"
    write_section(title + (", collector at Python's defaults" if gc_defaults else ""), body)


if __name__ == "__main__":
    flags = {arg for arg in sys.argv[1:] if arg.startswith("--")}
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    asyncio.run(
        main(
            float(args[0]) if args else 20.0,
            int(args[1]) if len(args) > 1 else 16,
            "--gc-defaults" in flags,
        )
    )
