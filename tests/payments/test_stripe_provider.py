"""The Stripe provider, through the stripe SDK, against the local Stripe API (fakes/); and the
signed Stripe webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from typing import Any

import httpx
import pytest

from reelbyte.payments.models import WithdrawalStatus
from reelbyte.payments.providers import provider_named
from reelbyte.payments.providers.base import PaymentRequest, PayoutRejected, ProviderError
from reelbyte.payments.providers.stripe import StripeProvider
from tests.conftest import run_jobs
from tests.factories import payout_account_for, payout_ready
from tests.payments.fakes.fixtures import STRIPE_WEBHOOK_SECRET
from tests.payments.fakes.flows import (
    balance,
    cancel_paid_order,
    clearing_balance,
    complete_order,
    order_and_checkout,
    order_status,
    payment_transfers,
    provider_payment_id,
    withdrawals,
)
from tests.payments.fakes.server import free_port
from tests.payments.fakes.stripe_server import FakeStripe

# A creator's connected account (the acct_ id their payout method stores after onboarding).
SOME_ACCOUNT = payout_account_for(uuid.uuid4(), "stripe")

WEBHOOK = "/v1/payments/webhook/stripe"


def stripe_provider() -> StripeProvider:
    provider = provider_named("stripe")
    assert isinstance(provider, StripeProvider)
    return provider


async def new_session(amount_minor: int = 1250, payment_id: str | None = None) -> str:
    remote = await stripe_provider().create_payment(
        PaymentRequest(
            amount_minor=amount_minor,
            currency="EUR",
            description="ReelByte order Wedding film",
            redirect_url="http://testserver/payments/return/1",
            webhook_url="http://testserver/v1/payments/webhook/stripe",
            metadata={"payment_id": payment_id or str(uuid.uuid4())},
        )
    )
    return remote.id


def sign(payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe's documented scheme: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<raw body>")."""
    at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2025-08-27.basil",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
            "data": {"object": obj},
        }
    ).encode()


def session_event(fake: FakeStripe, session_id: str, kind: str = "checkout.session.completed") -> bytes:
    return event(kind, {k: v for k, v in fake.sessions[session_id].items() if not k.startswith("_")})


async def deliver(client: httpx.AsyncClient, payload: bytes, signature: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature or sign(payload)}
    return await client.post(WEBHOOK, content=payload, headers=headers)


# --- the adapter, method by method --------------------------------------------------------


async def test_create_payment_opens_a_checkout_session(fake_stripe: FakeStripe) -> None:
    payment_id = str(uuid.uuid4())
    remote = await stripe_provider().create_payment(
        PaymentRequest(
            amount_minor=1250,
            currency="EUR",
            description="ReelByte order Wedding film",
            redirect_url="http://testserver/payments/return/1",
            webhook_url="unused by Stripe",
            metadata={"payment_id": payment_id},
        )
    )
    assert remote.id.startswith("cs_test_")
    assert (remote.status, remote.amount_minor, remote.currency) == ("open", 1250, "EUR")
    assert remote.checkout_url == f"https://checkout.stripe.com/c/pay/{remote.id}"
    session = fake_stripe.sessions[remote.id]
    assert (session["amount_total"], session["currency"], session["mode"]) == (1250, "eur", "payment")
    assert session["metadata"] == {"payment_id": payment_id}
    assert session["client_reference_id"] == payment_id
    assert session["success_url"] == "http://testserver/payments/return/1"
    assert ("POST", "/v1/checkout/sessions", f"checkout:{payment_id}") in fake_stripe.requests


async def test_a_retried_create_is_the_same_session(fake_stripe: FakeStripe) -> None:
    payment_id = str(uuid.uuid4())
    assert await new_session(payment_id=payment_id) == await new_session(payment_id=payment_id)
    assert len(fake_stripe.sessions) == 1


@pytest.mark.parametrize(
    ("happening", "ours"),
    [
        (None, "open"),
        ("complete", "paid"),
        ("complete_async", "pending"),
        ("fail_async", "failed"),
        ("expire", "expired"),
    ],
)
async def test_get_payment_maps_session_states(
    fake_stripe: FakeStripe, happening: str | None, ours: str
) -> None:
    session_id = await new_session(amount_minor=100_000_01)
    if happening:
        getattr(fake_stripe, happening)(session_id)
    remote = await stripe_provider().get_payment(session_id)
    assert (remote.id, remote.status, remote.amount_minor, remote.currency) == (
        session_id,
        ours,
        100_000_01,
        "EUR",
    )
    assert (remote.checkout_url is not None) == (ours == "open")


async def test_an_unknown_session_is_a_provider_error(fake_stripe: FakeStripe) -> None:
    with pytest.raises(ProviderError, match=r"No such checkout\.session"):
        await stripe_provider().get_payment("cs_test_nothere")


async def test_refunds_are_idempotent(fake_stripe: FakeStripe) -> None:
    session_id = await new_session(amount_minor=5000)
    intent = fake_stripe.complete(session_id)
    first = await stripe_provider().create_refund(
        provider_payment_id=session_id, amount_minor=2000, currency="EUR", idempotency_key="refund:a"
    )
    again = await stripe_provider().create_refund(
        provider_payment_id=session_id, amount_minor=2000, currency="EUR", idempotency_key="refund:a"
    )
    assert first == again
    assert first.id.startswith("re_")
    assert first.status == "succeeded"
    [refund] = fake_stripe.refunds.values()
    assert (refund["payment_intent"], refund["amount"], refund["currency"]) == (intent["id"], 2000, "eur")
    assert ("POST", "/v1/refunds", "refund:a") in fake_stripe.requests
    with pytest.raises(ProviderError, match="greater than unrefunded"):
        await stripe_provider().create_refund(
            provider_payment_id=session_id, amount_minor=3001, currency="EUR", idempotency_key="refund:b"
        )


async def test_an_unpaid_session_cannot_be_refunded(fake_stripe: FakeStripe) -> None:
    session_id = await new_session()
    with pytest.raises(ProviderError, match="no payment"):
        await stripe_provider().create_refund(
            provider_payment_id=session_id, amount_minor=1250, currency="EUR", idempotency_key="refund:c"
        )
    fake_stripe.complete_async(session_id)  # money still on its way
    with pytest.raises(ProviderError, match="successful charge"):
        await stripe_provider().create_refund(
            provider_payment_id=session_id, amount_minor=1250, currency="EUR", idempotency_key="refund:d"
        )


async def test_a_payout_is_a_connect_transfer_made_once(fake_stripe: FakeStripe) -> None:
    account = payout_account_for(uuid.uuid4(), "stripe")
    first = await stripe_provider().create_payout(
        destination=account, amount_minor=2500, currency="EUR", idempotency_key="withdrawal:1"
    )
    again = await stripe_provider().create_payout(
        destination=account, amount_minor=2500, currency="EUR", idempotency_key="withdrawal:1"
    )
    assert first == again
    assert first.id.startswith("tr_")
    assert first.status == "paid"
    [transfer] = fake_stripe.transfers.values()
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == (2500, "eur", account)


async def test_the_same_key_with_another_amount_is_refused_by_stripe(fake_stripe: FakeStripe) -> None:
    account = payout_account_for(uuid.uuid4(), "stripe")
    await stripe_provider().create_payout(
        destination=account, amount_minor=2500, currency="EUR", idempotency_key="w:1"
    )
    with pytest.raises(ProviderError, match="same parameters"):
        await stripe_provider().create_payout(
            destination=account, amount_minor=2600, currency="EUR", idempotency_key="w:1"
        )
    assert len(fake_stripe.transfers) == 1


async def test_a_payout_to_an_unknown_account_is_rejected(fake_stripe: FakeStripe) -> None:
    account = payout_account_for(uuid.uuid4(), "stripe")
    fake_stripe.refuse_account(account)
    with pytest.raises(PayoutRejected, match="No such destination"):
        await stripe_provider().create_payout(
            destination=account, amount_minor=2500, currency="EUR", idempotency_key="w:2"
        )


async def test_a_short_platform_balance_and_stripe_errors_are_worth_retrying(fake_stripe: FakeStripe) -> None:
    fake_stripe.available_balance = 1000
    with pytest.raises(ProviderError, match="insufficient available funds"):
        await stripe_provider().create_payout(
            destination=SOME_ACCOUNT, amount_minor=2500, currency="EUR", idempotency_key="w:3"
        )
    fake_stripe.fail_next(500)
    with pytest.raises(ProviderError, match="Stripe's end"):
        await stripe_provider().create_payout(
            destination=SOME_ACCOUNT, amount_minor=500, currency="EUR", idempotency_key="w:4"
        )
    fake_stripe.fail_next(503)
    with pytest.raises(ProviderError):
        await new_session()


async def test_bad_credentials_and_an_unreachable_stripe_are_provider_errors(
    stripe_server: tuple[FakeStripe, str],
) -> None:
    _, url = stripe_server
    wrong_key = StripeProvider("sk_test_wrong", url, max_network_retries=0)
    with pytest.raises(ProviderError, match="Invalid API Key"):
        await wrong_key.create_payout(
            destination=SOME_ACCOUNT, amount_minor=2500, currency="EUR", idempotency_key="w:5"
        )
    nowhere = StripeProvider("sk_test_x", f"http://127.0.0.1:{free_port()}", max_network_retries=0)
    with pytest.raises(ProviderError, match="communicating with Stripe"):
        await nowhere.get_payment("cs_test_anything")
    with pytest.raises(ProviderError):
        await nowhere.create_payout(
            destination=SOME_ACCOUNT, amount_minor=2500, currency="EUR", idempotency_key="w:6"
        )


# --- through the API with PAYMENT_PROVIDER=stripe -----------------------------------------


async def test_checkout_then_signed_webhook_starts_the_order(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    _, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    assert payment["provider"] == "stripe"
    assert payment["status"] == "open"
    session_id = await provider_payment_id(payment)
    assert payment["checkout_url"] == f"https://checkout.stripe.com/c/pay/{session_id}"
    assert use_stripe.sessions[session_id]["amount_total"] == 5000

    use_stripe.complete(session_id)
    response = await deliver(client, session_event(use_stripe, session_id))
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "paid"}
    assert await order_status(client, client_headers, order) == "in_progress"
    assert (await balance(client, creator_headers))["pending"] == "42.50"
    assert await clearing_balance("stripe") == -5000


async def test_a_duplicate_event_moves_the_money_once(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    _, creator_headers, _, _, payment = await order_and_checkout(client)
    session_id = await provider_payment_id(payment)
    use_stripe.complete(session_id)
    payload = session_event(use_stripe, session_id)
    for _ in range(2):
        response = await deliver(client, payload)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "paid"}
    later = await deliver(
        client, session_event(use_stripe, session_id, "checkout.session.async_payment_succeeded")
    )
    assert later.json() == {"status": "paid"}
    assert await payment_transfers(payment) == 1
    assert await clearing_balance("stripe") == -5000
    assert (await balance(client, creator_headers))["pending"] == "42.50"


async def test_bad_missing_and_stale_signatures_are_400(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    session_id = await provider_payment_id(payment)
    use_stripe.complete(session_id)
    payload = session_event(use_stripe, session_id)
    now = int(time.time())
    attempts = {
        "another secret": sign(payload, secret="whsec_someone_else"),
        "stale": sign(payload, timestamp=now - 301),
        "garbage": "not a signature",
        "tampered body": sign(payload.replace(b'"livemode": false', b'"livemode": true')),
    }
    for name, signature in attempts.items():
        response = await deliver(client, payload, signature)
        assert response.status_code == 400, name
        assert response.json()["error"] == "invalid_signature", name
        assert set(response.json()) >= {"error", "message"}
    missing = await client.post(WEBHOOK, content=payload, headers={"Content-Type": "application/json"})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_signature"
    assert await order_status(client, client_headers, order) == "pending_payment"
    assert await payment_transfers(payment) == 0
    # Within Stripe's five minutes, a slightly old signature is still good.
    assert (await deliver(client, payload, sign(payload, timestamp=now - 60))).json() == {"status": "paid"}


async def test_a_payment_intent_event_reads_its_session_back(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    session_id = await provider_payment_id(payment)
    intent = use_stripe.complete(session_id)
    # The event's body says nothing that is believed: only the intent id, to find the session.
    forged = {**intent, "status": "canceled", "amount": 1}
    response = await deliver(client, event("payment_intent.succeeded", forged))
    assert response.json() == {"status": "paid"}
    assert await order_status(client, client_headers, order) == "in_progress"


async def test_events_that_are_not_ours_are_acknowledged(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    unknown_session = event(
        "checkout.session.completed", {"id": "cs_test_someone_elses", "object": "checkout.session"}
    )
    assert (await deliver(client, unknown_session)).json() == {"status": "ignored"}
    unknown_intent = event("payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent"})
    assert (await deliver(client, unknown_intent)).json() == {"status": "ignored"}
    other = event("customer.created", {"id": "cus_1", "object": "customer"})
    assert (await deliver(client, other)).json() == {"status": "ignored"}
    not_json = b"{not json"
    response = await deliver(client, not_json)
    assert response.status_code == 400


async def test_the_webhook_answers_503_while_stripe_is_down(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    session_id = await provider_payment_id(payment)
    use_stripe.complete(session_id)
    payload = session_event(use_stripe, session_id)
    use_stripe.fail_next(503)
    response = await deliver(client, payload)
    assert response.status_code == 503  # Stripe delivers the event again later
    assert response.json()["error"] == "provider_unavailable"
    assert await order_status(client, client_headers, order) == "pending_payment"
    assert (await deliver(client, payload)).json() == {"status": "paid"}


async def test_an_async_payment_that_fails_leaves_the_order_unpaid(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    session_id = await provider_payment_id(payment)
    use_stripe.complete_async(session_id)
    assert (await deliver(client, session_event(use_stripe, session_id))).json() == {"status": "pending"}
    use_stripe.fail_async(session_id)
    failed = session_event(use_stripe, session_id, "checkout.session.async_payment_failed")
    assert (await deliver(client, failed)).json() == {"status": "failed"}
    assert await order_status(client, client_headers, order) == "pending_payment"
    assert await payment_transfers(payment) == 0


async def test_without_a_webhook_secret_events_are_not_accepted(
    client: httpx.AsyncClient, use_stripe: FakeStripe, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "stripe_webhook_secret", None)
    payload = event("customer.created", {"id": "cus_1", "object": "customer"})
    response = await deliver(client, payload)
    assert response.status_code == 503
    assert response.json()["error"] == "webhook_not_configured"


async def test_withdrawal_is_paid_out_by_a_connect_transfer(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator, creator_headers, client_headers, order, payment = await order_and_checkout(client, 10000)
    session_id = await provider_payment_id(payment)
    use_stripe.complete(session_id)
    await deliver(client, session_event(use_stripe, session_id))
    await complete_order(client, creator_headers, client_headers, order)
    await payout_ready(creator["id"], "stripe")
    response = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "85.00"}},
        headers=creator_headers,
    )
    assert response.status_code == 201, response.text
    await run_jobs()
    assert await balance(client, creator_headers) == {
        "available": "0.00",
        "pending": "0.00",
        "in_transit": "0.00",
    }
    [withdrawal] = await withdrawals()
    assert withdrawal.status is WithdrawalStatus.PAID
    [transfer] = use_stripe.transfers.values()
    assert withdrawal.provider_payout_id == transfer["id"]
    account = payout_account_for(creator["id"], "stripe")
    assert (transfer["amount"], transfer["destination"]) == (8500, account)
    assert ("POST", "/v1/transfers", f"withdrawal:{withdrawal.id}") in use_stripe.requests


async def test_a_refused_transfer_gives_the_money_back(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    session_id = await provider_payment_id(payment)
    use_stripe.complete(session_id)
    await deliver(client, session_event(use_stripe, session_id))
    await complete_order(client, creator_headers, client_headers, order)
    await payout_ready(creator["id"], "stripe")
    use_stripe.refuse_account(payout_account_for(creator["id"], "stripe"))
    await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "40.00"}},
        headers=creator_headers,
    )
    await run_jobs()
    [withdrawal] = await withdrawals()
    assert withdrawal.status is WithdrawalStatus.FAILED
    assert await balance(client, creator_headers) == {
        "available": "42.50",
        "pending": "0.00",
        "in_transit": "0.00",
    }


async def test_a_cancelled_order_is_refunded_through_stripe(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    _, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    session_id = await provider_payment_id(payment)
    intent = use_stripe.complete(session_id)
    await deliver(client, session_event(use_stripe, session_id))
    await cancel_paid_order(client, creator_headers, client_headers, order)
    await run_jobs()
    [refund] = use_stripe.refunds.values()
    assert (refund["payment_intent"], refund["amount"]) == (intent["id"], 5000)
    assert await clearing_balance("stripe") == 0
