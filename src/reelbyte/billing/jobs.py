"""Billing's jobs.

The scheduled one renews the subscriptions whose period ended, ends those cancelled at period
end (the sandbox's and Mollie's: Stripe ends its own), and ends those whose grace period ran out
(or that were cancelled while past due). A periodic procrastinate task, deferred by the
long-running workers every minute; its queueing lock keeps at most one waiting. Each
subscription is its own unit of work under its row lock, checked against the period it was
picked for, so two runs at once (or a run repeated after a crash) renew a period once; one
subscription failing does not hold up the others.

`billing.create_customer` makes a new user's customer at the payment provider (Stripe, Mollie),
deferred by the sign-up's own transaction (identity's `user_registered`, answered here). It runs
under the user's row lock and is keyed by the user at the provider, so run twice, or at once with
a checkout that needs the customer, it makes one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial

import procrastinate
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import subscriptions
from reelbyte.billing.providers import CUSTOMER_PROVIDERS, get_billing_provider
from reelbyte.core.config import get_settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.core.jobs import defer, job_app
from reelbyte.identity import events as identity_events
from reelbyte.identity.models import User
from reelbyte.payments.errors import ProviderUnavailable

log = structlog.get_logger(__name__)

BATCH = 100
CREATE_CUSTOMER_TASK = "billing.create_customer"
CUSTOMER_RETRY = procrastinate.RetryStrategy(max_attempts=10, exponential_wait=2)


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(
    name="billing.renew_subscriptions", queue="billing", queueing_lock="billing.renew_subscriptions"
)
async def renew_subscriptions(timestamp: int) -> None:
    await run_renewals(utcnow())


async def run_renewals(now: datetime) -> tuple[int, int]:
    """Renew what is due and end what is overdue at `now`: (renewals tried, subscriptions ended)."""
    renewed = 0
    for due in await transaction(partial(subscriptions.due_renewals, now=now, limit=BATCH), read_only=True):
        try:
            await transaction(partial(subscriptions.renew, due=due, now=now))
        except ProviderUnavailable:  # tried again at the next run
            log.warning("renewal_postponed", subscription_id=str(due.subscription_id))
            continue
        renewed += 1
    ended = 0
    for subscription_id in await transaction(
        partial(subscriptions.overdue_past_due, now=now, limit=BATCH), read_only=True
    ):
        try:
            await transaction(partial(subscriptions.end_past_due, subscription_id=subscription_id, now=now))
        except ProviderUnavailable:
            log.warning("subscription_end_postponed", subscription_id=str(subscription_id))
            continue
        ended += 1
    if renewed or ended:
        log.info("subscriptions_renewed", renewals=renewed, ended=ended)
    return renewed, ended


# --- the provider's customer of a new user --------------------------------------------------


@identity_events.user_registered.connect
async def create_customer_later(session: AsyncSession, user: User) -> None:
    """After sign-up (once it commits), when the provider keeps customers."""
    if get_settings().payment_provider in CUSTOMER_PROVIDERS:
        await defer(session, CREATE_CUSTOMER_TASK, user_id=str(user.id))


@job_app.task(name=CREATE_CUSTOMER_TASK, queue="billing", retry=CUSTOMER_RETRY)
async def create_customer(user_id: str) -> None:
    """The user's customer at the configured provider; nothing when they have one already. A
    provider that does not answer fails the run, and procrastinate tries it again later."""

    async def work(session: AsyncSession) -> str | None:
        return await subscriptions.ensure_customer(session, get_billing_provider(), uuid.UUID(user_id))

    customer_id = await transaction(work)
    log.info("billing_customer_ready", user_id=user_id, customer=customer_id)
