"""Subscriptions with PAYMENT_PROVIDER=stripe, through the official `stripe` client against the
local Stripe API (tests/payments/fakes): the customer made after sign-up, Checkout in subscription
mode, the signed webhooks that start, renew, fail and end a subscription (verified, duplicated,
out of order, racing the subscriber), the Billing portal, and the changes the app tells Stripe."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from reelbyte.billing import subscriptions
from reelbyte.billing.jobs import create_customer, run_renewals
from reelbyte.billing.models import Subscription, SubscriptionStatus
from reelbyte.core.config import Settings, get_settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.identity.models import User
from tests.billing.subscribing import (
    count_subscriptions,
    my_subscription,
    open_portal,
    set_subscription,
    start_checkout,
    the_subscription,
)
from tests.conftest import Mailbox, run_jobs
from tests.factories import Actor, actor, get_row, notification_types
from tests.payments.fakes import fixtures
from tests.payments.fakes.notices import deliver_stripe, sign
from tests.payments.fakes.stripe_server import FakeStripe

S = SubscriptionStatus

# The local Stripe API's fixtures, found by name (use_stripe: PAYMENT_PROVIDER=stripe).
stripe_server, fake_stripe, use_stripe = fixtures.stripe_server, fixtures.fake_stripe, fixtures.use_stripe


def at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def session_id_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def period_of(stripe_subscription: dict[str, Any]) -> tuple[datetime, datetime]:
    item = stripe_subscription["items"]["data"][0]
    return at(item["current_period_start"]), at(item["current_period_end"])


async def customer_of(user_id: str) -> str | None:
    user = await get_row(User, user_id)
    assert user is not None
    return user.billing_customer_id


async def checkout_paid(
    client: httpx.AsyncClient, fake: FakeStripe, who: Actor, plan: str = "pro"
) -> dict[str, Any]:
    """Check out, pay at Stripe, and deliver `checkout.session.completed`: the Stripe subscription."""
    session_id = session_id_of(await start_checkout(client, who, plan))
    remote = fake.complete_subscription(session_id)
    response = await deliver_stripe(
        client, fake.event("checkout.session.completed", fake.sessions[session_id])
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "active"}
    return remote


async def deliver_ok(client: httpx.AsyncClient, payload: bytes) -> str:
    response = await deliver_stripe(client, payload)
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


# --- the customer -------------------------------------------------------------------------


async def test_sign_up_makes_one_stripe_customer_in_a_job(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    assert await customer_of(creator.id) is None  # the job runs after the sign-up commits

    await run_jobs()

    customer_id = await customer_of(creator.id)
    assert customer_id is not None
    assert customer_id.startswith("cus_")
    (customer,) = use_stripe.customers.values()
    assert (customer["id"], customer["email"]) == (customer_id, creator.email)
    assert customer["metadata"] == {"user_id": creator.id}
    await asyncio.gather(create_customer(creator.id), create_customer(creator.id))  # again, twice at once
    assert await customer_of(creator.id) == customer_id
    assert len(use_stripe.customers) == 1


async def test_with_the_sandbox_sign_up_makes_no_customer(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    await run_jobs()
    assert await customer_of(creator.id) is None
    assert fake_stripe.customers == {}


# --- checkout -----------------------------------------------------------------------------


async def test_checkout_in_subscription_mode_then_the_paid_webhook_starts_it_with_stripes_period(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)  # its customer job has not run: the checkout makes the customer
    url = await start_checkout(client, creator, "pro")

    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    session = use_stripe.sessions[session_id_of(url)]
    ours = await the_subscription(creator.id)
    assert (session["mode"], session["client_reference_id"]) == ("subscription", str(ours.id))
    assert session["customer"] == await customer_of(creator.id)
    assert session["metadata"] == {"subscription_id": str(ours.id), "plan": "pro"}
    assert session["_subscription_metadata"] == {"subscription_id": str(ours.id), "plan": "pro"}
    (item,) = session["_line_items"]
    assert item["price_data"] == {
        "currency": "eur",
        "unit_amount": "999",
        "product": "reelbyte_plan_pro",
        "recurring": {"interval": "month"},
    }
    assert use_stripe.products["reelbyte_plan_pro"]["name"] == "ReelByte Pro"
    assert (await my_subscription(client, creator))["status"] == "incomplete"

    remote = use_stripe.complete_subscription(session_id_of(url))
    status = await deliver_ok(client, use_stripe.event("checkout.session.completed", session))

    assert status == "active"
    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"], mine["cancel_at_period_end"]) == ("active", "pro", False)
    start, end = period_of(remote)
    assert (
        datetime.fromisoformat(mine["current_period_start"]),
        datetime.fromisoformat(mine["current_period_end"]),
    ) == (
        start,
        end,
    )
    row = await the_subscription(creator.id)
    assert row.provider_subscription_id == remote["id"]
    await run_jobs()
    assert len(use_stripe.customers) == 1  # the sign-up's job found the checkout's customer


async def test_the_subscription_created_event_may_come_first(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    session_id = session_id_of(await start_checkout(client, creator))
    remote = use_stripe.complete_subscription(session_id)

    assert await deliver_ok(client, use_stripe.event("customer.subscription.created", remote)) == "active"
    started = await the_subscription(creator.id)
    assert (
        await deliver_ok(
            client, use_stripe.event("checkout.session.completed", use_stripe.sessions[session_id])
        )
        == "active"
    )
    assert (
        await deliver_ok(
            client, use_stripe.event("invoice.paid", use_stripe.invoices[remote["latest_invoice"]])
        )
        == "active"
    )

    after = await the_subscription(creator.id)
    assert (after.status, after.current_period_end, after.provider_subscription_id) == (
        S.ACTIVE,
        started.current_period_end,
        remote["id"],
    )
    assert await count_subscriptions() == 1


async def test_an_expired_checkout_is_dropped_and_a_new_one_opens(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    first = await start_checkout(client, creator)
    use_stripe.expire(session_id_of(first))

    status = await deliver_ok(
        client, use_stripe.event("checkout.session.expired", use_stripe.sessions[session_id_of(first)])
    )

    assert status == "incomplete"
    assert (await the_subscription(creator.id)).provider_checkout_id is None
    again = await start_checkout(client, creator)
    assert again != first
    await checkout_paid_for(client, use_stripe, again)
    assert (await my_subscription(client, creator))["status"] == "active"


async def checkout_paid_for(client: httpx.AsyncClient, fake: FakeStripe, url: str) -> dict[str, Any]:
    remote = fake.complete_subscription(session_id_of(url))
    await deliver_ok(client, fake.event("checkout.session.completed", fake.sessions[session_id_of(url)]))
    return remote


async def test_checkouts_at_once_make_one_subscription_one_session_and_one_customer(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)

    answers = await asyncio.gather(
        *(
            client.post("/v1/billing/checkout", json={"plan": "pro"}, headers=creator.headers)
            for _ in range(5)
        )
    )

    assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
    assert len({answer.json()["checkout_url"] for answer in answers}) == 1
    assert await count_subscriptions() == 1
    assert len(use_stripe.sessions) == 1
    assert len(use_stripe.customers) == 1


async def test_while_stripe_is_down_checkout_is_503_and_the_webhook_asks_again(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    await run_jobs()
    use_stripe.fail_next(503)  # with Stripe-Should-Retry: false, the client does not retry
    refused = await client.post("/v1/billing/checkout", json={"plan": "pro"}, headers=creator.headers)
    assert (refused.status_code, refused.json()["error"]) == (503, "provider_unavailable")

    session_id = session_id_of(await start_checkout(client, creator))
    use_stripe.complete_subscription(session_id)
    payload = use_stripe.event("checkout.session.completed", use_stripe.sessions[session_id])
    use_stripe.fail_next(503)
    response = await deliver_stripe(client, payload)
    assert (response.status_code, response.json()["error"]) == (503, "provider_unavailable")
    assert (await the_subscription(creator.id)).status is S.INCOMPLETE
    assert await deliver_ok(client, payload) == "active"


# --- signatures, strangers, duplicates, order ----------------------------------------------


async def test_a_badly_signed_event_is_400_and_changes_nothing(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    session_id = session_id_of(await start_checkout(client, creator))
    use_stripe.complete_subscription(session_id)
    payload = use_stripe.event("checkout.session.completed", use_stripe.sessions[session_id])

    for signature in (
        sign(payload, secret="whsec_not_ours"),
        sign(payload, timestamp=int(time.time()) - 600),
        "v1=nope",
    ):
        response = await deliver_stripe(client, payload, signature)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_signature")

    assert (await the_subscription(creator.id)).status is S.INCOMPLETE
    assert (await my_subscription(client, creator))["plan"]["code"] == "free"


async def test_events_about_subscriptions_that_are_not_ours_are_acknowledged_and_ignored(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    ours = await checkout_paid(client, use_stripe, creator)
    stranger = json.loads(json.dumps(ours))
    stranger["metadata"] = {"subscription_id": str(uuid.uuid4())}
    stranger["id"] = "sub_someone_elses"
    use_stripe.subscriptions["sub_someone_elses"] = stranger
    requests_before = len(use_stripe.requests)

    unknown = {"id": "sub_nowhere", "object": "subscription", "status": "canceled"}
    for payload in (
        use_stripe.event("customer.subscription.updated", unknown),
        use_stripe.event("customer.subscription.deleted", stranger),
        use_stripe.event("invoice.paid", {"id": "in_nowhere", "object": "invoice"}),
        use_stripe.event(
            "checkout.session.completed",
            {"id": "cs_test_nowhere", "object": "checkout.session", "mode": "subscription"},
        ),
    ):
        assert await deliver_ok(client, payload) == "ignored"

    assert len(use_stripe.requests) > requests_before  # each was read back, not believed
    assert (await the_subscription(creator.id)).status is S.ACTIVE


async def test_a_duplicate_event_changes_nothing(client: httpx.AsyncClient, use_stripe: FakeStripe) -> None:
    creator = await actor(client)
    session_id = session_id_of(await start_checkout(client, creator))
    use_stripe.complete_subscription(session_id)
    payload = use_stripe.event("checkout.session.completed", use_stripe.sessions[session_id])

    first, second = await asyncio.gather(deliver_stripe(client, payload), deliver_stripe(client, payload))

    assert {first.json()["status"], second.json()["status"]} == {"active"}
    before = await the_subscription(creator.id)
    assert await deliver_ok(client, payload) == "active"
    after = await the_subscription(creator.id)
    assert (after.updated_at, after.current_period_end) == (before.updated_at, before.current_period_end)
    assert await count_subscriptions() == 1
    assert (await notification_types(client, creator.headers)).count("billing_renewal_failed") == 0


async def test_an_older_event_after_a_newer_one_changes_nothing_and_is_not_even_read_back(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)
    use_stripe.renew(remote["id"], paid=True)
    newer = use_stripe.event("customer.subscription.updated", remote)
    assert await deliver_ok(client, newer) == "active"
    applied = await the_subscription(creator.id)
    requests_before = len(use_stripe.requests)

    old = use_stripe.event(
        "invoice.payment_failed", {"id": "in_old", "object": "invoice"}, created=int(time.time()) - 3600
    )
    old_update = use_stripe.event("customer.subscription.updated", remote, created=int(time.time()) - 3600)
    assert await deliver_ok(client, old_update) == "active"

    assert len(use_stripe.requests) == requests_before
    after = await the_subscription(creator.id)
    assert (after.status, after.current_period_end, after.provider_updated_at) == (
        S.ACTIVE,
        applied.current_period_end,
        applied.provider_updated_at,
    )
    assert await deliver_ok(client, old) == "ignored"  # an invoice Stripe does not know


async def test_deleted_ends_it_on_free_and_an_older_updated_after_it_changes_nothing(
    client: httpx.AsyncClient, use_stripe: FakeStripe, mailbox: Mailbox
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)
    cancelled = await client.post("/v1/billing/subscription/cancel", headers=creator.headers)
    assert cancelled.status_code == 200, cancelled.text
    stale_update = use_stripe.event("customer.subscription.updated", remote, created=int(time.time()) - 5)
    use_stripe.end(remote["id"])  # the period ended: Stripe ends it and says so

    assert await deliver_ok(client, use_stripe.event("customer.subscription.deleted", remote)) == "canceled"
    assert await deliver_ok(client, stale_update) == "canceled"
    assert await deliver_ok(client, use_stripe.event("customer.subscription.updated", remote)) == "canceled"

    ended = await the_subscription(creator.id)
    assert ended.status is S.CANCELED
    assert ended.ended_at == at(use_stripe.subscriptions[remote["id"]]["ended_at"])
    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"]) == ("free", "free")
    await run_jobs()
    (mail,) = [m for m in mailbox.to(creator.email) if "has ended" in m["Subject"]]
    assert "cancelled at the end of its period" in mail.get_body(("plain",)).get_content()


# --- renewals -----------------------------------------------------------------------------


async def test_a_paid_renewal_moves_the_period_on(client: httpx.AsyncClient, use_stripe: FakeStripe) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)

    invoice = use_stripe.renew(remote["id"], paid=True)
    assert await deliver_ok(client, use_stripe.event("invoice.paid", invoice)) == "active"

    row = await the_subscription(creator.id)
    assert (row.current_period_start, row.current_period_end) == period_of(
        use_stripe.subscriptions[remote["id"]]
    )
    assert row.current_period_start == at(invoice["period_start"])
    assert row.current_period_end > at(remote["items"]["data"][0]["current_period_start"]) + timedelta(
        days=27
    )


async def test_a_declined_renewal_falls_past_due_with_an_email_then_ends_on_free_after_the_grace(
    client: httpx.AsyncClient, use_stripe: FakeStripe, mailbox: Mailbox
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)

    invoice = use_stripe.renew(remote["id"], paid=False)
    assert await deliver_ok(client, use_stripe.event("invoice.payment_failed", invoice)) == "past_due"
    await run_jobs()

    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"]) == ("past_due", "pro")  # the plan stays for now
    (mail,) = [m for m in mailbox.to(creator.email) if "renewal did not go through" in m["Subject"]]
    assert "9.99 EUR" in mail.get_body(("plain",)).get_content()
    assert "billing_renewal_failed" in await notification_types(client, creator.headers)
    assert (
        await deliver_ok(client, use_stripe.event("invoice.payment_failed", invoice)) == "past_due"
    )  # again
    await run_jobs()
    assert len([m for m in mailbox.to(creator.email) if "renewal did not go through" in m["Subject"]]) == 1

    row = await the_subscription(creator.id)
    grace = timedelta(days=get_settings().billing_grace_days)
    await set_subscription(row.id, past_due_since=utcnow() - grace - timedelta(minutes=1))
    await run_renewals(utcnow())
    await run_jobs()

    ended = await the_subscription(creator.id)
    assert ended.status is S.CANCELED
    assert use_stripe.subscriptions[remote["id"]]["status"] == "canceled"  # told Stripe: no more retries
    assert (await my_subscription(client, creator))["plan"]["code"] == "free"
    (mail,) = [m for m in mailbox.to(creator.email) if "has ended" in m["Subject"]]
    assert "grace period" in mail.get_body(("plain",)).get_content()
    # Stripe then says it is deleted: nothing more happens.
    assert await deliver_ok(client, use_stripe.event("customer.subscription.deleted", remote)) == "canceled"


async def test_a_declined_renewal_paid_after_all_is_active_again(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)
    invoice = use_stripe.renew(remote["id"], paid=False)
    await deliver_ok(client, use_stripe.event("invoice.payment_failed", invoice))

    paid = use_stripe.settle(remote["id"])
    assert await deliver_ok(client, use_stripe.event("invoice.paid", paid)) == "active"

    row = await the_subscription(creator.id)
    assert (row.status, row.past_due_since) == (S.ACTIVE, None)
    assert row.current_period_end == period_of(use_stripe.subscriptions[remote["id"]])[1]


async def test_paying_an_overdue_renewal_now_pays_stripes_open_invoice(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)
    invoice = use_stripe.renew(remote["id"], paid=False)
    await deliver_ok(client, use_stripe.event("invoice.payment_failed", invoice))
    row = await the_subscription(creator.id)

    use_stripe.decline_next_payment()
    declined = await transaction(lambda session: subscriptions.pay_overdue(session, row.id))
    paid = await transaction(lambda session: subscriptions.pay_overdue(session, row.id))

    assert (declined, paid) == (False, True)
    assert use_stripe.invoices[invoice["id"]]["status"] == "paid"
    assert (await the_subscription(creator.id)).status is S.ACTIVE


# --- the subscriber's changes -------------------------------------------------------------


async def test_the_portal_is_a_stripe_billing_portal_session_for_the_users_customer(
    client: httpx.AsyncClient, use_stripe: FakeStripe, settings: Settings
) -> None:
    creator = await actor(client)
    await checkout_paid(client, use_stripe, creator)

    url = await open_portal(client, creator)

    assert url.startswith("https://billing.stripe.com/p/session/test_")
    (portal,) = use_stripe.portal_sessions.values()
    assert portal["customer"] == await customer_of(creator.id)
    assert portal["return_url"] == f"{settings.public_url.rstrip('/')}/billing"
    other = await actor(client)
    refused = await client.post("/v1/billing/portal", headers=other.headers)
    assert (refused.status_code, refused.json()["error"]) == (409, "no_subscription")


async def test_cancel_and_resume_reach_stripe_and_a_cancel_in_stripes_portal_comes_back(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)
    stripe_subscription = use_stripe.subscriptions[remote["id"]]

    cancelled = await client.post("/v1/billing/subscription/cancel", headers=creator.headers)
    assert cancelled.json()["cancel_at_period_end"] is True
    assert stripe_subscription["cancel_at_period_end"] is True
    resumed = await client.post("/v1/billing/subscription/resume", headers=creator.headers)
    assert resumed.json()["cancel_at_period_end"] is False
    assert stripe_subscription["cancel_at_period_end"] is False

    stripe_subscription["cancel_at_period_end"] = True  # the subscriber cancels in Stripe's portal
    assert (
        await deliver_ok(client, use_stripe.event("customer.subscription.updated", stripe_subscription))
        == "active"
    )
    assert (await my_subscription(client, creator))["cancel_at_period_end"] is True


async def test_a_plan_change_gives_the_stripe_item_the_new_plans_price_without_proration(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)

    await transaction(lambda session: subscriptions.change_plan(session, uuid.UUID(creator.id), "premium"))

    stripe_subscription = use_stripe.subscriptions[remote["id"]]
    price = stripe_subscription["items"]["data"][0]["price"]
    assert (price["unit_amount"], price["product"], price["recurring"]["interval"]) == (
        2999,
        "reelbyte_plan_premium",
        "month",
    )
    assert stripe_subscription["metadata"]["plan"] == "premium"
    update = next(
        r for r in reversed(use_stripe.requests) if r[0] == "POST" and r[1].startswith("/v1/subscriptions/")
    )
    assert update[1] == f"/v1/subscriptions/{remote['id']}"
    assert (await my_subscription(client, creator))["plan"]["code"] == "premium"


async def test_a_renewal_webhook_and_a_cancellation_at_once_end_consistent(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)
    invoice = use_stripe.renew(remote["id"], paid=True)

    renewal, cancel = await asyncio.gather(
        deliver_stripe(client, use_stripe.event("invoice.paid", invoice)),
        client.post("/v1/billing/subscription/cancel", headers=creator.headers),
    )

    assert (renewal.status_code, cancel.status_code) == (200, 200), (renewal.text, cancel.text)
    row = await the_subscription(creator.id)
    stripe_subscription = use_stripe.subscriptions[remote["id"]]
    assert (row.status, row.cancel_at_period_end) == (S.ACTIVE, True)
    assert stripe_subscription["cancel_at_period_end"] is True
    assert (row.current_period_start, row.current_period_end) == period_of(stripe_subscription)


async def test_stripe_subscriptions_are_not_renewed_by_the_apps_job(
    client: httpx.AsyncClient, use_stripe: FakeStripe
) -> None:
    creator = await actor(client)
    remote = await checkout_paid(client, use_stripe, creator)
    row = await the_subscription(creator.id)
    end = utcnow() - timedelta(minutes=1)
    await set_subscription(
        row.id,
        current_period_start=end - timedelta(days=30),
        current_period_end=end,
        cancel_at_period_end=True,
    )
    requests_before = len(use_stripe.requests)

    assert await run_renewals(utcnow()) == (0, 0)  # Stripe ends it itself, and says so

    assert (await the_subscription(creator.id)).status is S.ACTIVE
    assert len(use_stripe.requests) == requests_before
    assert use_stripe.subscriptions[remote["id"]]["status"] == "active"


@pytest.mark.parametrize("kind", ["checkout.session.completed", "customer.subscription.created"])
async def test_the_plan_paid_for_is_the_one_that_starts(
    client: httpx.AsyncClient, use_stripe: FakeStripe, kind: str
) -> None:
    """A checkout for Pro paid after the subscriber had opened one for Premium still starts Pro
    (the plan Stripe charges), never Premium at Pro's price."""
    creator = await actor(client)
    pro = session_id_of(await start_checkout(client, creator, "pro"))
    await start_checkout(client, creator, "premium")
    remote = use_stripe.complete_subscription(pro)
    obj = use_stripe.sessions[pro] if kind.startswith("checkout") else remote

    assert await deliver_ok(client, use_stripe.event(kind, obj)) == "active"

    assert (await my_subscription(client, creator))["plan"]["code"] == "pro"
    row: Subscription = await the_subscription(creator.id)
    assert row.provider_subscription_id == remote["id"]
