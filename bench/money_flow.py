"""Throughput of the money path.

Run: uv run python -m bench.money_flow [flows] [concurrency]

1. Whole flows per second: order → checkout → sandbox "pay" → webhook → deliver → approve,
   through the ASGI app, `concurrency` flows at a time, each by its own client and creator
   (made before the clock starts).
2. Ledger transfers per second: `ledger.post` straight, concurrently, (a) between independent
   accounts and (b) all into one hot account (the platform revenue), which serialises on its row.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

import httpx
from sqlalchemy import select

from bench._common import asgi_client, bench_settings, machine, median, percentile, write_section
from reelbyte.catalog.models import Category, Gig, Package, PackageTier
from reelbyte.core.db import get_database
from reelbyte.payments import ledger
from reelbyte.payments.ledger import Leg
from reelbyte.payments.models import EntryKind

PASSWORD = "Bench!Passw0rd"


async def _user(client: httpx.AsyncClient, role: str) -> tuple[str, dict[str, str]]:
    name = f"{role}-{uuid.uuid4().hex[:10]}"
    email = f"{name}@example.com"
    body = {"email": email, "username": name, "password": PASSWORD, "full_name": name, "role": role}
    user = (await client.post("/v1/auth/register", json=body)).json()
    token = (await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})).json()
    return user["id"], {"Authorization": f"Bearer {token['access_token']}"}


async def _gig(creator_id: str) -> tuple[str, str]:
    async with get_database().sessions() as session:
        category = await session.scalar(select(Category.id).where(Category.parent_id.is_(None)).limit(1))
        assert category is not None
        gig = Gig(
            creator_id=uuid.UUID(creator_id),
            title="Bench gig",
            slug=f"bench-{uuid.uuid4().hex}",
            description="bench",
            category_id=category,
            price_from_minor=5000,
            price_to_minor=5000,
            currency="EUR",
            min_delivery_days=3,
        )
        session.add(gig)
        await session.flush()
        package = Package(
            gig_id=gig.id,
            tier=PackageTier.BASIC,
            description="b",
            price_minor=5000,
            currency="EUR",
            delivery_days=3,
            revisions=1,
        )
        session.add(package)
        await session.commit()
        return str(gig.id), str(package.id)


Parties = tuple[dict[str, str], dict[str, str], str, str]


async def parties(client: httpx.AsyncClient) -> Parties:
    creator_id, creator = await _user(client, "creator")
    _, buyer = await _user(client, "client")
    gig_id, package_id = await _gig(creator_id)
    return creator, buyer, gig_id, package_id


async def one_flow(client: httpx.AsyncClient, who: Parties) -> float:
    creator, buyer, gig_id, package_id = who
    started = time.perf_counter()
    order = (
        await client.post("/v1/orders", json={"gig_id": gig_id, "package_id": package_id}, headers=buyer)
    ).json()
    payment = (
        await client.post("/v1/payments/checkout", json={"order_id": order["id"]}, headers=buyer)
    ).json()
    provider_id = payment["checkout_url"].rsplit("/", 1)[1]
    await client.post(f"/sandbox/checkout/{provider_id}", data={"action": "pay"})
    await client.post("/v1/payments/webhook", data={"id": provider_id})  # what the webhook job sends
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator)
    done = await client.post(f"/v1/orders/{order['id']}/approve", headers=buyer)
    assert done.json()["status"] == "completed", done.text
    return time.perf_counter() - started


async def flows(client: httpx.AsyncClient, total: int, concurrency: int) -> tuple[float, list[float]]:
    gate = asyncio.Semaphore(concurrency)
    everyone = [await parties(client) for _ in range(total)]

    async def guarded(who: Parties) -> float:
        async with gate:
            return await one_flow(client, who)

    started = time.perf_counter()
    latencies = await asyncio.gather(*(guarded(who) for who in everyone))
    return total / (time.perf_counter() - started), list(latencies)


async def transfers(total: int, concurrency: int, hot: bool) -> float:
    run = uuid.uuid4().hex[:8]
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        source = ledger.clearing(f"bench{run}", "EUR")
        target = (
            ledger.revenue("EUR")
            if hot
            else ledger.Account(f"bench:{run}:{i}", ledger.AccountKind.REVENUE, "EUR")
        )
        async with gate, get_database().sessions() as session:
            await ledger.post(
                session,
                idempotency_key=f"bench:{run}:{i}",
                kind="bench",
                reference_type="bench",
                reference_id=uuid.uuid4(),
                legs=[Leg(source, -100, EntryKind.PAYMENT), Leg(target, 100, EntryKind.PAYMENT)],
            )
            await session.commit()

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(total)))
    return total / (time.perf_counter() - started)


async def main(total: int, concurrency: int) -> None:
    with bench_settings() as settings:
        async with asgi_client(settings) as client:
            await one_flow(client, await parties(client))  # warm up
            flow_rate, latencies = await flows(client, total, concurrency)
            independent = await transfers(total * 10, concurrency, hot=False)
            hot = await transfers(total * 10, concurrency, hot=True)
    body = f"""
Command: `uv run python -m bench.money_flow {total} {concurrency}` ({machine()}, embedded PostgreSQL,
everything in one process through the ASGI app; users and gigs are made outside the timed part).

| measure | figure |
| --- | --- |
| whole flows (order → checkout → pay → webhook → deliver → approve) | **{flow_rate:.1f} flows/s** at {concurrency} at a time |
| one flow, median / p99 | {median(latencies) * 1000:.0f} ms / {percentile(latencies, 99) * 1000:.0f} ms |
| ledger transfers between independent accounts | **{independent:.0f} transfers/s** |
| ledger transfers all into one hot account | **{hot:.0f} transfers/s** |

Each flow is 6 requests and 3 ledger transfers (payment, release with fee). The hot-account figure
shows the cost of the row lock every transfer takes on the platform revenue account.
"""
    print(body)
    write_section("Money flow", body)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args + [200, 8][len(args) :])))
