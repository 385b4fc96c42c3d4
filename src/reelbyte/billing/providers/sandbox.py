"""The built-in sandbox billing provider: subscriptions offline, with pages to play the subscriber.

Its checkout is the incomplete subscription itself: the checkout id is a random token stored as
the subscription's `provider_checkout_id`, and `/sandbox/billing/checkout/{id}` (sandbox_pages.py)
offers Pay and Fail, applied through the same service functions a remote provider's notices
call. Its customer portal (`/sandbox/billing/portal/{token}`) changes plan, cancels or resumes,
settles an overdue renewal, and arms "fail the next renewal".

What a remote provider would keep about the card lives in Redis (no table of its own):
- `billing:sandbox:fail-next:{subscription id}`: "fail the next renewal", armed in the portal and
  spent by the next charge (kept FAIL_FLAG_DAYS at most);
- `billing:sandbox:charge:{idempotency key}`: a charge's outcome, so that a renewal run again
  (after a crash or a retried transaction) gets the same answer and spends no second flag;
- `billing:sandbox:portal:{token}`: a portal session (its subscription and where "Back" goes),
  valid PORTAL_SESSION_SECONDS, like Stripe's short-lived portal sessions.
Redis unreachable: `ProviderError`, as a remote provider that does not answer (503 to a request,
a retry for the renewal job).
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from redis.exceptions import RedisError

from reelbyte.billing.providers import base
from reelbyte.core.config import get_settings
from reelbyte.core.redis import get_redis
from reelbyte.payments.providers.base import ProviderError

FAIL_FLAG_DAYS = 90
CHARGE_MEMORY_DAYS = 90
PORTAL_SESSION_SECONDS = 3600

PAID = "paid"
FAILED = "failed"


def _fail_flag(subscription_id: uuid.UUID) -> str:
    return f"billing:sandbox:fail-next:{subscription_id}"


def _charge(idempotency_key: str) -> str:
    return f"billing:sandbox:charge:{idempotency_key}"


def _portal(token: str) -> str:
    return f"billing:sandbox:portal:{token}"


def _page_url(path: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/sandbox/billing/{path}"


@dataclass(frozen=True)
class PortalSession:
    subscription_id: uuid.UUID
    return_url: str


class SandboxBilling:
    name = "sandbox"
    renews_by_job = True

    async def create_checkout(self, request: base.CheckoutRequest) -> base.ProviderCheckout:
        checkout_id = f"cs_{secrets.token_hex(16)}"
        return base.ProviderCheckout(id=checkout_id, url=_page_url(f"checkout/{checkout_id}"))

    async def checkout_url(self, checkout_id: str) -> str | None:
        # Spent checkouts are forgotten by the service (it clears the id), so any id it still
        # holds is open.
        return _page_url(f"checkout/{checkout_id}")

    async def portal_url(self, subscription: base.SubscriptionRef, return_url: str) -> str:
        token = secrets.token_urlsafe(24)
        session = {"subscription_id": str(subscription.subscription_id), "return_url": return_url}
        try:
            await get_redis().set(_portal(token), json.dumps(session), ex=PORTAL_SESSION_SECONDS)
        except RedisError as error:
            raise ProviderError("sandbox: cannot open a portal session") from error
        return _page_url(f"portal/{token}")

    async def change_plan(self, subscription: base.SubscriptionRef, plan: base.PlanPrice) -> None:
        """Nothing to tell: the subscription row is the sandbox's record of the plan."""

    async def set_cancel_at_period_end(self, subscription: base.SubscriptionRef, cancel: bool) -> None:
        """Nothing to tell: the renewal job reads cancel_at_period_end from the row."""

    async def cancel_now(self, subscription: base.SubscriptionRef) -> None:
        await forget_card(subscription.subscription_id)

    async def charge_renewal(
        self, subscription: base.SubscriptionRef, plan: base.PlanPrice, idempotency_key: str
    ) -> bool:
        """Paid, unless "fail the next renewal" is armed (which this charge spends)."""
        redis = get_redis()
        try:
            known = await redis.get(_charge(idempotency_key))
            if known is not None:
                return bool(known == PAID)
            declined = await redis.getdel(_fail_flag(subscription.subscription_id)) is not None
            outcome = FAILED if declined else PAID
            await redis.set(_charge(idempotency_key), outcome, ex=CHARGE_MEMORY_DAYS * 86400)
        except RedisError as error:
            raise ProviderError("sandbox: the card cannot be charged now") from error
        return outcome == PAID


async def portal_session(token: str) -> PortalSession | None:
    """The portal session of `token`, or None when it is unknown or expired."""
    try:
        raw = await get_redis().get(_portal(token))
    except RedisError as error:
        raise ProviderError("sandbox: cannot read the portal session") from error
    if raw is None:
        return None
    data = json.loads(raw)
    return PortalSession(uuid.UUID(data["subscription_id"]), str(data["return_url"]))


async def arm_renewal_failure(subscription_id: uuid.UUID, armed: bool) -> None:
    """The portal's "fail the next renewal" (armed) and "let it succeed" (not)."""
    try:
        if armed:
            await get_redis().set(_fail_flag(subscription_id), "1", ex=FAIL_FLAG_DAYS * 86400)
        else:
            await get_redis().delete(_fail_flag(subscription_id))
    except RedisError as error:
        raise ProviderError("sandbox: cannot change the card's state") from error


async def renewal_failure_armed(subscription_id: uuid.UUID) -> bool:
    try:
        return bool(await get_redis().exists(_fail_flag(subscription_id)))
    except RedisError as error:
        raise ProviderError("sandbox: cannot read the card's state") from error


async def forget_card(subscription_id: uuid.UUID) -> None:
    try:
        await get_redis().delete(_fail_flag(subscription_id))
    except RedisError as error:
        raise ProviderError("sandbox: cannot forget the card") from error
