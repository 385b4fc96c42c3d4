"""Payout schedules: the API, when a payout is due, exactly once per period (repeated runs, a
manual withdrawal racing it, a worker killed in the middle), and creators without a method."""

from __future__ import annotations

import asyncio
import functools
import random
import signal
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.core.jobs import defer
from reelbyte.payments.errors import InsufficientFunds
from reelbyte.payments.ledger_check import check
from reelbyte.payments.models import PayoutInterval, ScheduledPayout, Withdrawal, WithdrawalStatus
from reelbyte.payments.schedule_jobs import RUN_SCHEDULED_PAYOUTS_TASK, run_schedules
from reelbyte.payments.schedules import Schedule, due_period, next_payday, pay_scheduled
from tests.conftest import PROJECT_ROOT, Mailbox, run_jobs, s3_env
from tests.factories import (
    Headers,
    balance_of,
    gig_for_sale,
    make_paid_order,
    notification_types,
    payout_ready,
    signed_up,
)
from tests.payments.test_crash import STALLED_AFTER, _in_flight, _rows, _scalar, _until, _worker_env

WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # ISO week 2026-W49
URL = "/v1/payments/me/payout-schedule"


async def _creator_with_earnings(client: httpx.AsyncClient, price_minor: int = 10000) -> tuple[str, Headers]:
    """A creator whose available balance is the price less the 15 % fee (85.00 by default)."""
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"], price_minor=price_minor)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers)
    approved = await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    assert approved.json()["status"] == "completed"
    return creator["id"], creator_headers


async def _schedule(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.put(URL, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _withdrawals(user_id: str) -> list[Withdrawal]:
    async with get_database().sessions() as session:
        rows = await session.scalars(select(Withdrawal).where(Withdrawal.user_id == uuid.UUID(user_id)))
        return list(rows)


async def _scheduled(user_id: str) -> list[tuple[str, str]]:
    async with get_database().sessions() as session:
        rows = await session.execute(
            select(ScheduledPayout.period, ScheduledPayout.status).where(
                ScheduledPayout.user_id == uuid.UUID(user_id)
            )
        )
        return [(period, status.value) for period, status in rows]


async def _ledger_is_clean() -> None:
    async with get_database().sessions() as session:
        assert await check(session) == []


# --- the API ------------------------------------------------------------------------------


async def test_a_creator_sets_and_reads_their_schedule(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    _, other_headers = await signed_up(client, "creator")
    default = (await client.get(URL, headers=headers)).json()
    assert default == {
        "interval": "manual",
        "weekday": None,
        "day_of_month": None,
        "next_payout_on": None,
        "minimum": {"currency": "EUR", "value": "20.00"},
    }
    weekly = await _schedule(client, headers, interval="weekly", weekday=5)
    assert (weekly["interval"], weekly["weekday"], weekly["day_of_month"]) == ("weekly", 5, None)
    assert date.fromisoformat(weekly["next_payout_on"]).isoweekday() == 5
    assert (await client.get(URL, headers=headers)).json() == weekly
    monthly = await _schedule(client, headers, interval="monthly", day_of_month=31)
    assert (monthly["weekday"], monthly["day_of_month"]) == (None, 31)
    # Another creator's schedule is theirs alone.
    assert (await client.get(URL, headers=other_headers)).json()["interval"] == "manual"
    manual = await _schedule(client, headers, interval="manual")
    assert (manual["interval"], manual["next_payout_on"]) == ("manual", None)


async def test_bad_schedules_are_refused_and_change_nothing(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    before = await _schedule(client, headers, interval="monthly", day_of_month=15)
    bad_bodies: list[Any] = [
        {"interval": "weekly"},
        {"interval": "weekly", "weekday": 0},
        {"interval": "weekly", "weekday": 8},
        {"interval": "weekly", "weekday": 3, "day_of_month": 3},
        {"interval": "monthly"},
        {"interval": "monthly", "day_of_month": 0},
        {"interval": "monthly", "day_of_month": 32},
        {"interval": "monthly", "weekday": 2},
        {"interval": "manual", "weekday": 2},
        {"interval": "daily"},
        {"interval": "weekly", "weekday": "friday"},
        {"interval": "weekly", "weekday": 5, "extra": True},
        {},
        [],
        "weekly",
    ]
    for body in bad_bodies:
        response = await client.put(URL, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"] == "validation_error"
    not_json = await client.put(
        URL, content=b"interval=weekly", headers={**headers, "Content-Type": "text/plain"}
    )
    assert not_json.status_code == 415
    assert (await client.get(URL, headers=headers)).json() == before


async def test_only_creators_have_a_schedule(client: httpx.AsyncClient) -> None:
    _, client_headers = await signed_up(client, "client")
    assert (await client.get(URL, headers=client_headers)).status_code == 403
    assert (await client.put(URL, json={"interval": "manual"}, headers=client_headers)).status_code == 403
    assert (await client.get(URL)).status_code == 401


# --- when a payout is due -----------------------------------------------------------------


def test_due_periods() -> None:
    weekly_wednesday = Schedule(PayoutInterval.WEEKLY, weekday=3)
    assert due_period(weekly_wednesday, WEDNESDAY) == "2026-W49"
    assert due_period(weekly_wednesday, WEDNESDAY - timedelta(seconds=1)) == "2026-W49"  # same day
    assert due_period(weekly_wednesday, WEDNESDAY - timedelta(days=1)) is None  # Tuesday
    assert due_period(weekly_wednesday, WEDNESDAY + timedelta(days=4)) == "2026-W49"  # Sunday: still due
    assert due_period(weekly_wednesday, WEDNESDAY + timedelta(days=5)) is None  # next Monday
    monthly_31 = Schedule(PayoutInterval.MONTHLY, day_of_month=31)
    assert due_period(monthly_31, datetime(2026, 11, 29, tzinfo=UTC)) is None
    assert due_period(monthly_31, datetime(2026, 11, 30, tzinfo=UTC)) == "2026-11"  # its last day
    assert due_period(monthly_31, datetime(2027, 2, 28, tzinfo=UTC)) == "2027-02"
    assert due_period(Schedule(PayoutInterval.MANUAL), WEDNESDAY) is None
    # The ISO year: the last days of December 2024 belong to 2025-W01.
    assert (
        due_period(Schedule(PayoutInterval.WEEKLY, weekday=1), datetime(2024, 12, 31, tzinfo=UTC))
        == "2025-W01"
    )


schedules_strategy = st.one_of(
    st.builds(lambda day: Schedule(PayoutInterval.WEEKLY, weekday=day), st.integers(1, 7)),
    st.builds(lambda day: Schedule(PayoutInterval.MONTHLY, day_of_month=day), st.integers(1, 31)),
)


@given(schedule=schedules_strategy, today=st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 12, 1)))
def test_the_next_payday_is_due_and_no_day_before_it_is(schedule: Schedule, today: date) -> None:
    payday = next_payday(schedule, today)
    assert payday is not None
    assert today <= payday < today + timedelta(days=32)
    at = datetime(payday.year, payday.month, payday.day, tzinfo=UTC)
    assert due_period(schedule, at) is not None
    # The day before, the payday's period is not due yet (or that day is in another period).
    assert due_period(schedule, at - timedelta(days=1)) != due_period(schedule, at)


# --- paying out ---------------------------------------------------------------------------


async def test_a_due_creator_is_paid_their_whole_balance_once_per_period(client: httpx.AsyncClient) -> None:
    creator_id, headers = await _creator_with_earnings(client)
    await payout_ready(creator_id)
    await _schedule(client, headers, interval="weekly", weekday=3)
    manual_id, _ = await _creator_with_earnings(client)  # never paid by itself
    await payout_ready(manual_id)

    assert await run_schedules(WEDNESDAY - timedelta(days=1)) == {}  # Tuesday: not due yet
    assert await run_schedules(WEDNESDAY) == {"requested": 1}
    for _ in range(2):  # again, the same week: nothing
        assert await run_schedules(WEDNESDAY + timedelta(hours=3)) == {}
        assert await transaction(
            functools.partial(pay_scheduled, user_id=uuid.UUID(creator_id), now=WEDNESDAY)
        ) == ("already_paid")
    await run_jobs()  # the payout
    [withdrawal] = await _withdrawals(creator_id)
    assert (withdrawal.amount_minor, withdrawal.status) == (8500, WithdrawalStatus.PAID)
    assert await _scheduled(creator_id) == [("2026-W49", "requested")]
    assert (await balance_of(client, headers))["available"] == "0.00"
    assert await _withdrawals(manual_id) == []
    assert "payout_paid" in await notification_types(client, headers)

    # Next week, with nothing to pay out: nothing happens.
    assert await run_schedules(WEDNESDAY + timedelta(days=7)) == {}
    assert await _scheduled(creator_id) == [("2026-W49", "requested")]
    await _ledger_is_clean()


async def test_below_the_minimum_nothing_is_paid_until_there_is_enough(client: httpx.AsyncClient) -> None:
    creator_id, headers = await _creator_with_earnings(client, price_minor=2000)  # 17.00 < 20.00
    await payout_ready(creator_id)
    await _schedule(client, headers, interval="monthly", day_of_month=31)
    november_30 = datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert await run_schedules(november_30) == {}
    assert await transaction(
        functools.partial(pay_scheduled, user_id=uuid.UUID(creator_id), now=november_30)
    ) == ("below_minimum")
    assert await _withdrawals(creator_id) == []
    assert await _scheduled(creator_id) == []


async def test_without_a_verified_method_the_creator_is_told_once_then_paid_when_they_add_one(
    client: httpx.AsyncClient,
) -> None:
    creator_id, headers = await _creator_with_earnings(client)
    await _schedule(client, headers, interval="weekly", weekday=1)

    assert await run_schedules(WEDNESDAY) == {"no_payout_method": 1}
    assert await run_schedules(WEDNESDAY + timedelta(hours=1)) == {}  # skipped already: not asked again
    assert await transaction(
        functools.partial(pay_scheduled, user_id=uuid.UUID(creator_id), now=WEDNESDAY)
    ) == ("no_payout_method")
    assert await _scheduled(creator_id) == [("2026-W49", "skipped")]
    assert (await notification_types(client, headers)).count("payout_method_required") == 1
    assert await _withdrawals(creator_id) == []

    await payout_ready(creator_id)
    assert await run_schedules(WEDNESDAY + timedelta(hours=2)) == {"requested": 1}
    assert await _scheduled(creator_id) == [("2026-W49", "requested")]
    assert (await notification_types(client, headers)).count("payout_method_required") == 1
    [withdrawal] = await _withdrawals(creator_id)
    assert withdrawal.amount_minor == 8500
    await _ledger_is_clean()


async def test_two_runs_at_once_pay_each_creator_once(client: httpx.AsyncClient) -> None:
    creators = []
    for _ in range(3):
        creator_id, headers = await _creator_with_earnings(client)
        await payout_ready(creator_id)
        await _schedule(client, headers, interval="weekly", weekday=3)
        creators.append(creator_id)
    results = await asyncio.gather(*(run_schedules(WEDNESDAY) for _ in range(4)))
    assert sum(result.get("requested", 0) for result in results) == 3, results
    for creator_id in creators:
        [withdrawal] = await _withdrawals(creator_id)
        assert withdrawal.amount_minor == 8500
        assert await _scheduled(creator_id) == [("2026-W49", "requested")]
    await _ledger_is_clean()

    # `reelbyte ledger check` sees a scheduled payout that lost its withdrawal.
    async with get_database().engine.begin() as connection:
        await connection.execute(
            text("UPDATE scheduled_payouts SET withdrawal_id = NULL WHERE user_id = :id"), {"id": creators[0]}
        )
    async with get_database().sessions() as session:
        violations = {violation.invariant: violation.rows for violation in await check(session)}
    [(_, user_id, _)] = violations.pop("every scheduled payout made is one withdrawal of its own creator")
    assert (str(user_id), violations) == (creators[0], {})


async def test_a_scheduled_payout_racing_a_manual_withdrawal(client: httpx.AsyncClient) -> None:
    """At the same moment: one wins, the balance never goes below zero, nothing is paid twice;
    when the manual withdrawal wins, the next run pays out what is left."""
    for _ in range(4):
        creator_id, headers = await _creator_with_earnings(client)
        await payout_ready(creator_id)
        await _schedule(client, headers, interval="weekly", weekday=3)

        async def scheduled(user_id: str = creator_id) -> str:
            try:
                return await transaction(
                    functools.partial(pay_scheduled, user_id=uuid.UUID(user_id), now=WEDNESDAY)
                )
            except InsufficientFunds:
                return "lost"

        manual, outcome = await asyncio.gather(
            client.post(
                "/v1/payments/me/withdraw",
                json={"amount": {"currency": "EUR", "value": "50.00"}},
                headers=headers,
            ),
            scheduled(),
        )
        amounts = sorted(w.amount_minor for w in await _withdrawals(creator_id))
        if outcome == "requested":
            assert (manual.status_code, manual.json()["error"]) == (409, "insufficient_funds"), manual.text
            assert amounts == [8500]
        else:
            assert (outcome, manual.status_code) == ("lost", 201), manual.text
            assert amounts == [5000]
            assert await run_schedules(WEDNESDAY) == {"requested": 1}  # the 35.00 left
            assert sorted(w.amount_minor for w in await _withdrawals(creator_id)) == [3500, 5000]
        assert (await balance_of(client, headers))["available"] == "0.00"
    await run_jobs()
    await _ledger_is_clean()


# --- a worker killed in the middle --------------------------------------------------------

CRASH_CREATORS = 6
KILLS = 4
TASKS = (RUN_SCHEDULED_PAYOUTS_TASK, "pay_out")


async def _start_worker(settings: Settings, log: Path) -> asyncio.subprocess.Process:
    """`reelbyte worker` on this run's database, Redis and S3 server, for the payments queue: the
    scheduled payouts and the payouts. (Only that queue: a worker killed in the middle of an
    every-minute job with a queueing lock leaves it "doing", and putting it back in the queue
    collides with the next minute's copy; that is core's recovery, not what is tested here.)"""
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "reelbyte.cli", "worker", "--queues", "payments", "--concurrency", "4"),
            cwd=PROJECT_ROOT,
            env={**_worker_env(settings), **s3_env(settings)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


async def _pending() -> int:
    count = await _scalar(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = ANY(:tasks)", tasks=list(TASKS)
    )
    return int(count)


@pytest.mark.slow
async def test_a_worker_killed_mid_scheduled_payout_pays_each_creator_exactly_once(
    client: httpx.AsyncClient, settings: Settings, mailbox: Mailbox, tmp_path: Path
) -> None:
    rng = random.Random()
    creators = []
    for _ in range(CRASH_CREATORS):
        creator_id, headers = await _creator_with_earnings(client)
        await payout_ready(creator_id)
        await _schedule(client, headers, interval="weekly", weekday=1)  # due every day of the week
        creators.append(creator_id)
    await run_jobs()  # the sign-ups' and orders' own jobs, out of the way
    await transaction(lambda session: defer(session, RUN_SCHEDULED_PAYOUTS_TASK, timestamp=0))

    orphaned = []
    for kill in range(KILLS):
        if await _pending() == 0:
            break
        last = int(await _scalar("SELECT coalesce(max(id), 0) FROM procrastinate_workers"))
        worker = await _start_worker(settings, tmp_path / f"worker-{kill}.log")
        try:
            await _until(functools.partial(_in_flight, last), "the worker taking a job", worker)
            await asyncio.sleep(rng.uniform(0, 0.3))
        finally:
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
        orphaned.append(await _in_flight(last))
        await asyncio.sleep(STALLED_AFTER)
    assert sum(orphaned) > 0, f"no kill caught a job in flight: {orphaned}"

    last = int(await _scalar("SELECT coalesce(max(id), 0) FROM procrastinate_workers"))
    worker = await _start_worker(settings, tmp_path / "worker-final.log")
    try:

        async def started() -> bool:  # (a SIGTERM before it runs would find no handler yet)
            return (
                int(await _scalar("SELECT count(*) FROM procrastinate_workers WHERE id > :last", last=last))
                > 0
            )

        async def finished() -> bool:
            return await _pending() == 0

        await _until(started, "the last worker starting", worker)
        await _until(finished, f"the queue emptying (left in flight by the kills: {orphaned})", worker)
        worker.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            assert await worker.wait() == 0
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()

    period = f"{utcnow().isocalendar()[0]}-W{utcnow().isocalendar()[1]:02d}"
    for creator_id in creators:
        assert await _scheduled(creator_id) == [(period, "requested")], creator_id
        [withdrawal] = await _withdrawals(creator_id)
        assert (withdrawal.amount_minor, withdrawal.status) == (8500, WithdrawalStatus.PAID)
        payouts = await _rows(
            "SELECT id FROM sandbox_payouts WHERE idempotency_key = :key", key=f"withdrawal:{withdrawal.id}"
        )
        assert [row[0] for row in payouts] == [withdrawal.provider_payout_id]
        available = await _scalar(
            "SELECT balance_minor FROM ledger_accounts WHERE key = :key",
            key=f"user:{creator_id}:available:EUR",
        )
        assert available == 0
    async with get_database().sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ScheduledPayout)) == CRASH_CREATORS
    await _ledger_is_clean()
