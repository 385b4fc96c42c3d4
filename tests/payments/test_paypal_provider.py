"""The PayPal provider (and Venmo), through paypal-server-sdk against the local PayPal API
(fakes/paypal_server.py); the PayPal webhook; payment methods at checkout."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database, utcnow
from reelbyte.core.money import format_minor
from reelbyte.orders.models import Order
from reelbyte.payments.models import Payment, Refund, RefundStatus, WithdrawalStatus
from reelbyte.payments.providers import provider_named
from reelbyte.payments.providers.base import PaymentRequest, PayoutRejected, ProviderError
from reelbyte.payments.providers.paypal import PaypalProvider, order_status, payment_of
from tests.conftest import run_jobs
from tests.factories import gig_for_sale, make_order, payout_account_for, payout_ready, signed_up
from tests.payments.fakes.flows import (
    balance,
    cancel_paid_order,
    clearing_balance,
    complete_order,
    order_and_checkout,
    payment_transfers,
    provider_payment_id,
    withdrawals,
)
from tests.payments.fakes.flows import (
    order_status as order_state,
)
from tests.payments.fakes.mollie_server import FakeMollie
from tests.payments.fakes.paypal_server import FakePaypal
from tests.payments.fakes.stripe_server import FakeStripe

WEBHOOK = "/v1/payments/webhooks/paypal"


def paypal() -> PaypalProvider:
    provider = provider_named("paypal")
    assert isinstance(provider, PaypalProvider)
    return provider


async def new_order(amount_minor: int = 1250, currency: str = "EUR", method: str | None = None) -> str:
    remote = await paypal().create_payment(
        PaymentRequest(
            amount_minor=amount_minor,
            currency=currency,
            description="ReelByte order Wedding film",
            redirect_url="http://testserver/payments/return/1",
            webhook_url="unused by PayPal",
            metadata={"payment_id": str(uuid.uuid4())},
            method=method,
        )
    )
    return remote.id


async def deliver(
    client: httpx.AsyncClient, fake: FakePaypal, event_type: str, order_id: str, **signing: Any
) -> httpx.Response:
    payload = fake.event(event_type, order_id)
    return await client.post(WEBHOOK, content=payload, headers=fake.headers(payload, **signing))


# --- the adapter, method by method --------------------------------------------------------


async def test_create_payment_opens_an_order_to_approve(fake_paypal: FakePaypal) -> None:
    payment_id = str(uuid.uuid4())
    remote = await paypal().create_payment(
        PaymentRequest(
            amount_minor=1250,
            currency="EUR",
            description="ReelByte order Wedding film",
            redirect_url="http://testserver/payments/return/1",
            webhook_url="unused",
            metadata={"payment_id": payment_id},
        )
    )
    assert (remote.status, remote.amount_minor, remote.currency) == ("open", 1250, "EUR")
    assert remote.checkout_url == f"https://www.sandbox.paypal.com/checkoutnow?token={remote.id}"
    order = fake_paypal.orders[remote.id]
    assert order["intent"] == "CAPTURE"
    assert order["purchase_units"][0]["custom_id"] == payment_id
    assert order["purchase_units"][0]["amount"] == {"currency_code": "EUR", "value": "12.50"}
    assert order["_experience"]["paypal"]["return_url"] == "http://testserver/payments/return/1"
    assert ("POST", "/v2/checkout/orders", f"checkout:{payment_id}") in fake_paypal.requests
    assert ("POST", "/v1/oauth2/token", None) in fake_paypal.requests


async def test_a_retried_create_is_the_same_order(fake_paypal: FakePaypal) -> None:
    request = PaymentRequest(
        amount_minor=990,
        currency="USD",
        description="x",
        redirect_url="http://testserver/r",
        webhook_url="",
        metadata={"payment_id": str(uuid.uuid4())},
    )
    first = await paypal().create_payment(request)
    again = await paypal().create_payment(request)
    assert first == again
    assert len(fake_paypal.orders) == 1


async def test_venmo_is_the_venmo_funding_source(fake_paypal: FakePaypal) -> None:
    order_id = await new_order(2000, "USD", method="venmo")
    assert set(fake_paypal.orders[order_id]["payment_source"]) == {"venmo"}
    with pytest.raises(ProviderError, match="422"):
        await new_order(2000, "EUR", method="venmo")


@pytest.mark.parametrize(
    ("happening", "ours"),
    [(None, "open"), ("approve", "pending"), ("capture", "paid"), ("decline", "failed"), ("pend", "pending")],
)
async def test_get_payment_maps_order_states(
    fake_paypal: FakePaypal, happening: str | None, ours: str
) -> None:
    order_id = await new_order(100_000_01)
    if happening:
        fake_paypal.approve(order_id)
    if happening == "decline":
        fake_paypal.decline_next_capture()
    if happening == "pend":
        fake_paypal.pend_next_capture()
    if happening in ("capture", "decline", "pend"):
        await paypal().capture_approved(order_id)
    remote = await paypal().get_payment(order_id)
    assert (remote.id, remote.status, remote.amount_minor, remote.currency) == (
        order_id,
        ours,
        100_000_01,
        "EUR",
    )
    assert (remote.checkout_url is not None) == (ours == "open")


def test_voided_and_unknown_statuses_map_safely() -> None:
    assert order_status({"status": "VOIDED"}) == "canceled"
    assert order_status({"status": "SAVED"}) == "open"
    assert order_status({"status": "COMPLETED", "purchase_units": [{}]}) == "pending"


async def test_capture_only_after_approval_and_only_once(fake_paypal: FakePaypal) -> None:
    order_id = await new_order()
    assert (await paypal().capture_approved(order_id)).status == "open"
    assert not fake_paypal.captures
    fake_paypal.approve(order_id)
    first = await paypal().capture_approved(order_id)
    again = await paypal().capture_approved(order_id)
    assert first.status == again.status == "paid"
    assert len(fake_paypal.captures) == 1


async def test_an_unknown_order_and_an_unreachable_paypal_are_provider_errors(
    fake_paypal: FakePaypal,
) -> None:
    with pytest.raises(ProviderError, match="404"):
        await paypal().get_payment("NOSUCHORDER000000")
    fake_paypal.fail_next(503)
    with pytest.raises(ProviderError, match="503"):
        await new_order()
    nowhere = PaypalProvider("id", "secret", api_base="http://127.0.0.1:9")
    with pytest.raises(ProviderError):
        await nowhere.get_payment("ANY")


async def test_bad_credentials_are_a_provider_error(paypal_server: tuple[FakePaypal, str]) -> None:
    _, url = paypal_server
    with pytest.raises(ProviderError):
        await PaypalProvider("wrong", "wrong", api_base=url).get_payment("ANY")


async def test_refunds_refund_the_capture_once(fake_paypal: FakePaypal) -> None:
    order_id = await new_order(5000)
    with pytest.raises(ProviderError, match="no capture"):
        await paypal().create_refund(
            provider_payment_id=order_id, amount_minor=100, currency="EUR", idempotency_key="refund:x"
        )
    fake_paypal.approve(order_id)
    await paypal().capture_approved(order_id)
    first = await paypal().create_refund(
        provider_payment_id=order_id, amount_minor=2000, currency="EUR", idempotency_key="refund:a"
    )
    again = await paypal().create_refund(
        provider_payment_id=order_id, amount_minor=2000, currency="EUR", idempotency_key="refund:a"
    )
    assert first == again
    assert first.status == "completed"
    assert len(fake_paypal.refunds) == 1
    [capture] = fake_paypal.captures.values()
    assert capture["status"] == "PARTIALLY_REFUNDED"
    with pytest.raises(ProviderError, match="422"):
        await paypal().create_refund(
            provider_payment_id=order_id, amount_minor=3001, currency="EUR", idempotency_key="refund:b"
        )


async def test_a_payout_to_a_paypal_email_is_paid_once(fake_paypal: FakePaypal) -> None:
    first = await paypal().create_payout(
        destination="creator@example.com", amount_minor=2500, currency="EUR", idempotency_key="withdrawal:1"
    )
    again = await paypal().create_payout(
        destination="creator@example.com", amount_minor=2500, currency="EUR", idempotency_key="withdrawal:1"
    )
    assert first == again
    assert first.status == "paid"
    [batch] = fake_paypal.batches.values()
    assert batch["batch_header"]["sender_batch_header"]["sender_batch_id"] == "withdrawal:1"
    item = fake_paypal.items[first.id]["payout_item"]
    assert (item["recipient_type"], item["receiver"], item["recipient_wallet"]) == (
        "EMAIL",
        "creator@example.com",
        "PAYPAL",
    )
    assert item["amount"] == {"currency": "EUR", "value": "25.00"}


async def test_a_payout_to_venmo_is_usd_to_the_handle(fake_paypal: FakePaypal) -> None:
    payout = await paypal().create_payout(
        destination="venmo:Jane-Creator", amount_minor=4000, currency="USD", idempotency_key="withdrawal:2"
    )
    assert payout.status == "paid"
    item = fake_paypal.items[payout.id]["payout_item"]
    assert (item["recipient_type"], item["receiver"], item["recipient_wallet"]) == (
        "USER_HANDLE",
        "Jane-Creator",
        "VENMO",
    )
    with pytest.raises(PayoutRejected, match="USD"):
        await paypal().create_payout(
            destination="venmo:Jane-Creator",
            amount_minor=4000,
            currency="EUR",
            idempotency_key="withdrawal:3",
        )
    assert len(fake_paypal.batches) == 1


@pytest.mark.parametrize("outcome", ["UNCLAIMED", "RETURNED", "FAILED", "BLOCKED"])
async def test_an_unpaid_payout_item_is_rejected(fake_paypal: FakePaypal, outcome: str) -> None:
    fake_paypal.payout_outcome["nobody@example.com"] = outcome
    with pytest.raises(PayoutRejected, match=outcome):
        await paypal().create_payout(
            destination="nobody@example.com", amount_minor=2500, currency="EUR", idempotency_key="w:9"
        )


async def test_a_pending_item_is_pending_and_a_short_balance_is_retried(fake_paypal: FakePaypal) -> None:
    fake_paypal.payout_outcome["slow@example.com"] = "PENDING"
    payout = await paypal().create_payout(
        destination="slow@example.com", amount_minor=2500, currency="EUR", idempotency_key="w:10"
    )
    assert payout.status == "pending"
    fake_paypal.short_of_funds = True
    with pytest.raises(ProviderError) as caught:
        await paypal().create_payout(
            destination="a@example.com", amount_minor=2500, currency="EUR", idempotency_key="w:11"
        )
    assert not isinstance(caught.value, PayoutRejected)


# --- through the API with PAYMENT_PROVIDER=paypal -----------------------------------------


async def test_checkout_approve_webhook_captures_and_holds_escrow(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    _, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    assert (payment["provider"], payment["status"]) == ("paypal", "open")
    order_id = await provider_payment_id(payment)
    assert payment["checkout_url"] == f"https://www.sandbox.paypal.com/checkoutnow?token={order_id}"

    use_paypal.approve(order_id)
    response = await deliver(client, use_paypal, "CHECKOUT.ORDER.APPROVED", order_id)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "paid"}
    assert len(use_paypal.captures) == 1
    assert await order_state(client, client_headers, order) == "in_progress"
    assert (await balance(client, creator_headers))["pending"] == "42.50"
    assert await clearing_balance("paypal") == -5000

    # PayPal's later events about the capture, and a redelivery, change nothing.
    for kind in ("PAYMENT.CAPTURE.COMPLETED", "CHECKOUT.ORDER.APPROVED"):
        again = await deliver(client, use_paypal, kind, order_id)
        assert again.json() == {"status": "paid"}, kind
    assert await payment_transfers(payment) == 1
    assert len(use_paypal.captures) == 1


async def test_the_return_page_captures_without_waiting_for_the_webhook(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    order_id = await provider_payment_id(payment)
    before = await client.get(f"/payments/return/{payment['payment_id']}")
    assert before.status_code == 200
    assert "waiting" in before.text
    use_paypal.approve(order_id)
    after = await client.get(f"/payments/return/{payment['payment_id']}?token={order_id}&PayerID=X")
    assert after.status_code == 200
    assert "Payment paid" in after.text
    assert await order_state(client, client_headers, order) == "in_progress"
    response = await deliver(client, use_paypal, "PAYMENT.CAPTURE.COMPLETED", order_id)
    assert response.json() == {"status": "paid"}
    assert await payment_transfers(payment) == 1


async def test_a_declined_capture_fails_the_payment(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    order_id = await provider_payment_id(payment)
    use_paypal.approve(order_id)
    use_paypal.decline_next_capture()
    response = await deliver(client, use_paypal, "CHECKOUT.ORDER.APPROVED", order_id)
    assert response.json() == {"status": "failed"}
    assert await order_state(client, client_headers, order) == "pending_payment"
    assert await payment_transfers(payment) == 0


async def test_a_refund_goes_back_through_paypal(client: httpx.AsyncClient, use_paypal: FakePaypal) -> None:
    _, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    order_id = await provider_payment_id(payment)
    use_paypal.approve(order_id)
    await deliver(client, use_paypal, "CHECKOUT.ORDER.APPROVED", order_id)
    await cancel_paid_order(client, creator_headers, client_headers, order)
    await run_jobs()
    async with get_database().sessions() as session:
        refund = await session.scalar(
            select(Refund).where(Refund.payment_id == uuid.UUID(payment["payment_id"]))
        )
    assert refund is not None
    assert refund.status == RefundStatus.REFUNDED
    [paypal_refund] = use_paypal.refunds.values()
    assert paypal_refund["amount"] == {"currency_code": "EUR", "value": "50.00"}
    assert refund.provider_refund_id == paypal_refund["id"]
    [capture] = use_paypal.captures.values()
    assert capture["status"] == "REFUNDED"
    assert await clearing_balance("paypal") == 0
    # PayPal's PAYMENT.CAPTURE.REFUNDED afterwards changes nothing more.
    response = await deliver(client, use_paypal, "PAYMENT.CAPTURE.REFUNDED", order_id)
    assert response.status_code == 200
    assert await clearing_balance("paypal") == 0


async def test_a_bad_signature_is_400_and_changes_nothing(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    order_id = await provider_payment_id(payment)
    use_paypal.approve(order_id)
    payload = use_paypal.event("CHECKOUT.ORDER.APPROVED", order_id)
    attempts = {
        "tampered signature": use_paypal.headers(payload, tamper=True),
        "another webhook": use_paypal.headers(payload, webhook_id="WH-SOMEONE-ELSE"),
        "no headers": {"Content-Type": "application/json"},
    }
    signed_for_other = use_paypal.headers(payload)
    for name, headers in attempts.items():
        response = await client.post(WEBHOOK, content=payload, headers=headers)
        assert response.status_code == 400, name
        assert response.json()["error"] == "invalid_paypal_signature", name
    altered = payload.replace(b'"event_version": "1.0"', b'"event_version": "1.1"')
    response = await client.post(WEBHOOK, content=altered, headers=signed_for_other)
    assert response.status_code == 400
    not_json = await client.post(WEBHOOK, content=b"{nope", headers=signed_for_other)
    assert (not_json.status_code, not_json.json()["error"]) == (400, "invalid_paypal_signature")
    no_event = await client.post(WEBHOOK, content=b"[1]", headers=use_paypal.headers(b"[1]"))
    assert (no_event.status_code, no_event.json()["error"]) == (400, "invalid_event")
    assert not use_paypal.captures
    assert await order_state(client, client_headers, order) == "pending_payment"
    assert await payment_transfers(payment) == 0
    assert await clearing_balance("paypal") == 0


async def test_an_unknown_order_is_404_and_other_events_are_ignored(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    order_id = await new_order()  # at PayPal, but no payment of ours
    response = await deliver(client, use_paypal, "CHECKOUT.ORDER.APPROVED", order_id)
    assert (response.status_code, response.json()["error"]) == (404, "payment_not_found")
    response = await deliver(client, use_paypal, "BILLING.SUBSCRIPTION.CREATED", order_id)
    assert response.json() == {"status": "ignored"}


async def test_paypal_not_answering_is_503_so_it_delivers_again(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    _, _, _, _, payment = await order_and_checkout(client)
    order_id = await provider_payment_id(payment)
    use_paypal.approve(order_id)
    payload = use_paypal.event("CHECKOUT.ORDER.APPROVED", order_id)
    headers = use_paypal.headers(payload)
    use_paypal.fail_next(503)
    response = await client.post(WEBHOOK, content=payload, headers=headers)
    assert (response.status_code, response.json()["error"]) == (503, "provider_unavailable")
    response = await client.post(WEBHOOK, content=payload, headers=headers)
    assert response.json() == {"status": "paid"}


async def test_no_webhook_id_is_503(
    client: httpx.AsyncClient, use_paypal: FakePaypal, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "paypal_webhook_id", None)
    response = await client.post(WEBHOOK, content=b"{}", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (503, "paypal_webhook_not_configured")


def test_paypal_without_credentials_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="PAYPAL_CLIENT_ID"):
        Settings(payment_provider="paypal", paypal_client_id="x", _env_file=None)
    with pytest.raises(ValueError, match="PAYPAL_CLIENT_ID"):
        Settings(
            payment_providers="stripe,paypal", stripe_api_key="k", stripe_webhook_secret="s", _env_file=None
        )
    with pytest.raises(ValueError, match="unknown provider"):
        Settings(payment_providers="bitcoin", _env_file=None)
    ok = Settings(
        payment_provider="paypal",
        paypal_client_id="id",
        paypal_client_secret="secret",
        paypal_webhook_id="WH",
        _env_file=None,
    )
    assert ok.payment_provider == "paypal"


# --- payment methods ----------------------------------------------------------------------


async def methods(
    client: httpx.AsyncClient, headers: dict[str, str], amount: str, currency: str
) -> list[tuple[str, str]]:
    response = await client.get(
        "/v1/payments/methods", params={"amount": amount, "currency": currency}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["amount"] == {"currency": currency, "value": amount}
    return [(item["id"], item["provider"]) for item in response.json()["items"]]


async def test_methods_of_each_provider(
    client: httpx.AsyncClient,
    fake_paypal: FakePaypal,
    fake_stripe: FakeStripe,
    fake_mollie: FakeMollie,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, headers = await signed_up(client, "client")
    assert await methods(client, headers, "50.00", "EUR") == [
        ("card", "sandbox"),
        ("ideal", "sandbox"),
        ("paypal", "sandbox"),
    ]
    monkeypatch.setattr(settings, "payment_provider", "stripe")
    assert await methods(client, headers, "50.00", "EUR") == [("card", "stripe"), ("ideal", "stripe")]
    assert await methods(client, headers, "50.00", "USD") == [("card", "stripe")]
    monkeypatch.setattr(settings, "payment_providers", ["paypal"])
    assert await methods(client, headers, "50.00", "USD") == [
        ("card", "stripe"),
        ("paypal", "paypal"),
        ("venmo", "paypal"),
    ]
    assert await methods(client, headers, "50.00", "EUR") == [
        ("card", "stripe"),
        ("ideal", "stripe"),
        ("paypal", "paypal"),
    ]
    monkeypatch.setattr(settings, "payment_providers", [])
    monkeypatch.setattr(settings, "payment_provider", "mollie")
    mollie = await methods(client, headers, "50.00", "EUR")
    assert ("card", "mollie") in mollie
    assert ("ideal", "mollie") in mollie
    assert ("ideal", "mollie") not in await methods(client, headers, "50.00", "USD")


async def test_the_methods_list_wants_an_amount_and_a_login(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "client")
    bad = await client.get(
        "/v1/payments/methods", params={"amount": "-1", "currency": "EUR"}, headers=headers
    )
    assert bad.status_code == 422
    bad = await client.get(
        "/v1/payments/methods", params={"amount": "5.00", "currency": "XYZ"}, headers=headers
    )
    assert bad.status_code == 422
    anonymous = await client.get("/v1/payments/methods", params={"amount": "5.00", "currency": "EUR"})
    assert anonymous.status_code == 401


async def usd_order(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    creator, _ = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"], price_minor=5000)
    order = await make_order(client, client_headers, gig, package)
    async with get_database().sessions() as session:
        await session.execute(update(Order).where(Order.id == uuid.UUID(order["id"])).values(currency="USD"))
        await session.commit()
    return client_headers, order


async def test_a_checkout_names_venmo_and_pays_through_paypal(
    client: httpx.AsyncClient,
    fake_paypal: FakePaypal,
    fake_stripe: FakeStripe,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "payment_provider", "stripe")
    monkeypatch.setattr(settings, "payment_providers", ["paypal"])
    client_headers, order = await usd_order(client)
    response = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"], "method": "venmo"}, headers=client_headers
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    assert (payment["provider"], payment["method"], payment["amount"]) == (
        "paypal",
        "venmo",
        {"currency": "USD", "value": "50.00"},
    )
    order_id = await provider_payment_id(payment)
    assert set(fake_paypal.orders[order_id]["payment_source"]) == {"venmo"}
    fake_paypal.approve(order_id)
    response = await deliver(client, fake_paypal, "CHECKOUT.ORDER.APPROVED", order_id)
    assert response.json() == {"status": "paid"}
    assert await clearing_balance("paypal", "USD") == -5000
    card = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"], "method": "card"}, headers=client_headers
    )
    assert (card.status_code, card.json()["error"]) == (409, "not_payable")


async def test_venmo_in_eur_is_refused_and_nothing_is_created(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    creator, _ = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"])
    order = await make_order(client, client_headers, gig, package)
    response = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"], "method": "venmo"}, headers=client_headers
    )
    assert response.status_code == 422
    assert response.json()["error"] == "venmo_requires_usd"
    assert response.json()["details"] == {"method": "venmo", "currency": "EUR"}
    assert not use_paypal.orders
    assert await payments_of(order) == 0


@pytest.mark.parametrize("method", ["bancontact", "venmo_plus", "crypto"])
async def test_an_unavailable_method_is_refused(
    client: httpx.AsyncClient, use_paypal: FakePaypal, method: str
) -> None:
    creator, _ = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"])
    order = await make_order(client, client_headers, gig, package)
    response = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"], "method": method}, headers=client_headers
    )
    assert (response.status_code, response.json()["error"]) == (422, "payment_method_unavailable")
    assert not use_paypal.orders
    assert await payments_of(order) == 0
    bad = await client.post(
        "/v1/payments/checkout",
        json={"order_id": order["id"], "method": "Not A Method!"},
        headers=client_headers,
    )
    assert bad.status_code == 422


async def test_another_users_order_cannot_be_paid_by_paypal(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    creator, _ = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    _, stranger_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"])
    order = await make_order(client, client_headers, gig, package)
    response = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"], "method": "paypal"}, headers=stranger_headers
    )
    assert response.status_code == 404
    assert not use_paypal.orders


async def payments_of(order: dict[str, Any]) -> int:
    async with get_database().sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Payment).where(Payment.order_id == uuid.UUID(order["id"]))
        )
        return int(count or 0)


@pytest.mark.parametrize(
    ("provider", "method", "sent"), [("stripe", "ideal", ["ideal"]), ("mollie", "card", "creditcard")]
)
async def test_the_method_is_passed_to_the_provider(
    client: httpx.AsyncClient,
    fake_stripe: FakeStripe,
    fake_mollie: FakeMollie,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    provider: str,
    method: str,
    sent: Any,
) -> None:
    monkeypatch.setattr(settings, "payment_provider", provider)
    creator, _ = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"])
    order = await make_order(client, client_headers, gig, package)
    response = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"], "method": method}, headers=client_headers
    )
    assert response.status_code == 201, response.text
    assert (response.json()["provider"], response.json()["method"]) == (provider, method)
    remote_id = await provider_payment_id(response.json())
    if provider == "stripe":
        assert fake_stripe.sessions[remote_id]["payment_method_types"] == sent
    else:
        assert fake_mollie.payments[remote_id]["method"] == sent
    # The same method again is the same checkout; another one is a new one.
    again = await client.post(
        "/v1/payments/checkout", json={"order_id": order["id"], "method": method}, headers=client_headers
    )
    assert again.json()["payment_id"] == response.json()["payment_id"]


@given(minor=st.integers(min_value=1, max_value=10**11 - 1), currency=st.sampled_from(["EUR", "USD", "GBP"]))
def test_amounts_read_back_from_an_order_are_the_amounts_sent(minor: int, currency: str) -> None:
    value = format_minor(minor)
    order = {
        "id": "X",
        "status": "COMPLETED",
        "purchase_units": [
            {
                "amount": {"currency_code": currency, "value": value},
                "payments": {"captures": [{"status": "COMPLETED"}]},
            }
        ],
    }
    remote = payment_of(order)
    assert (remote.amount_minor, remote.currency, remote.status) == (minor, currency, "paid")


# --- withdrawals paid by PayPal Payouts (payout methods: payments/payout_methods.py) --------


async def paid_creator(client: httpx.AsyncClient, fake: FakePaypal) -> tuple[dict[str, Any], dict[str, str]]:
    """A creator with 42.50 EUR available, earned through a PayPal checkout."""
    creator, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    order_id = await provider_payment_id(payment)
    fake.approve(order_id)
    await deliver(client, fake, "CHECKOUT.ORDER.APPROVED", order_id)
    await complete_order(client, creator_headers, client_headers, order)
    return creator, creator_headers


async def test_a_withdrawal_is_paid_to_the_paypal_email(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    creator, creator_headers = await paid_creator(client, use_paypal)
    await payout_ready(creator["id"], "paypal")
    response = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "40.00"}},
        headers=creator_headers,
    )
    assert response.status_code == 201, response.text
    await run_jobs()
    [withdrawal] = await withdrawals()
    assert withdrawal.status is WithdrawalStatus.PAID
    [item] = use_paypal.items.values()
    assert withdrawal.provider_payout_id == item["payout_item_id"]
    assert item["payout_item"]["receiver"] == payout_account_for(creator["id"], "paypal")
    assert ("POST", "/v1/payments/payouts", f"withdrawal:{withdrawal.id}") in use_paypal.requests
    assert (await balance(client, creator_headers))["available"] == "2.50"


async def test_an_unclaimed_payout_gives_the_money_back(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    creator, creator_headers = await paid_creator(client, use_paypal)
    await payout_ready(creator["id"], "paypal")
    use_paypal.payout_outcome[payout_account_for(creator["id"], "paypal")] = "UNCLAIMED"
    await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "40.00"}},
        headers=creator_headers,
    )
    await run_jobs()
    [withdrawal] = await withdrawals()
    assert withdrawal.status is WithdrawalStatus.FAILED
    assert "UNCLAIMED" in (withdrawal.failure_reason or "")
    assert await balance(client, creator_headers) == {
        "available": "42.50",
        "pending": "0.00",
        "in_transit": "0.00",
    }


async def pay_out_jobs_waiting() -> list[Any]:
    async with get_database().engine.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT scheduled_at FROM procrastinate_jobs WHERE task_name = 'pay_out' AND status = 'todo'"
            )
        )
        return list(found.scalars())


async def run_pay_out_jobs_now() -> None:
    async with get_database().engine.begin() as connection:
        await connection.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = 'pay_out'")
        )
    await run_jobs()


async def test_a_pending_payout_stays_in_transit_until_paypal_settles_it(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    creator, creator_headers = await paid_creator(client, use_paypal)
    await payout_ready(creator["id"], "paypal")
    receiver = payout_account_for(creator["id"], "paypal")
    use_paypal.payout_outcome[receiver] = "PENDING"
    response = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "40.00"}},
        headers=creator_headers,
    )
    assert response.status_code == 201, response.text
    await run_jobs()
    [withdrawal] = await withdrawals()
    assert (withdrawal.status, withdrawal.provider_payout_id is not None) == (
        WithdrawalStatus.REQUESTED,
        True,
    )
    assert (await balance(client, creator_headers))["in_transit"] == "40.00"

    [recheck_at] = await pay_out_jobs_waiting()
    assert recheck_at > utcnow() + timedelta(minutes=14)
    use_paypal.settle_payouts(receiver)
    await run_pay_out_jobs_now()  # the re-check, brought forward from 15 minutes on

    [withdrawal] = await withdrawals()
    assert withdrawal.status is WithdrawalStatus.PAID
    assert (await balance(client, creator_headers))["in_transit"] == "0.00"
    batches = [r for r in use_paypal.requests if r[:2] == ("POST", "/v1/payments/payouts")]
    assert (len(use_paypal.batches), len(batches)) == (1, 2)  # asked twice, one payout


async def test_the_webhook_and_the_return_page_at_once_capture_once(
    client: httpx.AsyncClient, use_paypal: FakePaypal
) -> None:
    _, creator_headers, _, _, payment = await order_and_checkout(client)
    order_id = await provider_payment_id(payment)
    use_paypal.approve(order_id)
    payload = use_paypal.event("CHECKOUT.ORDER.APPROVED", order_id)
    answers = await asyncio.gather(
        client.post(WEBHOOK, content=payload, headers=use_paypal.headers(payload)),
        client.post(WEBHOOK, content=payload, headers=use_paypal.headers(payload)),
        client.get(f"/payments/return/{payment['payment_id']}"),
    )
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len(use_paypal.captures) == 1
    assert await payment_transfers(payment) == 1
    assert await clearing_balance("paypal") == -5000
    assert (await balance(client, creator_headers))["pending"] == "42.50"
