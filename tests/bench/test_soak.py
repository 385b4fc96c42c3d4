"""The soak (bench/soak.py): its order flow goes all the way through the app, and its checks at the
end read the current schema and count that flow once; memory growth is measured per process."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from bench._soak_load import Api, Offer, Person, Recorder, order_flow, sign_up

from bench import soak
from reelbyte.core.runtime import Runtime
from tests.conftest import run_jobs
from tests.factories import make_gig, signed_up, verify_email_of


async def _worker_until(done: asyncio.Event) -> None:
    while not done.is_set():
        await run_jobs()
        await asyncio.sleep(0.1)


async def test_an_order_flow_is_counted_once_by_the_end_checks(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    api = Api(client, Recorder())
    user, headers = await signed_up(client, "creator")  # verified: a creator lists gigs
    creator = Person(user["id"], user["username"], user["email"], "", headers)
    buyer = await sign_up(api, "client")  # named soak-…, as the checks count
    await verify_email_of(buyer.id)
    gig = await make_gig(client, headers)
    done = asyncio.Event()
    worker = asyncio.create_task(_worker_until(done))  # sends the sandbox's webhook
    try:
        await order_flow(api, buyer, Offer(gig["id"], gig["packages"][0]["id"], creator))
    finally:
        done.set()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    figures = await asyncio.to_thread(soak.database_checks, runtime.settings.database_url or "")

    assert {name: figures[name] for name in soak.MONEY_SQL} == {
        "orders": 1,
        "orders_paid": 1,
        "orders_completed": 1,
        "payments_captured": 1,
        "orders_paid_twice": 0,
        "payment_transfers": 1,
        "release_transfers": 1,
        "messages_stored": 0,
        "messages_distinct_client_ids": 0,
    }
    assert sum(api.recorder.errors.values()) == 0


def _sample(t: int, rss: dict[str, int], pids: dict[str, int]) -> dict[str, object]:
    return {"t": t, "rss": rss, "pids": pids}


def test_memory_growth_of_a_restarted_process_counts_from_its_restart() -> None:
    run = soak.Run(target=None, minutes=10, rate=1, chaos=True)  # type: ignore[arg-type]
    run.samples = [
        _sample(60, {"api-1": 100, "api-2": 100}, {"api-1": 1, "api-2": 2}),  # in the warm-up
        _sample(150, {"api-1": 200, "api-2": 200}, {"api-1": 1, "api-2": 2}),
        _sample(300, {"api-1": 50, "api-2": 210}, {"api-1": 3, "api-2": 2}),  # api-1 killed, started
        _sample(600, {"api-1": 55, "api-2": 220}, {"api-1": 3, "api-2": 2}),
    ]

    growth = soak.rss_growth(run)

    assert (growth["api-2"]["from_s"], round(growth["api-2"]["growth_pct"])) == (150, 10)
    assert (
        growth["api-1"]["from_s"],
        round(growth["api-1"]["growth_pct"]),
        growth["api-1"]["restarted"],
    ) == (
        300,
        10,
        True,
    )
