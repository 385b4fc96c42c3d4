"""Payment rules: checkouts, failed payments, duplicate webhooks, withdrawals, payouts,
idempotency keys and invoices."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import run_jobs
from tests.factories import (
    balance_of,
    can_withdraw,
    checkout,
    eur,
    make_order,
    make_paid_order,
    pay_on_sandbox,
    sandbox_id,
    seller_and_buyer,
    signed_up,
)


async def test_checkout_rules(client: httpx.AsyncClient) -> None:
    _, client_headers, gig, package = await seller_and_buyer(client)
    _, stranger = await signed_up(client, "client")
    order = await make_order(client, client_headers, gig, package)
    both = await client.post(
        "/v1/payments/checkout",
        json={"order_id": order["id"], "milestone_id": str(uuid.uuid4())},
        headers=client_headers,
    )
    assert both.status_code == 400
    theirs = await client.post("/v1/payments/checkout", json={"order_id": order["id"]}, headers=stranger)
    assert theirs.status_code == 404
    first = await checkout(client, client_headers, order_id=order["id"])
    again = await checkout(client, client_headers, order_id=order["id"])
    assert again["payment_id"] == first["payment_id"]  # the open checkout is handed out again
    await pay_on_sandbox(client, first)
    paid_again = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"]}, headers=client_headers
    )
    assert paid_again.status_code == 409
    assert paid_again.json()["error"] == "not_payable"
    assert (await client.get(f"/v1/payments/{first['payment_id']}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/payments/{first['payment_id']}", headers=client_headers)).json()[
        "status"
    ] == "paid"


async def test_a_failed_payment_can_be_retried(client: httpx.AsyncClient) -> None:
    _, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_order(client, client_headers, gig, package)
    failed = await checkout(client, client_headers, order_id=order["id"])
    await pay_on_sandbox(client, failed, "fail")
    assert (await client.get(f"/v1/payments/{failed['payment_id']}", headers=client_headers)).json()[
        "status"
    ] == "failed"
    retry = await checkout(client, client_headers, order_id=order["id"])
    assert retry["payment_id"] != failed["payment_id"]
    await pay_on_sandbox(client, retry)
    assert (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()[
        "status"
    ] == "in_progress"


async def test_webhooks_for_unknown_ids_and_duplicates(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    assert (await client.post("/v1/payments/webhook", data={"id": "tr_unknown"})).status_code == 404
    assert (await client.post("/v1/payments/webhook", data={})).status_code == 422
    order = await make_order(client, client_headers, gig, package)
    payment = await checkout(client, client_headers, order_id=order["id"])
    await pay_on_sandbox(client, payment)
    provider_id = sandbox_id(payment)
    for _ in range(3):
        assert (await client.post("/v1/payments/webhook", data={"id": provider_id})).status_code == 200
    assert (await balance_of(client, creator_headers))["pending"] == "42.50"
    events = (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()["events"]
    assert [e["kind"] for e in events].count("paid") == 1


@pytest.mark.parametrize(
    ("amount", "status"),
    [
        (eur("20.005"), 422),
        (eur("-25.00"), 422),
        (eur("0.00"), 422),
        ({"currency": "USD", "value": "25.00"}, 400),
        (eur("19.99"), 400),
        ({"currency": "EUR", "value": 25}, 422),
    ],
)
async def test_bad_withdrawals_change_nothing(client: httpx.AsyncClient, amount: Any, status: int) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    await can_withdraw(client, creator_headers)
    response = await client.post("/v1/payments/me/withdraw", json={"amount": amount}, headers=creator_headers)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message", "details"}
    assert (await balance_of(client, creator_headers))["available"] == "42.50"
    assert (
        await client.post("/v1/payments/me/withdraw", json={"amount": eur("25.00")}, headers=client_headers)
    ).status_code == 403


async def test_a_refused_payout_returns_the_money(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    await can_withdraw(client, creator_headers)
    response = await client.post(
        "/v1/payments/me/withdraw", json={"amount": eur("20.13")}, headers=creator_headers
    )
    assert response.status_code == 201
    await run_jobs()
    assert await balance_of(client, creator_headers) == {
        "available": "42.50",
        "pending": "0.00",
        "in_transit": "0.00",
    }
    history = (await client.get("/v1/payments/me/transactions", headers=creator_headers)).json()["items"]
    on_available = [(row["type"], row["amount"]["value"]) for row in history if row["account"] == "available"]
    assert on_available[:2] == [("reversal", "20.13"), ("withdrawal", "-20.13")]


async def test_idempotency_key_replays_the_first_answer(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    headers = {**creator_headers, "Idempotency-Key": "withdraw-1"}
    await can_withdraw(client, headers)
    first = await client.post("/v1/payments/me/withdraw", json={"amount": eur("20.00")}, headers=headers)
    second = await client.post("/v1/payments/me/withdraw", json={"amount": eur("20.00")}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    other = await client.post("/v1/payments/me/withdraw", json={"amount": eur("21.00")}, headers=headers)
    assert other.status_code == 409
    assert other.json()["error"] == "idempotency_key_reused"
    assert (await balance_of(client, creator_headers))["available"] == "22.50"


async def test_invoice_of_a_paid_order(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    _, stranger = await signed_up(client, "client")
    order = await make_order(client, client_headers, gig, package)
    unpaid = await client.get(f"/v1/orders/{order['id']}/invoice", headers=client_headers)
    assert unpaid.status_code == 409
    payment = await checkout(client, client_headers, order_id=order["id"])
    await pay_on_sandbox(client, payment)
    for headers in (client_headers, creator_headers):
        response = await client.get(f"/v1/orders/{order['id']}/invoice", headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert 'filename="RB-' in response.headers["content-disposition"]
    assert (await client.get(f"/v1/orders/{order['id']}/invoice", headers=stranger)).status_code == 404


async def test_withdrawal_is_paid_out_by_the_job(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=10000)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)

    await can_withdraw(client, creator_headers)
    response = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "85.00"}},
        headers=creator_headers,
    )
    assert response.status_code == 201, response.text
    balance = (await client.get("/v1/payments/me/balance", headers=creator_headers)).json()
    assert balance["available"]["value"] == "0.00"
    assert balance["in_transit"]["value"] == "85.00"
    await run_jobs()
    balance = (await client.get("/v1/payments/me/balance", headers=creator_headers)).json()
    assert balance["in_transit"]["value"] == "0.00"

    too_much = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "20.00"}},
        headers=creator_headers,
    )
    assert too_much.status_code == 409
