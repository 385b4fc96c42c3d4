"""Packages: at most one per tier (three in all), prices in the platform currency, and the gig's
price range and fastest delivery always in step with them."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import service
from reelbyte.catalog.models import Gig, Package, PackageTier
from reelbyte.catalog.schemas import GigCreate, PackageCreate, PackageUpdate
from reelbyte.core.db import get_database, transaction
from reelbyte.core.errors import Conflict
from reelbyte.core.money import Money
from reelbyte.identity.models import User
from tests.catalog.test_gigs import assert_error
from tests.factories import (
    Headers,
    get_row,
    gig_body,
    make_gig,
    package_body,
    taxonomy,
    update_gig,
)

Creator = tuple[dict[str, Any], Headers]


async def test_packages_are_listed_publicly_in_tier_order(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    gig = await make_gig(
        client, headers, packages=[package_body("premium", "200.00"), package_body("basic", "20.00")]
    )
    response = await client.get(f"/v1/gigs/{gig['slug']}/packages")
    assert response.status_code == 200
    assert [p["tier"] for p in response.json()] == ["basic", "premium"]
    assert response.json() == gig["packages"]


async def test_package_changes_keep_the_gig_summary_in_step(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    gig = await make_gig(client, headers, packages=[package_body("basic", "50.00", 5)])
    path = f"/v1/gigs/{gig['id']}"

    async def summary() -> tuple[Any, Any, Any]:
        row = await get_row(Gig, gig["id"])
        assert row is not None
        return row.price_from_minor, row.price_to_minor, row.min_delivery_days

    assert await summary() == (5000, 5000, 5)

    response = await client.post(
        f"{path}/packages", json=package_body("premium", "300.00", 2), headers=headers
    )
    assert response.status_code == 201, response.text
    premium = response.json()
    assert premium["price"] == {"currency": "EUR", "value": "300.00"}
    assert await summary() == (5000, 30000, 2)

    standard = (
        await client.post(f"{path}/packages", json=package_body("standard", "20.00", 9), headers=headers)
    ).json()
    assert await summary() == (2000, 30000, 2)

    response = await client.put(
        f"{path}/packages/{standard['id']}",
        json={"price": {"currency": "EUR", "value": "120.00"}, "features": ["4K"]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["features"] == ["4K"]
    assert response.json()["delivery_days"] == 9  # untouched
    assert await summary() == (5000, 30000, 2)

    assert (await client.delete(f"{path}/packages/{premium['id']}", headers=headers)).status_code == 204
    assert await summary() == (5000, 12000, 5)

    # Lists read the database: the change shows at once.
    found = (await client.get("/v1/gigs", params={"max_price": "60.00", "max_delivery_days": 5})).json()
    assert [item["id"] for item in found["items"]] == [gig["id"]]

    for remaining in (await client.get(f"{path}/packages")).json():
        await client.delete(f"{path}/packages/{remaining['id']}", headers=headers)
    assert await summary() == (None, None, None)
    assert (await client.get("/v1/gigs")).json()["total"] == 0  # no package: not listed
    detail = (await client.get(path)).json()
    assert detail["price_from"] is None
    assert detail["packages"] == []

    await client.post(f"{path}/packages", json=package_body("standard", "80.00", 4), headers=headers)
    assert await summary() == (8000, 8000, 4)
    assert (await client.get("/v1/gigs")).json()["total"] == 1


async def test_a_tier_can_move_to_a_free_one_only(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    gig = await make_gig(client, headers)  # basic and premium
    basic, premium = gig["packages"]
    path = f"/v1/gigs/{gig['id']}/packages"
    response = await client.put(f"{path}/{basic['id']}", json={"tier": "Standard"}, headers=headers)
    assert response.status_code == 200
    assert response.json()["tier"] == "standard"
    response = await client.put(f"{path}/{premium['id']}", json={"tier": "standard"}, headers=headers)
    assert_error(response, 409, "duplicate_package_tier")
    assert (
        await client.put(f"{path}/{premium['id']}", json={"tier": "premium"}, headers=headers)
    ).status_code == 200


async def test_bad_package_requests_change_nothing(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    gig = await make_gig(client, headers, packages=[package_body("basic"), package_body("standard", "80.00")])
    path = f"/v1/gigs/{gig['id']}/packages"
    basic_id = gig["packages"][0]["id"]
    before = (await client.get(f"/v1/gigs/{gig['id']}")).json()

    bad_posts = [
        (package_body("basic", "10.00"), 409, "duplicate_package_tier"),
        (package_body("premium", price={"currency": "GBP", "value": "10.00"}), 400, "unsupported_currency"),
        (package_body("premium", "-10.00"), 422, "validation_error"),
        (package_body("premium", days=-2), 422, "validation_error"),
        (package_body("premium", extra_field=True), 422, "validation_error"),
        ({"tier": "premium"}, 422, "validation_error"),
    ]
    for body, status, code in bad_posts:
        assert_error(await client.post(path, json=body, headers=headers), status, code)

    bad_puts = [
        ({"price": {"currency": "USD", "value": "10.00"}}, 400, "unsupported_currency"),
        ({"price": {"currency": "EUR", "value": "-1.00"}}, 422, "validation_error"),
        ({"price": None}, 422, "validation_error"),
        ({"delivery_days": 0}, 422, "validation_error"),
        ({"revisions": 101}, 422, "validation_error"),
        ({"tier": "standard"}, 409, "duplicate_package_tier"),
        ({"gig_id": str(uuid.uuid4())}, 422, "validation_error"),
        ({"description": "nul\x00"}, 422, "control_characters"),
    ]
    for body, status, code in bad_puts:
        assert_error(await client.put(f"{path}/{basic_id}", json=body, headers=headers), status, code)

    assert (await client.get(f"/v1/gigs/{gig['id']}")).json() == before


async def test_a_fourth_package_is_refused(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    gig = await make_gig(
        client,
        headers,
        packages=[package_body("basic"), package_body("standard", "70.00"), package_body("premium", "90.00")],
    )
    path = f"/v1/gigs/{gig['id']}/packages"
    assert_error(
        await client.post(path, json=package_body("basic", "10.00"), headers=headers),
        409,
        "too_many_packages",
    )
    assert len((await client.get(path)).json()) == 3


async def test_packages_are_reached_only_through_their_own_gig(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    first = await make_gig(client, headers)
    second = await make_gig(client, headers, title="Second gig")
    foreign = first["packages"][0]["id"]
    path = f"/v1/gigs/{second['id']}/packages"
    body = {"description": "moved"}
    assert_error(await client.put(f"{path}/{foreign}", json=body, headers=headers), 404, "package_not_found")
    assert_error(await client.delete(f"{path}/{foreign}", headers=headers), 404, "package_not_found")
    assert_error(await client.delete(f"{path}/{uuid.uuid4()}", headers=headers), 404, "package_not_found")
    assert (await client.delete(f"{path}/not-a-uuid", headers=headers)).status_code == 422
    assert (await client.get(f"/v1/gigs/{first['id']}")).json()["packages"] == first["packages"]
    assert_error(await client.get(f"/v1/gigs/{uuid.uuid4()}/packages"), 404, "gig_not_found")


async def test_concurrent_package_changes_all_count(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    gig = await make_gig(client, headers, packages=[])
    path = f"/v1/gigs/{gig['id']}/packages"
    bodies = [
        package_body("basic", "30.00", 9),
        package_body("standard", "60.00", 5),
        package_body("premium", "90.00", 2),
    ]
    responses = await asyncio.gather(*[client.post(path, json=body, headers=headers) for body in bodies])
    assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
    row = await get_row(Gig, gig["id"])
    assert row is not None
    assert (row.price_from_minor, row.price_to_minor, row.min_delivery_days) == (3000, 9000, 2)

    # Two racing for the same tier of another gig: exactly one wins.
    other = await make_gig(client, headers, title="Another gig", packages=[])
    other_path = f"/v1/gigs/{other['id']}/packages"
    racing = await asyncio.gather(
        *[
            client.post(other_path, json=package_body("basic", f"{10 + i}.00"), headers=headers)
            for i in range(4)
        ]
    )
    assert sorted(r.status_code for r in racing) == [201, 409, 409, 409]
    assert len((await client.get(other_path)).json()) == 1


async def test_a_deactivated_gig_keeps_its_packages_editable_by_its_creator(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    gig = await make_gig(client, headers)
    await update_gig(gig["id"], is_active=False)
    path = f"/v1/gigs/{gig['id']}/packages"
    assert (
        await client.post(path, json=package_body("standard", "75.00"), headers=headers)
    ).status_code == 201
    assert len((await client.get(path, headers=headers)).json()) == 3


# --- the invariant, by hypothesis -----------------------------------------------------------

tiers = st.sampled_from(list(PackageTier))
prices = st.integers(min_value=1, max_value=100_000_000)
days = st.integers(min_value=1, max_value=365)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), tiers, prices, days),
        st.tuples(st.just("update"), tiers, st.one_of(st.none(), prices), st.one_of(st.none(), days)),
        st.tuples(st.just("delete"), tiers, st.none(), st.none()),
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=st.dictionaries(tiers, st.tuples(prices, days), max_size=3), ops=operations)
async def test_the_gig_summary_always_matches_its_packages(
    creator: Creator, initial: dict[PackageTier, tuple[int, int]], ops: list[tuple[Any, ...]]
) -> None:
    """Whatever the sequence of package changes, price_from/price_to/min_delivery_days are the
    min/max/min over the packages (all NULL without any)."""
    user, _ = creator
    ids = await taxonomy()

    def money(minor: int) -> Money:
        return Money.from_minor(minor, "EUR")

    def new_package(tier: PackageTier, price: int, delivery: int) -> PackageCreate:
        return PackageCreate(tier=tier, description="d", price=money(price), delivery_days=delivery)

    body = await gig_body(category_id=ids["animation"], subcategory_id=None, packages=[])
    data = GigCreate(**{**body, "packages": [new_package(t, p, d) for t, (p, d) in initial.items()]})

    async def create(session: AsyncSession) -> uuid.UUID:
        page = await service.create_gig(session, await session.get_one(User, uuid.UUID(user["id"])), data)
        return page.gig_id

    gig_id = await transaction(create)
    model = dict(initial)

    for op, tier, price, delivery in ops:

        async def apply(
            session: AsyncSession,
            op: str = op,
            tier: PackageTier = tier,
            price: int | None = price,
            delivery: int | None = delivery,
        ) -> None:
            owner = await session.get_one(User, uuid.UUID(user["id"]))
            package_id = await session.scalar(
                select(Package.id).where(Package.gig_id == gig_id, Package.tier == tier, Package.is_active)
            )
            if op == "add":
                assert price is not None
                assert delivery is not None
                await service.add_package(session, owner, str(gig_id), new_package(tier, price, delivery))
            elif op == "update" and package_id is not None:
                changes: dict[str, Any] = {}
                if price is not None:
                    changes["price"] = money(price)
                if delivery is not None:
                    changes["delivery_days"] = delivery
                await service.update_package(
                    session, owner, str(gig_id), package_id, PackageUpdate(**changes)
                )
            elif op == "delete" and package_id is not None:
                await service.delete_package(session, owner, str(gig_id), package_id)

        if op == "add" and tier in model:
            with pytest.raises(Conflict):  # a second package of one tier
                await transaction(apply)
            continue
        await transaction(apply)
        if op == "add":
            model[tier] = (price, delivery)
        elif op == "update" and tier in model:
            old_price, old_delivery = model[tier]
            model[tier] = (price or old_price, delivery or old_delivery)
        elif op == "delete" and tier in model:
            del model[tier]

        async with get_database().sessions() as session:
            row = await session.get_one(Gig, gig_id)
            expected = (
                (
                    min(p for p, _ in model.values()),
                    max(p for p, _ in model.values()),
                    min(d for _, d in model.values()),
                )
                if model
                else (None, None, None)
            )
            assert (row.price_from_minor, row.price_to_minor, row.min_delivery_days) == expected
            assert row.currency == "EUR"
