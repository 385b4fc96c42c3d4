"""Plans and subscriptions with the sandbox provider: the plans on offer, checkout on the
sandbox's page (paid, failed, twice at once), cancel and resume, the customer portal, and the
renewal job (renewed, declined into past due, the grace period's end, run twice)."""

from __future__ import annotations

import asyncio
import calendar
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import subscriptions
from reelbyte.billing.jobs import renew_subscriptions, run_renewals
from reelbyte.billing.models import SubscriptionStatus
from reelbyte.billing.subscriptions import one_month_after
from reelbyte.core.config import get_settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.identity.models import User
from tests.billing.subscribing import (
    click,
    count_subscriptions,
    move_period,
    my_subscription,
    open_portal,
    page_path,
    set_subscription,
    start_checkout,
    subscribe,
    the_subscription,
)
from tests.conftest import Mailbox, run_jobs
from tests.factories import Actor, actor, notification_types

S = SubscriptionStatus


# --- plans --------------------------------------------------------------------------------


async def test_the_plans_on_offer_in_display_order_with_their_prices_and_limits(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/billing/plans")

    assert response.status_code == 200
    free, pro, premium = response.json()
    assert [free["code"], pro["code"], premium["code"]] == ["free", "pro", "premium"]
    assert free["price"] == {"currency": "EUR", "value": "0.00"}
    assert pro["price"] == {"currency": "EUR", "value": "9.99"}
    assert (pro["trims_per_period"], pro["hooks_per_period"], pro["api_access"]) == (100, 50, True)
    assert (premium["trims_per_period"], premium["hooks_per_period"]) == (None, None)  # unlimited
    assert premium["webhooks"]
    assert premium["priority_processing"]
    assert pro["marketplace_fee_percentage"] == "15.00"  # no fee of its own: the platform's
    assert {plan["interval"] for plan in (free, pro, premium)} == {"month"}


# --- checkout -----------------------------------------------------------------------------


async def test_paying_on_the_sandbox_page_starts_the_subscription_for_a_month(
    client: httpx.AsyncClient,
) -> None:
    creator = await actor(client)
    url = await start_checkout(client, creator, "pro")
    page = await client.get(page_path(url))
    assert page.status_code == 200
    assert "Pay" in page.text
    assert "Fail" in page.text
    assert "9.99" in page.text
    before = await my_subscription(client, creator)
    assert (before["status"], before["plan"]["code"], before["pending_plan"]) == ("incomplete", "free", "pro")

    paid = await click(client, url, "pay")
    assert paid.status_code == 303
    back = await client.get(paid.headers["location"])
    assert back.status_code == 200
    assert "Welcome to Pro" in back.text
    assert '<a href="/billing">Back to your plan</a>' in back.text  # not a dead end

    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"], mine["pending_plan"]) == ("active", "pro", None)
    start = datetime.fromisoformat(mine["current_period_start"])
    assert datetime.fromisoformat(mine["current_period_end"]) == one_month_after(start)
    assert start <= utcnow()
    assert mine["cancel_at_period_end"] is False
    assert "is <strong>active</strong>" in (await client.get(page_path(url))).text  # spent
    assert (await click(client, url, "pay")).status_code == 303  # paid twice: changes nothing
    assert (await the_subscription(creator.id)).current_period_start == start


async def test_a_failed_checkout_leaves_the_subscription_incomplete_and_a_new_checkout_works(
    client: httpx.AsyncClient,
) -> None:
    creator = await actor(client)
    failed_url = await start_checkout(client, creator, "pro")

    failed = await click(client, failed_url, "fail")
    assert failed.status_code == 303
    assert "nothing was charged" in (await client.get(failed.headers["location"])).text
    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"]) == ("incomplete", "free")
    assert (await client.get(page_path(failed_url))).status_code == 404  # that checkout is spent

    again = await start_checkout(client, creator, "pro")
    assert again != failed_url
    assert (await click(client, again, "pay")).status_code == 303
    assert (await my_subscription(client, creator))["status"] == "active"
    assert await count_subscriptions() == 1


async def test_a_second_checkout_before_paying_gives_the_same_checkout_or_one_for_the_new_plan(
    client: httpx.AsyncClient,
) -> None:
    creator = await actor(client)
    first = await start_checkout(client, creator, "pro")
    assert await start_checkout(client, creator, "pro") == first

    premium = await start_checkout(client, creator, "premium")
    assert premium != first
    assert (await client.get(page_path(first))).status_code == 404
    assert (await click(client, premium, "pay")).status_code == 303
    assert (await my_subscription(client, creator))["plan"]["code"] == "premium"
    assert await count_subscriptions() == 1


async def test_checkouts_at_once_make_one_subscription(client: httpx.AsyncClient) -> None:
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


async def test_a_checkout_racing_one_not_yet_committed_waits_for_it_and_returns_its_checkout(
    client: httpx.AsyncClient,
) -> None:
    """The second checkout sees no subscription (the first's is not committed yet), so it
    inserts too: the unique index makes it wait for the first to commit, then insert nothing
    and go on with the first's subscription and checkout."""
    creator = await actor(client)
    first_inserted = asyncio.Event()

    async def first(session: AsyncSession) -> str:
        url = await subscriptions.checkout(session, await session.get_one(User, uuid.UUID(creator.id)), "pro")
        first_inserted.set()
        await asyncio.sleep(0.3)  # holds its new row uncommitted while the second one starts
        return url

    async def second(session: AsyncSession) -> str:
        await first_inserted.wait()
        return await subscriptions.checkout(
            session, await session.get_one(User, uuid.UUID(creator.id)), "pro"
        )

    first_url, second_url = await asyncio.gather(transaction(first), transaction(second))

    assert first_url == second_url
    assert await count_subscriptions() == 1


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "status", "code"),
    [
        ("gold", 404, "plan_not_found"),
        ("free", 422, "free_plan_not_purchasable"),
        ("Pro!", 422, "validation_error"),
        ("", 422, "validation_error"),
    ],
)
async def test_a_plan_that_cannot_be_bought_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, plan: str, status: int, code: str
) -> None:
    creator = await actor(client)

    response = await client.post("/v1/billing/checkout", json={"plan": plan}, headers=creator.headers)

    assert response.status_code == status
    assert response.json()["error"] == code
    assert await count_subscriptions() == 0


async def test_checkout_of_the_plan_one_has_or_of_another_paid_plan_is_a_conflict(
    client: httpx.AsyncClient,
) -> None:
    creator = await actor(client)
    await subscribe(client, creator, "pro")
    before = await the_subscription(creator.id)

    same = await client.post("/v1/billing/checkout", json={"plan": "pro"}, headers=creator.headers)
    other = await client.post("/v1/billing/checkout", json={"plan": "premium"}, headers=creator.headers)

    assert (same.status_code, same.json()["error"]) == (409, "already_subscribed")
    assert (other.status_code, other.json()["error"]) == (409, "subscription_exists")
    assert "portal" in other.json()["message"]
    after = await the_subscription(creator.id)
    assert (after.plan_code, after.status, after.updated_at) == ("pro", S.ACTIVE, before.updated_at)


async def test_a_plan_taken_off_offer_is_not_listed_nor_sold(client: httpx.AsyncClient) -> None:
    from tests.factories import make_admin

    admin = await make_admin(client)
    edited = await client.put("/v1/admin/plans/premium", json={"is_active": False}, headers=admin)
    assert edited.status_code == 200, edited.text
    creator = await actor(client)

    listed = [plan["code"] for plan in (await client.get("/v1/billing/plans")).json()]
    response = await client.post("/v1/billing/checkout", json={"plan": "premium"}, headers=creator.headers)

    assert listed == ["free", "pro"]
    assert (response.status_code, response.json()["error"]) == (404, "plan_not_found")


async def test_billing_needs_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/billing/subscription")).status_code == 401
    assert (await client.post("/v1/billing/checkout", json={"plan": "pro"})).status_code == 401


# --- cancel, resume, and another user's calls ---------------------------------------------


async def test_cancel_at_period_end_then_resume(client: httpx.AsyncClient) -> None:
    creator = await actor(client)
    await subscribe(client, creator)

    cancelled = await client.post("/v1/billing/subscription/cancel", headers=creator.headers)
    assert cancelled.status_code == 200
    assert (cancelled.json()["cancel_at_period_end"], cancelled.json()["status"]) == (True, "active")
    again = await client.post("/v1/billing/subscription/cancel", headers=creator.headers)
    assert (again.status_code, again.json()["error"]) == (409, "already_cancelling")

    resumed = await client.post("/v1/billing/subscription/resume", headers=creator.headers)
    assert resumed.status_code == 200
    assert resumed.json()["cancel_at_period_end"] is False
    again = await client.post("/v1/billing/subscription/resume", headers=creator.headers)
    assert (again.status_code, again.json()["error"]) == (409, "not_cancelling")


async def test_on_free_there_is_nothing_to_cancel_resume_or_manage(client: httpx.AsyncClient) -> None:
    creator = await actor(client)
    await start_checkout(client, creator)  # a checkout not paid is no subscription yet

    for path in ("/v1/billing/subscription/cancel", "/v1/billing/subscription/resume", "/v1/billing/portal"):
        response = await client.post(path, headers=creator.headers)
        assert (response.status_code, response.json()["error"]) == (409, "no_subscription"), path
    assert (await the_subscription(creator.id)).status is S.INCOMPLETE


async def test_another_users_calls_act_on_their_own_empty_state(client: httpx.AsyncClient) -> None:
    owner, other = await actor(client), await actor(client)
    await subscribe(client, owner, "premium")

    theirs = await my_subscription(client, other)
    cancel = await client.post("/v1/billing/subscription/cancel", headers=other.headers)
    portal = await client.post("/v1/billing/portal", headers=other.headers)

    assert (theirs["status"], theirs["plan"]["code"], theirs["current_period_end"]) == ("free", "free", None)
    assert (cancel.status_code, cancel.json()["error"]) == (409, "no_subscription")
    assert (portal.status_code, portal.json()["error"]) == (409, "no_subscription")
    mine = await my_subscription(client, owner)
    assert (mine["status"], mine["plan"]["code"], mine["cancel_at_period_end"]) == (
        "active",
        "premium",
        False,
    )


# --- the customer portal -------------------------------------------------------------------


async def test_the_portal_changes_plan_at_once_and_keeps_the_period(client: httpx.AsyncClient) -> None:
    creator = await actor(client)
    before = await subscribe(client, creator, "pro")
    portal = await open_portal(client, creator)
    page = await client.get(page_path(portal))
    assert page.status_code == 200
    assert "Switch to Premium" in page.text

    switched = await click(client, portal, "plan:premium")

    assert switched.status_code == 303
    after = await my_subscription(client, creator)
    assert after["plan"]["code"] == "premium"
    assert after["current_period_end"] == before["current_period_end"]  # no proration, same period
    refused = await click(client, portal, "plan:free")
    assert refused.status_code == 422
    assert "Free needs no checkout" in refused.text


async def test_the_portal_cancels_and_resumes(client: httpx.AsyncClient) -> None:
    creator = await actor(client)
    await subscribe(client, creator)
    portal = await open_portal(client, creator)

    assert (await click(client, portal, "cancel")).status_code == 303
    assert (await my_subscription(client, creator))["cancel_at_period_end"] is True
    assert "Keep my subscription" in (await client.get(page_path(portal))).text
    assert (await click(client, portal, "resume")).status_code == 303
    assert (await my_subscription(client, creator))["cancel_at_period_end"] is False
    assert (await click(client, portal, "dance")).status_code == 409


async def test_an_unknown_portal_session_is_a_404_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/sandbox/billing/portal/not-a-session")
    assert page.status_code == 404
    assert "expired" in page.text
    assert (
        await client.post("/sandbox/billing/portal/not-a-session", data={"action": "cancel"})
    ).status_code == 404


# --- renewals -----------------------------------------------------------------------------


async def due_subscription(client: httpx.AsyncClient, plan: str = "pro") -> tuple[Actor, datetime]:
    """A creator whose subscription's period ended a minute ago: (the creator, that end)."""
    creator = await actor(client)
    await subscribe(client, creator, plan)
    subscription = await the_subscription(creator.id)
    end = utcnow() - timedelta(minutes=1)
    await move_period(subscription.id, end - timedelta(days=30), end)
    return creator, end


async def test_the_renewal_job_extends_the_period_by_a_month(client: httpx.AsyncClient) -> None:
    creator, end = await due_subscription(client)

    await renew_subscriptions(0)  # the periodic task itself

    subscription = await the_subscription(creator.id)
    assert subscription.status is S.ACTIVE
    assert (subscription.current_period_start, subscription.current_period_end) == (end, one_month_after(end))


async def test_a_renewal_run_twice_at_once_or_in_turn_renews_once(client: httpx.AsyncClient) -> None:
    creator, end = await due_subscription(client)
    now = utcnow()

    await asyncio.gather(run_renewals(now), run_renewals(now))
    await run_renewals(now)

    subscription = await the_subscription(creator.id)
    assert (subscription.current_period_start, subscription.current_period_end) == (end, one_month_after(end))


async def arm_failure(client: httpx.AsyncClient, creator: Actor) -> None:
    portal = await open_portal(client, creator)
    assert (await click(client, portal, "fail_next_renewal")).status_code == 303
    assert "next renewal will be declined" in (await client.get(page_path(portal))).text


async def test_a_declined_renewal_falls_past_due_with_an_email_and_a_notification(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    creator, end = await due_subscription(client)
    await arm_failure(client, creator)
    now = utcnow()

    await run_renewals(now)
    await run_jobs()

    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"]) == ("past_due", "pro")  # the plan stays for now
    assert datetime.fromisoformat(mine["past_due_since"]) == now
    grace = timedelta(days=get_settings().billing_grace_days)
    assert datetime.fromisoformat(mine["grace_ends_at"]) == now + grace
    assert datetime.fromisoformat(mine["current_period_end"]) == end  # not renewed
    (mail,) = [m for m in mailbox.to(creator.email) if "renewal did not go through" in m["Subject"]]
    body = mail.get_body(("plain",)).get_content()
    assert "9.99 EUR" in body
    assert f"{now + grace:%d %B %Y}" in body
    assert "billing_renewal_failed" in await notification_types(client, creator.headers)

    await run_renewals(utcnow())  # nothing more while the grace period runs
    assert (await the_subscription(creator.id)).status is S.PAST_DUE


async def test_paying_the_overdue_renewal_in_the_portal_makes_it_active_again(
    client: httpx.AsyncClient,
) -> None:
    creator, end = await due_subscription(client)
    await arm_failure(client, creator)
    await run_renewals(utcnow())

    paid = await click(client, await open_portal(client, creator), "pay_overdue")

    assert paid.status_code == 303
    subscription = await the_subscription(creator.id)
    assert (subscription.status, subscription.past_due_since) == (S.ACTIVE, None)
    assert (subscription.current_period_start, subscription.current_period_end) == (end, one_month_after(end))


async def test_after_the_grace_period_a_past_due_subscription_ends_back_on_free(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    creator, _ = await due_subscription(client)
    await arm_failure(client, creator)
    await run_renewals(utcnow())
    subscription = await the_subscription(creator.id)
    grace = timedelta(days=get_settings().billing_grace_days)
    await set_subscription(subscription.id, past_due_since=utcnow() - grace - timedelta(minutes=1))

    await run_renewals(utcnow())
    await run_jobs()

    ended = await the_subscription(creator.id)
    assert ended.status is S.CANCELED
    assert ended.ended_at is not None
    mine = await my_subscription(client, creator)
    assert (mine["status"], mine["plan"]["code"]) == ("free", "free")
    (mail,) = [m for m in mailbox.to(creator.email) if "has ended" in m["Subject"]]
    assert "grace period" in mail.get_body(("plain",)).get_content()
    assert "billing_subscription_ended" in await notification_types(client, creator.headers)
    assert await start_checkout(client, creator, "pro")  # and may subscribe again


async def test_a_cancelled_subscription_ends_at_its_period_end(client: httpx.AsyncClient) -> None:
    creator, end = await due_subscription(client)
    await set_subscription((await the_subscription(creator.id)).id, cancel_at_period_end=True)

    await run_renewals(utcnow())

    ended = await the_subscription(creator.id)
    assert (ended.status, ended.ended_at, ended.current_period_end) == (S.CANCELED, end, end)
    assert (await my_subscription(client, creator))["plan"]["code"] == "free"


async def test_a_subscription_not_due_yet_is_left_alone(client: httpx.AsyncClient) -> None:
    creator = await actor(client)
    await subscribe(client, creator)
    before = await the_subscription(creator.id)

    assert await run_renewals(utcnow()) == (0, 0)

    after = await the_subscription(creator.id)
    assert after.current_period_end == before.current_period_end


# --- periods ------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 1), timezones=st.just(UTC)
)


@given(moments)
def test_a_month_later_is_the_same_time_on_the_same_day_or_the_months_last(moment: datetime) -> None:
    later = one_month_after(moment)

    assert later.time() == moment.time()
    assert later.tzinfo == moment.tzinfo
    assert (later.year * 12 + later.month) - (moment.year * 12 + moment.month) == 1
    assert later.day == min(moment.day, calendar.monthrange(later.year, later.month)[1])
    assert timedelta(days=28) <= later - moment <= timedelta(days=31)


def test_month_ends_clamp_to_the_shorter_month() -> None:
    assert one_month_after(datetime(2027, 1, 31, 9, tzinfo=UTC)) == datetime(2027, 2, 28, 9, tzinfo=UTC)
    assert one_month_after(datetime(2028, 1, 30, tzinfo=UTC)) == datetime(2028, 2, 29, tzinfo=UTC)
    assert one_month_after(datetime(2026, 12, 31, tzinfo=UTC)) == datetime(2027, 1, 31, tzinfo=UTC)
