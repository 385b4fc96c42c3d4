"""Reviews fixtures: completed orders between a creator and a client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from reelbyte.core.db import transaction, utcnow
from reelbyte.orders.models import Order
from tests.factories import Headers, gig_for_sale, make_paid_order, signed_up


@dataclass
class Deal:
    """A completed order: its parties (API answers and headers), the order and the gig."""

    creator: dict[str, Any]
    creator_headers: Headers
    client: dict[str, Any]
    client_headers: Headers
    order: dict[str, Any]
    gig_id: str


async def completed_order(
    http: httpx.AsyncClient,
    creator: tuple[dict[str, Any], Headers] | None = None,
    buyer: tuple[dict[str, Any], Headers] | None = None,
    *,
    late: bool = False,
) -> Deal:
    """A gig ordered, paid, delivered (after its due date if `late`) and approved; between the
    given creator and client, or new ones."""
    creator_user, creator_headers = creator or await signed_up(http, "creator")
    client_user, client_headers = buyer or await signed_up(http, "client")
    gig, package = await gig_for_sale(creator_user["id"])
    order = await make_paid_order(http, client_headers, gig, package)
    if late:
        overdue = (
            update(Order).where(Order.id == order["id"]).values(delivery_date=utcnow() - timedelta(hours=1))
        )
        await transaction(lambda session: session.execute(overdue))
    url = f"/v1/orders/{order['id']}"
    delivered = await http.post(f"{url}/deliver", json={"message": "Here it is"}, headers=creator_headers)
    assert delivered.status_code == 200, delivered.text
    approved = await http.post(f"{url}/approve", headers=client_headers)
    assert approved.status_code == 200, approved.text
    return Deal(creator_user, creator_headers, client_user, client_headers, approved.json(), str(gig.id))


async def completed_days_ago(order_id: str, days: float) -> None:
    """Move the order's completion into the past (the review window counts from it)."""
    statement = (
        update(Order)
        .where(Order.id == order_id)
        .values(completed_at=Order.completed_at - timedelta(days=days))
    )
    await transaction(lambda session: session.execute(statement))


def review_body(order_id: str, stars: int = 5, **overrides: Any) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "rating": stars,
        "communication_rating": stars,
        "quality_rating": stars,
        "timeliness_rating": stars,
        "comment": f"{stars} stars",
        **overrides,
    }
