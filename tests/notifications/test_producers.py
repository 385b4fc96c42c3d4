"""Each event of another domain notifies the right user, with the right notification."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.orders.service import AUTO_COMPLETE_TASK
from tests.conftest import run_jobs
from tests.factories import (
    actor,
    can_withdraw,
    make_paid_order,
    make_project,
    make_proposal,
    notification_types,
    notifications_of,
    seller_and_buyer,
)


async def _order(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, revisions=1)
    order = await make_paid_order(client, client_headers, gig, package)
    return creator_headers, client_headers, order


async def _post(client: httpx.AsyncClient, url: str, headers: dict[str, str], **body: Any) -> None:
    response = await client.post(url, json=body or None, headers=headers)
    assert response.status_code in (200, 201), response.text


async def test_the_order_flow_notifies_each_party_in_turn(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, order = await _order(client)
    url = f"/v1/orders/{order['id']}"
    await _post(client, f"{url}/deliver", creator_headers, message="First cut")
    await _post(client, f"{url}/request-revision", client_headers, reason="Shorter please")
    await _post(client, f"{url}/deliver", creator_headers, message="Shorter")
    await _post(client, f"{url}/approve", client_headers)

    assert await notification_types(client, creator_headers) == [
        "order_paid",
        "order_revision_requested",
        "order_completed",
    ]
    assert await notification_types(client, client_headers) == ["order_delivered", "order_delivered"]
    paid = (await notifications_of(client, creator_headers, limit=100))[-1]  # the oldest
    assert paid["title"] == "Order paid"
    assert paid["link"] == f"/orders/{order['id']}"
    assert (paid["reference_type"], paid["reference_id"]) == ("order", order["id"])
    assert paid["is_read"] is False


async def test_cancellation_request_and_acceptance_notify_the_other_party(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, order = await _order(client)
    url = f"/v1/orders/{order['id']}/cancel"
    await _post(client, url, creator_headers, reason="Sick")
    assert await notification_types(client, client_headers) == ["order_cancellation_requested"]
    await _post(client, url, client_headers, reason="Fine")
    assert await notification_types(client, creator_headers) == ["order_paid", "order_cancelled"]
    assert await notification_types(client, client_headers) == ["order_cancellation_requested"]


async def test_a_dispute_notifies_the_other_party(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, order = await _order(client)
    await _post(client, f"/v1/orders/{order['id']}/deliver", creator_headers, message="done")
    await _post(client, f"/v1/orders/{order['id']}/dispute", client_headers, reason="Not what we agreed")
    assert await notification_types(client, creator_headers) == ["order_paid", "order_disputed"]
    assert await notification_types(client, client_headers) == ["order_delivered"]


async def test_auto_completion_by_the_worker_notifies_the_creator(client: httpx.AsyncClient) -> None:
    creator_headers, _, order = await _order(client)
    await _post(client, f"/v1/orders/{order['id']}/deliver", creator_headers, message="done")

    async def due_now(session: AsyncSession) -> None:
        await session.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = :task"),
            {"task": AUTO_COMPLETE_TASK},
        )

    await transaction(due_now)
    await run_jobs()
    assert await notification_types(client, creator_headers) == ["order_paid", "order_completed"]


async def test_proposals_notify_the_owner_and_the_creator(client: httpx.AsyncClient) -> None:
    owner = await actor(client, "client")
    first = await actor(client, "creator")
    second = await actor(client, "creator")
    project = await make_project(client, owner)
    one = await make_proposal(client, first, project["id"])
    two = await make_proposal(client, second, project["id"])
    received = await notifications_of(client, owner.headers)
    assert [n["type"] for n in received] == ["proposal_received", "proposal_received"]
    assert {n["reference_id"] for n in received} == {one["id"], two["id"]}

    rejected = await client.post(f"/v1/proposals/{two['id']}/reject", headers=owner.headers)
    assert rejected.status_code == 200, rejected.text
    accepted = await client.post(f"/v1/proposals/{one['id']}/accept", headers=owner.headers)
    assert accepted.status_code == 200, accepted.text
    assert await notification_types(client, first.headers) == ["proposal_accepted"]
    assert await notification_types(client, second.headers) == ["proposal_rejected"]


async def test_a_paid_withdrawal_notifies_the_creator(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, order = await _order(client)
    await _post(client, f"/v1/orders/{order['id']}/deliver", creator_headers, message="done")
    await _post(client, f"/v1/orders/{order['id']}/approve", client_headers)
    await can_withdraw(client, creator_headers)
    response = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "42.50"}},
        headers=creator_headers,
    )
    assert response.status_code == 201, response.text
    assert "payout_paid" not in await notification_types(client, creator_headers)
    await run_jobs()
    latest = (await notifications_of(client, creator_headers))[0]
    assert latest["type"] == "payout_paid"
    assert "42.50 EUR" in latest["content"]
    assert latest["link"] == "/earnings"
