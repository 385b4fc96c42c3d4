"""Orders from accepted proposals, split into milestones funded and released one by one."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Headers, checkout, eur, make_project, make_proposal, pay_on_sandbox, signed_up


async def _proposal_order(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers, Headers]:
    """The order made by accepting a proposal (300.00 in 7 days): (order, client's headers,
    creator's headers)."""
    _, buyer = await signed_up(client, "client")
    _, maker = await signed_up(client, "creator")
    project = await make_project(client, buyer)
    proposal = await make_proposal(client, maker, project["id"])
    response = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=buyer)
    assert response.status_code == 200, response.text
    orders = (await client.get("/v1/orders", params={"role": "client"}, headers=buyer)).json()
    [order] = orders["items"]
    return order, buyer, maker


async def test_accepting_a_proposal_creates_an_order_at_its_price(client: httpx.AsyncClient) -> None:
    order, _, maker = await _proposal_order(client)
    assert order["status"] == "pending_payment"
    assert order["amount"] == eur("300.00")
    assert order["platform_fee"] == eur("45.00")
    assert order["delivery_days"] == 7
    assert order["proposal_id"] is not None
    mine = (await client.get("/v1/orders", params={"role": "creator"}, headers=maker)).json()
    assert [o["id"] for o in mine["items"]] == [order["id"]]


async def test_milestones_are_funded_and_released_one_by_one(client: httpx.AsyncClient) -> None:
    order, buyer, maker = await _proposal_order(client)
    plan = {
        "milestones": [
            {"title": "Rough cut", "amount": eur("100.00")},
            {"title": "Final cut", "amount": eur("200.00")},
        ]
    }
    response = await client.post(f"/v1/orders/{order['id']}/milestones", json=plan, headers=buyer)
    assert response.status_code == 201, response.text
    first, second = response.json()

    funding = (await client.post(f"/v1/milestones/{first['id']}/fund", headers=buyer)).json()
    await pay_on_sandbox(client, funding)
    detail = (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()
    assert detail["status"] == "in_progress"
    balance = (await client.get("/v1/payments/me/balance", headers=maker)).json()
    assert balance["pending"] == eur("85.00")

    submit = {"note": "Rough cut attached", "deliverables": ["https://vimeo.com/2"]}
    assert (
        await client.post(f"/v1/milestones/{first['id']}/submit", json=submit, headers=maker)
    ).status_code == 200
    rejected = await client.post(
        f"/v1/milestones/{first['id']}/reject", json={"reason": "Too long"}, headers=buyer
    )
    assert rejected.json()["status"] == "funded"
    await client.post(f"/v1/milestones/{first['id']}/submit", json=submit, headers=maker)
    approved = await client.post(f"/v1/milestones/{first['id']}/approve", headers=buyer)
    assert approved.json()["status"] == "approved"
    balance = (await client.get("/v1/payments/me/balance", headers=maker)).json()
    assert balance["available"] == eur("85.00")
    assert balance["pending"] == eur("0.00")

    payment = await checkout(client, buyer, milestone_id=second["id"])
    await pay_on_sandbox(client, payment)
    await client.post(f"/v1/milestones/{second['id']}/submit", json=submit, headers=maker)
    await client.post(f"/v1/milestones/{second['id']}/approve", headers=buyer)

    detail = (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()
    assert detail["status"] == "completed"
    balance = (await client.get("/v1/payments/me/balance", headers=maker)).json()
    assert balance["available"] == eur("255.00")
    proposal = (await client.get(f"/v1/proposals/{detail['proposal_id']}", headers=buyer)).json()
    project = (await client.get(f"/v1/projects/{proposal['project_id']}", headers=buyer)).json()
    assert project["status"] == "completed"


async def test_milestones_must_add_up_to_the_order(client: httpx.AsyncClient) -> None:
    order, buyer, _ = await _proposal_order(client)
    plan = {"milestones": [{"title": "All", "amount": eur("299.99")}]}
    response = await client.post(f"/v1/orders/{order['id']}/milestones", json=plan, headers=buyer)
    assert response.status_code == 400
    assert response.json()["error"] == "milestones_do_not_add_up"
    assert (await client.get(f"/v1/orders/{order['id']}/milestones", headers=buyer)).json() == []
