"""Order rules, cancellations, revisions, disputes, auto-completion, and everyone else's token."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update

from reelbyte.core.db import get_database, utcnow
from reelbyte.identity import service as identity
from reelbyte.orders.models import Order
from reelbyte.payments.models import Refund, RefundStatus
from tests.conftest import run_jobs
from tests.helpers import bearer, login, signed_up
from tests.payments.helpers import checkout, make_gig, paid_order, pay_on_sandbox, place_order


def eur(value: str) -> dict[str, str]:
    return {"currency": "EUR", "value": value}


async def _parties(client: httpx.AsyncClient, **gig: Any) -> tuple[dict[str, str], dict[str, str], Any, Any]:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    made = await make_gig(creator["id"], **gig)
    return creator_headers, client_headers, *made


async def _admin(client: httpx.AsyncClient) -> dict[str, str]:
    async with get_database().sessions() as session:
        await identity.create_admin(session, "judge@example.com", "judge", "Adm1n!Password", "Judge")
    return bearer(await login(client, "judge@example.com", "Adm1n!Password"))


async def _balance(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    body = (await client.get("/v1/payments/me/balance", headers=headers)).json()
    return {name: body[name]["value"] for name in ("available", "pending", "in_transit")}


async def test_ordering_rules(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    _, other_package = await make_gig(str(gig.creator_id))
    wrong = await client.post(
        "/v1/orders",
        json={"gig_id": str(gig.id), "package_id": str(other_package.id)},
        headers=client_headers,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "package_not_in_gig"
    own = await client.post(
        "/v1/orders", json={"gig_id": str(gig.id), "package_id": str(package.id)}, headers=creator_headers
    )
    assert own.status_code == 403  # a creator-only account is not a client
    missing = await client.post(
        "/v1/orders",
        json={"gig_id": str(uuid.uuid4()), "package_id": str(package.id)},
        headers=client_headers,
    )
    assert missing.status_code == 404
    extra = await client.post(
        "/v1/orders",
        json={"gig_id": str(gig.id), "package_id": str(package.id), "amount": eur("1.00")},
        headers=client_headers,
    )
    assert extra.status_code == 422
    assert (await client.get("/v1/orders", headers=client_headers)).json()["total"] == 0


async def test_a_hybrid_user_cannot_order_their_own_gig(client: httpx.AsyncClient) -> None:
    hybrid, headers = await signed_up(client, "hybrid")
    gig, package = await make_gig(hybrid["id"])
    response = await client.post(
        "/v1/orders", json={"gig_id": str(gig.id), "package_id": str(package.id)}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["error"] == "own_gig"


async def test_checkout_rules(client: httpx.AsyncClient) -> None:
    _, client_headers, gig, package = await _parties(client)
    _, stranger = await signed_up(client, "client")
    order = await place_order(client, client_headers, gig, package)
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
    _, client_headers, gig, package = await _parties(client)
    order = await place_order(client, client_headers, gig, package)
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
    creator_headers, client_headers, gig, package = await _parties(client)
    assert (await client.post("/v1/payments/webhook", data={"id": "tr_unknown"})).status_code == 404
    assert (await client.post("/v1/payments/webhook", data={})).status_code == 422
    order = await place_order(client, client_headers, gig, package)
    payment = await checkout(client, client_headers, order_id=order["id"])
    await pay_on_sandbox(client, payment)
    provider_id = payment["checkout_url"].rsplit("/", 1)[1]
    for _ in range(3):
        assert (await client.post("/v1/payments/webhook", data={"id": provider_id})).status_code == 200
    assert (await _balance(client, creator_headers))["pending"] == "42.50"
    events = (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()["events"]
    assert [e["kind"] for e in events].count("paid") == 1


async def test_revisions_until_none_remain(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client, revisions=1)
    order = await paid_order(client, client_headers, gig, package)
    url = f"/v1/orders/{order['id']}"
    await client.post(f"{url}/deliver", json={"message": "v1"}, headers=creator_headers)
    response = await client.post(
        f"{url}/request-revision", json={"reason": "Shorter please"}, headers=client_headers
    )
    assert response.json()["status"] == "revision_requested"
    assert response.json()["revisions_used"] == 1
    await client.post(f"{url}/deliver", json={"message": "v2"}, headers=creator_headers)
    response = await client.post(f"{url}/request-revision", json={"reason": "Again"}, headers=client_headers)
    assert response.status_code == 409
    assert response.json()["error"] == "no_revisions_left"
    twice = await client.post(f"{url}/deliver", json={"message": "v3"}, headers=creator_headers)
    assert twice.status_code == 409  # delivered already
    assert twice.json()["error"] == "invalid_transition"


async def test_cancel_before_payment_by_either_party(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await place_order(client, client_headers, gig, package)
    response = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "Busy"}, headers=creator_headers
    )
    assert response.json()["status"] == "cancelled"
    late = await client.post("/v1/payments/checkout", json={"order_id": order["id"]}, headers=client_headers)
    assert late.status_code == 409


async def test_mutual_cancellation_refunds_the_client(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    url = f"/v1/orders/{order['id']}/cancel"
    asked = await client.post(url, json={"reason": "Plans changed"}, headers=client_headers)
    assert asked.json()["status"] == "in_progress"
    assert asked.json()["cancellation_requested_by"] is not None
    again = await client.post(url, json={"reason": "Please"}, headers=client_headers)
    assert again.status_code == 409
    accepted = await client.post(url, json={"reason": "Fine"}, headers=creator_headers)
    assert accepted.json()["status"] == "cancelled"
    await run_jobs()  # the refund goes back through the provider
    async with get_database().sessions() as session:
        refunds = (await session.scalars(select(Refund))).all()
    assert [(r.amount_minor, r.status) for r in refunds] == [(5000, RefundStatus.REFUNDED)]
    history = (await client.get("/v1/payments/me/transactions", headers=client_headers)).json()["items"]
    assert [(row["type"], row["amount"]["value"]) for row in history] == [
        ("refund", "-50.00"),
        ("payment", "50.00"),
    ]
    assert (await _balance(client, creator_headers))["pending"] == "0.00"


async def test_the_creator_can_only_ask_even_when_late(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    async with get_database().sessions() as session:
        await session.execute(
            update(Order)
            .where(Order.id == uuid.UUID(order["id"]))
            .values(delivery_date=utcnow() - timedelta(hours=1))
        )
        await session.commit()
    creator_try = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "x"}, headers=creator_headers
    )
    assert creator_try.json()["status"] == "in_progress"  # the creator can only ask
    response = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "Late"}, headers=client_headers
    )
    assert response.json()["status"] == "cancelled"


async def test_late_delivery_lets_the_client_cancel_without_asking(client: httpx.AsyncClient) -> None:
    _, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    async with get_database().sessions() as session:
        await session.execute(
            update(Order)
            .where(Order.id == uuid.UUID(order["id"]))
            .values(delivery_date=utcnow() - timedelta(hours=1))
        )
        await session.commit()
    response = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "Late"}, headers=client_headers
    )
    assert response.json()["status"] == "cancelled"
    assert [e["kind"] for e in response.json()["events"]][-1] == "cancelled_late_delivery"


async def test_a_dispute_freezes_the_order_until_an_admin_splits_the_money(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    admin = await _admin(client)
    order = await paid_order(client, client_headers, gig, package)
    url = f"/v1/orders/{order['id']}"
    await client.post(f"{url}/deliver", json={"message": "done"}, headers=creator_headers)
    opened = await client.post(
        f"{url}/dispute", json={"reason": "Not what we agreed"}, headers=client_headers
    )
    assert opened.status_code == 201
    dispute_id = opened.json()["id"]
    assert (await client.post(f"{url}/approve", headers=client_headers)).status_code == 409
    again = await client.post(f"{url}/dispute", json={"reason": "again"}, headers=creator_headers)
    assert again.status_code == 409

    resolve = f"/v1/admin/disputes/{dispute_id}/resolve"
    body = {"refund": eur("30.00"), "release": eur("10.00")}
    assert (await client.post(resolve, json=body, headers=client_headers)).status_code == 403
    mismatch = await client.post(resolve, json=body, headers=admin)
    assert mismatch.status_code == 400
    assert mismatch.json()["error"] == "split_mismatch"
    other_currency = await client.post(
        resolve,
        json={"refund": {"currency": "USD", "value": "30.00"}, "release": eur("20.00")},
        headers=admin,
    )
    assert other_currency.status_code == 400
    done = await client.post(
        resolve, json={"refund": eur("30.00"), "release": eur("20.00"), "note": "Half"}, headers=admin
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved"
    assert (await client.get(url, headers=client_headers)).json()["status"] == "completed"
    assert await _balance(client, creator_headers) == {
        "available": "17.00",
        "pending": "0.00",
        "in_transit": "0.00",
    }
    twice = await client.post(resolve, json={"refund": eur("30.00"), "release": eur("20.00")}, headers=admin)
    assert twice.status_code == 409


async def test_a_delivered_order_completes_by_itself(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers)
    await run_jobs()  # not due yet: nothing happens
    assert (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()[
        "status"
    ] == "delivered"
    async with get_database().sessions() as session:
        scheduled = await session.scalar(
            text("SELECT scheduled_at FROM procrastinate_jobs WHERE task_name = 'auto_complete_order'")
        )
        assert scheduled is not None
        assert timedelta(days=2, hours=23) < scheduled - utcnow() <= timedelta(days=3)
        await session.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = 'auto_complete_order'")
        )
        await session.commit()
    await run_jobs()
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()
    assert detail["status"] == "completed"
    assert detail["events"][-1]["kind"] == "auto_completed"
    assert (await _balance(client, creator_headers))["available"] == "42.50"


async def test_a_revision_request_stops_the_auto_completion(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "v1"}, headers=creator_headers)
    await client.post(
        f"/v1/orders/{order['id']}/request-revision", json={"reason": "x"}, headers=client_headers
    )
    async with get_database().sessions() as session:
        await session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now()"))
        await session.commit()
    await run_jobs()
    assert (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()[
        "status"
    ] == "revision_requested"


async def test_another_users_token_on_every_order_endpoint(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    _, stranger = await signed_up(client, "hybrid")
    order = await paid_order(client, client_headers, gig, package)
    url = f"/v1/orders/{order['id']}"
    attempts = [
        ("GET", url, None),
        ("POST", f"{url}/deliver", {"message": "mine now"}),
        ("GET", f"{url}/deliverables", None),
        ("POST", f"{url}/deliverables", {"url": "https://vimeo.com/9", "title": "x"}),
        ("POST", f"{url}/approve", None),
        ("POST", f"{url}/request-revision", {"reason": "x"}),
        ("POST", f"{url}/cancel", {"reason": "x"}),
        ("POST", f"{url}/dispute", {"reason": "x"}),
        ("GET", f"{url}/milestones", None),
        ("POST", f"{url}/milestones", {"milestones": [{"title": "a", "amount": eur("50.00")}]}),
        ("GET", f"{url}/disputes", None),
    ]
    for method, path, body in attempts:
        response = await client.request(method, path, json=body, headers=stranger)
        assert response.status_code == 404, (method, path, response.text)
    # The parties' roles are checked too: the client cannot deliver, the creator cannot approve.
    assert (
        await client.post(f"{url}/deliver", json={"message": "x"}, headers=client_headers)
    ).status_code == 403
    await client.post(f"{url}/deliver", json={"message": "x"}, headers=creator_headers)
    assert (await client.post(f"{url}/approve", headers=creator_headers)).status_code == 403
    detail = (await client.get(url, headers=client_headers)).json()
    assert detail["status"] == "delivered"
    assert (await client.get("/v1/orders", headers=stranger)).json()["total"] == 0


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
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    response = await client.post("/v1/payments/me/withdraw", json={"amount": amount}, headers=creator_headers)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message", "details"}
    assert (await _balance(client, creator_headers))["available"] == "42.50"
    assert (
        await client.post("/v1/payments/me/withdraw", json={"amount": eur("25.00")}, headers=client_headers)
    ).status_code == 403


async def test_a_refused_payout_returns_the_money(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    response = await client.post(
        "/v1/payments/me/withdraw", json={"amount": eur("20.13")}, headers=creator_headers
    )
    assert response.status_code == 201
    await run_jobs()
    assert await _balance(client, creator_headers) == {
        "available": "42.50",
        "pending": "0.00",
        "in_transit": "0.00",
    }
    history = (await client.get("/v1/payments/me/transactions", headers=creator_headers)).json()["items"]
    on_available = [(row["type"], row["amount"]["value"]) for row in history if row["account"] == "available"]
    assert on_available[:2] == [("reversal", "20.13"), ("withdrawal", "-20.13")]


async def test_idempotency_key_replays_the_first_answer(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    order = await paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    headers = {**creator_headers, "Idempotency-Key": "withdraw-1"}
    first = await client.post("/v1/payments/me/withdraw", json={"amount": eur("20.00")}, headers=headers)
    second = await client.post("/v1/payments/me/withdraw", json={"amount": eur("20.00")}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    other = await client.post("/v1/payments/me/withdraw", json={"amount": eur("21.00")}, headers=headers)
    assert other.status_code == 409
    assert other.json()["error"] == "idempotency_key_reused"
    assert (await _balance(client, creator_headers))["available"] == "22.50"


async def test_invoice_of_a_paid_order(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await _parties(client)
    _, stranger = await signed_up(client, "client")
    order = await place_order(client, client_headers, gig, package)
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
