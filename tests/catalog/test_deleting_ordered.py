"""Deleting a gig or a package that orders point at: decided from the orders themselves (not a
counter), the gig is deactivated and the package retired, and the orders keep them; without
orders both are deleted. (Both answered 500 before: the decision read `gigs.orders_count`, which
nothing writes, and the hard delete then broke the orders' `has_source` check.)"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from reelbyte.catalog.models import Gig, Package
from tests.catalog.test_gigs import assert_error
from tests.factories import Headers, get_row, make_gig, make_order, package_body, signed_up

Creator = tuple[dict[str, Any], Headers]


async def _order(client: httpx.AsyncClient, gig: dict[str, Any], package_index: int = 0) -> dict[str, Any]:
    """A new client orders the gig's package: {"order": the order, "headers": the client's}."""
    _, buyer = await signed_up(client, "client")
    order = await make_order(client, buyer, gig, gig["packages"][package_index])
    return {"order": order, "headers": buyer}


async def test_a_gig_with_an_order_is_deactivated_not_deleted(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    bought = await _order(client, gig)
    row = await get_row(Gig, gig["id"])
    assert row is not None
    assert row.orders_count == 0  # the old counter, which nothing writes, is not what decides

    response = await client.delete(f"/v1/gigs/{gig['id']}", headers=owner)
    assert response.status_code == 200, response.text
    assert response.json() == {"id": gig["id"], "outcome": "deactivated"}
    kept = (await client.get(f"/v1/gigs/{gig['id']}", headers=owner)).json()
    assert kept["is_active"] is False
    assert len(kept["packages"]) == 2
    assert (await client.get(f"/v1/gigs/{gig['id']}")).status_code == 404
    assert (await client.get("/v1/gigs")).json()["total"] == 0

    # The order still points at what was bought.
    order_id = bought["order"]["id"]
    order = (await client.get(f"/v1/orders/{order_id}", headers=bought["headers"])).json()
    assert order["gig_id"] == gig["id"]
    assert order["package_id"] == gig["packages"][0]["id"]

    # Deleting it again changes nothing more.
    again = await client.delete(f"/v1/gigs/{gig['id']}", headers=owner)
    assert again.json() == {"id": gig["id"], "outcome": "deactivated"}


async def test_another_gigs_orders_do_not_keep_a_gig(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    ordered = await make_gig(client, owner, title="Ordered gig")
    free = await make_gig(client, owner, title="Unordered gig")
    await _order(client, ordered)
    response = await client.delete(f"/v1/gigs/{free['id']}", headers=owner)
    assert response.json() == {"id": free["id"], "outcome": "deleted"}
    assert await get_row(Gig, free["id"]) is None


async def test_a_package_with_an_order_is_retired_not_deleted(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)  # basic 50.00 / 5 days, premium 150.00 / 2 days
    basic, premium = gig["packages"]
    bought = await _order(client, gig, 0)
    path = f"/v1/gigs/{gig['id']}/packages"

    response = await client.delete(f"{path}/{basic['id']}", headers=owner)
    assert response.status_code == 204, response.text

    # Gone from the gig, its price summary and its tier; kept for the order.
    assert [p["id"] for p in (await client.get(path)).json()] == [premium["id"]]
    shown = (await client.get(f"/v1/gigs/{gig['id']}")).json()
    assert [p["id"] for p in shown["packages"]] == [premium["id"]]
    assert shown["price_from"]["value"] == shown["price_to"]["value"] == "150.00"
    assert shown["min_delivery_days"] == 2
    row = await get_row(Package, basic["id"])
    assert row is not None
    assert row.is_active is False
    order = (await client.get(f"/v1/orders/{bought['order']['id']}", headers=bought["headers"])).json()
    assert order["package_id"] == basic["id"]

    # A retired package can no longer be changed or deleted; its tier is free again.
    assert_error(
        await client.put(f"{path}/{basic['id']}", json={"revisions": 3}, headers=owner),
        404,
        "package_not_found",
    )
    assert_error(await client.delete(f"{path}/{basic['id']}", headers=owner), 404, "package_not_found")
    response = await client.post(path, json=package_body("basic", "60.00", 4), headers=owner)
    assert response.status_code == 201, response.text
    assert len((await client.get(path)).json()) == 2

    # And the gig itself, which has the order, is deactivated rather than deleted.
    deleted = await client.delete(f"/v1/gigs/{gig['id']}", headers=owner)
    assert deleted.json()["outcome"] == "deactivated"


async def test_a_package_without_orders_is_deleted(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    basic, premium = gig["packages"]
    await _order(client, gig, 1)  # the premium package is ordered, the basic one is not
    response = await client.delete(f"/v1/gigs/{gig['id']}/packages/{basic['id']}", headers=owner)
    assert response.status_code == 204
    assert await get_row(Package, basic["id"]) is None
    assert await get_row(Package, premium["id"]) is not None


async def test_racing_deletes_of_one_package_leave_one_winner(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    """The package is locked (lock_one) for the change: the second delete waits, then finds it gone."""
    _, owner = creator
    gig = await make_gig(client, owner)
    url = f"/v1/gigs/{gig['id']}/packages/{gig['packages'][0]['id']}"
    responses = await asyncio.gather(*(client.delete(url, headers=owner) for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [204, 404, 404]
    assert len((await client.get(f"/v1/gigs/{gig['id']}/packages")).json()) == 1


async def test_racing_deletes_of_one_gig_leave_one_winner(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    """The gig is locked (lock_one) for the change: the second delete waits, then finds it gone."""
    _, owner = creator
    gig = await make_gig(client, owner)
    responses = await asyncio.gather(
        *(client.delete(f"/v1/gigs/{gig['id']}", headers=owner) for _ in range(3))
    )
    assert sorted(r.status_code for r in responses) == [200, 404, 404]
    assert await get_row(Gig, gig["id"]) is None
