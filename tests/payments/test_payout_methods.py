"""Payout methods: onboarding with each provider (verified only on the provider's say-so), the
default, deleting, and withdrawals that need a verified method of one's own; payout fees."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from reelbyte.core.config import PayoutFee, Settings, get_settings
from reelbyte.core.db import get_database, transaction
from reelbyte.core.money import percentage_of
from reelbyte.payments import ledger_check
from reelbyte.payments.models import LedgerAccount, PayoutMethod, PayoutProvider, SandboxPayout, Withdrawal
from reelbyte.payments.payout_methods import payout_fee
from tests.conftest import Mailbox, link_in, run_jobs
from tests.factories import (
    Headers,
    balance_of,
    can_withdraw,
    eur,
    get_row,
    make_paid_order,
    payout_ready,
    seller_and_buyer,
    signed_up,
    verified_payout_method,
)
from tests.payments.fakes.mollie_server import FakeMollie
from tests.payments.fakes.notices import deliver_stripe
from tests.payments.fakes.stripe_server import FakeStripe

METHODS = "/v1/payments/me/payout-methods"
WITHDRAW = "/v1/payments/me/withdraw"
QUOTE = "/v1/payments/me/withdrawals/quote"


async def creator_with_earnings(client: httpx.AsyncClient) -> Headers:
    """A creator whose approved order left 85.00 available (and no payout method)."""
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=10000)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers)
    approved = await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    assert approved.status_code == 200, approved.text
    return creator_headers


async def add(client: httpx.AsyncClient, who: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post(METHODS, json=body, headers=who)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def methods_of(client: httpx.AsyncClient, who: Headers) -> list[dict[str, Any]]:
    response = await client.get(METHODS, headers=who)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def assert_ledger_clean() -> None:
    async with get_database().sessions() as session:
        assert await ledger_check.check(session) == []


# --- sandbox ------------------------------------------------------------------------------


async def test_sandbox_onboarding_page_decides_the_status(client: httpx.AsyncClient) -> None:
    _, creator = await signed_up(client, "creator")
    added = await add(client, creator, provider="sandbox")
    method, url = added["method"], added["onboarding_url"]
    assert (method["status"], method["is_default"], method["provider"]) == ("pending", True, "sandbox")
    page = await client.get(path_of(url))
    assert page.status_code == 200
    assert all(f'value="{action}"' in page.text for action in ("approve", "need_info", "reject"))

    asked = await client.post(path_of(url), data={"action": "need_info"})
    assert asked.status_code == 303
    assert (await methods_of(client, creator))[0]["status"] == "needs_info"

    fresh = await client.post(f"{METHODS}/{method['id']}/onboarding", headers=creator)
    assert fresh.status_code == 200, fresh.text
    new_url = fresh.json()["onboarding_url"]
    assert new_url != url
    stale = await client.post(path_of(url), data={"action": "approve"})  # the older link is void
    assert stale.status_code == 404
    assert (await methods_of(client, creator))[0]["status"] == "needs_info"
    assert (await client.post(path_of(new_url), data={"action": "approve"})).status_code == 303
    [verified] = await methods_of(client, creator)
    assert verified["status"] == "verified"
    assert verified["verified_at"] is not None
    again = await client.post(f"{METHODS}/{method['id']}/onboarding", headers=creator)
    assert (again.status_code, again.json()["error"]) == (409, "onboarding_not_needed")

    rejected = await add(client, creator, provider="sandbox")
    await client.post(path_of(rejected["onboarding_url"]), data={"action": "reject"})
    statuses = {m["id"]: m["status"] for m in await methods_of(client, creator)}
    assert statuses == {method["id"]: "verified", rejected["method"]["id"]: "rejected"}
    assert (await client.get("/sandbox/onboarding/not-a-token")).status_code == 404
    bad_action = await client.post(path_of(new_url), data={"action": "steal"})
    assert bad_action.status_code == 422


async def test_only_the_owner_reaches_a_method(client: httpx.AsyncClient) -> None:
    _, owner = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "creator")
    _, buyer = await signed_up(client, "client")
    method = (await add(client, owner, provider="sandbox"))["method"]
    for path in (f"{METHODS}/{method['id']}/onboarding", f"{METHODS}/{method['id']}/default"):
        response = await client.post(path, headers=stranger)
        assert (response.status_code, response.json()["error"]) == (404, "payout_method_not_found")
    assert (await client.delete(f"{METHODS}/{method['id']}", headers=stranger)).status_code == 404
    assert await methods_of(client, stranger) == []
    assert (await client.get(METHODS, headers=buyer)).status_code == 403
    assert (await client.post(METHODS, json={"provider": "sandbox"}, headers=buyer)).status_code == 403
    assert [m["id"] for m in await methods_of(client, owner)] == [method["id"]]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"provider": "bank"}, 422),
        ({"provider": "paypal"}, 400),
        ({"provider": "paypal", "paypal_email": "not-an-address"}, 400),
        ({"provider": "sandbox", "paypal_email": "me@example.com"}, 400),
        ({"provider": "venmo", "venmo_handle": "creator-1"}, 400),  # the platform pays in EUR
        ({"provider": "stripe", "country": "Netherlands"}, 422),
        ({"provider": "sandbox", "extra": 1}, 422),
    ],
)
async def test_bad_methods_are_refused(client: httpx.AsyncClient, body: dict[str, Any], status: int) -> None:
    _, creator = await signed_up(client, "creator")
    response = await client.post(METHODS, json=body, headers=creator)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message", "details"}
    assert await methods_of(client, creator) == []


# --- default and delete -------------------------------------------------------------------


async def test_default_switching_and_delete_rules(client: httpx.AsyncClient) -> None:
    creator = await creator_with_earnings(client)
    first = await can_withdraw(client, creator)
    second = await can_withdraw(client, creator)
    listed = await methods_of(client, creator)
    assert [(m["id"], m["is_default"]) for m in listed] == [(str(first.id), True), (str(second.id), False)]

    switched = await client.post(f"{METHODS}/{second.id}/default", headers=creator)
    assert switched.status_code == 200
    assert switched.json()["is_default"] is True
    assert [(m["id"], m["is_default"]) for m in await methods_of(client, creator)] == [
        (str(second.id), True),
        (str(first.id), False),
    ]
    withdrawal = await client.post(WITHDRAW, json={"amount": eur("30.00")}, headers=creator)
    assert withdrawal.status_code == 201, withdrawal.text
    assert withdrawal.json()["payout_method_id"] == str(second.id)  # the default

    in_flight = await client.delete(f"{METHODS}/{second.id}", headers=creator)
    assert (in_flight.status_code, in_flight.json()["error"]) == (409, "payout_method_in_use")
    await run_jobs()
    assert (await client.delete(f"{METHODS}/{second.id}", headers=creator)).status_code == 204
    [left] = await methods_of(client, creator)
    assert (left["id"], left["is_default"]) == (str(first.id), True)  # took over as the default
    row = await get_row(Withdrawal, withdrawal.json()["id"])
    assert row is not None
    assert row.payout_method_id == second.id
    assert (await client.post(f"{METHODS}/{second.id}/default", headers=creator)).status_code == 404
    gone = await client.post(
        WITHDRAW, json={"amount": eur("20.00"), "payout_method_id": str(second.id)}, headers=creator
    )
    assert gone.status_code == 404
    await assert_ledger_clean()


# --- withdrawals need a verified method of one's own --------------------------------------


async def test_withdrawals_need_a_verified_method_of_ones_own(client: httpx.AsyncClient) -> None:
    creator = await creator_with_earnings(client)
    other = await creator_with_earnings(client)
    theirs = await can_withdraw(client, other)
    none_yet = await client.post(WITHDRAW, json={"amount": eur("20.00")}, headers=creator)
    assert (none_yet.status_code, none_yet.json()["error"]) == (409, "payout_method_required")

    pending = (await add(client, creator, provider="sandbox"))["method"]
    still_none = await client.post(WITHDRAW, json={"amount": eur("20.00")}, headers=creator)
    assert (still_none.status_code, still_none.json()["error"]) == (409, "payout_method_required")
    named = await client.post(
        WITHDRAW, json={"amount": eur("20.00"), "payout_method_id": pending["id"]}, headers=creator
    )
    assert (named.status_code, named.json()["error"]) == (409, "payout_method_not_verified")
    stolen = await client.post(
        WITHDRAW, json={"amount": eur("20.00"), "payout_method_id": str(theirs.id)}, headers=creator
    )
    assert (stolen.status_code, stolen.json()["error"]) == (404, "payout_method_not_found")
    quote = await client.get(QUOTE, params={"amount": "20.00", "currency": "EUR"}, headers=creator)
    assert (quote.status_code, quote.json()["error"]) == (409, "payout_method_required")
    assert await balance_of(client, creator) == {
        "available": "85.00",
        "pending": "0.00",
        "in_transit": "0.00",
    }
    assert await get_row_count_of_withdrawals() == 0

    mine = await payout_ready(await user_id(client, creator))  # verified, and now the default
    paid = await client.post(WITHDRAW, json={"amount": eur("20.00")}, headers=creator)
    assert paid.status_code == 201, paid.text
    assert paid.json()["payout_method_id"] == str(mine.id)
    await run_jobs()
    async with get_database().sessions() as session:
        payout = await session.scalar(
            select(SandboxPayout).where(SandboxPayout.idempotency_key == f"withdrawal:{paid.json()['id']}")
        )
    assert payout is not None
    assert (payout.destination, payout.amount_minor) == (
        mine.provider_account_id,
        2000,
    )
    await assert_ledger_clean()


async def user_id(client: httpx.AsyncClient, who: Headers) -> str:
    return str((await client.get("/v1/users/me", headers=who)).json()["id"])


async def get_row_count_of_withdrawals() -> int:
    async with get_database().sessions() as session:
        return len(list(await session.scalars(select(Withdrawal.id))))


# --- payout fees --------------------------------------------------------------------------


async def test_the_quoted_fee_is_the_fee_recorded(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fees = {"sandbox": PayoutFee(percent=Decimal("2"), fixed=Decimal("0.25"), max=Decimal("1.50"))}
    monkeypatch.setattr(settings, "payout_fees", fees)
    creator = await creator_with_earnings(client)
    await can_withdraw(client, creator)
    async with get_database().sessions() as session:
        fees_before = await session.scalar(
            select(LedgerAccount.balance_minor).where(LedgerAccount.key == "platform:payout_fees:EUR")
        )
    quote = await client.get(QUOTE, params={"amount": "50.00", "currency": "EUR"}, headers=creator)
    assert quote.status_code == 200, quote.text
    assert (quote.json()["fee"], quote.json()["net"]) == (eur("1.25"), eur("48.75"))  # 2 % + 0.25
    capped = await client.get(QUOTE, params={"amount": "80.00", "currency": "EUR"}, headers=creator)
    assert capped.json()["fee"] == eur("1.50")  # 1.60 + 0.25, at most 1.50

    withdrawal = await client.post(WITHDRAW, json={"amount": eur("50.00")}, headers=creator)
    assert withdrawal.status_code == 201, withdrawal.text
    assert withdrawal.json()["fee"] == quote.json()["fee"]
    await run_jobs()
    async with get_database().sessions() as session:
        payout = await session.scalar(
            select(SandboxPayout).where(
                SandboxPayout.idempotency_key == f"withdrawal:{withdrawal.json()['id']}"
            )
        )
        fees_after = await session.scalar(
            select(LedgerAccount.balance_minor).where(LedgerAccount.key == "platform:payout_fees:EUR")
        )
    assert payout is not None
    assert payout.amount_minor == 4875
    assert (fees_after or 0) - (fees_before or 0) == 125
    history = (await client.get("/v1/payments/me/transactions", headers=creator)).json()["items"]
    assert [(r["type"], r["amount"]["value"]) for r in history if r["account"] == "in_transit"][:1] == [
        ("payout", "-50.00")
    ]
    await assert_ledger_clean()


async def test_bad_quotes_and_fees_larger_than_the_amount(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "payout_fees", {"sandbox": PayoutFee(fixed=Decimal("30.00"))})
    creator = await creator_with_earnings(client)
    await can_withdraw(client, creator)
    for params, status in (
        ({"amount": "25.00", "currency": "EUR"}, 400),  # the fee would eat it all
        ({"amount": "10.00", "currency": "EUR"}, 400),  # below MINIMUM_PAYOUT
        ({"amount": "25.00", "currency": "USD"}, 400),
        ({"amount": "-5", "currency": "EUR"}, 422),
        ({"amount": "25.00", "currency": "EUR", "payout_method_id": "nope"}, 422),
    ):
        response = await client.get(QUOTE, params=params, headers=creator)
        assert response.status_code == status, (params, response.text)
    refused = await client.post(WITHDRAW, json={"amount": eur("25.00")}, headers=creator)
    assert (refused.status_code, refused.json()["error"]) == (400, "amount_below_payout_fee")
    assert (await balance_of(client, creator))["available"] == "85.00"


def test_a_negative_payout_fee_refuses_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("PAYOUT_FEES", json.dumps({"paypal": {"percent": "-1"}}))
    with pytest.raises(ValidationError, match="payout_fees"):
        Settings()
    monkeypatch.setenv("PAYOUT_FEES", json.dumps({"bank": {"fixed": "1.00"}}))
    with pytest.raises(ValidationError, match="unknown providers"):
        Settings()


# --- Stripe Connect -----------------------------------------------------------------------


async def test_stripe_connect_onboarding(client: httpx.AsyncClient, fake_stripe: FakeStripe) -> None:
    creator = await creator_with_earnings(client)
    added = await add(client, creator, provider="stripe", country="nl")
    method = added["method"]
    [account] = fake_stripe.accounts.values()
    assert (account["type"], account["country"], account["capabilities"]) == (
        "express",
        "NL",
        {"transfers": "inactive"},
    )
    [link] = fake_stripe.account_links
    assert added["onboarding_url"] == link["url"]
    assert link["_params"]["type"] == "account_onboarding"
    assert link["_params"]["return_url"].endswith(f"/settings/payouts?method={method['id']}")
    assert method["status"] == "pending"

    # An event that claims more than Stripe knows changes nothing: the account is read back.
    lying = fake_stripe.event("account.updated", {**account, "payouts_enabled": True, "requirements": {}})
    assert (await deliver_stripe(client, lying)).json() == {"status": "pending"}
    assert (await deliver_stripe(client, fake_stripe.onboard(account["id"], "needs_info"))).json() == {
        "status": "needs_info"
    }
    fresh = await client.post(f"{METHODS}/{method['id']}/onboarding", headers=creator)
    assert fresh.status_code == 200
    assert len(fake_stripe.accounts) == 1
    assert fresh.json()["onboarding_url"] == fake_stripe.account_links[-1]["url"]
    refused = await client.post(WITHDRAW, json={"amount": eur("20.00")}, headers=creator)
    assert refused.json()["error"] == "payout_method_required"

    assert (await deliver_stripe(client, fake_stripe.onboard(account["id"]))).json() == {"status": "verified"}
    theirs = fake_stripe.event("account.updated", {"id": "acct_notours0000", "object": "account"})
    assert (await deliver_stripe(client, theirs)).json() == {"status": "ignored"}

    withdrawal = await client.post(WITHDRAW, json={"amount": eur("40.00")}, headers=creator)
    assert withdrawal.status_code == 201, withdrawal.text
    await run_jobs()
    [transfer] = fake_stripe.transfers.values()
    assert (transfer["destination"], transfer["amount"]) == (account["id"], 4000)
    assert (await get_row(Withdrawal, withdrawal.json()["id"])).status.value == "paid"  # type: ignore[union-attr]
    rejected = await add(client, creator, provider="stripe")
    other_account = next(a for a in fake_stripe.accounts.values() if a["id"] != account["id"])
    assert rejected["method"]["country"] is None
    assert (await deliver_stripe(client, fake_stripe.onboard(other_account["id"], "rejected"))).json() == {
        "status": "rejected"
    }


async def test_stripe_down_while_adding_changes_nothing(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    _, creator = await signed_up(client, "creator")
    fake_stripe.fail_next(500, times=3)
    response = await client.post(METHODS, json={"provider": "stripe"}, headers=creator)
    assert (response.status_code, response.json()["error"]) == (503, "provider_unavailable")
    assert await methods_of(client, creator) == []


# --- Mollie Connect -----------------------------------------------------------------------


@pytest.fixture
def mollie_connect(
    fake_mollie: FakeMollie, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> FakeMollie:
    monkeypatch.setattr(settings, "mollie_client_id", fake_mollie.client_id)
    monkeypatch.setattr(settings, "mollie_client_secret", fake_mollie.client_secret)
    monkeypatch.setattr(settings, "mollie_oauth_endpoint", fake_mollie.base_url)
    return fake_mollie


async def consent_at_mollie(onboarding_url: str) -> str:
    """The creator's browser at Mollie's consent screen: where Mollie sends it back (our path)."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(onboarding_url)
    assert response.status_code == 302, response.text
    return path_of(response.headers["location"])


async def test_mollie_connect_onboarding(client: httpx.AsyncClient, mollie_connect: FakeMollie) -> None:
    creator = await creator_with_earnings(client)
    added = await add(client, creator, provider="mollie")
    query = parse_qs(urlsplit(added["onboarding_url"]).query)
    assert query["client_id"] == [mollie_connect.client_id]
    assert query["redirect_uri"][0].endswith("/v1/payments/payout-methods/mollie/callback")
    callback = await consent_at_mollie(added["onboarding_url"])

    tampered = callback.replace("state=", "state=x")
    assert (await client.get(tampered)).status_code == 400
    back = await client.get(callback)
    assert back.status_code == 303, back.text
    assert back.headers["location"] == f"/settings/payouts?method={added['method']['id']}"
    [method] = await methods_of(client, creator)
    [organization] = mollie_connect.organizations.values()
    assert (method["status"], method["label"]) == ("verified", f"Mollie {organization['name']}")
    replayed = await client.get(callback)  # the state is used up
    assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_onboarding_link")

    withdrawal = await client.post(WITHDRAW, json={"amount": eur("25.00")}, headers=creator)
    assert withdrawal.status_code == 201, withdrawal.text
    await run_jobs()
    [transfer] = mollie_connect.transfers.values()
    assert (transfer["destination"]["type"], transfer["destination"]["id"]) == (
        "organization",
        organization["id"],
    )
    await assert_ledger_clean()


async def test_mollie_onboarding_that_needs_data(
    client: httpx.AsyncClient, mollie_connect: FakeMollie
) -> None:
    _, creator = await signed_up(client, "creator")
    mollie_connect.next_onboarding = "needs-data"
    added = await add(client, creator, provider="mollie")
    assert (await client.get(await consent_at_mollie(added["onboarding_url"]))).status_code == 303
    [method] = await methods_of(client, creator)
    assert method["status"] == "needs_info"
    organization_id = next(iter(mollie_connect.organizations))
    mollie_connect.set_onboarding(organization_id, "completed")
    again = await client.post(f"{METHODS}/{method['id']}/onboarding", headers=creator)
    assert again.status_code == 200
    mollie_connect.returning = organization_id  # connecting again: the same organisation, now done
    assert (await client.get(await consent_at_mollie(again.json()["onboarding_url"]))).status_code == 303
    assert (await methods_of(client, creator))[0]["status"] == "verified"
    mollie_connect.returning = None
    declined = await add(client, creator, provider="mollie")
    state = parse_qs(urlsplit(declined["onboarding_url"]).query)["state"][0]
    no = await client.get(
        "/v1/payments/payout-methods/mollie/callback", params={"state": state, "error": "access_denied"}
    )
    assert no.status_code == 303
    assert "error=access_denied" in no.headers["location"]


async def test_mollie_without_oauth_credentials_is_refused(client: httpx.AsyncClient) -> None:
    _, creator = await signed_up(client, "creator")
    response = await client.post(METHODS, json={"provider": "mollie"}, headers=creator)
    assert (response.status_code, response.json()["error"]) == (409, "payout_provider_not_configured")
    assert await methods_of(client, creator) == []


# --- PayPal and Venmo ---------------------------------------------------------------------


async def test_paypal_is_verified_by_the_link_sent_to_that_address(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    creator = await creator_with_earnings(client)
    added = await add(client, creator, provider="paypal", paypal_email="Payee.Person@Example.com")
    method = added["method"]
    assert added["onboarding_url"] is None
    assert (method["status"], method["label"]) == ("pending", "PayPal p***@example.com")
    await run_jobs()
    [mail] = mailbox.to("payee.person@example.com")
    link = link_in(mail)
    assert (
        await client.post("/v1/payments/payout-methods/confirm", json={"token": "x.y.z.w"})
    ).status_code == 400
    page = await client.get(path_of(link))
    assert page.status_code == 200, page.text
    [confirmed] = await methods_of(client, creator)
    assert confirmed["status"] == "verified"
    # PayPal payouts are not configured here: refused before any money moves.
    refused = await client.post(WITHDRAW, json={"amount": eur("20.00")}, headers=creator)
    assert (refused.status_code, refused.json()["error"]) == (409, "payout_provider_not_configured")
    assert (await balance_of(client, creator))["available"] == "85.00"


async def test_venmo_needs_usd_and_a_good_handle(
    client: httpx.AsyncClient, mailbox: Mailbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, creator = await signed_up(client, "creator")
    in_eur = await client.post(
        METHODS, json={"provider": "venmo", "venmo_handle": "@film-maker"}, headers=creator
    )
    assert (in_eur.status_code, in_eur.json()["error"]) == (400, "invalid_payout_method")
    monkeypatch.setattr(settings, "default_currency", "USD")
    for handle in ("ab", "has space", "émile-film"):
        response = await client.post(
            METHODS, json={"provider": "venmo", "venmo_handle": handle}, headers=creator
        )
        assert response.status_code in (400, 422), handle
    abroad = await client.post(
        METHODS, json={"provider": "venmo", "venmo_handle": "film-maker", "country": "NL"}, headers=creator
    )
    assert abroad.status_code == 400
    added = await add(client, creator, provider="venmo", venmo_handle="@film-maker")
    assert (added["method"]["country"], added["method"]["label"]) == ("US", "Venmo @fi…er")
    await run_jobs()
    confirmation = [m for m in mailbox.to(user["email"]) if "payout method" in m["Subject"]]
    token = link_in(confirmation[-1]).split("token=")[1]
    confirmed = await client.post("/v1/payments/payout-methods/confirm", json={"token": token})
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "verified"
    async with get_database().sessions() as session:
        row = await session.get(PayoutMethod, confirmed.json()["id"])
    assert row is not None
    assert row.provider_account_id == "film-maker"


async def test_factory_methods_are_valid(client: httpx.AsyncClient) -> None:
    user, _ = await signed_up(client, "creator")
    method = await transaction(lambda session: verified_payout_method(session, user["id"], "stripe"))
    assert method.is_default
    assert method.status.value == "verified"
    assert method.provider_account_id is not None
    assert method.provider_account_id.startswith("acct_")


# --- races and properties -----------------------------------------------------------------


async def test_a_withdrawal_and_a_delete_at_once_one_wins(client: httpx.AsyncClient) -> None:
    creator = await creator_with_earnings(client)
    method = await can_withdraw(client, creator)
    withdrawal, deleted = await asyncio.gather(
        client.post(WITHDRAW, json={"amount": eur("20.00")}, headers=creator),
        client.delete(f"{METHODS}/{method.id}", headers=creator),
    )
    outcomes = (withdrawal.status_code, deleted.status_code)
    # The withdrawal first (the method is in use), or the delete first (the method is gone,
    # however far the withdrawal had looked it up).
    assert outcomes in ((201, 409), (409, 204), (404, 204)), (withdrawal.text, deleted.text)
    loser = deleted if withdrawal.status_code == 201 else withdrawal
    codes = ("payout_method_in_use", "payout_method_required", "payout_method_not_found")
    assert loser.json()["error"] in codes
    expected_available = "65.00" if withdrawal.status_code == 201 else "85.00"
    assert (await balance_of(client, creator))["available"] == expected_available
    await run_jobs()
    await assert_ledger_clean()


async def test_methods_added_at_once_leave_one_default(client: httpx.AsyncClient) -> None:
    _, creator = await signed_up(client, "creator")
    responses = await asyncio.gather(
        *(client.post(METHODS, json={"provider": "sandbox"}, headers=creator) for _ in range(5))
    )
    assert [r.status_code for r in responses] == [201] * 5
    assert sum(m["is_default"] for m in await methods_of(client, creator)) == 1


@given(
    amount=st.integers(1, 10**9),
    percent=st.decimals(0, 99, places=2),
    fixed=st.decimals(0, 100, places=2),
    cap=st.none() | st.decimals(0, 100, places=2),
)
def test_a_payout_fee_is_never_negative_nor_above_the_amount(
    amount: int, percent: Decimal, fixed: Decimal, cap: Decimal | None
) -> None:
    settings = get_settings()
    fee_table = {"paypal": PayoutFee(percent=percent, fixed=fixed, max=cap)}
    method = PayoutMethod(provider=PayoutProvider.PAYPAL)
    original = settings.payout_fees
    settings.payout_fees = fee_table
    try:
        fee = payout_fee(method, amount)
    finally:
        settings.payout_fees = original
    assert 0 <= fee <= amount
    if cap is not None:
        assert fee <= int(cap * 100)
    uncapped = percentage_of(amount, percent) + int(fixed * 100)
    assert fee == min(uncapped, amount, int(cap * 100) if cap is not None else uncapped)
