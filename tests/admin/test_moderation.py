"""The admins' side of orders and reviews: the dispute queue (and every admin alerted when one
opens), any order's page, hiding a review; and the audit log of those and of the admin actions
of other domains (a dispute resolved, a category changed, a gig featured)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.admin.test_users import assert_error, me
from tests.factories import Headers, make_gig, make_paid_order, notifications_of, seller_and_buyer, signed_up
from tests.reviews.conftest import completed_order, review_body

NOBODY = "00000000-0000-4000-8000-000000000000"


async def disputed_order(
    client: httpx.AsyncClient, price_minor: int = 10000
) -> tuple[dict[str, Any], Headers, Headers]:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=price_minor)
    order = await make_paid_order(client, client_headers, gig, package)
    opened = await client.post(
        f"/v1/orders/{order['id']}/dispute", json={"reason": "Not what we agreed"}, headers=client_headers
    )
    assert opened.status_code in (200, 201), opened.text
    return order, creator_headers, client_headers


async def audit_actions(client: httpx.AsyncClient, admin: Headers, **params: str) -> list[dict[str, Any]]:
    response = await client.get("/v1/admin/audit", params=params, headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_the_dispute_queue_shows_open_disputes_first_with_what_escrow_holds(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    first, _, _ = await disputed_order(client, price_minor=10000)
    second, _, _ = await disputed_order(client, price_minor=4000)
    dispute_of = {}
    queue = (await client.get("/v1/admin/disputes", headers=admin)).json()
    for case in queue["items"]:
        dispute_of[case["order"]["id"]] = case["dispute"]["id"]
    resolved = await client.post(
        f"/v1/admin/disputes/{dispute_of[first['id']]}/resolve",
        json={
            "refund": {"currency": "EUR", "value": "100.00"},
            "release": {"currency": "EUR", "value": "0.00"},
        },
        headers=admin,
    )
    assert resolved.status_code == 200, resolved.text

    queue = (await client.get("/v1/admin/disputes", headers=admin)).json()

    assert queue["total"] == 2
    assert [(c["order"]["id"], c["dispute"]["status"]) for c in queue["items"]] == [
        (second["id"], "open"),
        (first["id"], "resolved"),
    ]
    assert queue["items"][0]["held"] == {"currency": "EUR", "value": "40.00"}
    assert queue["items"][0]["dispute"]["reason"] == "Not what we agreed"
    [entry] = await audit_actions(client, admin, action="dispute.resolve")
    assert entry["target_id"] == dispute_of[first["id"]]
    assert (entry["before"]["status"], entry["after"]["refund_minor"]) == ("open", 10000)


async def test_every_admin_hears_of_a_new_dispute(client: httpx.AsyncClient, admin: Headers) -> None:
    order, creator_headers, _ = await disputed_order(client)
    alerts = [n for n in await notifications_of(client, admin) if n["type"] == "admin_dispute_opened"]
    assert [(n["link"], n["content"]) for n in alerts] == [
        (
            f"/admin/orders/{order['id']}",
            f"A dispute was opened on the order “{order['title']}”: Not what we agreed",
        )
    ]
    assert "admin_dispute_opened" not in {n["type"] for n in await notifications_of(client, creator_headers)}


async def test_admins_read_any_order_and_others_are_refused(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    order, creator_headers, client_headers = await disputed_order(client)
    response = await client.get(f"/v1/admin/orders/{order['id']}", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "disputed"
    for headers in (creator_headers, client_headers):
        assert_error(await client.get(f"/v1/admin/orders/{order['id']}", headers=headers), 403, "wrong_role")
        assert_error(await client.get("/v1/admin/disputes", headers=headers), 403, "wrong_role")
    assert_error(await client.get(f"/v1/admin/orders/{NOBODY}", headers=admin), 404, "order_not_found")


async def test_hiding_a_review_takes_it_out_and_is_audited(client: httpx.AsyncClient, admin: Headers) -> None:
    deal = await completed_order(client)
    review = await client.post(
        "/v1/reviews", json=review_body(deal.order["id"], 1), headers=deal.client_headers
    )
    await client.post("/v1/reviews", json=review_body(deal.order["id"], 5), headers=deal.creator_headers)
    review_id = review.json()["id"]
    assert (await client.get(f"/v1/reviews/{review_id}")).status_code == 200

    for headers in (deal.client_headers, deal.creator_headers):
        refused = await client.post(
            f"/v1/admin/reviews/{review_id}/hide", json={"reason": "x"}, headers=headers
        )
        assert_error(refused, 403, "wrong_role")
    assert_error(
        await client.post(f"/v1/admin/reviews/{review_id}/hide", json={"reason": " "}, headers=admin),
        422,
        "validation_error",
    )
    hidden = await client.post(
        f"/v1/admin/reviews/{review_id}/hide", json={"reason": "Insults"}, headers=admin
    )

    assert hidden.status_code == 204, hidden.text
    assert (await client.get(f"/v1/reviews/{review_id}")).status_code == 404
    again = await client.post(
        f"/v1/admin/reviews/{review_id}/hide", json={"reason": "Insults"}, headers=admin
    )
    assert again.status_code == 204
    [entry] = await audit_actions(client, admin, action="review.remove")
    assert (entry["target_id"], entry["reason"], entry["before"]) == (review_id, "Insults", {"shown": True})
    missing = await client.post(f"/v1/admin/reviews/{NOBODY}/hide", json={"reason": "x"}, headers=admin)
    assert_error(missing, 404, "review_not_found")


async def test_other_admin_actions_are_audited(client: httpx.AsyncClient, admin: Headers) -> None:
    _, creator_headers = await signed_up(client, "creator")
    gig = await make_gig(client, creator_headers)
    created = await client.post("/v1/admin/categories", json={"name": "Drone footage"}, headers=admin)
    assert created.status_code == 201, created.text
    category_id = created.json()["id"]
    await client.put(f"/v1/admin/categories/{category_id}", json={"name": "Drone films"}, headers=admin)
    await client.delete(f"/v1/admin/categories/{category_id}", headers=admin)
    await client.put(f"/v1/gigs/{gig['id']}", json={"is_featured": True}, headers=admin)
    await client.put(
        f"/v1/gigs/{gig['id']}", json={"title": "I will cut your film, fast"}, headers=creator_headers
    )

    log = await audit_actions(client, admin)

    assert [(e["action"], e["target_type"]) for e in log] == [
        ("gig.flags", "gig"),
        ("category.deactivate", "category"),
        ("category.update", "category"),
        ("category.create", "category"),
    ]
    assert (log[0]["before"], log[0]["after"]) == ({"is_featured": False}, {"is_featured": True})
    assert (log[2]["before"], log[2]["after"]) == ({"name": "Drone footage"}, {"name": "Drone films"})
    admin_id = (await me(client, admin))["id"]
    assert {e["actor_id"] for e in log} == {admin_id}
    assert [e["action"] for e in await audit_actions(client, admin, target_type="gig")] == ["gig.flags"]
    older = await client.get("/v1/admin/audit", params={"limit": 2}, headers=admin)
    rest = await client.get("/v1/admin/audit", params={"cursor": older.json()["next_cursor"]}, headers=admin)
    assert [e["id"] for e in older.json()["items"] + rest.json()["items"]] == [e["id"] for e in log]


@pytest.mark.parametrize(
    "params", [{"cursor": "abc"}, {"limit": "0"}, {"target_type": "User!"}, {"actor_id": "me"}]
)
async def test_bad_audit_queries(client: httpx.AsyncClient, admin: Headers, params: dict[str, str]) -> None:
    assert_error(await client.get("/v1/admin/audit", params=params, headers=admin), 422, "validation_error")


async def _flag(client: httpx.AsyncClient, review_id: str, reason: str) -> None:
    _, headers = await signed_up(client, "client")
    response = await client.post(f"/v1/reviews/{review_id}/flag", json={"reason": reason}, headers=headers)
    assert response.status_code == 204, response.text


async def _flagged(client: httpx.AsyncClient, admin: Headers) -> list[dict[str, Any]]:
    response = await client.get("/v1/admin/reviews/flagged", headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _creator_rating(client: httpx.AsyncClient, deal: Any) -> tuple[str, int]:
    stats = (await client.get(f"/v1/users/{deal.creator['id']}")).json()["stats"]
    return (stats["rating"], stats["total_reviews"])


async def test_flagged_reviews_wait_for_a_decision_kept_hidden_or_restored(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    deal = await completed_order(client)
    review = await client.post(
        "/v1/reviews", json=review_body(deal.order["id"], 1), headers=deal.client_headers
    )
    await client.post("/v1/reviews", json=review_body(deal.order["id"], 5), headers=deal.creator_headers)
    review_id = review.json()["id"]
    rated = await _creator_rating(client, deal)
    for reason in ("Insults the creator", "Not about the work", "Spam"):
        await _flag(client, review_id, reason)

    [waiting] = await _flagged(client, admin)
    assert (waiting["review"]["id"], waiting["flags"], waiting["hidden"]) == (review_id, 3, False)
    assert [r["reason"] for r in waiting["reasons"]] == ["Spam", "Not about the work", "Insults the creator"]
    for headers in (deal.client_headers, deal.creator_headers):
        assert_error(await client.get("/v1/admin/reviews/flagged", headers=headers), 403, "wrong_role")
        refused = await client.post(f"/v1/admin/reviews/{review_id}/restore", headers=headers)
        assert_error(refused, 403, "wrong_role")

    # Kept: the flags close, the review stays; a new flag brings it back to the queue.
    kept = await client.post(f"/v1/admin/reviews/{review_id}/dismiss-flags", headers=admin)
    assert kept.status_code == 204, kept.text
    assert await _flagged(client, admin) == []
    assert (await client.get(f"/v1/reviews/{review_id}")).status_code == 200
    await _flag(client, review_id, "Still rude")
    [again] = await _flagged(client, admin)
    assert again["flags"] == 1

    # Hidden: out of lists and ratings, the flags closed; then restored: counted again.
    hidden = await client.post(f"/v1/admin/reviews/{review_id}/hide", json={"reason": "Rude"}, headers=admin)
    assert hidden.status_code == 204, hidden.text
    assert await _flagged(client, admin) == []
    assert (await client.get(f"/v1/reviews/{review_id}")).status_code == 404
    assert await _creator_rating(client, deal) != rated
    restored = await client.post(f"/v1/admin/reviews/{review_id}/restore", headers=admin)
    assert restored.status_code == 204, restored.text
    assert (await client.get(f"/v1/reviews/{review_id}")).status_code == 200
    assert await _creator_rating(client, deal) == rated
    assert (await client.post(f"/v1/admin/reviews/{review_id}/restore", headers=admin)).status_code == 204
    [entry] = await audit_actions(client, admin, action="review.restore")
    assert (entry["target_id"], entry["after"]) == (review_id, {"shown": True})
    assert [e["target_id"] for e in await audit_actions(client, admin, action="review.flags_dismissed")] == [
        review_id
    ]
    for path in ("restore", "dismiss-flags"):
        missing = await client.post(f"/v1/admin/reviews/{NOBODY}/{path}", headers=admin)
        assert_error(missing, 404, "review_not_found")
