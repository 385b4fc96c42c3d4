"""What others do with a published review: the reviewee's one reply, helpful votes (counted
exactly, even when they race) and flags for the moderators."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.reviews.models import ReviewFlag
from tests.factories import Headers, notifications_of, signed_up
from tests.reviews.conftest import Deal, completed_order, review_body


async def _published(http: httpx.AsyncClient) -> tuple[Deal, dict[str, Any]]:
    """A deal whose two reviews are published; and the client's review of the creator."""
    deal = await completed_order(http)
    mine = await http.post("/v1/reviews", json=review_body(deal.order["id"], 4), headers=deal.client_headers)
    await http.post("/v1/reviews", json=review_body(deal.order["id"], 5), headers=deal.creator_headers)
    return deal, dict(mine.json())


async def _review(http: httpx.AsyncClient, review_id: str) -> dict[str, Any]:
    return dict((await http.get(f"/v1/reviews/{review_id}")).json())


async def test_the_reviewee_replies_once(client: httpx.AsyncClient) -> None:
    deal, review = await _published(client)
    url = f"/v1/reviews/{review['id']}/reply"
    _, stranger = await signed_up(client, "client")
    for headers in (deal.client_headers, stranger):  # the author, anybody else
        refused = await client.post(url, json={"text": "Not mine to answer"}, headers=headers)
        assert (refused.status_code, refused.json()["error"]) == (403, "not_owner")
    answered = await client.post(url, json={"text": "Thank you, a pleasure!"}, headers=deal.creator_headers)
    assert answered.status_code == 201, answered.text
    assert answered.json()["reply"]["text"] == "Thank you, a pleasure!"
    again = await client.post(url, json={"text": "And another thing"}, headers=deal.creator_headers)
    assert (again.status_code, again.json()["error"]) == (409, "already_replied")
    for body in ({"text": ""}, {"text": "x" * 2001}, {}):
        assert (await client.post(url, json=body, headers=deal.creator_headers)).status_code == 422
    assert (await _review(client, review["id"]))["reply"]["text"] == "Thank you, a pleasure!"


async def test_no_reply_before_publication(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    review = (
        await client.post("/v1/reviews", json=review_body(deal.order["id"]), headers=deal.client_headers)
    ).json()
    response = await client.post(
        f"/v1/reviews/{review['id']}/reply", json={"text": "Early"}, headers=deal.creator_headers
    )
    assert (response.status_code, response.json()["error"]) == (404, "review_not_found")


async def test_helpful_votes_once_each_and_not_ones_own(client: httpx.AsyncClient) -> None:
    deal, review = await _published(client)
    url = f"/v1/reviews/{review['id']}/helpful"
    own = await client.post(url, headers=deal.client_headers)
    assert (own.status_code, own.json()["error"]) == (403, "own_review")
    assert (await client.post(url)).status_code == 401
    _, reader = await signed_up(client, "client")
    assert (await client.post(url, headers=reader)).json() == {"helpful_count": 1}
    twice = await client.post(url, headers=reader)
    assert (twice.status_code, twice.json()["error"]) == (409, "already_voted")
    assert (await client.post(url, headers=deal.creator_headers)).json() == {"helpful_count": 2}
    assert (await client.delete(url, headers=reader)).json() == {"helpful_count": 1}
    gone = await client.delete(url, headers=reader)
    assert (gone.status_code, gone.json()["error"]) == (404, "vote_not_found")
    assert (await _review(client, review["id"]))["helpful_count"] == 1


async def test_twenty_users_voting_at_once_count_twenty_and_one_user_twice_counts_once(
    client: httpx.AsyncClient,
) -> None:
    _, review = await _published(client)
    url = f"/v1/reviews/{review['id']}/helpful"
    voters: list[Headers] = [(await signed_up(client, "client"))[1] for _ in range(20)]
    responses = await asyncio.gather(*(client.post(url, headers=headers) for headers in voters))
    assert [r.status_code for r in responses] == [200] * 20
    assert (await _review(client, review["id"]))["helpful_count"] == 20
    same = await asyncio.gather(*(client.post(url, headers=voters[0]) for _ in range(2)))
    assert sorted(r.status_code for r in same) == [409, 409]  # voted above already
    _, fresh = await signed_up(client, "client")
    same = await asyncio.gather(*(client.post(url, headers=fresh) for _ in range(2)))
    assert sorted(r.status_code for r in same) == [200, 409]
    assert (await _review(client, review["id"]))["helpful_count"] == 21


async def test_flags_are_kept_once_per_user(client: httpx.AsyncClient) -> None:
    deal, review = await _published(client)
    url = f"/v1/reviews/{review['id']}/flag"
    own = await client.post(url, json={"reason": "mine"}, headers=deal.client_headers)
    assert (own.status_code, own.json()["error"]) == (403, "own_review")
    assert (
        await client.post(url, json={"reason": "Insults me"}, headers=deal.creator_headers)
    ).status_code == 204
    again = await client.post(url, json={"reason": "Still"}, headers=deal.creator_headers)
    assert (again.status_code, again.json()["error"]) == (409, "already_flagged")
    for body in ({"reason": ""}, {"reason": "x" * 2001}, {}):
        assert (await client.post(url, json=body, headers=deal.creator_headers)).status_code == 422

    async def flags(session: AsyncSession) -> list[str]:
        return list(
            await session.scalars(select(ReviewFlag.reason).where(ReviewFlag.review_id == review["id"]))
        )

    assert await transaction(flags) == ["Insults me"]
    assert await transaction(lambda s: s.scalar(select(func.count()).select_from(ReviewFlag))) == 1


async def test_the_reviewee_is_told_of_a_published_review_and_the_author_of_the_reply(
    client: httpx.AsyncClient,
) -> None:
    deal, review = await _published(client)
    received = await notifications_of(client, deal.creator_headers)
    assert [(n["content"], n["link"]) for n in received if n["type"] == "review_received"] == [
        ("You received a 4-star review.", f"/orders/{deal.order['id']}")  # where both reviews show
    ]
    assert "review_received" in [n["type"] for n in await notifications_of(client, deal.client_headers)]
    await client.post(
        f"/v1/reviews/{review['id']}/reply", json={"text": "Thanks!"}, headers=deal.creator_headers
    )
    assert "review_reply_received" in [n["type"] for n in await notifications_of(client, deal.client_headers)]
    assert "review_reply_received" not in [
        n["type"] for n in await notifications_of(client, deal.creator_headers)
    ]
