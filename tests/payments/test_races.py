"""Real races through the API: requests sent at once with asyncio.gather, each on its own
database connection, must end with exactly one winner and a clean ledger."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import text

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.payments.ledger_check import check
from tests.conftest import run_jobs
from tests.factories import (
    balance_of,
    can_withdraw,
    checkout,
    eur,
    gig_for_sale,
    make_order,
    make_paid_order,
    sandbox_id,
    seller_and_buyer,
    signed_up,
)

COPIES = 20


async def _scalar(sql: str, **params: Any) -> Any:
    async with get_database().engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


async def _escrow(order_id: str) -> int:
    balance = await _scalar(
        "SELECT balance_minor FROM ledger_accounts WHERE key = :key", key=f"escrow:order:{order_id}"
    )
    return int(balance or 0)


async def _ledger_is_clean() -> None:
    async with get_database().sessions() as session:
        assert await check(session) == []


async def _creator_with_balance(client: httpx.AsyncClient, price_minor: int) -> dict[str, str]:
    """A creator whose available balance is `price_minor` less the 15 % fee, with a verified
    payout method."""
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=price_minor)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers)
    response = await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    assert response.json()["status"] == "completed"
    await can_withdraw(client, creator_headers)
    return creator_headers


async def test_twenty_copies_of_one_webhook_fund_the_order_once(client: httpx.AsyncClient) -> None:
    _, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_order(client, client_headers, gig, package)
    payment = await checkout(client, client_headers, order_id=order["id"])
    # The payer pays; the provider's own notice (a job) is held back while twenty copies race.
    page = await client.post(f"/sandbox/checkout/{sandbox_id(payment)}", data={"action": "pay"})
    assert page.status_code == 303

    responses = await asyncio.gather(
        *(client.post("/v1/payments/webhook", data={"id": sandbox_id(payment)}) for _ in range(COPIES))
    )

    assert [r.status_code for r in responses] == [200] * COPIES, [
        r.text for r in responses if r.status_code != 200
    ]
    assert {r.json()["status"] for r in responses} == {"paid"}
    await run_jobs()  # and the provider's notice arrives after all of them
    assert await _escrow(order["id"]) == 5000
    transfers = await _scalar(
        "SELECT count(*) FROM ledger_transfers WHERE reference_type = 'payment' AND reference_id = :id",
        id=uuid.UUID(payment["payment_id"]),
    )
    assert transfers == 1
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()
    assert detail["status"] == "in_progress"
    assert [event["kind"] for event in detail["events"]].count("paid") == 1
    await _ledger_is_clean()


async def test_checkouts_of_one_order_at_once_open_one_payment(client: httpx.AsyncClient) -> None:
    _, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_order(client, client_headers, gig, package)
    responses = await asyncio.gather(
        *(
            client.post("/v1/payments/checkout", json={"order_id": order["id"]}, headers=client_headers)
            for _ in range(5)
        )
    )
    assert [r.status_code for r in responses] == [201] * 5, [r.text for r in responses]
    assert len({r.json()["payment_id"] for r in responses}) == 1
    assert await _scalar("SELECT count(*) FROM payments") == 1
    assert await _scalar("SELECT count(*) FROM sandbox_payments") == 1


async def test_a_burst_bigger_than_the_connection_pool_is_served(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Checkouts and webhooks ask the provider while holding a database connection; the sandbox
    provider keeps its books apart, so a burst beyond the pool (10, growing to 20) does not leave
    them waiting on each other."""
    burst = 4 * settings.db_pool_size
    _, client_headers, gig, package = await seller_and_buyer(client)
    orders = [await make_order(client, client_headers, gig, package) for _ in range(burst)]

    async with asyncio.timeout(20):  # the pool's own timeout is 30 s
        checkouts = await asyncio.gather(
            *(
                client.post("/v1/payments/checkout", json={"order_id": o["id"]}, headers=client_headers)
                for o in orders
            )
        )
    assert [r.status_code for r in checkouts] == [201] * burst, [
        r.text for r in checkouts if r.status_code != 201
    ]
    for response in checkouts:
        page = await client.post(f"/sandbox/checkout/{sandbox_id(response.json())}", data={"action": "pay"})
        assert page.status_code == 303
    async with asyncio.timeout(20):
        notices = await asyncio.gather(
            *(client.post("/v1/payments/webhook", data={"id": sandbox_id(r.json())}) for r in checkouts)
        )
    assert [r.status_code for r in notices] == [200] * burst, [
        r.text for r in notices if r.status_code != 200
    ]
    assert await _scalar("SELECT count(*) FROM orders WHERE status = 'in_progress'") == burst
    await run_jobs()
    await _ledger_is_clean()


async def test_approve_and_cancel_at_once_have_exactly_one_winner(client: httpx.AsyncClient) -> None:
    """Both are allowed: the order is delivered and the creator asked to cancel, so the client's
    cancel accepts that while the client's approve completes the order. One wins, the other is
    refused, and the money goes one way only."""
    for round_ in range(6):
        creator, creator_headers = await signed_up(client, "creator")
        _, client_headers = await signed_up(client, "client")
        gig, package = await gig_for_sale(creator["id"], price_minor=10000)
        order = await make_paid_order(client, client_headers, gig, package)
        url = f"/v1/orders/{order['id']}"
        delivered = await client.post(f"{url}/deliver", json={"message": "done"}, headers=creator_headers)
        assert delivered.status_code == 200
        asked = await client.post(f"{url}/cancel", json={"reason": "Cannot finish"}, headers=creator_headers)
        assert asked.json()["cancellation_requested_by"] == creator["id"]

        requests = [
            client.post(f"{url}/approve", headers=client_headers),
            client.post(f"{url}/cancel", json={"reason": "Fine, cancel"}, headers=client_headers),
        ]
        if round_ % 2:  # either may be sent first
            requests.reverse()
        answers = await asyncio.gather(*requests)
        approve, cancel = answers if round_ % 2 == 0 else answers[::-1]

        codes = sorted([approve.status_code, cancel.status_code])
        assert codes == [200, 409], (approve.text, cancel.text)
        await run_jobs()
        detail = (await client.get(url, headers=client_headers)).json()
        kinds = [event["kind"] for event in detail["events"]]
        balance = await balance_of(client, creator_headers)
        refunds = await _scalar(
            "SELECT count(*) FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.order_id = :id",
            id=uuid.UUID(order["id"]),
        )
        if approve.status_code == 200:
            assert detail["status"] == "completed"
            assert "cancellation_accepted" not in kinds
            assert balance["available"] == "85.00"
            assert refunds == 0
        else:
            assert detail["status"] == "cancelled"
            assert "approved" not in kinds
            assert balance["available"] == "0.00"
            assert refunds == 1
        assert await _escrow(order["id"]) == 0
    await _ledger_is_clean()


async def test_two_withdrawals_beyond_the_balance_one_wins(client: httpx.AsyncClient) -> None:
    headers = await _creator_with_balance(client, 5000)  # 42.50 available
    first, second = await asyncio.gather(
        *(
            client.post("/v1/payments/me/withdraw", json={"amount": eur("25.00")}, headers=headers)
            for _ in range(2)
        )
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409], (first.text, second.text)
    loser = first if first.status_code == 409 else second
    assert loser.json()["error"] == "insufficient_funds"
    assert await balance_of(client, headers) == {
        "available": "17.50",
        "pending": "0.00",
        "in_transit": "25.00",
    }
    await run_jobs()
    assert await balance_of(client, headers) == {
        "available": "17.50",
        "pending": "0.00",
        "in_transit": "0.00",
    }
    assert await _scalar("SELECT count(*) FROM withdrawals") == 1
    await _ledger_is_clean()


async def test_ten_withdrawals_at_once_take_no_more_than_the_balance(client: httpx.AsyncClient) -> None:
    headers = await _creator_with_balance(client, 10000)  # 85.00 available: room for four of 20.00
    responses = await asyncio.gather(
        *(
            client.post("/v1/payments/me/withdraw", json={"amount": eur("20.00")}, headers=headers)
            for _ in range(10)
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 4 + [409] * 6, [r.text for r in responses]
    assert await balance_of(client, headers) == {
        "available": "5.00",
        "pending": "0.00",
        "in_transit": "80.00",
    }
    await run_jobs()
    assert await _scalar("SELECT count(*) FROM withdrawals WHERE status = 'paid'") == 4
    await _ledger_is_clean()


async def test_one_idempotency_key_sent_twice_at_once_withdraws_once(client: httpx.AsyncClient) -> None:
    headers = await _creator_with_balance(client, 10000)
    keyed = {**headers, "Idempotency-Key": f"withdraw-{uuid.uuid4()}"}
    first, second = await asyncio.gather(
        *(
            client.post("/v1/payments/me/withdraw", json={"amount": eur("30.00")}, headers=keyed)
            for _ in range(2)
        )
    )
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert first.json() == second.json()
    assert await _scalar("SELECT count(*) FROM withdrawals") == 1
    assert await _scalar("SELECT count(*) FROM ledger_transfers WHERE kind = 'withdrawal'") == 1
    assert await balance_of(client, headers) == {
        "available": "55.00",
        "pending": "0.00",
        "in_transit": "30.00",
    }

    other_body = await client.post("/v1/payments/me/withdraw", json={"amount": eur("31.00")}, headers=keyed)
    assert other_body.status_code == 409
    assert other_body.json()["error"] == "idempotency_key_reused"
    # The same key with another body, at once with the original body again: still one withdrawal.
    again, other = await asyncio.gather(
        client.post("/v1/payments/me/withdraw", json={"amount": eur("30.00")}, headers=keyed),
        client.post("/v1/payments/me/withdraw", json={"amount": eur("40.00")}, headers=keyed),
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 409
    assert await _scalar("SELECT count(*) FROM withdrawals") == 1
    await run_jobs()
    await _ledger_is_clean()
