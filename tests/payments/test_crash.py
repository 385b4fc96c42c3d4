"""A worker killed (SIGKILL) in the middle of paying out and auto-completing, again and again:
after a restart every payout is paid exactly once, every order released exactly once, and
`reelbyte ledger check` passes.

Real processes: `python -m reelbyte.cli worker` against the test database. The jobs a killed
worker was running are left "doing"; the next worker finds the dead one (no heartbeat for
WORKER_STALLED_AFTER_SECONDS) and puts its jobs back in the queue.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.core.jobs import job_app, recover_stalled_jobs
from tests.conftest import PROJECT_ROOT, Mailbox, run_jobs
from tests.factories import can_withdraw, gig_for_sale, make_order, sandbox_id, seller_and_buyer, signed_up

STALLED_AFTER = 2.0  # seconds without a heartbeat before a worker counts as dead
KILLS = 5
WAIT_SECONDS = 90.0
CREATORS = 4
PRICE = 10000  # 85.00 to the creator
APPROVED_PER_CREATOR = 3  # 255.00 each to withdraw from
AUTO_PER_CREATOR = 6
WITHDRAWALS_PER_CREATOR = 8  # of 20.00 to 30.99, a quarter of them refused (cents .13)
TASKS = ("pay_out", "auto_complete_order")


async def _rows(sql: str, **params: Any) -> list[Any]:
    async with get_database().engine.connect() as connection:
        return list((await connection.execute(text(sql), params)).all())


async def _scalar(sql: str, **params: Any) -> Any:
    async with get_database().engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


async def _pending(not_ours: list[str]) -> tuple[int, int]:
    """(payouts and auto-completions still in the queue, of which being run now), leaving out
    the auto-completions of the orders in `not_ours` (approved already; due in days)."""
    [(left, doing)] = await _rows(
        "SELECT count(*), count(*) FILTER (WHERE status = 'doing') FROM procrastinate_jobs "
        "WHERE task_name = ANY(:tasks) AND coalesce(args->>'order_id', '') <> ALL(:not_ours)",
        tasks=list(TASKS),
        not_ours=not_ours,
    )
    return int(left), int(doing)


async def _in_flight(workers_before: int) -> int:
    """Jobs being run by a worker that registered after `workers_before` (the one started last)."""
    count = await _scalar(
        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' AND worker_id > :last",
        last=workers_before,
    )
    return int(count)


async def _paid_orders(
    client: httpx.AsyncClient, client_headers: dict[str, str], gig: Any, package: Any, count: int
) -> list[dict[str, Any]]:
    orders = [await make_order(client, client_headers, gig, package) for _ in range(count)]
    for order in orders:
        payment = (
            await client.post("/v1/payments/checkout", json={"order_id": order["id"]}, headers=client_headers)
        ).json()
        page = await client.post(f"/sandbox/checkout/{sandbox_id(payment)}", data={"action": "pay"})
        assert page.status_code == 303
    return orders


def _worker_env(settings: Settings) -> dict[str, str]:
    assert settings.database_url is not None
    assert settings.redis_url is not None
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "WORKER_STALLED_AFTER_SECONDS": str(STALLED_AFTER),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }


async def _start_worker(settings: Settings, log: Path) -> asyncio.subprocess.Process:
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "reelbyte.cli", "worker", "--concurrency", "4"),
            cwd=PROJECT_ROOT,
            env=_worker_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def _recovered_jobs(logs: Path) -> list[int]:
    """The ids of the jobs the workers' logs say they put back in the queue."""
    return [
        job_id
        for log in sorted(logs.glob("worker-*.log"))
        for line in log.read_text().splitlines()
        if line.startswith("{") and (entry := json.loads(line))["event"] == "stalled_jobs_recovered"
        for job_id in entry["job_ids"]
    ]


async def _until(
    condition: Callable[[], Awaitable[Any]], what: str, worker: asyncio.subprocess.Process
) -> None:
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while not await condition():
                assert worker.returncode is None, f"the worker exited with {worker.returncode}"
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {WAIT_SECONDS:.0f}s") from None


@pytest.mark.slow
async def test_a_killed_worker_pays_out_and_completes_exactly_once(
    client: httpx.AsyncClient,
    settings: Settings,
    mailbox: Mailbox,  # the sign-up e-mails the workers send go somewhere
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random()
    _, client_headers = await signed_up(client, "client")
    creators = []
    for _ in range(CREATORS):
        creator, creator_headers = await signed_up(client, "creator")
        gig, package = await gig_for_sale(creator["id"], price_minor=PRICE)
        creators.append((creator, creator_headers, gig, package))

    # Earnings to withdraw: orders paid, delivered and approved.
    approved = []
    for _, _, gig, package in creators:
        approved.append(await _paid_orders(client, client_headers, gig, package, APPROVED_PER_CREATOR))
    await run_jobs()  # the webhooks
    for (_, creator_headers, _, _), orders in zip(creators, approved, strict=True):
        for order in orders:
            delivered = await client.post(
                f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers
            )
            assert delivered.status_code == 200, delivered.text
            approval = await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
            assert approval.json()["status"] == "completed"

    approved_ids = [order["id"] for orders in approved for order in orders]

    # Orders delivered with auto-completion due at once.
    auto = []
    for _, _, gig, package in creators:
        auto.append(await _paid_orders(client, client_headers, gig, package, AUTO_PER_CREATOR))
    await run_jobs()
    monkeypatch.setattr(settings, "auto_complete_days", 0)
    for (_, creator_headers, _, _), orders in zip(creators, auto, strict=True):
        for order in orders:
            delivered = await client.post(
                f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers
            )
            assert delivered.status_code == 200, delivered.text

    # Withdrawals, a quarter of them ending in .13 (the sandbox refuses those).
    withdrawals: dict[str, int] = {}
    for _, creator_headers, _, _ in creators:
        await can_withdraw(client, creator_headers)
        for i in range(WITHDRAWALS_PER_CREATOR):
            cents = 2000 + rng.randrange(0, 11) * 100 + (13 if i % 4 == 0 else rng.choice([0, 1, 50, 99]))
            value = f"{cents // 100}.{cents % 100:02d}"
            response = await client.post(
                "/v1/payments/me/withdraw",
                json={"amount": {"currency": "EUR", "value": value}},
                headers=creator_headers,
            )
            assert response.status_code == 201, response.text
            withdrawals[response.json()["id"]] = cents
    total = len(withdrawals) + CREATORS * AUTO_PER_CREATOR
    assert await _pending(approved_ids) == (total, 0)

    # Kill the worker in the middle of the work, again and again.
    orphaned = []  # per kill: the jobs the killed worker was in the middle of
    for kill in range(KILLS):
        if (await _pending(approved_ids))[0] == 0:
            break
        last = int(await _scalar("SELECT coalesce(max(id), 0) FROM procrastinate_workers"))
        worker = await _start_worker(settings, tmp_path / f"worker-{kill}.log")
        try:
            await _until(functools.partial(_in_flight, last), "the worker taking a job", worker)
            await asyncio.sleep(rng.uniform(0, 0.4))
        finally:
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
        orphaned.append(await _in_flight(last))
        await asyncio.sleep(STALLED_AFTER)  # the dead worker's heartbeat goes stale
    assert sum(orphaned) > 0, f"no kill caught a job in flight: {orphaned}"

    # One more worker, left to finish.
    last = int(await _scalar("SELECT coalesce(max(id), 0) FROM procrastinate_workers"))
    worker = await _start_worker(settings, tmp_path / "worker-final.log")
    try:

        async def running() -> bool:
            return bool(
                await _scalar("SELECT count(*) FROM procrastinate_workers WHERE id > :last", last=last)
            )

        await _until(running, "the worker starting", worker)

        async def finished() -> bool:
            return (await _pending(approved_ids))[0] == 0

        await _until(finished, f"the queue emptying (jobs left in flight by the kills: {orphaned})", worker)
        worker.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WAIT_SECONDS):
            assert await worker.wait() == 0
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()

    unfinished = "SELECT id, task_name, status::text FROM procrastinate_jobs WHERE status <> 'todo'"
    assert await _rows(unfinished) == []
    # Each worker found what the one killed before it left in flight, and queued it again (a job
    # may be orphaned, recovered and orphaned again by the next kill).
    recovered = _recovered_jobs(tmp_path)
    assert len(recovered) == sum(orphaned), (recovered, orphaned)

    # Every withdrawal: paid out exactly once (or refused, and its money back), booked once.
    paid_total = 0
    for withdrawal_id, cents in withdrawals.items():
        [(status, payout_id)] = await _rows(
            "SELECT status::text, provider_payout_id FROM withdrawals WHERE id = :id",
            id=uuid.UUID(withdrawal_id),
        )
        payouts = await _rows(
            "SELECT id FROM sandbox_payouts WHERE idempotency_key = :key", key=f"withdrawal:{withdrawal_id}"
        )
        keys = sorted(
            key
            for (key,) in await _rows(
                "SELECT idempotency_key FROM ledger_transfers WHERE reference_type = 'withdrawal' "
                "AND reference_id = :id",
                id=uuid.UUID(withdrawal_id),
            )
        )
        if cents % 100 == 13:
            assert (status, payouts) == ("failed", []), withdrawal_id
            assert keys == [f"withdrawal:{withdrawal_id}:failed", f"withdrawal:{withdrawal_id}:requested"]
        else:
            assert status == "paid", withdrawal_id
            assert [row[0] for row in payouts] == [payout_id]
            assert keys == [f"withdrawal:{withdrawal_id}:paid", f"withdrawal:{withdrawal_id}:requested"]
            paid_total += cents

    # Every auto-completed order: completed once, released once.
    for orders in auto:
        for order in orders:
            order_id = uuid.UUID(order["id"])
            assert await _scalar("SELECT status::text FROM orders WHERE id = :id", id=order_id) == "completed"
            events = await _rows(
                "SELECT kind FROM order_events WHERE order_id = :id AND kind = 'auto_completed'", id=order_id
            )
            assert len(events) == 1
            releases = await _rows(
                "SELECT id FROM ledger_transfers WHERE idempotency_key = :key",
                key=f"order:{order_id}:release",
            )
            assert len(releases) == 1

    earned = CREATORS * (APPROVED_PER_CREATOR + AUTO_PER_CREATOR) * (PRICE - PRICE * 15 // 100)
    available = await _scalar(
        "SELECT sum(balance_minor) FROM ledger_accounts WHERE kind = 'available'",
    )
    in_transit = await _scalar(
        "SELECT coalesce(sum(balance_minor), 0) FROM ledger_accounts WHERE kind = 'in_transit'"
    )
    assert (available, in_transit) == (earned - paid_total, 0)

    check = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "reelbyte.cli", "ledger", "check"),
        cwd=PROJECT_ROOT,
        env=_worker_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await check.communicate()
    assert check.returncode == 0, output.decode()


async def test_only_the_jobs_of_a_silent_worker_are_queued_again(client: httpx.AsyncClient) -> None:
    """The recovery itself, in process: a withdrawal's payout taken by a worker silent for an hour
    goes back to the queue (and is paid); one taken by a live worker is left to it."""
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=PRICE)
    [order] = await _paid_orders(client, client_headers, gig, package, 1)
    await run_jobs()
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    await can_withdraw(client, creator_headers)
    ids = []
    for value in ("20.00", "21.00"):
        response = await client.post(
            "/v1/payments/me/withdraw",
            json={"amount": {"currency": "EUR", "value": value}},
            headers=creator_headers,
        )
        ids.append(response.json()["id"])
    async with get_database().engine.begin() as connection:
        for withdrawal_id, silent_for in zip(ids, ("1 hour", "0 seconds"), strict=True):
            worker_id = (
                await connection.execute(
                    text(
                        "INSERT INTO procrastinate_workers (last_heartbeat) "
                        "VALUES (now() - CAST(:silent AS interval)) RETURNING id"
                    ),
                    {"silent": silent_for},
                )
            ).scalar_one()
            await connection.execute(
                text(
                    "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :worker "
                    "WHERE task_name = 'pay_out' AND args->>'withdrawal_id' = :id"
                ),
                {"worker": worker_id, "id": withdrawal_id},
            )
    await run_jobs()  # nothing to take: both are "being run"

    [recovered] = await recover_stalled_jobs()
    assert await recover_stalled_jobs() == []  # once
    await run_jobs()

    statuses = await _rows("SELECT id::text, status::text FROM withdrawals")
    assert dict(statuses) == {ids[0]: "paid", ids[1]: "requested"}
    [(job_status,)] = await _rows("SELECT status::text FROM procrastinate_jobs WHERE task_name = 'pay_out'")
    assert job_status == "doing"  # still the live worker's
    assert recovered not in {row[0] for row in await _rows("SELECT id FROM procrastinate_jobs")}
    # Running workers do the same every minute, not only when one starts.
    assert ("recover_stalled_jobs", "every-minute") in job_app.periodic_registry.periodic_tasks


async def test_an_orphan_whose_next_copy_already_waits_is_closed_not_requeued() -> None:
    """A periodic job with a queueing lock, orphaned while its next tick already waits: putting
    it back would break the lock's uniqueness (and, before this, the worker's start-up)."""
    async with get_database().engine.begin() as connection:
        worker_id = (
            await connection.execute(
                text(
                    "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') RETURNING id"
                )
            )
        ).scalar_one()
        ids = []
        for status, worker in (("doing", worker_id), ("todo", None)):
            ids.append(
                (
                    await connection.execute(
                        text(
                            "INSERT INTO procrastinate_jobs (queue_name, task_name, queueing_lock, args, status, worker_id) "
                            "VALUES ('maintenance', 'recover_stalled_jobs', 'recover_stalled_jobs', "
                            "'{\"timestamp\": 0}', CAST(:status AS procrastinate_job_status), :worker) RETURNING id"
                        ),
                        {"status": status, "worker": worker},
                    )
                ).scalar_one()
            )

    assert await recover_stalled_jobs() == []  # nothing put back: the waiting copy runs instead

    statuses = dict(await _rows("SELECT id, status::text FROM procrastinate_jobs ORDER BY id"))
    assert statuses == {ids[0]: "aborted", ids[1]: "todo"}
