"""Editing milestones while unfunded: the client alone, the order's total kept, the creator told."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import (
    Headers,
    eur,
    make_project,
    make_proposal,
    notification_types,
    pay_on_sandbox,
    signed_up,
)


async def _planned(
    client: httpx.AsyncClient,
) -> tuple[dict[str, Any], list[dict[str, Any]], Headers, Headers]:
    """A 300.00 proposal order in three unfunded milestones (100.00 each)."""
    _, buyer = await signed_up(client, "client")
    _, maker = await signed_up(client, "creator")
    project = await make_project(client, buyer)
    proposal = await make_proposal(client, maker, project["id"])
    assert (await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=buyer)).status_code == 200
    [order] = (await client.get("/v1/orders", params={"role": "client"}, headers=buyer)).json()["items"]
    plan = {"milestones": [{"title": f"Part {i}", "amount": eur("100.00")} for i in range(3)]}
    response = await client.post(f"/v1/orders/{order['id']}/milestones", json=plan, headers=buyer)
    assert response.status_code == 201, response.text
    return order, response.json(), buyer, maker


async def test_the_client_edits_an_unfunded_milestone(client: httpx.AsyncClient) -> None:
    _, (first, *_), buyer, maker = await _planned(client)
    _, stranger = await signed_up(client, "client")
    url = f"/v1/milestones/{first['id']}"
    change = {"title": "Storyboard", "description": "Frames", "due_date": "2027-01-15T12:00:00Z"}

    assert (await client.put(url, json=change, headers=stranger)).status_code == 404
    by_creator = await client.put(url, json=change, headers=maker)
    assert (by_creator.status_code, by_creator.json()["error"]) == (403, "not_owner")
    assert (await client.put(url, json={"title": ""}, headers=buyer)).status_code == 422
    assert (await client.put(url, json={"colour": "red"}, headers=buyer)).status_code == 422

    edited = await client.put(url, json=change, headers=buyer)
    assert edited.status_code == 200, edited.text
    shown = edited.json()
    assert (shown["title"], shown["description"]) == ("Storyboard", "Frames")
    assert shown["due_date"].startswith("2027-01-15T12:00:00")
    assert "order_milestones_edited" in await notification_types(client, maker)

    cleared = (await client.put(url, json={"due_date": None}, headers=buyer)).json()
    assert (cleared["due_date"], cleared["title"]) == (None, "Storyboard")
    same_amount = await client.put(url, json={"amount": eur("100.00")}, headers=buyer)
    assert same_amount.status_code == 200


async def test_an_amount_alone_breaks_the_total(client: httpx.AsyncClient) -> None:
    _, (first, *_), buyer, _ = await _planned(client)
    response = await client.put(
        f"/v1/milestones/{first['id']}", json={"amount": eur("150.00")}, headers=buyer
    )
    assert (response.status_code, response.json()["error"]) == (422, "milestone_total_mismatch")
    assert response.json()["details"] == {"order_amount_minor": 30000, "milestones_total_minor": 35000}
    usd = await client.put(
        f"/v1/milestones/{first['id']}", json={"amount": {"currency": "USD", "value": "100"}}, headers=buyer
    )
    assert usd.status_code == 400
    shown = (await client.get(f"/v1/milestones/{first['id']}", headers=buyer)).json()
    assert shown["amount"] == eur("100.00")


async def test_amounts_are_rebalanced_together(client: httpx.AsyncClient) -> None:
    order, (first, second, _), buyer, maker = await _planned(client)
    url = f"/v1/orders/{order['id']}/milestones"
    moved = {
        "milestones": [
            {"id": first["id"], "amount": eur("50.00")},
            {"id": second["id"], "amount": eur("150.00")},
        ]
    }

    assert (await client.put(url, json=moved, headers=maker)).status_code == 403
    _, stranger = await signed_up(client, "client")
    assert (await client.put(url, json=moved, headers=stranger)).status_code == 404
    broken = {"milestones": [{"id": first["id"], "amount": eur("50.00")}]}
    assert (await client.put(url, json=broken, headers=buyer)).json()["error"] == "milestone_total_mismatch"
    twice = {
        "milestones": [
            {"id": first["id"], "amount": eur("50.00")},
            {"id": first["id"], "amount": eur("50.00")},
        ]
    }
    assert (await client.put(url, json=twice, headers=buyer)).json()["error"] == "duplicate_milestone"
    unknown = {"milestones": [{"id": order["id"], "amount": eur("50.00")}]}
    assert (await client.put(url, json=unknown, headers=buyer)).status_code == 404
    assert (await client.put(url, json={"milestones": []}, headers=buyer)).status_code == 422

    response = await client.put(url, json=moved, headers=buyer)
    assert response.status_code == 200, response.text
    assert [m["amount"]["value"] for m in response.json()] == ["50.00", "150.00", "100.00"]
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()
    assert detail["amount"] == eur("300.00")
    assert detail["platform_fee"] == eur("45.00")  # 7.50 + 22.50 + 15.00

    # The creator's share follows: funding the first pays 50.00 into escrow, 42.50 pending.
    await pay_on_sandbox(
        client, (await client.post(f"/v1/milestones/{first['id']}/fund", headers=buyer)).json()
    )
    balance = (await client.get("/v1/payments/me/balance", headers=maker)).json()
    assert balance["pending"] == eur("42.50")


async def test_a_funded_milestone_cannot_change(client: httpx.AsyncClient) -> None:
    order, (first, second, _), buyer, _ = await _planned(client)
    await pay_on_sandbox(
        client, (await client.post(f"/v1/milestones/{first['id']}/fund", headers=buyer)).json()
    )
    single = await client.put(f"/v1/milestones/{first['id']}", json={"title": "New"}, headers=buyer)
    assert (single.status_code, single.json()["error"]) == (409, "milestone_not_editable")
    moved = {
        "milestones": [
            {"id": first["id"], "amount": eur("50.00")},
            {"id": second["id"], "amount": eur("150.00")},
        ]
    }
    bulk = await client.put(f"/v1/orders/{order['id']}/milestones", json=moved, headers=buyer)
    assert (bulk.status_code, bulk.json()["error"]) == (409, "milestone_not_editable")
    # The unfunded ones still can, among themselves.
    _, _, third = (await client.get(f"/v1/orders/{order['id']}/milestones", headers=buyer)).json()
    among = {
        "milestones": [
            {"id": second["id"], "amount": eur("120.00")},
            {"id": third["id"], "amount": eur("80.00")},
        ]
    }
    assert (
        await client.put(f"/v1/orders/{order['id']}/milestones", json=among, headers=buyer)
    ).status_code == 200
