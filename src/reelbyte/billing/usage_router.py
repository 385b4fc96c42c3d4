"""HTTP routes of one's own usage against the plan's limits (under /v1)."""

from __future__ import annotations

from reelbyte.billing import usage
from reelbyte.billing.usage_schemas import UsageOut
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentUser

usage_router = APIRouter(prefix="/users/me", tags=["billing"])


@usage_router.get("/usage", response_model=UsageOut)
async def my_usage(user: CurrentUser, session: SessionDep) -> UsageOut:
    """My use this billing period against each of my plan's limits (null: unlimited), and the
    use of my last 12 periods. The period is my subscription's; the calendar month (UTC) on Free."""
    return await usage.usage_of(session, user.id)
