"""Each metric of /metrics moves with what it measures: requests, job queues, WebSocket
connections (a real uvicorn in this event loop), ledger checks (the real CLI)."""

from __future__ import annotations

import asyncio
import math
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from reelbyte.core.config import Settings
from reelbyte.core.db import transaction
from reelbyte.core.jobs import defer
from reelbyte.core.metrics import LATENCY_BUCKETS, RequestCollector, record_ledger_check
from reelbyte.payments.jobs import check_ledger
from tests.factories import signed_up

Labels = dict[str, str]


@pytest.fixture
async def loopback(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client /metrics answers (loopback is allowed by default)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def sample(http: httpx.AsyncClient, name: str, labels: Labels | None = None) -> float | None:
    """The value of the sample `name` with these labels in a fresh scrape, None when absent."""
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    for family in text_string_to_metric_families(response.text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in (labels or {}).items()):
                return float(found.value)
    return None


async def test_requests_are_counted_by_route_and_status(loopback: httpx.AsyncClient) -> None:
    labels = {"method": "GET", "route": "/health", "status": "200"}
    before = await sample(loopback, "reelbyte_http_requests_total", labels) or 0.0
    for _ in range(3):
        assert (await loopback.get("/health")).status_code == 200
    assert await sample(loopback, "reelbyte_http_requests_total", labels) == before + 3
    count = await sample(
        loopback, "reelbyte_http_request_duration_seconds_count", {"method": "GET", "route": "/health"}
    )
    assert count is not None
    assert count >= 3


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["GET", "POST"]),
            st.sampled_from(["/health", "/v1/gigs/{ref}"]),
            st.sampled_from([200, 404, 500]),
            st.floats(min_value=0, max_value=20, allow_nan=False),
        ),
        max_size=40,
    )
)
def test_request_counts_and_latency_buckets_add_up(requests: list[tuple[str, str, int, float]]) -> None:
    collector = RequestCollector()
    for method, route, status, seconds in requests:
        collector.record(method, route, status, seconds)
    registry = CollectorRegistry()
    registry.register(collector)
    scraped = {
        (found.name, tuple(sorted(found.labels.items()))): found.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for found in family.samples
    }
    for method, route, status, _ in set(requests):
        same = [r for r in requests if r[:3] == (method, route, status)]
        labels = (("method", method), ("route", route), ("status", str(status)))
        assert scraped["reelbyte_http_requests_total", labels] == len(same)
    for method, route in {(m, r) for m, r, _, _ in requests}:
        timed = [seconds for m, r, _, seconds in requests if (m, r) == (method, route)]
        for bound in (*LATENCY_BUCKETS, math.inf):
            le = "+Inf" if bound == math.inf else repr(float(bound))
            labels = (("le", le), ("method", method), ("route", route))
            assert scraped["reelbyte_http_request_duration_seconds_bucket", labels] == sum(
                1 for seconds in timed if seconds <= bound
            )
        labels = (("method", method), ("route", route))
        assert scraped["reelbyte_http_request_duration_seconds_count", labels] == len(timed)
        assert scraped["reelbyte_http_request_duration_seconds_sum", labels] == pytest.approx(sum(timed))


async def test_queue_depth_and_age_count_due_jobs_only(loopback: httpx.AsyncClient) -> None:
    queue = {"queue": "maintenance"}
    assert await sample(loopback, "reelbyte_job_queue_depth", queue) == 0
    assert await sample(loopback, "reelbyte_job_queue_oldest_age_seconds", queue) == 0

    async def enqueue(session):  # type: ignore[no-untyped-def]
        await defer(session, "recover_stalled_jobs", queueing_lock="metrics-1", timestamp=1)
        await defer(session, "recover_stalled_jobs", queueing_lock="metrics-2", timestamp=2)
        # Due in an hour: waiting for its time, not for a worker.
        later = datetime.now(UTC) + timedelta(hours=1)
        await defer(
            session, "recover_stalled_jobs", schedule_at=later, queueing_lock="metrics-3", timestamp=3
        )

    await transaction(enqueue)
    await asyncio.sleep(0.3)
    assert await sample(loopback, "reelbyte_job_queue_depth", queue) == 2
    age = await sample(loopback, "reelbyte_job_queue_oldest_age_seconds", queue)
    assert age is not None
    assert 0.2 < age < 30


async def test_open_websockets_are_gauged_per_kind(
    app: FastAPI, client: httpx.AsyncClient, loopback: httpx.AsyncClient
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        _, headers = await signed_up(client, "client")
        kind = {"kind": "notifications"}
        before = await sample(loopback, "reelbyte_websocket_connections", kind) or 0.0
        ticket = (await client.post("/v1/ws/ticket", headers=headers)).json()["ticket"]
        async with connect(f"ws://127.0.0.1:{port}/v1/ws/notifications?ticket={ticket}"):
            await _until(loopback, "reelbyte_websocket_connections", kind, before + 1)
        await _until(loopback, "reelbyte_websocket_connections", kind, before)
    finally:
        server.should_exit = True
        await serving


async def _until(http: httpx.AsyncClient, name: str, labels: Labels, expected: float) -> None:
    for _ in range(100):
        if await sample(http, name, labels) == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name}{labels} never became {expected}: {await sample(http, name, labels)}")


async def test_ledger_checks_and_their_violations_are_counted(loopback: httpx.AsyncClient) -> None:
    assert await sample(loopback, "reelbyte_ledger_checks_total") == 0
    await record_ledger_check(2)
    assert await sample(loopback, "reelbyte_ledger_checks_total") == 1
    assert await sample(loopback, "reelbyte_ledger_violations_total") == 2
    assert await sample(loopback, "reelbyte_ledger_check_violations") == 2
    last_run = await sample(loopback, "reelbyte_ledger_check_last_run_timestamp_seconds")
    assert last_run is not None
    assert abs(last_run - datetime.now(UTC).timestamp()) < 60


async def test_the_ledger_check_command_records_its_run(
    loopback: httpx.AsyncClient, settings: Settings
) -> None:
    env = {**os.environ, "DATABASE_URL": settings.database_url or "", "REDIS_URL": settings.redis_url or ""}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "reelbyte.cli", "ledger", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert await sample(loopback, "reelbyte_ledger_checks_total") == 1
    assert await sample(loopback, "reelbyte_ledger_check_violations") == 0
    assert await sample(loopback, "reelbyte_ledger_violations_total") == 0


async def test_the_hourly_ledger_check_job_records_its_run(loopback: httpx.AsyncClient) -> None:
    await check_ledger(0)
    assert await sample(loopback, "reelbyte_ledger_checks_total") == 1
    assert await sample(loopback, "reelbyte_ledger_check_violations") == 0
