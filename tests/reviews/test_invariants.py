"""Whatever happens in whatever order — orders completed, reviews written, published by both
sides or by the window, removed by an admin, helpful votes cast and taken back — every stored
number equals what the raw rows say, after every step: the running totals, the users' and gigs'
rating and total_reviews, helpful counts, total_orders and orders_count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Gig
from reelbyte.core.db import transaction
from reelbyte.identity.models import User
from reelbyte.orders.models import Order, OrderStatus
from reelbyte.reviews import service
from reelbyte.reviews.models import HelpfulVote, Review, ReviewTotals, Subject
from tests.factories import Headers, gig_for_sale, make_admin, make_paid_order, signed_up
from tests.reviews.conftest import completed_days_ago, review_body

ORDERS = 3
SIDES = ("client", "creator")

orders = st.integers(0, ORDERS - 1)
stars = st.integers(1, 5)
picks = st.integers(0, 5)  # which of the reviews written so far (modulo their number)
voters = st.integers(0, 3)  # creator, client A, client B, outsider
steps = st.lists(
    st.one_of(
        st.tuples(st.just("review"), orders, st.sampled_from(SIDES), stars),
        st.tuples(st.just("review_both"), orders, stars, stars),
        st.tuples(st.just("complete"), orders),
        st.tuples(st.just("window"), orders),
        st.tuples(st.just("remove"), picks),
        st.tuples(st.just("vote"), picks, voters),
        st.tuples(st.just("unvote"), picks, voters),
    ),
    min_size=1,
    max_size=12,
)


@dataclass
class World:
    """A creator, two clients and an outsider; three delivered orders (client A's two share a
    gig), the first two of them completed; and an admin."""

    people: list[tuple[dict[str, Any], Headers]]  # creator, client A, client B, outsider
    orders: list[dict[str, Any]]
    admin: Headers

    def party(self, order: int, side: str) -> Headers:
        client_index = 1 if order < 2 else 2
        return self.people[0 if side == "creator" else client_index][1]

    def user_ids(self) -> list[str]:
        return [person["id"] for person, _ in self.people]


async def _world(http: httpx.AsyncClient) -> World:
    people = [await signed_up(http, role) for role in ("creator", "client", "client", "client")]
    creator = people[0][0]
    shared, _ = await gig_for_sale(creator["id"])
    other, _ = await gig_for_sale(creator["id"])
    made = []
    for number, (gig, buyer) in enumerate([(shared, people[1]), (shared, people[1]), (other, people[2])]):
        package = await _package_of(gig.id)
        order = await make_paid_order(http, buyer[1], gig, package)
        delivered = await http.post(
            f"/v1/orders/{order['id']}/deliver", json={"message": f"cut {number}"}, headers=people[0][1]
        )
        assert delivered.status_code == 200, delivered.text
        if number < 2:  # the third is completed by a step, or never
            approved = await http.post(f"/v1/orders/{order['id']}/approve", headers=buyer[1])
            assert approved.status_code == 200, approved.text
        made.append(order)
    return World(people, made, await make_admin(http))


async def _package_of(gig_id: Any) -> Any:
    from reelbyte.catalog.models import Package

    return await transaction(lambda session: session.scalar(select(Package).where(Package.gig_id == gig_id)))


async def _written(world: World) -> list[Review]:
    order_ids = [order["id"] for order in world.orders]

    async def find(session: AsyncSession) -> list[Review]:
        query = select(Review).where(Review.order_id.in_(order_ids)).order_by(Review.created_at, Review.id)
        return list(await session.scalars(query))

    return await transaction(find)


async def _apply(http: httpx.AsyncClient, world: World, step: tuple[Any, ...]) -> None:
    """One step through the API (refusals are fine: they must change nothing)."""
    kind = step[0]
    if kind in ("review", "review_both", "complete", "window"):
        order_id = world.orders[step[1]]["id"]
        if kind == "complete":
            await http.post(f"/v1/orders/{order_id}/approve", headers=world.party(step[1], "client"))
        elif kind == "window":
            if await _completed(order_id):
                await completed_days_ago(order_id, 10)
                await transaction(service.publish_due)
        else:
            writes = [(step[2], step[3])] if kind == "review" else [("client", step[2]), ("creator", step[3])]
            for side, rating in writes:
                body = review_body(order_id, rating)
                await http.post("/v1/reviews", json=body, headers=world.party(step[1], side))
        return
    written = await _written(world)
    if not written:
        return
    url = f"/v1/reviews/{written[step[1] % len(written)].id}"
    if kind == "remove":
        await http.delete(url, params={"reason": "moderation"}, headers=world.admin)
    elif kind == "vote":
        await http.post(f"{url}/helpful", headers=world.people[step[2]][1])
    else:
        await http.delete(f"{url}/helpful", headers=world.people[step[2]][1])


async def _completed(order_id: str) -> bool:
    status = await transaction(
        lambda session: session.scalar(select(Order.status).where(Order.id == order_id))
    )
    return status is OrderStatus.COMPLETED


def _rating(weighted: Decimal, weights: Decimal) -> Decimal:
    return (weighted / weights).quantize(Decimal("0.01"), ROUND_HALF_UP) if weights else Decimal("0.00")


async def _check(session: AsyncSession, world: World) -> None:
    order_ids = [order["id"] for order in world.orders]
    reviews = list(await session.scalars(select(Review).where(Review.order_id.in_(order_ids))))
    shown = [r for r in reviews if r.published_at is not None and r.removed_at is None]
    votes = Counter(
        await session.scalars(
            select(HelpfulVote.review_id).where(HelpfulVote.review_id.in_([r.id for r in reviews]))
        )
    )
    for review in reviews:
        assert review.helpful_count == votes[review.id], "helpful_count"
    completed = list(
        await session.scalars(
            select(Order).where(Order.id.in_(order_ids), Order.status == OrderStatus.COMPLETED)
        )
    )
    users = {str(u.id): u for u in await session.scalars(select(User).where(User.id.in_(world.user_ids())))}
    gig_ids = {o.gig_id for o in await session.scalars(select(Order).where(Order.id.in_(order_ids)))}
    gigs = {g.id: g for g in await session.scalars(select(Gig).where(Gig.id.in_(gig_ids)))}
    for user_id, user in users.items():
        assert user.total_orders == sum(
            str(user.id) in (str(o.client_id), str(o.creator_id)) for o in completed
        )
        await _check_subject(session, Subject.USER, user, [r for r in shown if str(r.reviewee_id) == user_id])
    for gig_id, gig in gigs.items():
        assert gig.orders_count == sum(o.gig_id == gig_id for o in completed)
        await _check_subject(session, Subject.GIG, gig, [r for r in shown if r.gig_id == gig_id])


async def _check_subject(session: AsyncSession, subject: Subject, row: Any, shown: list[Review]) -> None:
    totals = await session.get(ReviewTotals, (subject, row.id), populate_existing=True)
    weights = sum((r.weight or Decimal(0) for r in shown), Decimal(0))
    weighted = sum(((r.weight or Decimal(0)) * r.rating for r in shown), Decimal(0))
    expected = {
        "count": len(shown),
        **{f"stars_{n}": sum(r.rating == n for r in shown) for n in range(1, 6)},
        "communication_sum": sum(r.communication_rating for r in shown),
        "quality_sum": sum(r.quality_rating for r in shown),
        "timeliness_sum": sum(r.timeliness_rating for r in shown),
        "weight_sum": weights,
        "weighted_stars_sum": weighted,
    }
    actual = {key: getattr(totals, key) if totals is not None else 0 for key in expected}
    assert actual == expected, (subject, actual, expected)
    assert (row.rating, row.total_reviews) == (_rating(weighted, weights), len(shown)), subject


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=steps)
async def test_every_stored_number_matches_the_rows_after_every_step(
    client: httpx.AsyncClient, steps: list[tuple[Any, ...]]
) -> None:
    world = await _world(client)
    for step in steps:
        await _apply(client, world, step)
        await transaction(lambda session: _check(session, world))
