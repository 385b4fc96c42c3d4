"""Usage metering and plan limits: a retried action counts once, the last use below a limit goes
to exactly one of twenty racing requests, unlimited plans count without refusing, the period
starts again (a calendar month on Free, the subscription's period on paid plans), notices at
80 % and 100 % go once each, and each user reads only their own usage."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import hooks, usage
from reelbyte.billing.errors import PlanLimitReached
from reelbyte.billing.models import (
    Plan,
    Subscription,
    SubscriptionStatus,
    UsageCounter,
    UsageMetric,
    UsageRecord,
)
from reelbyte.billing.plans import FREE, BillingPeriod, calendar_month, period_start_for
from reelbyte.billing.usage import UsageOutcome, record_usage
from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.identity.models import User
from reelbyte.media import service as media
from reelbyte.notifications.models import Notification
from tests.conftest import Mailbox, run_jobs
from tests.factories import actor, insert_user

MIB = 1024 * 1024
FREE_TRIMS = 5  # the seeded Free plan's limit
TRIM = UsageMetric.TRIM


# --- helpers ------------------------------------------------------------------------------


async def record(user_id: uuid.UUID, quantity: int, key: str, metric: UsageMetric = TRIM) -> UsageOutcome:
    """`record_usage` in a unit of work of its own, as a route or a job would call it."""
    return await transaction(lambda session: record_usage(session, user_id, metric, quantity, key))


async def refused(
    user_id: uuid.UUID, quantity: int, key: str, metric: UsageMetric = TRIM
) -> PlanLimitReached:
    with pytest.raises(PlanLimitReached) as caught:
        await record(user_id, quantity, key, metric)
    return caught.value


def this_month() -> date:
    return calendar_month(utcnow()).start


def months_before(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


async def insert_counter(
    user_id: uuid.UUID, period_start: date, used: int, metric: UsageMetric = TRIM, notified: int = 0
) -> None:
    async def write(session: AsyncSession) -> None:
        session.add(
            UsageCounter(
                user_id=user_id,
                metric=metric,
                period_start=period_start,
                used=used,
                notified_percent=notified,
            )
        )

    await transaction(write)


async def counter(user_id: uuid.UUID, period_start: date, metric: UsageMetric = TRIM) -> UsageCounter | None:
    async with get_database().sessions() as session:
        return await session.get(UsageCounter, (user_id, metric, period_start))


async def used(user_id: uuid.UUID, period_start: date, metric: UsageMetric = TRIM) -> int:
    row = await counter(user_id, period_start, metric)
    return row.used if row is not None else 0


async def records_of(user_id: uuid.UUID) -> int:
    async with get_database().sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(UsageRecord).where(UsageRecord.user_id == user_id)
        )
        return int(count or 0)


async def usage_notices(user_id: uuid.UUID) -> list[str]:
    """The titles of the user's usage-limit notifications, oldest first."""
    async with get_database().sessions() as session:
        rows = await session.scalars(
            select(Notification.title)
            .where(Notification.user_id == user_id, Notification.type == usage.USAGE_LIMIT_NOTICE)
            .order_by(Notification.id)
        )
        return list(rows)


async def subscribe(user_id: uuid.UUID, plan: str, started: datetime) -> None:
    """A live subscription to `plan` whose current period started at `started` (30 days long)."""

    async def write(session: AsyncSession) -> None:
        session.add(
            Subscription(
                user_id=user_id,
                plan_code=plan,
                status=SubscriptionStatus.ACTIVE,
                provider="sandbox",
                current_period_start=started,
                current_period_end=started + timedelta(days=30),
            )
        )

    await transaction(write)


async def set_free_trims(limit: int | None) -> None:
    """Free's trim limit (the plans are restored after each test)."""
    await transaction(
        lambda session: session.execute(update(Plan).where(Plan.code == FREE).values(trims_per_period=limit))
    )


# --- recording and idempotency ------------------------------------------------------------


async def test_the_same_key_twice_counts_once_and_returns_the_earlier_outcome() -> None:
    user = await insert_user()

    first = await record(user.id, 2, "trim-job-1")
    again = await record(user.id, 2, "trim-job-1")

    assert first == UsageOutcome(TRIM, 2, 2, FREE_TRIMS, this_month(), counted=True)
    assert again == UsageOutcome(TRIM, 2, 2, FREE_TRIMS, this_month(), counted=False)
    assert await used(user.id, this_month()) == 2
    assert await records_of(user.id) == 1
    # The key is per metric: the same key for another metric is another action.
    hooks = await record(user.id, 1, "trim-job-1", UsageMetric.AUTO_HOOK)
    assert (hooks.counted, hooks.used, hooks.limit) == (True, 1, 3)


async def test_a_use_over_the_limit_is_refused_with_402_and_counts_nothing() -> None:
    user = await insert_user()
    await record(user.id, 4, "first")

    error = await refused(user.id, 2, "second")

    assert (error.status_code, error.code) == (402, "plan_limit_reached")
    assert error.details == {
        "metric": "trim",
        "limit": FREE_TRIMS,
        "used": 4,
        "upgrade_url": f"{get_settings().public_url}/v1/billing/plans",
    }
    assert await used(user.id, this_month()) == 4
    assert await records_of(user.id) == 1
    # Refused, the key was not spent: the same action fits once there is room.
    assert (await record(user.id, 1, "second")).used == 5


async def test_a_caller_that_catches_the_refusal_keeps_no_record_of_it() -> None:
    user = await insert_user()
    await record(user.id, FREE_TRIMS, "all")

    async def try_one_more(session: AsyncSession) -> None:
        with pytest.raises(PlanLimitReached):
            await record_usage(session, user.id, TRIM, 1, "one-more")

    await transaction(try_one_more)

    assert await records_of(user.id) == 1


async def test_a_quantity_that_is_not_positive_is_a_programming_error() -> None:
    user = await insert_user()
    with pytest.raises(ValueError, match="positive"):
        await record(user.id, 0, "nothing")


# --- the race -----------------------------------------------------------------------------


async def test_twenty_concurrent_requests_at_one_use_below_the_limit_let_exactly_one_through() -> None:
    user = await insert_user()
    await insert_counter(user.id, this_month(), FREE_TRIMS - 1, notified=80)

    results = await asyncio.gather(
        *(record(user.id, 1, f"racer-{n}") for n in range(20)), return_exceptions=True
    )

    winners = [r for r in results if isinstance(r, UsageOutcome)]
    losers = [r for r in results if isinstance(r, PlanLimitReached)]
    assert len(winners) == 1, results
    assert winners[0].used == FREE_TRIMS
    assert len(losers) == 19, results
    assert all(e.status_code == 402 and e.details["used"] == FREE_TRIMS for e in losers)
    assert await used(user.id, this_month()) == FREE_TRIMS
    assert await records_of(user.id) == 1
    assert len(await usage_notices(user.id)) == 1  # the 100 % notice, once


# --- unlimited and unmetered --------------------------------------------------------------


async def test_an_unlimited_plan_always_passes_and_is_counted_in_its_subscription_period() -> None:
    user = await insert_user()
    started = utcnow() - timedelta(days=3)
    await subscribe(user.id, "premium", started)

    outcome = await record(user.id, 10_000, "big-batch")
    more = await record(user.id, 5, "small-batch")

    assert (outcome.limit, outcome.counted) == (None, True)
    assert more.used == 10_005
    assert more.period_start == started.astimezone(UTC).date()
    assert await used(user.id, started.astimezone(UTC).date()) == 10_005
    assert await usage_notices(user.id) == []


@pytest.mark.parametrize(
    "metric", [UsageMetric.PROCESSING_SECONDS, UsageMetric.API_CALL, UsageMetric.STORAGE_BYTES]
)
async def test_metrics_without_a_period_limit_are_counted_never_refused(metric: UsageMetric) -> None:
    user = await insert_user()

    outcome = await record(user.id, 10**12, "a-lot", metric)

    assert (outcome.used, outcome.limit) == (10**12, None)


async def test_a_pro_plans_limit_applies_in_its_own_period() -> None:
    user = await insert_user()
    started = utcnow() - timedelta(days=10)
    if started.date() == this_month():
        started -= timedelta(days=1)  # a period of its own, not Free's month
    await subscribe(user.id, "pro", started)
    await insert_counter(user.id, this_month(), FREE_TRIMS)  # Free's month, used up before the upgrade

    outcome = await record(user.id, 99, "after-upgrade")

    assert (outcome.limit, outcome.used, outcome.period_start) == (100, 99, started.astimezone(UTC).date())
    assert (await refused(user.id, 2, "too-many")).details["limit"] == 100


# --- periods ------------------------------------------------------------------------------


async def test_on_free_a_new_calendar_month_starts_at_zero() -> None:
    user = await insert_user()
    last_month = months_before(this_month(), 1)
    await insert_counter(user.id, last_month, FREE_TRIMS, notified=100)

    outcome = await record(user.id, 1, "new-month")

    assert (outcome.used, outcome.period_start) == (1, this_month())
    assert await used(user.id, last_month) == FREE_TRIMS
    assert await usage_notices(user.id) == []


async def test_the_period_start_is_the_subscriptions_on_paid_plans_and_the_month_on_free() -> None:
    user = await insert_user()
    june = datetime(2026, 6, 17, 12, tzinfo=UTC)
    assert await transaction(lambda s: period_start_for(s, user.id, now=june)) == date(2026, 6, 1)

    started = datetime(2026, 6, 10, 23, 30, tzinfo=UTC)
    await subscribe(user.id, "pro", started)
    assert await transaction(lambda s: period_start_for(s, user.id, now=june)) == date(2026, 6, 10)


@pytest.mark.parametrize(
    ("at", "period"),
    [
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), BillingPeriod(date(2026, 12, 1), date(2027, 1, 1))),
        (datetime(2027, 1, 1, tzinfo=UTC), BillingPeriod(date(2027, 1, 1), date(2027, 2, 1))),
        # 00:30 on 1 March in Amsterdam is still February in UTC.
        (
            datetime(2027, 3, 1, 0, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),
            BillingPeriod(date(2027, 2, 1), date(2027, 3, 1)),
        ),
    ],
)
def test_the_calendar_month_is_utcs(at: datetime, period: BillingPeriod) -> None:
    assert calendar_month(at) == period


# --- notices at 80 % and 100 % ------------------------------------------------------------


async def test_notices_at_80_and_100_percent_go_once_each_in_app_and_by_e_mail(mailbox: Mailbox) -> None:
    user = await insert_user()
    for n in range(1, 4):
        await record(user.id, 1, f"trim-{n}")
    assert await usage_notices(user.id) == []

    await record(user.id, 1, "trim-4")  # 80 %
    await record(user.id, 1, "trim-4")  # a retry: no second notice
    assert await usage_notices(user.id) == ["You have used 80% of your trims"]

    await record(user.id, 1, "trim-5")  # 100 %
    await refused(user.id, 1, "trim-6")
    assert await usage_notices(user.id) == ["You have used 80% of your trims", "You have used all your trims"]
    assert (row := await counter(user.id, this_month())) is not None
    assert row.notified_percent == 100

    await run_jobs()
    assert len(mailbox.to(user.email)) == 2


async def test_a_jump_past_both_thresholds_sends_only_the_100_percent_notice() -> None:
    user = await insert_user()
    await record(user.id, FREE_TRIMS, "all-at-once")
    assert await usage_notices(user.id) == ["You have used all your trims"]


async def test_notices_follow_the_users_preferences(mailbox: Mailbox) -> None:
    user = await insert_user(notification_preferences={usage.USAGE_LIMIT_NOTICE: {"email": False}})

    await record(user.id, FREE_TRIMS, "all")
    await run_jobs()

    assert await usage_notices(user.id) == ["You have used all your trims"]
    assert mailbox.to(user.email) == []


# --- the usage view -----------------------------------------------------------------------


def _by_metric(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["metric"]: item for item in body["metrics"]}


async def test_my_usage_shows_this_periods_use_against_each_limit_and_twelve_periods_of_history(
    client: httpx.AsyncClient,
) -> None:
    me = await actor(client)
    my_id = uuid.UUID(me.id)
    await record(my_id, 2, "trim-a")
    await record(my_id, 3, "call-a", UsageMetric.API_CALL)
    for months in range(1, 14):
        await insert_counter(my_id, months_before(this_month(), months), months)

    response = await client.get("/v1/users/me/usage", headers=me.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    period = calendar_month(utcnow())
    assert (body["plan"], body["period_start"], body["period_end"]) == (
        FREE,
        period.start.isoformat(),
        period.end.isoformat(),
    )
    assert body["upgrade_url"] == f"{get_settings().public_url}/v1/billing/plans"
    assert _by_metric(body) == {
        "trim": {"metric": "trim", "used": 2, "limit": 5, "percent": 40.0},
        "auto_hook": {"metric": "auto_hook", "used": 0, "limit": 3, "percent": 0.0},
        "processing_seconds": {"metric": "processing_seconds", "used": 0, "limit": None, "percent": None},
        "api_call": {"metric": "api_call", "used": 3, "limit": None, "percent": None},
        "storage_bytes": {"metric": "storage_bytes", "used": 0, "limit": 2048 * MIB, "percent": 0.0},
    }
    history = body["history"]
    assert len(history) == 12
    assert history[0] == {
        "period_start": this_month().isoformat(),
        "usage": [{"metric": "trim", "used": 2}, {"metric": "api_call", "used": 3}],
    }
    assert history[1] == {
        "period_start": months_before(this_month(), 1).isoformat(),
        "usage": [{"metric": "trim", "used": 1}],
    }
    assert history[-1]["period_start"] == months_before(this_month(), 11).isoformat()


async def test_each_user_sees_only_their_own_usage(client: httpx.AsyncClient) -> None:
    me, other = await actor(client), await actor(client, "client")
    await record(uuid.UUID(me.id), 4, "mine")

    theirs = (await client.get("/v1/users/me/usage", headers=other.headers)).json()
    mine = (await client.get("/v1/users/me/usage", headers=me.headers)).json()

    assert _by_metric(theirs)["trim"]["used"] == 0
    assert theirs["history"] == []
    assert _by_metric(mine)["trim"]["used"] == 4


async def test_my_usage_needs_a_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/users/me/usage")
    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")


# --- the storage quota media enforces -----------------------------------------------------


async def test_media_asks_the_users_plan_for_the_storage_quota() -> None:
    user = await insert_user()

    async def quota(session: AsyncSession) -> int:
        return await media.quota_bytes(session, user.id)

    assert await transaction(quota) == 2048 * MIB
    await subscribe(user.id, "pro", utcnow())
    assert await transaction(quota) == 20 * 1024 * MIB
    media.set_quota_lookup(None)  # without billing's lookup: the setting
    try:
        assert await transaction(quota) == get_settings().storage_quota_mb * MIB
    finally:
        media.set_quota_lookup(hooks.storage_quota_bytes)


# --- the invariant, by hypothesis ---------------------------------------------------------

actions = st.lists(st.tuples(st.integers(1, 4), st.sampled_from("abcdef")), max_size=14)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.one_of(st.none(), st.integers(0, 10)), steps=actions)
async def test_used_is_the_sum_of_the_accepted_distinct_keys_and_never_over_the_limit(
    limit: int | None, steps: list[tuple[int, str]]
) -> None:
    await set_free_trims(limit)
    user: User = await insert_user()
    accepted: dict[str, int] = {}

    for quantity, key in steps:
        fits = limit is None or sum(accepted.values()) + quantity <= limit
        if key in accepted:
            outcome = await record(user.id, quantity, key)
            assert (outcome.counted, outcome.quantity) == (False, accepted[key])
        elif fits:
            assert (await record(user.id, quantity, key)).counted
            accepted[key] = quantity
        else:
            await refused(user.id, quantity, key)
        total = await used(user.id, this_month())
        assert total == sum(accepted.values())
        assert limit is None or total <= limit
    assert await records_of(user.id) == len(accepted)
