"""The Mollie provider, through mollie-api-python, against the local Mollie API (fakes/)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from reelbyte.payments.models import WithdrawalStatus
from reelbyte.payments.providers import provider_named
from reelbyte.payments.providers.base import PaymentRequest, PayoutRejected, ProviderError
from reelbyte.payments.providers.mollie import MollieProvider
from tests.conftest import run_jobs
from tests.factories import payout_account_for, payout_ready
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
from tests.payments.fakes.mollie_server import FakeMollie
from tests.payments.fakes.server import free_port

# A creator's organisation (the id their payout method stores after Mollie Connect).
SOME_ORGANIZATION = payout_account_for(uuid.uuid4(), "mollie")


def mollie() -> MollieProvider:
    provider = provider_named("mollie")
    assert isinstance(provider, MollieProvider)
    return provider


async def new_payment(amount_minor: int = 1250, payment_id: str | None = None) -> str:
    remote = await mollie().create_payment(
        PaymentRequest(
            amount_minor=amount_minor,
            currency="EUR",
            description="ReelByte order Wedding film",
            redirect_url="http://testserver/payments/return/1",
            webhook_url="http://testserver/v1/payments/webhook",
            metadata={"payment_id": payment_id or str(uuid.uuid4()), "order_id": str(uuid.uuid4())},
        )
    )
    return remote.id


# --- the adapter, method by method --------------------------------------------------------


async def test_create_payment_sends_mollie_amounts_and_reads_the_answer(fake_mollie: FakeMollie) -> None:
    payment_id = str(uuid.uuid4())
    remote = await mollie().create_payment(
        PaymentRequest(
            amount_minor=1250,
            currency="EUR",
            description="ReelByte order Wedding film",
            redirect_url="http://testserver/payments/return/1",
            webhook_url="http://testserver/v1/payments/webhook",
            metadata={"payment_id": payment_id},
        )
    )
    assert remote.id.startswith("tr_")
    assert (remote.status, remote.amount_minor, remote.currency) == ("open", 1250, "EUR")
    assert remote.checkout_url is not None
    assert remote.checkout_url.startswith("https://www.mollie.com/checkout/")
    sent = fake_mollie.payments[remote.id]
    assert sent["amount"] == {"currency": "EUR", "value": "12.50"}
    assert sent["webhookUrl"] == "http://testserver/v1/payments/webhook"
    assert sent["metadata"] == {"payment_id": payment_id}
    assert ("POST", "/v2/payments", f"payment:{payment_id}") in fake_mollie.requests


async def test_a_retried_create_is_the_same_payment(fake_mollie: FakeMollie) -> None:
    payment_id = str(uuid.uuid4())
    first = await new_payment(payment_id=payment_id)
    again = await new_payment(payment_id=payment_id)
    assert first == again
    assert len(fake_mollie.payments) == 1


@pytest.mark.parametrize(
    ("mollie_status", "ours"),
    [
        ("open", "open"),
        ("pending", "pending"),
        ("authorized", "pending"),
        ("paid", "paid"),
        ("failed", "failed"),
        ("expired", "expired"),
        ("canceled", "canceled"),
    ],
)
async def test_get_payment_maps_statuses(fake_mollie: FakeMollie, mollie_status: str, ours: str) -> None:
    payment_id = await new_payment(amount_minor=100_000_01)
    fake_mollie.set_status(payment_id, mollie_status)
    remote = await mollie().get_payment(payment_id)
    assert (remote.id, remote.status, remote.amount_minor, remote.currency) == (
        payment_id,
        ours,
        100_000_01,
        "EUR",
    )
    assert (remote.checkout_url is not None) == (ours == "open")


async def test_an_unknown_payment_is_a_provider_error(fake_mollie: FakeMollie) -> None:
    with pytest.raises(ProviderError, match="404"):
        await mollie().get_payment("tr_doesnotexist")


async def test_refunds_are_idempotent(fake_mollie: FakeMollie) -> None:
    payment_id = await new_payment(amount_minor=5000)
    fake_mollie.set_status(payment_id, "paid")
    first = await mollie().create_refund(
        provider_payment_id=payment_id, amount_minor=2000, currency="EUR", idempotency_key="refund:a"
    )
    again = await mollie().create_refund(
        provider_payment_id=payment_id, amount_minor=2000, currency="EUR", idempotency_key="refund:a"
    )
    assert first == again
    assert first.id.startswith("re_")
    assert first.status == "pending"
    assert [r["amount"] for r in fake_mollie.refunds.values()] == [{"currency": "EUR", "value": "20.00"}]
    assert fake_mollie.payments[payment_id]["amountRemaining"]["value"] == "30.00"
    with pytest.raises(ProviderError, match="422"):  # more than is left
        await mollie().create_refund(
            provider_payment_id=payment_id, amount_minor=3001, currency="EUR", idempotency_key="refund:b"
        )


async def test_an_unpaid_payment_cannot_be_refunded(fake_mollie: FakeMollie) -> None:
    payment_id = await new_payment()
    with pytest.raises(ProviderError, match="not been paid"):
        await mollie().create_refund(
            provider_payment_id=payment_id, amount_minor=1250, currency="EUR", idempotency_key="refund:c"
        )


async def test_a_payout_is_a_connect_balance_transfer_made_once(fake_mollie: FakeMollie) -> None:
    user_id = str(uuid.uuid4())
    organization = payout_account_for(user_id, "mollie")
    fake_mollie.transfer_status = "created"  # executed asynchronously
    first = await mollie().create_payout(
        destination=organization, amount_minor=2500, currency="EUR", idempotency_key="withdrawal:1"
    )
    assert first.id.startswith("cbtr_")
    assert first.status == "pending"
    [transfer] = fake_mollie.transfers.values()
    transfer["status"] = "succeeded"
    again = await mollie().create_payout(  # the payout job asking again, with the same key
        destination=organization, amount_minor=2500, currency="EUR", idempotency_key="withdrawal:1"
    )
    assert (again.id, again.status) == (first.id, "paid")
    assert len(fake_mollie.transfers) == 1
    assert transfer["amount"] == {"currency": "EUR", "value": "25.00"}
    assert transfer["source"]["id"] == fake_mollie.organization_id
    assert transfer["destination"] == {
        "type": "organization",
        "id": organization,
        "description": "ReelByte earnings",
    }


async def test_a_payout_to_an_organisation_that_refuses_is_rejected(fake_mollie: FakeMollie) -> None:
    user_id = str(uuid.uuid4())
    organization = payout_account_for(user_id, "mollie")
    fake_mollie.refuse_organization(organization)
    with pytest.raises(PayoutRejected, match="not authorized"):
        await mollie().create_payout(
            destination=organization, amount_minor=2500, currency="EUR", idempotency_key="w:2"
        )


async def test_a_failed_balance_transfer_is_rejected(fake_mollie: FakeMollie) -> None:
    fake_mollie.transfer_status = "failed"
    with pytest.raises(PayoutRejected, match="Insufficient funds"):
        await mollie().create_payout(
            destination=SOME_ORGANIZATION, amount_minor=2500, currency="EUR", idempotency_key="w:3"
        )


async def test_mollie_errors_and_bad_credentials_are_worth_retrying(fake_mollie: FakeMollie) -> None:
    fake_mollie.fail_next(503)
    with pytest.raises(ProviderError, match="503"):
        await mollie().create_payout(
            destination=SOME_ORGANIZATION, amount_minor=2500, currency="EUR", idempotency_key="w:4"
        )
    fake_mollie.fail_next(500)
    with pytest.raises(ProviderError, match="500"):
        await new_payment()
    wrong_key = MollieProvider("test_wrongkeywrongkeywrongkey00", fake_mollie.base_url)
    with pytest.raises(ProviderError, match="401"):
        await wrong_key.create_payout(
            destination=SOME_ORGANIZATION, amount_minor=2500, currency="EUR", idempotency_key="w:5"
        )


async def test_an_unreachable_mollie_is_a_provider_error() -> None:
    nowhere = MollieProvider("test_reelbytefakemollie0000000000", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ProviderError, match="Unable to communicate"):
        await nowhere.get_payment("tr_anything")
    with pytest.raises(ProviderError):
        await nowhere.create_payout(
            destination=SOME_ORGANIZATION, amount_minor=2500, currency="EUR", idempotency_key="w:6"
        )


# --- through the API with PAYMENT_PROVIDER=mollie -----------------------------------------


async def test_checkout_then_mollie_webhook_starts_the_order(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    _, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    assert payment["provider"] == "mollie"
    assert payment["status"] == "open"
    assert payment["checkout_url"].startswith("https://www.mollie.com/checkout/")
    mollie_id = await provider_payment_id(payment)
    sent = use_mollie.payments[mollie_id]
    assert sent["amount"] == {"currency": "EUR", "value": "50.00"}
    assert sent["webhookUrl"] == "http://testserver/v1/payments/webhook"
    assert sent["redirectUrl"] == f"http://testserver/payments/return/{payment['payment_id']}"

    # Mollie calls the webhook before anything happened: nothing changes.
    response = await client.post("/v1/payments/webhook", data={"id": mollie_id})
    assert response.json() == {"status": "open"}
    assert await order_status(client, client_headers, order) == "pending_payment"

    use_mollie.set_status(mollie_id, "paid")
    for _ in range(2):  # Mollie may call more than once: the money moves once
        response = await client.post("/v1/payments/webhook", data={"id": mollie_id})
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "paid"}
    assert await order_status(client, client_headers, order) == "in_progress"
    assert await payment_transfers(payment) == 1
    assert await clearing_balance("mollie") == -5000
    assert (await balance(client, creator_headers))["pending"] == "42.50"


async def test_the_mollie_webhook_with_an_unknown_id_is_404(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    response = await client.post("/v1/payments/webhook", data={"id": "tr_unknown"})
    assert response.status_code == 404
    assert response.json()["error"] == "payment_not_found"
    assert use_mollie.requests == []  # not even asked: the id is not one of ours


async def test_the_mollie_webhook_answers_503_while_mollie_is_down(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    mollie_id = await provider_payment_id(payment)
    use_mollie.set_status(mollie_id, "paid")
    use_mollie.fail_next(503)
    response = await client.post("/v1/payments/webhook", data={"id": mollie_id})
    assert response.status_code == 503  # Mollie retries the webhook later
    assert response.json()["error"] == "provider_unavailable"
    assert await order_status(client, client_headers, order) == "pending_payment"
    response = await client.post("/v1/payments/webhook", data={"id": mollie_id})
    assert response.json() == {"status": "paid"}
    assert await order_status(client, client_headers, order) == "in_progress"


async def test_an_expired_mollie_payment_leaves_the_order_unpaid(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    _, _, client_headers, order, payment = await order_and_checkout(client)
    mollie_id = await provider_payment_id(payment)
    use_mollie.set_status(mollie_id, "expired")
    response = await client.post("/v1/payments/webhook", data={"id": mollie_id})
    assert response.json() == {"status": "expired"}
    assert await order_status(client, client_headers, order) == "pending_payment"
    again = await client.post("/v1/payments/checkout", json={"order_id": order["id"]}, headers=client_headers)
    assert again.status_code == 201
    assert again.json()["payment_id"] != payment["payment_id"]
    assert len(use_mollie.payments) == 2


async def test_withdrawal_is_paid_out_by_a_balance_transfer(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator, creator_headers, client_headers, order, payment = await order_and_checkout(client, 10000)
    mollie_id = await provider_payment_id(payment)
    use_mollie.set_status(mollie_id, "paid")
    await client.post("/v1/payments/webhook", data={"id": mollie_id})
    await complete_order(client, creator_headers, client_headers, order)
    await payout_ready(creator["id"], "mollie")
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
    [transfer] = use_mollie.transfers.values()
    assert withdrawal.provider_payout_id == transfer["id"]
    assert transfer["amount"] == {"currency": "EUR", "value": "85.00"}
    assert transfer["destination"]["id"] == payout_account_for(creator["id"], "mollie")
    assert ("POST", "/v2/connect/balance-transfers", f"withdrawal:{withdrawal.id}") in use_mollie.requests


async def test_a_refused_balance_transfer_gives_the_money_back(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    mollie_id = await provider_payment_id(payment)
    use_mollie.set_status(mollie_id, "paid")
    await client.post("/v1/payments/webhook", data={"id": mollie_id})
    await complete_order(client, creator_headers, client_headers, order)
    await payout_ready(creator["id"], "mollie")
    use_mollie.refuse_organization(payout_account_for(creator["id"], "mollie"))
    await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "40.00"}},
        headers=creator_headers,
    )
    await run_jobs()
    [withdrawal] = await withdrawals()
    assert withdrawal.status is WithdrawalStatus.FAILED
    assert withdrawal.failure_reason is not None
    assert "not authorized" in withdrawal.failure_reason
    assert await balance(client, creator_headers) == {
        "available": "42.50",
        "pending": "0.00",
        "in_transit": "0.00",
    }


async def test_a_cancelled_order_is_refunded_through_mollie(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    _, creator_headers, client_headers, order, payment = await order_and_checkout(client)
    mollie_id = await provider_payment_id(payment)
    use_mollie.set_status(mollie_id, "paid")
    await client.post("/v1/payments/webhook", data={"id": mollie_id})
    await cancel_paid_order(client, creator_headers, client_headers, order)
    await run_jobs()
    [refund] = use_mollie.refunds.values()
    assert refund["paymentId"] == mollie_id
    assert refund["amount"] == {"currency": "EUR", "value": "50.00"}
    assert use_mollie.payments[mollie_id]["amountRemaining"]["value"] == "0.00"
    assert await clearing_balance("mollie") == 0
