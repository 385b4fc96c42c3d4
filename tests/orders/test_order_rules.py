"""Order rules: who may order what, revisions, cancellations, disputes, auto-completion, and
everyone else's token on every order endpoint."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select, text, update

from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.orders.models import Order
from reelbyte.payments.models import Refund, RefundStatus
from tests.conftest import run_jobs
from tests.factories import (
    balance_of,
    eur,
    gig_for_sale,
    make_admin,
    make_order,
    make_paid_order,
    seller_and_buyer,
    signed_up,
)


async def _make_late(order_id: str) -> None:
    """Move the order's delivery date an hour into the past."""
    late = (
        update(Order)
        .where(Order.id == uuid.UUID(order_id))
        .values(delivery_date=utcnow() - timedelta(hours=1))
    )
    await transaction(lambda session: session.execute(late))


async def test_ordering_rules(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    _, other_package = await gig_for_sale(str(gig.creator_id))
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
    gig, package = await gig_for_sale(hybrid["id"])
    response = await client.post(
        "/v1/orders", json={"gig_id": str(gig.id), "package_id": str(package.id)}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["error"] == "own_gig"


async def test_revisions_until_none_remain(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, revisions=1)
    order = await make_paid_order(client, client_headers, gig, package)
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
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_order(client, client_headers, gig, package)
    response = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "Busy"}, headers=creator_headers
    )
    assert response.json()["status"] == "cancelled"
    late = await client.post("/v1/payments/checkout", json={"order_id": order["id"]}, headers=client_headers)
    assert late.status_code == 409


async def test_mutual_cancellation_refunds_the_client(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
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
    assert (await balance_of(client, creator_headers))["pending"] == "0.00"


async def test_the_creator_can_only_ask_even_when_late(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
    await _make_late(order["id"])
    creator_try = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "x"}, headers=creator_headers
    )
    assert creator_try.json()["status"] == "in_progress"  # the creator can only ask
    response = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "Late"}, headers=client_headers
    )
    assert response.json()["status"] == "cancelled"


async def test_late_delivery_lets_the_client_cancel_without_asking(client: httpx.AsyncClient) -> None:
    _, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
    await _make_late(order["id"])
    response = await client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "Late"}, headers=client_headers
    )
    assert response.json()["status"] == "cancelled"
    assert [e["kind"] for e in response.json()["events"]][-1] == "cancelled_late_delivery"


async def test_a_dispute_freezes_the_order_until_an_admin_splits_the_money(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    admin = await make_admin(client)
    order = await make_paid_order(client, client_headers, gig, package)
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
    assert await balance_of(client, creator_headers) == {
        "available": "17.00",
        "pending": "0.00",
        "in_transit": "0.00",
    }
    twice = await client.post(resolve, json={"refund": eur("30.00"), "release": eur("20.00")}, headers=admin)
    assert twice.status_code == 409


async def test_a_delivered_order_completes_by_itself(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
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
    assert (await balance_of(client, creator_headers))["available"] == "42.50"


async def test_a_revision_request_stops_the_auto_completion(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
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
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    _, stranger = await signed_up(client, "hybrid")
    order = await make_paid_order(client, client_headers, gig, package)
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
