"""Reviews over HTTP: who may write one and when, double-blind publication, changes and
withdrawals, admin removal, the lists with their summaries, and the ratings they move."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.reviews import service
from reelbyte.reviews.jobs import publish_due_reviews
from reelbyte.reviews.models import Review
from tests.conftest import run_jobs
from tests.factories import Headers, gig_for_sale, make_admin, make_paid_order, signed_up
from tests.reviews.conftest import Deal, completed_days_ago, completed_order, review_body


async def _write(http: httpx.AsyncClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.post("/v1/reviews", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _shown(http: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await http.get(f"/v1/reviews/{path}", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _profile(http: httpx.AsyncClient, user_id: str) -> dict[str, Any]:
    """The user's public numbers: rating, total_reviews, total_orders, response_time_hours."""
    return dict((await http.get(f"/v1/users/{user_id}")).json()["stats"])


async def _gig(http: httpx.AsyncClient, gig_id: str) -> dict[str, Any]:
    return dict((await http.get(f"/v1/gigs/{gig_id}")).json())


async def test_reviews_stay_hidden_until_both_parties_have_written(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    by_client = await _write(client, deal.client_headers, review_body(deal.order["id"], 4))
    assert by_client["published"] is False
    assert by_client["reviewee_id"] == deal.creator["id"]
    assert by_client["gig_id"] == deal.gig_id
    assert by_client["reviewer"] == {
        "id": deal.client["id"],
        "username": deal.client["username"],
        "full_name": deal.client["full_name"],
        "avatar_url": None,
    }
    # Nobody but its author sees it yet, and nothing counts it.
    assert (await _shown(client, f"users/{deal.creator['id']}"))["items"] == []
    assert (
        await client.get(f"/v1/reviews/{by_client['id']}", headers=deal.creator_headers)
    ).status_code == 404
    assert (await client.get(f"/v1/reviews/{by_client['id']}")).status_code == 404
    assert (
        await client.get(f"/v1/reviews/{by_client['id']}", headers=deal.client_headers)
    ).status_code == 200
    assert (await _profile(client, deal.creator["id"]))["total_reviews"] == 0

    by_creator = await _write(client, deal.creator_headers, review_body(deal.order["id"], 5))
    assert by_creator["published"] is True  # both are in: both are shown
    assert by_creator["gig_id"] is None  # the creator reviews the client, not a gig
    assert (await client.get(f"/v1/reviews/{by_client['id']}")).json()["published"] is True

    of_creator = await _shown(client, f"users/{deal.creator['id']}")
    assert [r["id"] for r in of_creator["items"]] == [by_client["id"]]
    assert of_creator["summary"]["count"] == 1
    assert of_creator["summary"]["rating"] == "4.00"
    of_client = await _shown(client, f"users/{deal.client['id']}")
    assert [r["id"] for r in of_client["items"]] == [by_creator["id"]]
    assert [r["id"] for r in (await _shown(client, f"gigs/{deal.gig_id}"))["items"]] == [by_client["id"]]

    creator = await _profile(client, deal.creator["id"])
    assert (creator["rating"], creator["total_reviews"]) == ("4.00", 1)
    gig = await _gig(client, deal.gig_id)
    assert (gig["stats"]["rating"], gig["stats"]["total_reviews"]) == ("4.00", 1)


async def test_the_window_publishes_a_lone_review_by_the_job(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    review = await _write(client, deal.client_headers, review_body(deal.order["id"], 3))
    await _publishing_job()
    assert (await client.get(f"/v1/reviews/{review['id']}")).status_code == 404  # window still open
    await completed_days_ago(deal.order["id"], 10)
    await _publishing_job()
    shown = await client.get(f"/v1/reviews/{review['id']}")
    assert shown.status_code == 200
    assert shown.json()["published"] is True
    assert (await _profile(client, deal.creator["id"]))["rating"] == "3.00"
    # ...and after the window nobody can write one any more.
    late = await client.post("/v1/reviews", json=review_body(deal.order["id"]), headers=deal.creator_headers)
    assert (late.status_code, late.json()["error"]) == (409, "review_window_closed")


async def _publishing_job() -> None:
    await publish_due_reviews.defer_async(timestamp=0)  # what the periodic deferrer does every minute
    await run_jobs()


async def test_only_a_party_of_a_completed_order_reviews_it_once(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    _, stranger = await signed_up(client, "client")
    admin = await make_admin(client)
    cases = [
        (stranger, review_body(deal.order["id"]), 404, "order_not_found"),
        (admin, review_body(deal.order["id"]), 403, "not_owner"),
        (deal.client_headers, review_body(str(uuid.uuid4())), 404, "order_not_found"),
    ]
    for headers, body, status, code in cases:
        response = await client.post("/v1/reviews", json=body, headers=headers)
        assert (response.status_code, response.json()["error"]) == (status, code), response.text
    await _write(client, deal.client_headers, review_body(deal.order["id"]))
    again = await client.post(
        "/v1/reviews", json=review_body(deal.order["id"], 1), headers=deal.client_headers
    )
    assert (again.status_code, again.json()["error"]) == (409, "already_reviewed")


async def test_an_order_not_completed_cannot_be_reviewed(client: httpx.AsyncClient) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"])
    order = await make_paid_order(client, client_headers, gig, package)  # in progress
    for headers in (client_headers, creator_headers):
        response = await client.post("/v1/reviews", json=review_body(order["id"]), headers=headers)
        assert (response.status_code, response.json()["error"]) == (409, "order_not_completed")
    assert await _reviews_of(order["id"]) == 0


async def _reviews_of(order_id: str) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).where(Review.order_id == order_id)) or 0)

    return await transaction(count)


@pytest.mark.parametrize(
    "change",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": 4.5},
        {"rating": None},
        {"quality_rating": "five"},
        {"comment": "x" * 20_000},
        {"rating": 5, "extra": True},
    ],
)
async def test_bad_reviews_are_refused_and_change_nothing(
    client: httpx.AsyncClient, change: dict[str, Any]
) -> None:
    deal = await completed_order(client)
    body = {
        key: value for key, value in {**review_body(deal.order["id"]), **change}.items() if value is not None
    }
    response = await client.post("/v1/reviews", json=body, headers=deal.client_headers)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "message", "details"}
    assert (
        await client.post("/v1/reviews", json=review_body(deal.order["id"]), headers=deal.client_headers)
    ).status_code == 201


async def test_the_author_changes_or_withdraws_a_review_until_it_is_published(
    client: httpx.AsyncClient,
) -> None:
    deal = await completed_order(client)
    review = await _write(client, deal.client_headers, review_body(deal.order["id"], 2))
    url = f"/v1/reviews/{review['id']}"
    for headers, status in [(deal.creator_headers, 404), (None, 401)]:
        response = await client.put(url, json={"rating": 1}, headers=headers or {})
        assert response.status_code == status, response.text
    changed = await client.put(
        url, json={"rating": 4, "comment": "Better on reflection"}, headers=deal.client_headers
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["rating"], changed.json()["comment"], changed.json()["quality_rating"]) == (
        4,
        "Better on reflection",
        2,
    )

    assert (await client.delete(url, headers=deal.creator_headers)).status_code == 404
    assert (await client.delete(url, headers=deal.client_headers)).status_code == 204
    assert (await client.get(url, headers=deal.client_headers)).status_code == 404
    # Withdrawn before publication, it can be written again.
    review = await _write(client, deal.client_headers, review_body(deal.order["id"], 5))
    await _write(client, deal.creator_headers, review_body(deal.order["id"], 5))
    url = f"/v1/reviews/{review['id']}"
    for response in (
        await client.put(url, json={"rating": 1}, headers=deal.client_headers),
        await client.delete(url, headers=deal.client_headers),
    ):
        assert (response.status_code, response.json()["error"]) == (409, "review_published")
    # The reviewee sees it now, and still cannot touch it.
    assert (await client.put(url, json={"rating": 1}, headers=deal.creator_headers)).status_code == 403


async def test_an_admin_removes_a_published_review_with_a_reason(client: httpx.AsyncClient) -> None:
    creator = await signed_up(client, "creator")
    first, second = await completed_order(client, creator), await completed_order(client, creator)
    for deal, stars in ((first, 5), (second, 1)):
        await _write(client, deal.client_headers, review_body(deal.order["id"], stars))
        await _write(client, deal.creator_headers, review_body(deal.order["id"], 5))
    creator_id = creator[0]["id"]
    assert (await _profile(client, creator_id))["total_reviews"] == 2
    harsh = (await _shown(client, f"users/{creator_id}", sort="lowest"))["items"][0]
    admin = await make_admin(client)
    url = f"/v1/reviews/{harsh['id']}"
    missing = await client.delete(f"/v1/reviews/{uuid.uuid4()}", params={"reason": "spam"}, headers=admin)
    assert (missing.status_code, missing.json()["error"]) == (404, "review_not_found")
    no_reason = await client.delete(url, headers=admin)
    assert (no_reason.status_code, no_reason.json()["error"]) == (422, "removal_reason_required")
    assert (await client.delete(url, params={"reason": "abusive language"}, headers=admin)).status_code == 204
    assert (await client.get(url)).status_code == 404
    shown = await _shown(client, f"users/{creator_id}")
    assert [r["rating"] for r in shown["items"]] == [5]
    assert (shown["summary"]["count"], shown["summary"]["rating"], shown["summary"]["histogram"]["1"]) == (
        1,
        "5.00",
        0,
    )
    assert (
        (await _profile(client, creator_id))["rating"],
        (await _gig(client, second.gig_id))["stats"]["rating"],
    ) == ("5.00", "0.00")


async def test_lists_sort_filter_and_summarise(client: httpx.AsyncClient) -> None:
    creator = await signed_up(client, "creator")
    stars = [5, 3, 4, 5, 1]
    for rating in stars:
        deal = await completed_order(client, creator)
        body = review_body(
            deal.order["id"], rating, communication_rating=5, quality_rating=rating, timeliness_rating=3
        )
        await _write(client, deal.client_headers, body)
        await _write(client, deal.creator_headers, review_body(deal.order["id"]))
    path = f"users/{creator[0]['id']}"
    newest = await _shown(client, path)
    assert [r["rating"] for r in newest["items"]] == list(reversed(stars))
    assert [r["rating"] for r in (await _shown(client, path, sort="highest"))["items"]] == [5, 5, 4, 3, 1]
    assert [r["rating"] for r in (await _shown(client, path, sort="lowest"))["items"]] == [1, 3, 4, 5, 5]
    fives = await _shown(client, path, stars=5)
    assert (fives["total"], [r["rating"] for r in fives["items"]]) == (2, [5, 5])
    paged = await _shown(client, path, page=2, page_size=2)
    assert (paged["total"], paged["total_pages"], len(paged["items"])) == (5, 3, 2)
    summary = newest["summary"]
    assert summary["histogram"] == {"5": 2, "4": 1, "3": 1, "2": 0, "1": 1}
    assert summary["averages"] == {"communication": "5.00", "quality": "3.60", "timeliness": "3.00"}
    # Published within seconds of each other, the weights are all but equal: the plain mean.
    assert summary["rating"] == "3.60"
    for bad in ({"stars": 0}, {"stars": 6}, {"sort": "random"}, {"page_size": 1000}):
        assert (await client.get(f"/v1/reviews/{path}", params=bad)).status_code == 422, bad
    assert (await client.get(f"/v1/reviews/users/{uuid.uuid4()}")).status_code == 404
    assert (await client.get(f"/v1/reviews/gigs/{uuid.uuid4()}")).status_code == 404


async def test_recent_reviews_weigh_more(client: httpx.AsyncClient) -> None:
    """A year-old 1-star review and a new 5-star one: with a half-life of a year the old one
    weighs half as much, so the rating is (1·½ + 5·1) / 1½ = 3.67, not the plain mean 3."""
    creator = await signed_up(client, "creator")
    old, new = await completed_order(client, creator), await completed_order(client, creator)
    for deal, stars in ((old, 1), (new, 5)):
        await _write(client, deal.client_headers, review_body(deal.order["id"], stars))
        await _write(client, deal.creator_headers, review_body(deal.order["id"]))
    # Rewrite the old one's publication a year back: what its weight would be, had it been.
    await transaction(lambda session: _republish_a_year_ago(session, old.order["id"], creator[0]["id"]))
    assert (await _profile(client, creator[0]["id"]))["rating"] == "3.67"
    assert (await _shown(client, f"users/{creator[0]['id']}"))["summary"]["rating"] == "3.67"


async def _republish_a_year_ago(session: AsyncSession, order_id: str, creator_id: str) -> None:
    review = await session.scalar(
        select(Review).where(Review.order_id == order_id, Review.reviewee_id == creator_id)
    )
    assert review is not None
    await service._move_totals(session, [review.id], sign=-1)
    await session.execute(
        update(Review)
        .where(Review.id == review.id)
        .values(
            weight=Review.weight / 2,
            published_at=Review.published_at - __import__("datetime").timedelta(days=365),
        )
    )
    await service._move_totals(session, [review.id], sign=1)
    await service._store_ratings(session, [await session.get(Review, review.id)])


async def test_both_parties_writing_at_once_publish_both(client: httpx.AsyncClient) -> None:
    deal: Deal = await completed_order(client)
    responses = await asyncio.gather(
        client.post("/v1/reviews", json=review_body(deal.order["id"], 4), headers=deal.client_headers),
        client.post("/v1/reviews", json=review_body(deal.order["id"], 5), headers=deal.creator_headers),
    )
    assert [r.status_code for r in responses] == [201, 201]
    assert (await _profile(client, deal.creator["id"]))["total_reviews"] == 1
    assert (await _profile(client, deal.client["id"]))["total_reviews"] == 1


async def test_the_same_review_sent_twice_at_once_is_stored_once(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    body = review_body(deal.order["id"])
    responses = await asyncio.gather(
        *(client.post("/v1/reviews", json=body, headers=deal.client_headers) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [r.text for r in responses]
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {"already_reviewed"}
    assert await _reviews_of(deal.order["id"]) == 1


async def test_a_completed_order_counts_for_both_parties_and_the_gig(client: httpx.AsyncClient) -> None:
    creator = await signed_up(client, "creator")
    first = await completed_order(client, creator)
    await completed_order(client, creator)
    assert (await _profile(client, creator[0]["id"]))["total_orders"] == 2
    assert (await _profile(client, first.client["id"]))["total_orders"] == 1
    assert (await _gig(client, first.gig_id))["stats"]["orders"] == 1
