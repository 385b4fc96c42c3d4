"""An order's whole way through the API: order, pay, deliver, approve, and the creator's balance."""

from __future__ import annotations

import httpx

from tests.factories import checkout, make_order, pay_on_sandbox, seller_and_buyer


async def test_order_pay_deliver_approve_pays_the_creator_minus_the_fee(client: httpx.AsyncClient) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=5000)

    order = await make_order(client, client_headers, gig, package)
    assert order["status"] == "pending_payment"
    assert order["amount"] == {"currency": "EUR", "value": "50.00"}
    assert order["platform_fee"] == {"currency": "EUR", "value": "7.50"}
    assert order["creator_earnings"] == {"currency": "EUR", "value": "42.50"}

    payment = await checkout(client, client_headers, order_id=order["id"])
    assert payment["status"] == "open"
    page = await client.get(payment["checkout_url"].replace("http://testserver", ""))
    assert page.status_code == 200
    assert "50.00" in page.text
    await pay_on_sandbox(client, payment)

    detail = (await client.get(f"/v1/orders/{order['id']}", headers=client_headers)).json()
    assert detail["status"] == "in_progress"
    assert detail["delivery_date"] is not None
    balance = (await client.get("/v1/payments/me/balance", headers=creator_headers)).json()
    assert balance["pending"] == {"currency": "EUR", "value": "42.50"}
    assert balance["available"]["value"] == "0.00"

    response = await client.post(
        f"/v1/orders/{order['id']}/deliver",
        json={
            "message": "Here it is",
            "deliverables": [{"url": "https://vimeo.com/1", "title": "Final cut"}],
        },
        headers=creator_headers,
    )
    assert response.status_code == 200, response.text
    response = await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"
    kinds = [event["kind"] for event in response.json()["events"]]
    assert kinds == ["created", "paid", "delivered", "approved"]

    balance = (await client.get("/v1/payments/me/balance", headers=creator_headers)).json()
    assert balance == {
        "available": {"currency": "EUR", "value": "42.50"},
        "pending": {"currency": "EUR", "value": "0.00"},
        "in_transit": {"currency": "EUR", "value": "0.00"},
    }
    history = (await client.get("/v1/payments/me/transactions", headers=creator_headers)).json()
    assert [
        (row["type"], row["amount"]["value"], row["balance_after"]["value"]) for row in history["items"]
    ] == [
        ("fee", "-7.50", "42.50"),
        ("earning", "50.00", "50.00"),
    ]
