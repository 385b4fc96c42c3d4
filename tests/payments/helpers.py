"""Builders for money tests: a gig to buy, and the client's way through checkout."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from reelbyte.catalog.models import Category, Gig, Package, PackageTier
from reelbyte.core.db import get_database
from reelbyte.payments.providers import sandbox
from tests.conftest import run_jobs


async def make_gig(
    creator_id: str, *, price_minor: int = 5000, delivery_days: int = 3, revisions: int = 1
) -> tuple[Gig, Package]:
    async with get_database().sessions() as session:
        category = await session.scalar(select(Category).where(Category.parent_id.is_(None)).limit(1))
        assert category is not None
        gig = Gig(
            creator_id=uuid.UUID(creator_id),
            title="Wedding highlight film",
            slug=f"wedding-{uuid.uuid4().hex[:8]}",
            description="A cinematic three-minute cut of your day.",
            category_id=category.id,
            tags=["wedding"],
            price_from_minor=price_minor,
            price_to_minor=price_minor,
            currency="EUR",
            min_delivery_days=delivery_days,
        )
        session.add(gig)
        await session.flush()
        package = Package(
            gig_id=gig.id,
            tier=PackageTier.BASIC,
            description="Highlights",
            price_minor=price_minor,
            currency="EUR",
            delivery_days=delivery_days,
            revisions=revisions,
            features=["3 minutes"],
        )
        session.add(package)
        await session.commit()
        return gig, package


async def place_order(
    client: httpx.AsyncClient, headers: dict[str, str], gig: Gig, package: Package
) -> dict[str, Any]:
    response = await client.post(
        "/v1/orders", json={"gig_id": str(gig.id), "package_id": str(package.id)}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def checkout(client: httpx.AsyncClient, headers: dict[str, str], **target: str) -> dict[str, Any]:
    response = await client.post("/v1/payments/checkout", json=target, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def sandbox_id(payment: dict[str, Any]) -> str:
    return str(payment["checkout_url"]).rsplit("/", 1)[1]


async def pay_on_sandbox(client: httpx.AsyncClient, payment: dict[str, Any], action: str = "pay") -> None:
    """Click the button on the sandbox page, then let the webhook job deliver the notice."""
    response = await client.post(f"/sandbox/checkout/{sandbox_id(payment)}", data={"action": action})
    assert response.status_code == 303, response.text
    await run_jobs()


async def paid_order(
    client: httpx.AsyncClient, headers: dict[str, str], gig: Gig, package: Package
) -> dict[str, Any]:
    order = await place_order(client, headers, gig, package)
    payment = await checkout(client, headers, order_id=order["id"])
    await pay_on_sandbox(client, payment)
    return order


def use_app_for_webhooks(app: Any) -> None:
    sandbox.webhook_transport = httpx.ASGITransport(app=app)
