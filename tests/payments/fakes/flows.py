"""What the Mollie and Stripe API tests share: the parties, reading our books back."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from reelbyte.core.db import get_database
from reelbyte.payments import ledger
from reelbyte.payments.models import LedgerTransfer, Payment, Withdrawal
from tests.factories import checkout, gig_for_sale, make_order, signed_up


async def order_and_checkout(
    client: httpx.AsyncClient, price_minor: int = 5000
) -> tuple[dict[str, Any], dict[str, str], dict[str, str], dict[str, Any], dict[str, Any]]:
    """(creator, creator headers, client headers, order, payment) with a checkout opened."""
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"], price_minor=price_minor)
    order = await make_order(client, client_headers, gig, package)
    payment = await checkout(client, client_headers, order_id=order["id"])
    return creator, creator_headers, client_headers, order, payment


async def provider_payment_id(payment: dict[str, Any]) -> str:
    async with get_database().sessions() as session:
        row = await session.get_one(Payment, uuid.UUID(payment["payment_id"]))
        return row.provider_payment_id


async def payment_transfers(payment: dict[str, Any]) -> int:
    """How many ledger transfers booked this payment as paid (must be one, however many notices)."""
    async with get_database().sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(LedgerTransfer)
            .where(
                LedgerTransfer.kind == "payment",
                LedgerTransfer.reference_id == uuid.UUID(payment["payment_id"]),
            )
        )
        return int(count or 0)


async def clearing_balance(provider: str, currency: str = "EUR") -> int:
    async with get_database().sessions() as session:
        return await ledger.balance_of(session, ledger.clearing(provider, currency))


async def withdrawals() -> list[Withdrawal]:
    async with get_database().sessions() as session:
        return list((await session.scalars(select(Withdrawal))).all())


async def order_status(client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any]) -> str:
    return str((await client.get(f"/v1/orders/{order['id']}", headers=headers)).json()["status"])


async def balance(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    body = (await client.get("/v1/payments/me/balance", headers=headers)).json()
    return {name: body[name]["value"] for name in ("available", "pending", "in_transit")}


async def complete_order(
    client: httpx.AsyncClient,
    creator_headers: dict[str, str],
    client_headers: dict[str, str],
    order: dict[str, Any],
) -> None:
    response = await client.post(
        f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers
    )
    assert response.status_code == 200, response.text
    response = await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    assert response.status_code == 200, response.text


async def cancel_paid_order(
    client: httpx.AsyncClient,
    creator_headers: dict[str, str],
    client_headers: dict[str, str],
    order: dict[str, Any],
) -> None:
    url = f"/v1/orders/{order['id']}/cancel"
    asked = await client.post(url, json={"reason": "Plans changed"}, headers=client_headers)
    assert asked.status_code == 200, asked.text
    accepted = await client.post(url, json={"reason": "Fine"}, headers=creator_headers)
    assert accepted.json()["status"] == "cancelled", accepted.text
