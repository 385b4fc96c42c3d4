"""The Prometheus metrics every API process exports at /metrics.

Per process (summed across instances by Prometheus): HTTP requests and their latency, open
WebSocket connections. Read at scrape time from shared state, so any instance tells the same:
the job queues (one grouped query on `procrastinate_jobs`) and the outcome of ledger checks,
which `reelbyte ledger check` (a short-lived process nothing scrapes) records in Redis.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import structlog
from prometheus_client import REGISTRY, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text

from reelbyte.core.db import get_database
from reelbyte.core.jobs import job_app
from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
MAX_SERIES = 10_000  # routes are templates: a bounded set, unless something is wrong


class RequestCollector(Collector):
    """HTTP requests counted (by method, route and status) and timed (by method and route).

    Counted in plain dictionaries and rendered at scrape time: prometheus_client's Counter and
    Histogram take a lock per call (their two calls: ~15 µs of every request's CPU behind
    uvicorn, measured by leaving them out; counting here instead took ReelByte's fixed cost per
    request from 44.5 to 35.2 µs in-process, bench/layers.py). Requests are answered on the
    event loop's thread only, so nothing else writes these at the same time."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, str], int] = {}
        # per (method, route): the count in each latency bucket (the last: over the largest),
        # then the sum of the latencies
        self.latency: dict[tuple[str, str], list[float]] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        count = self.requests.get(key)
        if count is None and len(self.requests) >= MAX_SERIES:
            return
        self.requests[key] = (count or 0) + 1
        timings = self.latency.get((method, route))
        if timings is None:
            timings = self.latency[method, route] = [0.0] * (len(LATENCY_BUCKETS) + 2)
        timings[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        timings[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "reelbyte_http_requests", "HTTP requests", labels=["method", "route", "status"]
        )
        for labels, count in sorted(self.requests.items()):
            requests.add_metric(list(labels), count)
        yield requests
        latency = HistogramMetricFamily(
            "reelbyte_http_request_duration_seconds", "HTTP request latency", labels=["method", "route"]
        )
        bounds = [*(repr(float(bound)) for bound in LATENCY_BUCKETS), "+Inf"]  # as Prometheus writes them
        for (method, route), timings in sorted(self.latency.items()):
            cumulative = itertools.accumulate(timings[:-1])
            latency.add_metric(
                [method, route], list(zip(bounds, cumulative, strict=True)), sum_value=timings[-1]
            )
        yield latency


http_requests = RequestCollector()
REGISTRY.register(http_requests)

WEBSOCKETS = Gauge("reelbyte_websocket_connections", "Open WebSocket connections", ["kind"])

LEDGER_CHECK_KEY = "metrics:ledger_check"
SCRAPE_TIMEOUT_SECONDS = 2.0

# Jobs waiting to run now (due, not yet taken) per queue, and how long the oldest has waited:
# since it was deferred, or since it became due when it was scheduled for later.
_WAITING_JOBS = text("""
SELECT job.queue_name AS queue, count(*) AS waiting,
       coalesce(extract(epoch FROM now() - min(greatest(job.scheduled_at, deferred.at))), 0) AS oldest
FROM procrastinate_jobs AS job
LEFT JOIN procrastinate_events AS deferred ON deferred.job_id = job.id AND deferred.type = 'deferred'
WHERE job.status = 'todo' AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())
GROUP BY job.queue_name
""")


@dataclass
class QueueFigures:
    waiting: int = 0
    oldest_seconds: float = 0.0


@dataclass
class SharedFigures:
    """What the last scrape read from PostgreSQL and Redis."""

    queues: dict[str, QueueFigures] = field(default_factory=dict)
    ledger: dict[str, float] = field(default_factory=dict)


class SharedStateCollector(Collector):
    """Exposes the figures `refresh_shared_figures` read last (collectors are synchronous, the
    reads are not: the /metrics route refreshes, then renders)."""

    def __init__(self) -> None:
        self.figures = SharedFigures()

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "reelbyte_job_queue_depth", "Jobs due and waiting for a worker", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "reelbyte_job_queue_oldest_age_seconds",
            "How long the oldest job due in the queue has waited",
            labels=["queue"],
        )
        for queue, figures in sorted(self.figures.queues.items()):
            depth.add_metric([queue], figures.waiting)
            age.add_metric([queue], figures.oldest_seconds)
        yield depth
        yield age
        ledger = self.figures.ledger
        yield CounterMetricFamily("reelbyte_ledger_checks", "Ledger checks run", value=ledger.get("runs", 0))
        yield CounterMetricFamily(
            "reelbyte_ledger_violations",
            "Broken ledger invariants found, summed over all checks",
            value=ledger.get("violations_total", 0),
        )
        yield GaugeMetricFamily(
            "reelbyte_ledger_check_violations",
            "Broken ledger invariants found by the last check",
            value=ledger.get("last_violations", 0),
        )
        yield GaugeMetricFamily(
            "reelbyte_ledger_check_last_run_timestamp_seconds",
            "When the last ledger check ran (Unix time; 0: never)",
            value=ledger.get("last_run_at", 0),
        )


shared_state = SharedStateCollector()
REGISTRY.register(shared_state)


async def refresh_shared_figures() -> None:
    """Read the job queues and the ledger check record; a source that fails or is slow keeps
    its last figures, so /metrics still answers when PostgreSQL or Redis does not."""
    known_queues = sorted({task.queue for task in job_app.tasks.values()})
    try:
        shared_state.figures.queues = await asyncio.wait_for(
            _queue_figures(known_queues), SCRAPE_TIMEOUT_SECONDS
        )
    except Exception as error:  # a scrape must not fail with its source
        log.warning("metrics_queue_read_failed", error=f"{type(error).__name__}: {error}")
    try:
        shared_state.figures.ledger = await asyncio.wait_for(_ledger_figures(), SCRAPE_TIMEOUT_SECONDS)
    except Exception as error:
        log.warning("metrics_ledger_read_failed", error=f"{type(error).__name__}: {error}")


async def _queue_figures(known_queues: Sequence[str]) -> dict[str, QueueFigures]:
    figures = {queue: QueueFigures() for queue in known_queues}  # an empty queue shows 0
    async with get_database().engine.connect() as connection:
        for row in (await connection.execute(_WAITING_JOBS)).mappings():
            figures[row["queue"]] = QueueFigures(int(row["waiting"]), float(row["oldest"]))
    return figures


async def _ledger_figures() -> dict[str, float]:
    stored = await get_redis().hgetall(LEDGER_CHECK_KEY)
    return {str(name): float(value) for name, value in stored.items()}


async def record_ledger_check(violations: int) -> None:
    """Count a ledger check and what it found, for every instance's /metrics to show."""
    async with get_redis().pipeline(transaction=True) as pipeline:
        pipeline.hincrby(LEDGER_CHECK_KEY, "runs", 1)
        pipeline.hincrby(LEDGER_CHECK_KEY, "violations_total", violations)
        pipeline.hset(LEDGER_CHECK_KEY, mapping={"last_violations": violations, "last_run_at": time.time()})
        await pipeline.execute()
