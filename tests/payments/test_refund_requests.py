"""Refund requests: the client asks before any work, the creator accepts (the provider pays the
money back) or declines (the client may dispute); partial refunds leave the rest for the creator."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from reelbyte.core.db import get_database
from reelbyte.core.money import percentage_of
from reelbyte.orders.amendments import lower_price
from reelbyte.orders.models import Order
from reelbyte.payments.ledger_check import check
from tests.conftest import run_jobs
from tests.factories import (
    Headers,
    balance_of,
    eur,
    make_paid_order,
    make_project,
    make_proposal,
    notification_types,
    pay_on_sandbox,
    seller_and_buyer,
    signed_up,
)

REFUNDS = "/v1/payments/refunds"


async def _scalar(sql: str, **params: Any) -> Any:
    async with get_database().engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


async def _escrow(kind: str, target_id: str) -> int:
    balance = await _scalar(
        "SELECT balance_minor FROM ledger_accounts WHERE key = :key", key=f"escrow:{kind}:{target_id}"
    )
    return int(balance or 0)


async def _ledger_is_clean() -> None:
    async with get_database().sessions() as session:
        assert await check(session) == []


async def _paid_order(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers, Headers]:
    """A 50.00 order, paid and in progress: (order, creator's headers, client's headers)."""
    creator, buyer, gig, package = await seller_and_buyer(client)
    return await make_paid_order(client, buyer, gig, package), creator, buyer


async def _ask(client: httpx.AsyncClient, who: Headers, **body: Any) -> httpx.Response:
    return await client.post(REFUNDS, json={"reason": "Plans changed.", **body}, headers=who)


async def test_a_full_refund_before_delivery_goes_back_to_the_client(client: httpx.AsyncClient) -> None:
    order, creator, buyer = await _paid_order(client)
    _, stranger = await signed_up(client, "client")

    assert (await _ask(client, stranger, order_id=order["id"])).status_code == 404
    by_creator = await _ask(client, creator, order_id=order["id"])
    assert (by_creator.status_code, by_creator.json()["error"]) == (403, "not_owner")
    both = await _ask(client, buyer, order_id=order["id"], milestone_id=order["id"])
    assert (both.status_code, both.json()["error"]) == (400, "invalid_refund_target")
    too_much = await _ask(client, buyer, order_id=order["id"], amount=eur("50.01"))
    assert (too_much.status_code, too_much.json()["error"]) == (422, "refund_exceeds_escrow")
    assert too_much.json()["details"]["held"] == eur("50.00")
    other_currency = await _ask(client, buyer, order_id=order["id"], amount={"currency": "USD", "value": "5"})
    assert (other_currency.status_code, other_currency.json()["error"]) == (400, "currency_mismatch")
    blank = await client.post(REFUNDS, json={"order_id": order["id"], "reason": "  "}, headers=buyer)
    assert blank.status_code == 422
    assert await _scalar("SELECT count(*) FROM refund_requests") == 0

    asked = await _ask(client, buyer, order_id=order["id"])
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["amount"], request["dispute_path"]) == (
        "requested",
        eur("50.00"),
        None,
    )
    twice = await _ask(client, buyer, order_id=order["id"], amount=eur("10.00"))
    assert (twice.status_code, twice.json()["error"]) == (409, "refund_request_open")
    assert "order_refund_requested" in await notification_types(client, creator)

    url = f"{REFUNDS}/{request['id']}"
    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (await client.get(url, headers=creator)).json()["status"] == "requested"
    assert (await client.post(f"{url}/accept", headers=stranger)).status_code == 404
    assert (await client.post(f"{url}/accept", headers=buyer)).status_code == 403

    accepted = await client.post(f"{url}/accept", headers=creator)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert await _escrow("order", order["id"]) == 0
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()
    assert detail["status"] == "cancelled"
    again = await client.post(f"{url}/accept", headers=creator)
    assert (again.status_code, again.json()["error"]) == (409, "invalid_transition")

    await run_jobs()  # the provider pays it back
    assert (await client.get(url, headers=buyer)).json()["status"] == "refunded"
    assert await _scalar("SELECT refunded_minor FROM sandbox_payments") == 5000
    assert await _scalar("SELECT status::text FROM payments") == "refunded"
    assert {"order_refund_accepted", "order_refund_sent"} <= set(await notification_types(client, buyer))
    listed = (await client.get(f"/v1/orders/{order['id']}/refunds", headers=creator)).json()
    assert [r["id"] for r in listed] == [request["id"]]
    assert (await client.get(f"/v1/orders/{order['id']}/refunds", headers=stranger)).status_code == 404
    await _ledger_is_clean()


async def test_a_partial_refund_leaves_the_rest_in_escrow_for_the_creator(client: httpx.AsyncClient) -> None:
    order, creator, buyer = await _paid_order(client)
    request = (await _ask(client, buyer, order_id=order["id"], amount=eur("20.00"))).json()
    keyed = {**creator, "Idempotency-Key": "accept-once"}
    accepted = await client.post(f"{REFUNDS}/{request['id']}/accept", headers=keyed)
    assert accepted.status_code == 200, accepted.text
    retried = await client.post(f"{REFUNDS}/{request['id']}/accept", headers=keyed)
    assert (retried.status_code, retried.json()) == (200, accepted.json())  # the first answer, again
    assert await _escrow("order", order["id"]) == 3000
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()
    assert (detail["status"], detail["amount"], detail["platform_fee"]) == (
        "in_progress",
        eur("30.00"),
        eur("4.50"),
    )
    assert (await balance_of(client, creator))["pending"] == "25.50"
    # Another request may follow; it can ask for what is left at most.
    more = await _ask(client, buyer, order_id=order["id"], amount=eur("30.01"))
    assert more.json()["error"] == "refund_exceeds_escrow"

    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator)
    assert (await client.post(f"/v1/orders/{order['id']}/approve", headers=buyer)).status_code == 200
    await run_jobs()
    assert (await balance_of(client, creator))["available"] == "25.50"
    assert await _escrow("order", order["id"]) == 0
    assert await _scalar("SELECT refunded_minor FROM sandbox_payments") == 2000
    await _ledger_is_clean()


async def test_no_refund_request_once_work_was_delivered(client: httpx.AsyncClient) -> None:
    order, creator, buyer = await _paid_order(client)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator)
    delivered = await _ask(client, buyer, order_id=order["id"])
    assert (delivered.status_code, delivered.json()["error"]) == (409, "work_delivered")
    await client.post(f"/v1/orders/{order['id']}/approve", headers=buyer)
    assert (await _ask(client, buyer, order_id=order["id"])).status_code == 409
    assert await _scalar("SELECT count(*) FROM refund_requests") == 0


async def test_a_declined_request_lets_the_client_open_a_dispute(client: httpx.AsyncClient) -> None:
    order, creator, buyer = await _paid_order(client)
    request = (await _ask(client, buyer, order_id=order["id"])).json()
    url = f"{REFUNDS}/{request['id']}"
    by_client = await client.post(f"{url}/decline", json={"note": "no"}, headers=buyer)
    assert by_client.status_code == 403
    assert (await client.post(f"{url}/decline", json={}, headers=creator)).status_code == 422

    declined = await client.post(f"{url}/decline", json={"note": "The work has started."}, headers=creator)
    assert declined.status_code == 200, declined.text
    shown = (await client.get(url, headers=buyer)).json()
    assert (shown["status"], shown["decline_note"]) == ("declined", "The work has started.")
    assert shown["dispute_path"] == f"/v1/orders/{order['id']}/dispute"
    assert "order_refund_declined" in await notification_types(client, buyer)
    assert (await client.post(f"{url}/accept", headers=creator)).status_code == 409
    assert await _escrow("order", order["id"]) == 5000

    dispute = await client.post(shown["dispute_path"], json={"reason": "No refund."}, headers=buyer)
    assert dispute.status_code == 201, dispute.text
    assert (await client.get(url, headers=buyer)).json()["dispute_path"] is None  # disputed now


async def test_the_client_withdraws_a_request(client: httpx.AsyncClient) -> None:
    order, creator, buyer = await _paid_order(client)
    request = (await _ask(client, buyer, order_id=order["id"])).json()
    url = f"{REFUNDS}/{request['id']}"
    assert (await client.post(f"{url}/cancel", headers=creator)).status_code == 403
    cancelled = await client.post(f"{url}/cancel", headers=buyer)
    assert cancelled.json()["status"] == "cancelled"
    assert "order_refund_cancelled" in await notification_types(client, creator)
    assert (await client.post(f"{url}/accept", headers=creator)).status_code == 409
    assert (await client.post(f"{url}/cancel", headers=buyer)).status_code == 409
    assert (await _ask(client, buyer, order_id=order["id"])).status_code == 201  # a new one may follow


async def _milestone_order(
    client: httpx.AsyncClient,
) -> tuple[dict[str, Any], list[dict[str, Any]], Headers, Headers]:
    """A 300.00 proposal order in two milestones (100.00 funded, 200.00 pending)."""
    _, buyer = await signed_up(client, "client")
    _, maker = await signed_up(client, "creator")
    project = await make_project(client, buyer)
    proposal = await make_proposal(client, maker, project["id"])
    assert (await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=buyer)).status_code == 200
    [order] = (await client.get("/v1/orders", params={"role": "client"}, headers=buyer)).json()["items"]
    plan = {
        "milestones": [
            {"title": "Rough", "amount": eur("100.00")},
            {"title": "Final", "amount": eur("200.00")},
        ]
    }
    milestones = (await client.post(f"/v1/orders/{order['id']}/milestones", json=plan, headers=buyer)).json()
    await pay_on_sandbox(
        client, (await client.post(f"/v1/milestones/{milestones[0]['id']}/fund", headers=buyer)).json()
    )
    return order, milestones, buyer, maker


async def test_a_milestone_refund_keeps_the_rest_for_its_approval(client: httpx.AsyncClient) -> None:
    order, (first, second), buyer, maker = await _milestone_order(client)
    whole = await _ask(client, buyer, order_id=order["id"])
    assert (whole.status_code, whole.json()["error"]) == (409, "uses_milestones")
    unfunded = await _ask(client, buyer, milestone_id=second["id"])
    assert (unfunded.status_code, unfunded.json()["error"]) == (409, "nothing_in_escrow")

    request = (await _ask(client, buyer, milestone_id=first["id"], amount=eur("40.00"))).json()
    assert (await client.post(f"{REFUNDS}/{request['id']}/accept", headers=maker)).status_code == 200
    assert await _escrow("milestone", first["id"]) == 6000
    shown = (await client.get(f"/v1/milestones/{first['id']}", headers=buyer)).json()
    assert (shown["amount"], shown["status"]) == (eur("60.00"), "funded")
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()
    assert detail["amount"] == eur("260.00")

    submit = {"note": "Rough cut", "deliverables": ["https://vimeo.com/2"]}
    assert (
        await client.post(f"/v1/milestones/{first['id']}/submit", json=submit, headers=maker)
    ).status_code == 200
    submitted = await _ask(client, buyer, milestone_id=first["id"])
    assert (submitted.status_code, submitted.json()["error"]) == (409, "work_delivered")
    assert (await client.post(f"/v1/milestones/{first['id']}/approve", headers=buyer)).status_code == 200
    await run_jobs()
    assert (await balance_of(client, maker))["available"] == "51.00"  # 60.00 less 15 %
    await _ledger_is_clean()


async def test_a_full_milestone_refund_cancels_it(client: httpx.AsyncClient) -> None:
    order, (first, second), buyer, maker = await _milestone_order(client)
    request = (await _ask(client, buyer, milestone_id=first["id"])).json()
    assert request["amount"] == eur("100.00")
    assert (await client.post(f"{REFUNDS}/{request['id']}/accept", headers=maker)).status_code == 200
    assert (await client.get(f"/v1/milestones/{first['id']}", headers=buyer)).json()["status"] == "cancelled"
    await pay_on_sandbox(
        client, (await client.post(f"/v1/milestones/{second['id']}/fund", headers=buyer)).json()
    )
    submit = {"note": "Final", "deliverables": ["https://vimeo.com/3"]}
    await client.post(f"/v1/milestones/{second['id']}/submit", json=submit, headers=maker)
    assert (await client.post(f"/v1/milestones/{second['id']}/approve", headers=buyer)).status_code == 200
    assert (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()["status"] == "completed"
    await run_jobs()
    await _ledger_is_clean()


async def test_acceptance_racing_approval_has_one_winner(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        order, creator, buyer = await _paid_order(client)
        request = (await _ask(client, buyer, order_id=order["id"])).json()
        await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator)
        accept, approve = await asyncio.gather(
            client.post(f"{REFUNDS}/{request['id']}/accept", headers=creator),
            client.post(f"/v1/orders/{order['id']}/approve", headers=buyer),
        )
        assert sorted([accept.status_code, approve.status_code]) == [200, 409], (accept.text, approve.text)
        status = (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()["status"]
        assert status == ("cancelled" if accept.status_code == 200 else "completed")
        assert await _escrow("order", order["id"]) == 0
    await run_jobs()
    await _ledger_is_clean()


@given(
    amount=st.integers(min_value=2, max_value=10**9),
    percent=st.decimals(min_value=0, max_value=50, places=2),
    data=st.data(),
)
def test_a_partial_refund_splits_the_price_exactly(
    amount: int, percent: Decimal, data: st.DataObject
) -> None:
    refund = data.draw(st.integers(min_value=1, max_value=amount - 1))
    fee = percentage_of(amount, percent)
    order = Order(
        amount_minor=amount,
        platform_fee_minor=fee,
        creator_earnings_minor=amount - fee,
        fee_percentage=percent,
    )
    lower_price(order, refund)
    assert order.amount_minor + refund == amount
    assert order.platform_fee_minor + order.creator_earnings_minor == order.amount_minor
    assert order.platform_fee_minor == percentage_of(order.amount_minor, percent)
    assert order.platform_fee_minor >= 0
    assert order.creator_earnings_minor >= 0
