"""Billing for admins (plans edited and audited, the subscription figures) and the plan's
marketplace fee on new orders."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.hooks import plan_fee_percentage
from reelbyte.billing.models import Subscription, SubscriptionStatus
from reelbyte.core.audit import AuditEntry
from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.orders import service as orders
from reelbyte.orders.models import Order
from tests.billing.subscribing import subscribe
from tests.factories import actor, gig_for_sale, insert_user, make_admin, make_order, signed_up

S = SubscriptionStatus


async def admin_plans(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/admin/plans", headers=admin)
    assert response.status_code == 200, response.text
    return {plan["code"]: plan for plan in response.json()}


async def plan_audit() -> list[AuditEntry]:
    async with get_database().sessions() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.update")))


# --- plans --------------------------------------------------------------------------------


async def test_an_admin_edits_a_plan_and_the_change_is_audited(client: httpx.AsyncClient) -> None:
    admin = await make_admin(client)
    body = {
        "price": {"currency": "EUR", "value": "12.99"},
        "trims_per_period": None,
        "fee_percentage": "10.00",
    }

    response = await client.put("/v1/admin/plans/pro", json=body, headers=admin)

    assert response.status_code == 200, response.text
    pro = response.json()
    assert pro["price"] == {"currency": "EUR", "value": "12.99"}
    assert (pro["trims_per_period"], pro["hooks_per_period"]) == (None, 50)  # only what was sent
    assert (pro["fee_percentage"], pro["marketplace_fee_percentage"]) == ("10.00", "10.00")
    listed = next(plan for plan in (await client.get("/v1/billing/plans")).json() if plan["code"] == "pro")
    assert listed["price"]["value"] == "12.99"
    assert listed["trims_per_period"] is None
    (entry,) = await plan_audit()
    assert (entry.target_type, entry.target_id) == ("plan", "pro")
    assert entry.before == {
        "fee_percentage": None,
        "price": {"currency": "EUR", "value": "9.99"},
        "trims_per_period": 100,
    }
    assert entry.after == {
        "fee_percentage": "10.00",
        "price": {"currency": "EUR", "value": "12.99"},
        "trims_per_period": None,
    }


@pytest.mark.parametrize(
    ("code", "body", "status", "error"),
    [
        ("free", {"is_active": False}, 409, "free_plan_fixed"),
        ("free", {"price": {"currency": "EUR", "value": "1.00"}}, 409, "free_plan_fixed"),
        ("pro", {"price": {"currency": "USD", "value": "9.99"}}, 400, "currency_mismatch"),
        ("gold", {"is_active": False}, 404, "plan_not_found"),
        ("pro", {}, 422, "validation_error"),
        ("pro", {"price": None}, 422, "validation_error"),
        ("pro", {"price": {"currency": "EUR", "value": "0.00"}}, 422, "validation_error"),
        ("pro", {"fee_percentage": "100.5"}, 422, "validation_error"),
        ("pro", {"fee_percentage": 10}, 422, "validation_error"),
        ("pro", {"max_source_seconds": 0}, 422, "validation_error"),
        ("pro", {"is_active": "no"}, 422, "validation_error"),
        ("pro", {"colour": "gold"}, 422, "validation_error"),
    ],
)
async def test_a_bad_plan_edit_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, code: str, body: dict[str, Any], status: int, error: str
) -> None:
    admin = await make_admin(client)
    before = await admin_plans(client, admin)

    response = await client.put(f"/v1/admin/plans/{code}", json=body, headers=admin)

    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert await admin_plans(client, admin) == before
    assert await plan_audit() == []


async def test_billing_admin_routes_are_for_admins_only(client: httpx.AsyncClient) -> None:
    creator = await actor(client)

    for method, path in (("GET", "/v1/admin/plans"), ("GET", "/v1/admin/billing")):
        response = await client.request(method, path, headers=creator.headers)
        assert (response.status_code, response.json()["error"]) == (403, "wrong_role"), path
    edit = await client.put("/v1/admin/plans/pro", json={"is_active": False}, headers=creator.headers)
    assert edit.status_code == 403
    assert (await client.get("/v1/admin/billing")).status_code == 401
    assert (await client.get("/v1/billing/plans")).json()[1]["code"] == "pro"  # still offered
    assert await plan_audit() == []


# --- the figures --------------------------------------------------------------------------


async def insert_subscription(
    plan: str, status: S, *, created_days_ago: int, ended_days_ago: int | None = None
) -> None:
    """A subscription of a new user, started `created_days_ago` (its period set unless incomplete)."""
    user = await insert_user()
    now = utcnow()
    created = now - timedelta(days=created_days_ago)

    async def write(session: AsyncSession) -> None:
        session.add(
            Subscription(
                user_id=user.id,
                plan_code=plan,
                status=status,
                provider="sandbox",
                created_at=created,
                current_period_start=None if status is S.INCOMPLETE else created,
                current_period_end=None if status is S.INCOMPLETE else created + timedelta(days=30),
                past_due_since=now - timedelta(days=1) if status is S.PAST_DUE else None,
                ended_at=None if ended_days_ago is None else now - timedelta(days=ended_days_ago),
            )
        )

    await transaction(write)


async def test_the_billing_figures_subscribers_mrr_churn_and_past_due(client: httpx.AsyncClient) -> None:
    admin = await make_admin(client)
    await insert_subscription("pro", S.ACTIVE, created_days_ago=40)
    await insert_subscription("pro", S.ACTIVE, created_days_ago=5)
    await insert_subscription("premium", S.PAST_DUE, created_days_ago=60)
    await insert_subscription("pro", S.CANCELED, created_days_ago=50, ended_days_ago=10)  # churned
    await insert_subscription("premium", S.CANCELED, created_days_ago=90, ended_days_ago=40)  # before
    await insert_subscription("pro", S.INCOMPLETE, created_days_ago=1)  # never paid: not counted

    response = await client.get("/v1/admin/billing", headers=admin)

    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures["subscribers"] == [
        {"plan": "pro", "name": "Pro", "active": 2, "past_due": 0},
        {"plan": "premium", "name": "Premium", "active": 0, "past_due": 1},
    ]
    assert figures["mrr"] == {"currency": "EUR", "value": "49.97"}  # 2 x 9.99 + 29.99
    assert figures["past_due"] == 1
    assert (figures["churned_30d"], figures["live_30d_ago"]) == (1, 3)
    assert figures["churn_rate_30d"] == pytest.approx(0.3333)
    assert figures["free_users"] == 4  # the admin and the three without a live paid plan


async def test_the_figures_without_any_subscription(client: httpx.AsyncClient) -> None:
    admin = await make_admin(client)

    figures = (await client.get("/v1/admin/billing", headers=admin)).json()

    assert figures["mrr"] == {"currency": "EUR", "value": "0.00"}
    assert (figures["churned_30d"], figures["live_30d_ago"], figures["churn_rate_30d"]) == (0, 0, None)
    assert [row["active"] for row in figures["subscribers"]] == [0, 0]


# --- the plan's marketplace fee -----------------------------------------------------------


async def test_a_new_order_takes_the_fee_of_its_creators_plan(client: httpx.AsyncClient) -> None:
    admin = await make_admin(client)
    assert (
        await client.put("/v1/admin/plans/pro", json={"fee_percentage": "10.00"}, headers=admin)
    ).status_code == 200
    creator = await actor(client)
    _, buyer = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator.id, price_minor=5000)
    before = await make_order(client, buyer, gig, package)  # on Free: the platform's 15 %

    await subscribe(client, creator, "pro")
    after = await make_order(client, buyer, gig, package)

    assert before["platform_fee"] == {"currency": "EUR", "value": "7.50"}
    assert after["platform_fee"] == {"currency": "EUR", "value": "5.00"}
    assert after["creator_earnings"] == {"currency": "EUR", "value": "45.00"}
    async with get_database().sessions() as session:
        order = await session.get_one(Order, uuid.UUID(after["id"]))
    assert order.fee_percentage == Decimal("10.00")


async def test_the_fee_comes_from_the_registered_lookup_else_from_the_setting() -> None:
    creator = await insert_user()
    platform = get_settings().platform_fee_percentage

    async def fee(session: AsyncSession) -> Decimal:
        return await orders.fee_percentage_for(session, creator.id)

    async def three_percent(session: AsyncSession, creator_id: uuid.UUID) -> Decimal:
        return Decimal("3")

    assert await transaction(fee) == platform  # billing's lookup: Free sets no fee of its own
    try:
        orders.set_fee_lookup(three_percent)
        assert await transaction(fee) == Decimal("3")
        orders.set_fee_lookup(None)  # no billing installed: the setting
        assert await transaction(fee) == platform
    finally:
        orders.set_fee_lookup(plan_fee_percentage)
