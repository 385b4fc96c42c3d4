"""Which plan a user is on: the one other code asks about (limits, API access, webhooks, fees)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.models import Plan, Subscription, SubscriptionStatus
from reelbyte.core.db import utcnow

FREE = "free"

# A past-due subscription keeps its plan through the grace period; a job ends it afterwards.
ON_PLAN = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)


async def plan_of(session: AsyncSession, user_id: uuid.UUID) -> Plan:
    """The plan of the user's live subscription, or Free without one."""
    plan = await session.scalar(
        select(Plan)
        .join(Subscription, Subscription.plan_code == Plan.code)
        .where(Subscription.user_id == user_id, Subscription.status.in_(ON_PLAN))
    )
    return plan if plan is not None else await session.get_one(Plan, FREE)


# --- the billing period (what usage is counted over) ---------------------------------------


@dataclass(frozen=True)
class BillingPeriod:
    """The days usage is counted over, in UTC: from `start` up to (not including) `end`."""

    start: date
    end: date


def calendar_month(at: datetime) -> BillingPeriod:
    """The UTC calendar month around `at`: Free's period."""
    day = at.astimezone(UTC).date()
    start = day.replace(day=1)
    end = date(start.year + 1, 1, 1) if start.month == 12 else start.replace(month=start.month + 1)
    return BillingPeriod(start, end)


async def billing_period_of(
    session: AsyncSession, user_id: uuid.UUID, now: datetime | None = None
) -> BillingPeriod:
    """The current period of the user's live subscription on a paid plan; the calendar month
    (UTC) on Free, or while the provider has not told the period yet."""
    subscription = await session.scalar(
        select(Subscription).where(Subscription.user_id == user_id, Subscription.status.in_(ON_PLAN))
    )
    if (
        subscription is None
        or subscription.current_period_start is None
        or subscription.current_period_end is None
    ):
        return calendar_month(now or utcnow())
    return BillingPeriod(
        subscription.current_period_start.astimezone(UTC).date(),
        subscription.current_period_end.astimezone(UTC).date(),
    )


async def period_start_for(session: AsyncSession, user_id: uuid.UUID, now: datetime | None = None) -> date:
    """The first day of the user's current billing period: usage counters are kept per period."""
    return (await billing_period_of(session, user_id, now)).start
