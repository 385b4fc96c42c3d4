"""An order's reviews as its parties see them (`GET /v1/orders/{id}/reviews`): my own one
whether published or not, the other party's only once published, and nothing for anyone else."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from reelbyte.reviews.jobs import publish_due_reviews
from tests.conftest import run_jobs
from tests.factories import Headers, make_admin, signed_up
from tests.reviews.conftest import completed_days_ago, completed_order, review_body


async def _reviews(client: httpx.AsyncClient, headers: Headers, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_id}/reviews", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _write(client: httpx.AsyncClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/reviews", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_my_unpublished_review_is_mine_and_theirs_stays_hidden(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    order_id = deal.order["id"]
    assert await _reviews(client, deal.client_headers, order_id) == {"mine": None, "theirs": None}

    written = await _write(client, deal.client_headers, review_body(order_id, 4))
    assert await _reviews(client, deal.client_headers, order_id) == {"mine": written, "theirs": None}
    # The creator cannot see it yet: double-blind.
    assert await _reviews(client, deal.creator_headers, order_id) == {"mine": None, "theirs": None}


async def test_once_both_reviewed_each_party_sees_both(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    order_id = deal.order["id"]
    first = await _write(client, deal.client_headers, review_body(order_id, 4))
    by_creator = await _write(client, deal.creator_headers, review_body(order_id, 5))
    by_client = (await client.get(f"/v1/reviews/{first['id']}")).json()  # published since

    as_client = await _reviews(client, deal.client_headers, order_id)
    assert (as_client["mine"], as_client["theirs"]) == (by_client, by_creator)
    assert as_client["mine"]["published"]
    assert as_client["theirs"]["published"]
    assert as_client["theirs"]["reviewer"]["id"] == deal.creator["id"]
    as_creator = await _reviews(client, deal.creator_headers, order_id)
    assert (as_creator["mine"], as_creator["theirs"]) == (by_creator, by_client)


async def test_a_lone_review_published_by_the_window_is_theirs_and_a_removed_one_is_gone(
    client: httpx.AsyncClient,
) -> None:
    deal = await completed_order(client)
    order_id = deal.order["id"]
    written = await _write(client, deal.creator_headers, review_body(order_id, 3))
    await completed_days_ago(order_id, 10)
    await publish_due_reviews.defer_async(timestamp=0)
    await run_jobs()
    theirs = (await _reviews(client, deal.client_headers, order_id))["theirs"]
    assert (theirs["id"], theirs["published"]) == (written["id"], True)

    admin = await make_admin(client)
    removed = await client.delete(f"/v1/reviews/{written['id']}", params={"reason": "Abusive"}, headers=admin)
    assert removed.status_code == 204, removed.text
    assert await _reviews(client, deal.client_headers, order_id) == {"mine": None, "theirs": None}
    assert (await _reviews(client, deal.creator_headers, order_id))["mine"] is None


async def test_only_the_orders_parties_read_its_reviews(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    order_id = deal.order["id"]
    await _write(client, deal.client_headers, review_body(order_id, 4))
    _, stranger = await signed_up(client, "hybrid")
    admin = await make_admin(client)

    cases = [
        (stranger, order_id, 404, "order_not_found"),  # as GET /v1/orders/{id} answers them
        (deal.client_headers, str(uuid.uuid4()), 404, "order_not_found"),
        # An admin reads the order, as GET /v1/orders/{id} lets them, but has no review in it.
        (admin, order_id, 403, "not_owner"),
    ]
    for headers, target, status, code in cases:
        response = await client.get(f"/v1/orders/{target}/reviews", headers=headers)
        assert (response.status_code, response.json()["error"]) == (status, code), response.text
        assert "mine" not in response.json()
    assert (await client.get(f"/v1/orders/{order_id}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/orders/{order_id}", headers=admin)).status_code == 200
    assert (await client.get(f"/v1/orders/{order_id}/reviews")).status_code == 401
