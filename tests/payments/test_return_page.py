"""The page the payment provider sends the payer back to: with the web app served it sends them
on to the order's page there; without it, it says where the payment stands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from reelbyte.core.config import Settings
from reelbyte.webapp import add_web_app
from tests.factories import checkout, make_order, sandbox_id, seller_and_buyer


@pytest.fixture
def serving_web_app(app: FastAPI, settings: Settings, tmp_path: Path) -> Iterator[None]:
    """The session's app serving a (tiny) web app for one test, as it was again after it."""
    default, serving = app.router.default, app.state.serves_web_app
    (tmp_path / "index.html").write_text("<!doctype html>")
    assert add_web_app(app, settings, tmp_path)
    yield
    app.router.default, app.state.serves_web_app = default, serving


async def open_checkout(client: httpx.AsyncClient) -> dict[str, str]:
    _, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_order(client, client_headers, gig, package)
    return await checkout(client, client_headers, order_id=order["id"])


async def test_without_the_web_app_the_page_says_where_the_payment_stands(client: httpx.AsyncClient) -> None:
    payment = await open_checkout(client)

    page = await client.get(f"/payments/return/{payment['payment_id']}")

    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "waiting for the provider" in page.text


@pytest.mark.usefixtures("serving_web_app")
async def test_with_the_web_app_the_payer_goes_on_to_the_orders_page(client: httpx.AsyncClient) -> None:
    payment = await open_checkout(client)

    paid = await client.post(f"/sandbox/checkout/{sandbox_id(payment)}", data={"action": "pay"})
    assert paid.headers["location"].endswith(f"/payments/return/{payment['payment_id']}")
    page = await client.get(f"/payments/return/{payment['payment_id']}")

    assert page.status_code == 303
    assert page.headers["location"] == f"/orders/{payment['order_id']}?payment={payment['payment_id']}"


@pytest.mark.usefixtures("serving_web_app")
async def test_an_unknown_payment_is_a_404_page(client: httpx.AsyncClient) -> None:

    page = await client.get("/payments/return/0b7e0f5e-2d1c-4d6e-9a55-5b1f8a4b9c11")

    assert page.status_code == 404
    assert "No such payment" in page.text
