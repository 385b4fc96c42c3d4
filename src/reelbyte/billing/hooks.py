"""What billing answers for the domains below it, registered at import (listed in
`reelbyte.registry`, which the API and every worker load). A lower domain never imports billing:
it asks through the lookup it declares, and without one it falls back to its own default.

- orders: the creator's marketplace fee (a plan may set a lower one than PLATFORM_FEE_PERCENTAGE);
- media: the storage quota (the plan's `storage_quota_mb`);
- identity: whether the plan includes API keys, and the metering of each key-authenticated call.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.models import UsageMetric
from reelbyte.billing.plans import plan_of
from reelbyte.billing.usage import MIB, record_usage
from reelbyte.identity import api_keys
from reelbyte.media import service as media
from reelbyte.orders.service import set_fee_lookup


async def plan_fee_percentage(session: AsyncSession, creator_id: uuid.UUID) -> Decimal | None:
    """The fee the creator's plan sets, or None to use PLATFORM_FEE_PERCENTAGE."""
    return (await plan_of(session, creator_id)).fee_percentage


async def storage_quota_bytes(session: AsyncSession, user_id: uuid.UUID) -> int:
    return (await plan_of(session, user_id)).storage_quota_mb * MIB


async def api_access_allowed(session: AsyncSession, user_id: uuid.UUID) -> bool:
    return (await plan_of(session, user_id)).api_access


async def meter_api_call(session: AsyncSession, user_id: uuid.UUID, call_id: str) -> None:
    """One API call on the user's usage (counted, never limited: keys have their rate limit)."""
    await record_usage(session, user_id, UsageMetric.API_CALL, 1, idempotency_key=call_id)


def register() -> None:
    set_fee_lookup(plan_fee_percentage)
    media.set_quota_lookup(storage_quota_bytes)
    api_keys.set_api_access_check(api_access_allowed)
    api_keys.set_api_call_meter(meter_api_call)


register()
