"""Subscriptions with PAYMENT_PROVIDER=mollie, through the official `mollie-api-python` client
against the local Mollie API (tests/payments/fakes): the customer made after sign-up, the first
payment and its mandate, the Mollie subscription it starts, recurring payments paid and failed
(notices duplicated, late, racing the subscriber), our own billing portal, and cancel and resume
reaching Mollie."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from reelbyte.billing.jobs import create_customer, run_renewals
from reelbyte.billing.subscriptions import one_month_after
from reelbyte.core.config import Settings, get_settings
from reelbyte.core.db import utcnow
from reelbyte.identity.models import User
from tests.billing.subscribing import (
    click,
    count_subscriptions,
    my_subscription,
    open_portal,
    page_path,
    set_subscription,
    start_checkout,
    the_subscription,
)
from tests.conftest import Mailbox, run_jobs
from tests.factories import Actor, actor, get_row, notification_types
from tests.payments.fakes import fixtures
from tests.payments.fakes.flows import order_and_checkout, provider_payment_id
from tests.payments.fakes.mollie_server import FakeMollie
from tests.payments.fakes.notices import MOLLIE_SUBSCRIPTIONS_WEBHOOK, MOLLIE_WEBHOOK, mollie_notice

# The local Mollie API's fixtures, found by name (use_mollie: PAYMENT_PROVIDER=mollie).
mollie_server, fake_mollie, use_mollie = fixtures.mollie_server, fixtures.fake_mollie, fixtures.use_mollie


async def customer_of(user_id: str) -> str | None:
    user = await get_row(User, user_id)
    assert user is not None
    return user.billing_customer_id


async def first_payment(who: Actor) -> str:
    """The id of the open checkout's first payment at Mollie."""
    checkout_id = (await the_subscription(who.id)).provider_checkout_id
    assert checkout_id is not None
    return checkout_id


async def notice_ok(client: httpx.AsyncClient, payment_id: str) -> str:
    response = await mollie_notice(client, payment_id)
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def subscribed(
    client: httpx.AsyncClient, fake: FakeMollie, who: Actor, plan: str = "pro"
) -> dict[str, Any]:
    """Check out, pay the first payment at Mollie, deliver its notice: the Mollie subscription."""
    await start_checkout(client, who, plan)
    payment_id = await first_payment(who)
    fake.set_status(payment_id, "paid")
    assert await notice_ok(client, payment_id) == "active"
    (subscription,) = [s for s in fake.subscriptions.values() if s["status"] == "active"]
    return subscription


def paid_at(fake: FakeMollie, payment_id: str) -> datetime:
    return datetime.fromisoformat(fake.payments[payment_id]["paidAt"])


# --- the customer -------------------------------------------------------------------------


async def test_sign_up_makes_one_mollie_customer_in_a_job(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)

    await run_jobs()
    await asyncio.gather(create_customer(creator.id), create_customer(creator.id))

    customer_id = await customer_of(creator.id)
    assert customer_id is not None
    assert customer_id.startswith("cst_")
    (customer,) = use_mollie.customers.values()
    assert (customer["id"], customer["email"], customer["metadata"]) == (
        customer_id,
        creator.email,
        {"user_id": creator.id},
    )


# --- checkout: the first payment, its mandate, the Mollie subscription --------------------


async def test_the_paid_first_payment_creates_the_mollie_subscription_and_starts_ours(
    client: httpx.AsyncClient, use_mollie: FakeMollie, settings: Settings
) -> None:
    creator = await actor(client)
    url = await start_checkout(client, creator, "pro")
    payment_id = await first_payment(creator)
    payment = use_mollie.payments[payment_id]
    ours = await the_subscription(creator.id)

    assert url == payment["_links"]["checkout"]["href"]
    assert (payment["sequenceType"], payment["customerId"]) == ("first", await customer_of(creator.id))
    assert payment["amount"] == {"currency": "EUR", "value": "9.99"}
    assert payment["metadata"] == {"subscription_id": str(ours.id), "plan": "pro"}
    assert payment["webhookUrl"] == f"{settings.public_url.rstrip('/')}{MOLLIE_SUBSCRIPTIONS_WEBHOOK}"
    assert await notice_ok(client, payment_id) == "incomplete"  # called before anything happened
    assert use_mollie.subscriptions == {}

    use_mollie.set_status(payment_id, "paid")
    assert await notice_ok(client, payment_id) == "active"

    start = paid_at(use_mollie, payment_id)
    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"]) == ("active", "pro")
    assert datetime.fromisoformat(mine["current_period_start"]) == start
    assert datetime.fromisoformat(mine["current_period_end"]) == one_month_after(start)
    (remote,) = use_mollie.subscriptions.values()
    assert remote["amount"] == {"currency": "EUR", "value": "9.99"}
    assert (remote["interval"], remote["status"]) == ("1 month", "active")
    assert remote["startDate"] == one_month_after(start).date().isoformat()
    assert remote["mandateId"] == payment["mandateId"] is not None
    assert remote["metadata"] == {"subscription_id": str(ours.id)}
    assert remote["webhookUrl"] == payment["webhookUrl"]
    row = await the_subscription(creator.id)
    assert row.provider_subscription_id == f"{payment['customerId']}/{remote['id']}"


async def test_a_failed_first_payment_drops_the_checkout_and_a_new_one_works(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    failed_url = await start_checkout(client, creator)
    failed = await first_payment(creator)
    use_mollie.set_status(failed, "failed")

    assert await notice_ok(client, failed) == "incomplete"
    assert (await the_subscription(creator.id)).provider_checkout_id is None
    again = await start_checkout(client, creator)
    assert again != failed_url
    second = await first_payment(creator)
    use_mollie.set_status(second, "paid")
    assert await notice_ok(client, second) == "active"
    assert await count_subscriptions() == 1
    assert len(use_mollie.customers) == 1


async def test_notices_twice_at_once_make_one_mollie_subscription(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    await start_checkout(client, creator)
    payment_id = await first_payment(creator)
    use_mollie.set_status(payment_id, "paid")

    answers = await asyncio.gather(*(mollie_notice(client, payment_id) for _ in range(3)))

    assert [answer.json() for answer in answers] == [{"status": "active"}] * 3
    assert len(use_mollie.subscriptions) == 1
    before = await the_subscription(creator.id)
    assert await notice_ok(client, payment_id) == "active"
    assert (await the_subscription(creator.id)).updated_at == before.updated_at


async def test_checkouts_at_once_make_one_subscription_one_payment_and_one_customer(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)

    answers = await asyncio.gather(
        *(
            client.post("/v1/billing/checkout", json={"plan": "pro"}, headers=creator.headers)
            for _ in range(4)
        )
    )

    assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
    assert len({answer.json()["checkout_url"] for answer in answers}) == 1
    assert await count_subscriptions() == 1
    assert (len(use_mollie.payments), len(use_mollie.customers)) == (1, 1)


async def test_a_replaced_checkouts_payment_changes_nothing(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    await start_checkout(client, creator, "pro")
    old = await first_payment(creator)
    await start_checkout(client, creator, "premium")  # another plan: the pro checkout is dropped
    use_mollie.set_status(old, "paid")

    assert await notice_ok(client, old) == "incomplete"
    assert use_mollie.subscriptions == {}


# --- what is not ours, and Mollie down ----------------------------------------------------


async def test_payments_that_are_no_subscriptions_are_404(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    _, _, _, _, order_payment = await order_and_checkout(client)
    one_off = await provider_payment_id(order_payment)

    for payment_id in ("tr_unknown", "not-a-payment-id", one_off):
        response = await mollie_notice(client, payment_id)
        assert (response.status_code, response.json()["error"]) == (404, "payment_not_found"), payment_id
    missing = await client.post(MOLLIE_SUBSCRIPTIONS_WEBHOOK, data={})
    assert missing.status_code == 422


async def test_without_mollie_configured_no_notice_is_about_ours(client: httpx.AsyncClient) -> None:
    response = await mollie_notice(client, "tr_anything")

    assert (response.status_code, response.json()["error"]) == (404, "payment_not_found")


async def test_a_subscription_payment_is_not_a_payment_of_an_order(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    await start_checkout(client, creator)
    payment_id = await first_payment(creator)
    use_mollie.set_status(payment_id, "paid")

    on_payments = await mollie_notice(client, payment_id, MOLLIE_WEBHOOK)

    assert (on_payments.status_code, on_payments.json()["error"]) == (404, "payment_not_found")
    assert (await the_subscription(creator.id)).provider_subscription_id is None


async def test_while_mollie_is_down_the_notice_is_503_and_comes_again(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    await start_checkout(client, creator)
    payment_id = await first_payment(creator)
    use_mollie.set_status(payment_id, "paid")
    use_mollie.fail_next(503)

    response = await mollie_notice(client, payment_id)

    assert (response.status_code, response.json()["error"]) == (503, "provider_unavailable")
    assert (await the_subscription(creator.id)).status.value == "incomplete"
    customer_id = use_mollie.payments[payment_id]["customerId"]
    use_mollie.fail_next(503, path=f"/v2/customers/{customer_id}/subscriptions")  # now creating it fails
    response = await mollie_notice(client, payment_id)
    assert (response.status_code, response.json()["error"]) == (503, "provider_unavailable")
    assert (await the_subscription(creator.id)).status.value == "incomplete"
    assert await notice_ok(client, payment_id) == "active"
    assert len(use_mollie.subscriptions) == 1


# --- renewals -----------------------------------------------------------------------------


async def test_a_paid_recurring_payment_moves_the_period_on_once(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    remote = await subscribed(client, use_mollie, creator)
    end = (await the_subscription(creator.id)).current_period_end
    assert end is not None

    first = use_mollie.charge(remote["id"], "paid")
    assert await notice_ok(client, first) == "active"
    row = await the_subscription(creator.id)
    assert (row.current_period_start, row.current_period_end) == (end, one_month_after(end))
    assert await notice_ok(client, first) == "active"  # again: nothing more
    assert (await the_subscription(creator.id)).current_period_end == one_month_after(end)

    second = use_mollie.charge(remote["id"], "paid")
    assert await notice_ok(client, second) == "active"
    assert await notice_ok(client, first) == "active"  # the older one, late: nothing
    row = await the_subscription(creator.id)
    later = one_month_after(one_month_after(end))
    assert (row.current_period_start, row.current_period_end) == (one_month_after(end), later)


async def test_a_failed_recurring_payment_falls_past_due_and_the_grace_ends_on_free(
    client: httpx.AsyncClient, use_mollie: FakeMollie, mailbox: Mailbox
) -> None:
    creator = await actor(client)
    remote = await subscribed(client, use_mollie, creator)
    end = (await the_subscription(creator.id)).current_period_end

    failed = use_mollie.charge(remote["id"], "failed")
    assert await notice_ok(client, failed) == "past_due"
    assert await notice_ok(client, failed) == "past_due"
    await run_jobs()

    row = await the_subscription(creator.id)
    assert (row.status.value, row.plan_code, row.current_period_end) == ("past_due", "pro", end)
    (mail,) = [m for m in mailbox.to(creator.email) if "renewal did not go through" in m["Subject"]]
    assert "9.99 EUR" in mail.get_body(("plain",)).get_content()
    assert "billing_renewal_failed" in await notification_types(client, creator.headers)

    grace = timedelta(days=get_settings().billing_grace_days)
    await set_subscription(row.id, past_due_since=utcnow() - grace - timedelta(minutes=1))
    await run_renewals(utcnow())
    await run_jobs()

    assert (await the_subscription(creator.id)).status.value == "canceled"
    assert use_mollie.subscriptions[remote["id"]]["status"] == "canceled"  # Mollie charges no more
    assert (await my_subscription(client, creator))["plan"]["code"] == "free"
    (mail,) = [m for m in mailbox.to(creator.email) if "has ended" in m["Subject"]]
    assert "grace period" in mail.get_body(("plain",)).get_content()


async def test_mollie_subscriptions_are_not_charged_by_the_apps_job(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    await subscribed(client, use_mollie, creator)
    row = await the_subscription(creator.id)
    end = utcnow() - timedelta(minutes=1)
    await set_subscription(row.id, current_period_start=end - timedelta(days=30), current_period_end=end)

    assert await run_renewals(utcnow()) == (0, 0)

    assert (await the_subscription(creator.id)).current_period_end == end  # Mollie's notice moves it


# --- cancel, resume, the portal -----------------------------------------------------------


async def test_cancel_stops_mollie_at_once_and_the_job_ends_ours_at_period_end(
    client: httpx.AsyncClient, use_mollie: FakeMollie, mailbox: Mailbox
) -> None:
    creator = await actor(client)
    remote = await subscribed(client, use_mollie, creator)

    cancelled = await client.post("/v1/billing/subscription/cancel", headers=creator.headers)

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["cancel_at_period_end"]) == ("active", True)
    assert use_mollie.subscriptions[remote["id"]]["status"] == "canceled"
    row = await the_subscription(creator.id)
    assert await run_renewals(utcnow()) == (0, 0)  # the paid period runs on
    end = utcnow() - timedelta(minutes=1)
    await set_subscription(row.id, current_period_start=end - timedelta(days=30), current_period_end=end)

    assert await run_renewals(utcnow()) == (1, 0)
    await run_jobs()

    ended = await the_subscription(creator.id)
    assert (ended.status.value, ended.ended_at) == ("canceled", end)
    deletes = [r for r in use_mollie.requests if r[0] == "DELETE"]
    assert len(deletes) == 1  # cancelled at Mollie once, when asked
    (mail,) = [m for m in mailbox.to(creator.email) if "has ended" in m["Subject"]]
    assert "cancelled at the end of its period" in mail.get_body(("plain",)).get_content()


async def test_resume_makes_a_new_mollie_subscription_from_the_period_end(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    old = await subscribed(client, use_mollie, creator)
    assert (await client.post("/v1/billing/subscription/cancel", headers=creator.headers)).status_code == 200

    resumed = await client.post("/v1/billing/subscription/resume", headers=creator.headers)

    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["cancel_at_period_end"] is False
    row = await the_subscription(creator.id)
    assert row.current_period_end is not None
    (new,) = [s for s in use_mollie.subscriptions.values() if s["status"] == "active"]
    assert new["id"] != old["id"]
    assert new["startDate"] == row.current_period_end.date().isoformat()
    assert (new["amount"], new["mandateId"], new["metadata"]) == (
        old["amount"],
        old["mandateId"],
        old["metadata"],
    )
    assert row.provider_subscription_id == f"{old['_customer']}/{new['id']}"
    payment = use_mollie.charge(new["id"], "paid")  # the new one's payments renew ours
    assert await notice_ok(client, payment) == "active"
    assert (await the_subscription(creator.id)).current_period_end == one_month_after(row.current_period_end)


async def test_our_portal_changes_plan_at_mollie_cancels_and_resumes(
    client: httpx.AsyncClient, use_mollie: FakeMollie, settings: Settings
) -> None:
    creator = await actor(client)
    remote = await subscribed(client, use_mollie, creator)

    portal = await open_portal(client, creator)

    assert portal.startswith(f"{settings.public_url.rstrip('/')}/billing/portal/")
    page = await client.get(page_path(portal))
    assert page.status_code == 200
    assert "Switch to Premium" in page.text
    assert "Cancel at period end" in page.text
    assert "Fail the next renewal" not in page.text  # no sandbox card to play
    assert (await click(client, portal, "plan:premium")).status_code == 303
    assert (await my_subscription(client, creator))["plan"]["code"] == "premium"
    assert remote["amount"] == {"currency": "EUR", "value": "29.99"}
    assert remote["description"] == "ReelByte Premium plan"

    assert (await click(client, portal, "cancel")).status_code == 303
    assert remote["status"] == "canceled"
    assert "Keep my subscription" in (await client.get(page_path(portal))).text
    assert (await click(client, portal, "resume")).status_code == 303
    (new,) = [s for s in use_mollie.subscriptions.values() if s["status"] == "active"]
    assert new["amount"] == {"currency": "EUR", "value": "29.99"}  # the plan in effect
    assert (await click(client, portal, "dance")).status_code == 409
    assert (await click(client, portal, "plan:free")).status_code == 422


async def test_an_unknown_portal_session_is_a_404_page(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    page = await client.get("/billing/portal/not-a-session")
    assert page.status_code == 404
    assert "expired" in page.text
    assert (await client.post("/billing/portal/not-a-session", data={"action": "cancel"})).status_code == 404


async def test_a_renewal_notice_and_a_cancellation_at_once_end_consistent(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    remote = await subscribed(client, use_mollie, creator)
    end = (await the_subscription(creator.id)).current_period_end
    assert end is not None
    payment = use_mollie.charge(remote["id"], "paid")

    notice, cancel = await asyncio.gather(
        mollie_notice(client, payment),
        client.post("/v1/billing/subscription/cancel", headers=creator.headers),
    )

    assert (notice.status_code, cancel.status_code) == (200, 200), (notice.text, cancel.text)
    row = await the_subscription(creator.id)
    assert (row.status.value, row.cancel_at_period_end) == ("active", True)
    assert row.current_period_end == one_month_after(end)  # the paid renewal counts
    assert remote["status"] == "canceled"  # and Mollie charges no more


async def test_a_recurring_payment_for_a_subscription_not_ours_is_404(
    client: httpx.AsyncClient, use_mollie: FakeMollie
) -> None:
    creator = await actor(client)
    remote = await subscribed(client, use_mollie, creator)
    payment = use_mollie.charge(remote["id"], "paid")
    row = await the_subscription(creator.id)
    await set_subscription(row.id, provider_subscription_id=f"cst_other/{uuid.uuid4().hex}")

    response = await mollie_notice(client, payment)

    assert (response.status_code, response.json()["error"]) == (404, "payment_not_found")
