"""Helpers of the subscription tests: subscribe through the API and the sandbox's pages, move a
subscription's clock, read it back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select, update

from reelbyte.billing.models import Subscription
from reelbyte.core.db import get_database, transaction
from tests.factories import Actor


def page_path(url: str) -> str:
    """The path of a sandbox page's absolute URL (the test client speaks to the app itself)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def start_checkout(client: httpx.AsyncClient, who: Actor, plan: str = "pro") -> str:
    response = await client.post("/v1/billing/checkout", json={"plan": plan}, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["checkout_url"])


async def click(client: httpx.AsyncClient, url: str, action: str) -> httpx.Response:
    """Press a button of a sandbox page; the answer is its redirect (or a message page)."""
    return await client.post(page_path(url), data={"action": action})


async def subscribe(client: httpx.AsyncClient, who: Actor, plan: str = "pro") -> dict[str, Any]:
    """Check out and pay: the subscription as `GET /v1/billing/subscription` shows it."""
    paid = await click(client, await start_checkout(client, who, plan), "pay")
    assert paid.status_code == 303, paid.text
    return await my_subscription(client, who)


async def my_subscription(client: httpx.AsyncClient, who: Actor) -> dict[str, Any]:
    response = await client.get("/v1/billing/subscription", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def open_portal(client: httpx.AsyncClient, who: Actor) -> str:
    response = await client.post("/v1/billing/portal", headers=who.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["url"])


async def subscriptions_of(user_id: str | uuid.UUID) -> list[Subscription]:
    async with get_database().sessions() as session:
        rows = await session.scalars(
            select(Subscription)
            .where(Subscription.user_id == uuid.UUID(str(user_id)))
            .order_by(Subscription.created_at)
        )
        return list(rows)


async def the_subscription(user_id: str | uuid.UUID) -> Subscription:
    (subscription,) = await subscriptions_of(user_id)
    return subscription


async def count_subscriptions() -> int:
    async with get_database().sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Subscription)) or 0)


async def set_subscription(subscription_id: uuid.UUID, **values: Any) -> None:
    """Write columns of a subscription (its period, when it fell past due…), as time passing would."""
    await transaction(
        lambda session: session.execute(
            update(Subscription).where(Subscription.id == subscription_id).values(**values)
        )
    )


async def move_period(subscription_id: uuid.UUID, start: datetime, end: datetime) -> None:
    await set_subscription(subscription_id, current_period_start=start, current_period_end=end)
