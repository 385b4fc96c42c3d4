"""Reputation earned through reviews moves what clients see and use: creator levels, the
rating sort and filter of lists and search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from reelbyte.catalog.jobs import recompute_creator_levels
from reelbyte.core.db import transaction
from reelbyte.identity.models import User
from reelbyte.messaging.models import Message
from tests.conftest import run_jobs
from tests.factories import make_paid_order, send_message, signed_up, start_conversation
from tests.reviews.conftest import Deal, completed_order, review_body


async def _reviewed(client: httpx.AsyncClient, deal: Deal, stars: int) -> None:
    """Both parties review, so both reviews are published at once."""
    for headers, rating in ((deal.client_headers, stars), (deal.creator_headers, 5)):
        response = await client.post(
            "/v1/reviews", json=review_body(deal.order["id"], rating), headers=headers
        )
        assert response.status_code == 201, response.text


async def _daily_job() -> None:
    await recompute_creator_levels.defer_async(timestamp=0)  # what the periodic deferrer does daily
    await run_jobs()


async def test_a_creator_rises_from_new_by_completed_and_well_reviewed_orders(
    client: httpx.AsyncClient,
) -> None:
    creator = await signed_up(client, "creator")
    creator_id = creator[0]["id"]
    await transaction(
        lambda session: session.execute(
            update(User)
            .where(User.id == creator_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=61))
        )
    )
    deals = [await completed_order(client, creator) for _ in range(10)]
    await _daily_job()
    assert (await client.get(f"/v1/users/{creator_id}")).json()["creator_level"] == "new"  # no rating yet
    for number, deal in enumerate(deals):
        await _reviewed(client, deal, 4 if number == 0 else 5)  # mean 4.9
    await _daily_job()
    profile = (await client.get(f"/v1/users/{creator_id}")).json()
    assert (profile["creator_level"], profile["stats"]["total_orders"], profile["stats"]["rating"]) == (
        "rising",
        10,
        "4.90",
    )
    assert (await client.get(f"/v1/gigs/{deals[0].gig_id}")).json()["creator_level"] == "rising"


async def test_the_better_reviewed_gig_comes_first_by_rating_in_lists_and_search(
    client: httpx.AsyncClient,
) -> None:
    liked, disliked = await completed_order(client), await completed_order(client)
    await _reviewed(client, disliked, 2)
    await _reviewed(client, liked, 5)
    for path in ("/v1/gigs", "/v1/search/gigs"):
        ranked = (await client.get(path, params={"sort_by": "rating"})).json()["items"]
        ids = [item["id"] for item in ranked]
        assert ids.index(liked.gig_id) < ids.index(disliked.gig_id), path
        good = (await client.get(path, params={"min_rating": "4.5"})).json()["items"]
        assert [item["id"] for item in good] == [liked.gig_id], path
    creators = (await client.get("/v1/search/creators", params={"min_rating": "4.5"})).json()["items"]
    assert [item["id"] for item in creators] == [liked.creator["id"]]


async def test_the_more_ordered_gig_comes_first_by_popularity(client: httpx.AsyncClient) -> None:
    creator = await signed_up(client, "creator")
    buyer = await signed_up(client, "client")
    once = await completed_order(client, creator, buyer)
    twice = await completed_order(client, creator, buyer)
    gig_id = twice.gig_id
    page = (await client.get(f"/v1/gigs/{gig_id}")).json()
    again = await make_paid_order(client, buyer[1], page, page["packages"][0])  # the same gig once more
    delivered = await client.post(
        f"/v1/orders/{again['id']}/deliver", json={"message": "v2"}, headers=creator[1]
    )
    assert delivered.status_code == 200, delivered.text
    assert (await client.post(f"/v1/orders/{again['id']}/approve", headers=buyer[1])).status_code == 200
    for path in ("/v1/gigs", "/v1/search/gigs"):
        ids = [item["id"] for item in (await client.get(path, params={"sort_by": "popular"})).json()["items"]]
        assert ids.index(gig_id) < ids.index(once.gig_id), path


async def _aged(conversation_id: str, hours: float) -> None:
    """Make the conversation's messages so far `hours` older."""
    statement = (
        update(Message)
        .where(Message.conversation_id == conversation_id)
        .values(created_at=Message.created_at - timedelta(hours=hours))
    )
    await transaction(lambda session: session.execute(statement))


async def test_the_response_time_is_the_median_hours_to_a_first_reply(client: httpx.AsyncClient) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    for hours in (4.5, 1.2, 10.5):
        _, asker = await signed_up(client, "client")
        conversation = await start_conversation(
            client, asker, creator["id"], message="Are you free next week?"
        )
        await _aged(conversation["id"], hours)
        await send_message(client, creator_headers, conversation["id"], "Yes, tell me more")
        await send_message(client, creator_headers, conversation["id"], "(a second message times nothing)")
    # A conversation the creator opens is not a reply.
    other, _ = await signed_up(client, "client")
    opened = await start_conversation(client, creator_headers, other["id"], message="Saw your project")
    await _aged(opened["id"], 100)
    stats = (await client.get(f"/v1/users/{creator['id']}")).json()["stats"]
    assert stats["response_time_hours"] == 5  # the median, 4.5 hours, rounded up


async def test_on_time_and_repeat_client_rates_show_on_profiles_cards_and_search(
    client: httpx.AsyncClient,
) -> None:
    creator = await signed_up(client, "creator")
    returning = await signed_up(client, "client")
    first = await completed_order(client, creator, returning)
    await completed_order(client, creator, returning, late=True)
    await completed_order(client, creator)  # a client who did not come back
    creator_id = creator[0]["id"]
    stats = (await client.get(f"/v1/users/{creator_id}")).json()["stats"]
    assert (stats["on_time_delivery_percent"], stats["repeat_client_percent"]) == (67, 50)
    card = next(item for item in (await client.get("/v1/gigs")).json()["items"] if item["id"] == first.gig_id)
    assert (card["creator"]["on_time_delivery_percent"], card["creator"]["repeat_client_percent"]) == (67, 50)
    page = (await client.get(f"/v1/gigs/{first.gig_id}")).json()
    assert page["creator"]["repeat_client_percent"] == 50
    username = creator[0]["username"]
    hits = (await client.get("/v1/search/creators", params={"q": username})).json()["items"]
    assert [(h["id"], h["on_time_delivery_percent"], h["repeat_client_percent"]) for h in hits] == [
        (creator_id, 67, 50)
    ]
    newcomer = (await client.get(f"/v1/users/{returning[0]['id']}")).json()["stats"]
    assert (newcomer["on_time_delivery_percent"], newcomer["repeat_client_percent"]) == (None, None)
