"""Which plan a user is on: the one other code asks about (limits, API access, webhooks, fees)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.models import Plan, Subscription, SubscriptionStatus

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
