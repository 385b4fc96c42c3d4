"""Subscriptions: checkout, the subscriber's changes, renewals, and the way back to Free.

A user has at most one live subscription (incomplete, active or past due: a unique partial
index); without an active or past-due one they are on Free (`plans.plan_of`). The moves:

| from | to | when |
| --- | --- | --- |
| incomplete | active | its checkout is paid: the first period is now .. one calendar month later |
| incomplete | incomplete | its checkout failed or expired: the checkout is dropped, the next checkout opens a new one |
| active | active | renewed at period end (the next period starts where the last ended), or another plan chosen |
| active | past_due | a renewal was not paid: the plan stays for BILLING_GRACE_DAYS |
| past_due | active | the overdue renewal was paid: the period it was for starts |
| active, past_due | canceled | cancelled at period end, or the grace period ran out: back to Free |

Changing plan is immediate and not prorated: the new plan applies at once, the current period
keeps its end, and the next renewal charges the new plan's price. Checkout is only for starting
a subscription: with a paid plan already, another plan is chosen in the portal (409 otherwise).

Every change happens under the subscription's row lock and announces `events.plan_changed` when
the plan in effect changes. Nothing here commits: the route, page or job opens the unit of work.

Remote providers (Stripe, Mollie) charge on their own schedule: their notices, read back from the
provider (billing/provider_webhooks.py), are applied by `apply_provider_state` with the same
moves (start, past due with its e-mail, active again, back to Free), never older over newer
(`provider_updated_at`). A provider that keeps customers gets one per user (`ensure_customer`).
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import structlog
from sqlalchemy import Select, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import events
from reelbyte.billing.errors import (
    AlreadyCancelling,
    AlreadySubscribed,
    FreePlanNotPurchasable,
    NoSubscription,
    NotCancelling,
    PlanNotFound,
    SubscriptionExists,
)
from reelbyte.billing.models import Plan, Subscription, SubscriptionStatus
from reelbyte.billing.plans import FREE, ON_PLAN
from reelbyte.billing.providers import (
    ENDED_BY_JOB,
    RENEWED_BY_JOB,
    KeepsCustomers,
    Resubscribes,
    billing_provider_named,
    get_billing_provider,
)
from reelbyte.billing.providers.base import (
    BillingProvider,
    CheckoutRequest,
    PlanPrice,
    Subscriber,
    SubscriptionRef,
)
from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.money import Money
from reelbyte.identity.models import User
from reelbyte.notifications.service import notify
from reelbyte.payments.errors import ProviderUnavailable
from reelbyte.payments.providers.base import ProviderError

log = structlog.get_logger(__name__)

T = TypeVar("T")
S = SubscriptionStatus

LIVE = (S.INCOMPLETE, S.ACTIVE, S.PAST_DUE)
# The predicate of the unique index uq_subscriptions_user_live, as ON CONFLICT must name it.
LIVE_PREDICATE = text("status IN ('incomplete', 'active', 'past_due')")
BILLING_PAGE = "/billing"  # the web app's page where plans are managed

RENEWAL_FAILED = "billing_renewal_failed"  # notification types and e-mail templates
SUBSCRIPTION_ENDED = "billing_subscription_ended"


# --- periods ------------------------------------------------------------------------------


def one_month_after(moment: datetime) -> datetime:
    """The same time one calendar month later, the day clamped to that month's length
    (31 January → 28 or 29 February). Renewals chain from the previous end."""
    year = moment.year + moment.month // 12
    month = moment.month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def grace_ends_at(subscription: Subscription) -> datetime | None:
    if subscription.past_due_since is None:
        return None
    return subscription.past_due_since + timedelta(days=get_settings().billing_grace_days)


# --- plans --------------------------------------------------------------------------------


async def offered_plans(session: AsyncSession) -> list[Plan]:
    """The plans on offer, in display order."""
    rows = await session.scalars(
        select(Plan).where(Plan.is_active.is_(True)).order_by(Plan.display_order, Plan.code)
    )
    return list(rows)


async def _plan_to_buy(session: AsyncSession, code: str) -> Plan:
    if code == FREE:
        raise FreePlanNotPurchasable()
    plan = await session.get(Plan, code)
    if plan is None or not plan.is_active:
        raise PlanNotFound()
    return plan


def plan_price(plan: Plan) -> PlanPrice:
    """A plan as a provider charges it."""
    return PlanPrice(code=plan.code, name=plan.name, price_minor=plan.price_minor, currency=plan.currency)


_price = plan_price


def _ref(subscription: Subscription) -> SubscriptionRef:
    return SubscriptionRef(
        subscription_id=subscription.id,
        provider_subscription_id=subscription.provider_subscription_id,
        plan_code=subscription.plan_code,
    )


async def _asking(call: Awaitable[T]) -> T:
    """A provider call: a provider that fails is a 503 (try again), never a 500."""
    try:
        return await call
    except ProviderError as error:
        log.warning("billing_provider_failed", error=str(error))
        raise ProviderUnavailable() from error


# --- reading one's own --------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionState:
    """What a user is on: the plan in effect and their live subscription, if any (an
    incomplete one leaves them on Free)."""

    plan: Plan
    subscription: Subscription | None


def _live(user_id: uuid.UUID) -> Select[Subscription]:
    return select(Subscription).where(Subscription.user_id == user_id, Subscription.status.in_(LIVE))


async def subscription_state(session: AsyncSession, user_id: uuid.UUID) -> SubscriptionState:
    subscription = await session.scalar(_live(user_id))
    on_plan = subscription is not None and subscription.status in ON_PLAN
    plan_code = subscription.plan_code if subscription is not None and on_plan else FREE
    return SubscriptionState(await session.get_one(Plan, plan_code), subscription)


async def _lock_live(session: AsyncSession, user_id: uuid.UUID) -> Subscription | None:
    return await lock_one(session, _live(user_id))


async def _lock_on_plan(session: AsyncSession, user_id: uuid.UUID) -> Subscription:
    subscription = await _lock_live(session, user_id)
    if subscription is None or subscription.status not in ON_PLAN:
        raise NoSubscription()
    return subscription


# --- checkout -----------------------------------------------------------------------------


async def _live_or_new(session: AsyncSession, user: User, plan: Plan, provider: str) -> Subscription:
    """The user's live subscription, locked; a new incomplete one for `plan` without one.

    Two checkouts at once: the second insert waits on the unique index for the first to
    commit, then does nothing, and both go on with the one row."""
    live = await _lock_live(session, user.id)
    if live is not None:
        return live
    await session.execute(
        insert(Subscription)
        .values(id=uuid.uuid4(), user_id=user.id, plan_code=plan.code, status=S.INCOMPLETE, provider=provider)
        .on_conflict_do_nothing(index_elements=[Subscription.user_id], index_where=LIVE_PREDICATE)
    )
    live = await _lock_live(session, user.id)
    assert live is not None, "a live subscription was just inserted or found"
    return live


def _return_url(subscription: Subscription) -> str:
    return f"{get_settings().public_url.rstrip('/')}/billing/return/{subscription.id}"


async def checkout(session: AsyncSession, user: User, plan_code: str) -> str:
    """The URL where `user` pays the first period of `plan_code` (the same one again while it
    is open: a retried or concurrent checkout makes no second subscription)."""
    plan = await _plan_to_buy(session, plan_code)
    provider = get_billing_provider()
    subscription = await _live_or_new(session, user, plan, provider.name)
    if subscription.status is not S.INCOMPLETE:
        raise AlreadySubscribed() if subscription.plan_code == plan.code else SubscriptionExists()
    if subscription.plan_code != plan.code or subscription.provider != provider.name:
        # Another plan (or provider) than the checkout left open: that checkout is dropped.
        subscription.plan_code, subscription.provider = plan.code, provider.name
        subscription.provider_checkout_id = None
    if subscription.provider_checkout_id is not None:
        url = await _asking(provider.checkout_url(subscription.provider_checkout_id))
        if url is not None:
            return url
    return await _open_checkout(session, provider, subscription, user, plan)


async def _open_checkout(
    session: AsyncSession, provider: BillingProvider, subscription: Subscription, user: User, plan: Plan
) -> str:
    customer_id = await ensure_customer(session, provider, user.id)
    request = CheckoutRequest(
        subscription_id=subscription.id,
        subscriber=Subscriber(user.id, user.email, user.full_name, customer_id),
        plan=_price(plan),
        return_url=_return_url(subscription),
    )
    opened = await _asking(provider.create_checkout(request))
    subscription.provider_checkout_id = opened.id
    await session.flush()
    return opened.url


def customer_key(user_id: uuid.UUID) -> str:
    """The idempotency key of a user's customer at the provider: every maker gets the same one."""
    return f"customer:{user_id}"


async def ensure_customer(session: AsyncSession, provider: BillingProvider, user_id: uuid.UUID) -> str | None:
    """The user's customer at `provider` (`users.billing_customer_id`), made once: under the
    user's row lock, keyed by the user (a maker that crashed after the provider answered gets
    the same customer again). None for a provider without customers (the sandbox) or a user who
    is gone. A customer of another provider (PAYMENT_PROVIDER changed) is replaced."""
    if not isinstance(provider, KeepsCustomers):
        return None
    user = await lock_one(session, select(User).where(User.id == user_id))
    if user is None:
        return None
    if user.billing_customer_id and provider.owns_customer(user.billing_customer_id):
        return user.billing_customer_id
    subscriber = Subscriber(user.id, user.email, user.full_name, None)
    user.billing_customer_id = await _asking(provider.create_customer(subscriber, customer_key(user.id)))
    await session.flush()
    log.info("billing_customer_created", user_id=str(user.id), provider=provider.name)
    return user.billing_customer_id


async def find_checkout(session: AsyncSession, provider: str, checkout_id: str) -> Subscription | None:
    return await session.scalar(
        select(Subscription).where(
            Subscription.provider == provider, Subscription.provider_checkout_id == checkout_id
        )
    )


async def checkout_paid(
    session: AsyncSession, provider: str, checkout_id: str, provider_subscription_id: str
) -> Subscription | None:
    """The provider says the checkout was paid: the subscription starts now. A duplicate or late
    notice (the subscription is no longer incomplete) changes nothing."""
    subscription = await lock_one(
        session,
        select(Subscription).where(
            Subscription.provider == provider, Subscription.provider_checkout_id == checkout_id
        ),
    )
    if subscription is None or subscription.status is not S.INCOMPLETE:
        return subscription
    now = utcnow()
    await _start(session, subscription, provider_subscription_id, (now, one_month_after(now)))
    return subscription


async def _start(
    session: AsyncSession,
    subscription: Subscription,
    provider_subscription_id: str,
    period: tuple[datetime, datetime],
) -> None:
    subscription.status = S.ACTIVE
    subscription.provider_subscription_id = provider_subscription_id
    subscription.current_period_start, subscription.current_period_end = period
    await session.flush()
    await events.plan_changed.emit(
        session, events.PlanChange(subscription.user_id, FREE, subscription.plan_code)
    )
    log.info("subscription_started", subscription_id=str(subscription.id), plan=subscription.plan_code)


async def checkout_failed(session: AsyncSession, provider: str, checkout_id: str) -> Subscription | None:
    """The checkout failed or expired: it is dropped (the subscription stays incomplete, and the
    next checkout opens a new one)."""
    subscription = await lock_one(
        session,
        select(Subscription).where(
            Subscription.provider == provider, Subscription.provider_checkout_id == checkout_id
        ),
    )
    if subscription is not None and subscription.status is S.INCOMPLETE:
        subscription.provider_checkout_id = None
        await session.flush()
    return subscription


# --- the subscriber's changes -------------------------------------------------------------


async def portal_url(session: AsyncSession, user_id: uuid.UUID) -> str:
    """The provider's customer portal for the user's subscription."""
    subscription = await _lock_on_plan(session, user_id)
    provider = billing_provider_named(subscription.provider)
    return_url = f"{get_settings().public_url.rstrip('/')}{BILLING_PAGE}"
    return await _asking(provider.portal_url(_ref(subscription), return_url))


async def cancel(session: AsyncSession, user_id: uuid.UUID) -> Subscription:
    """End the subscription at the end of its period (the plan stays until then)."""
    subscription = await _lock_on_plan(session, user_id)
    if subscription.cancel_at_period_end:
        raise AlreadyCancelling()
    await _set_cancel_at_period_end(session, subscription, True)
    return subscription


async def resume(session: AsyncSession, user_id: uuid.UUID) -> Subscription:
    """Undo a cancellation before the period ends: the subscription renews again."""
    subscription = await _lock_on_plan(session, user_id)
    if not subscription.cancel_at_period_end:
        raise NotCancelling()
    await _set_cancel_at_period_end(session, subscription, False)
    return subscription


async def _set_cancel_at_period_end(session: AsyncSession, subscription: Subscription, cancel: bool) -> None:
    provider = billing_provider_named(subscription.provider)
    if not cancel and isinstance(provider, Resubscribes):
        # Cancelled at the provider already (Mollie): a new schedule from the paid period's end.
        plan = await session.get_one(Plan, subscription.plan_code)
        assert subscription.current_period_end is not None, "a subscription on a plan has a period"
        subscription.provider_subscription_id = await _asking(
            provider.resubscribe(_ref(subscription), _price(plan), subscription.current_period_end)
        )
    else:
        await _asking(provider.set_cancel_at_period_end(_ref(subscription), cancel))
    subscription.cancel_at_period_end = cancel


async def lock_subscription(session: AsyncSession, subscription_id: uuid.UUID) -> Subscription | None:
    return await lock_one(session, select(Subscription).where(Subscription.id == subscription_id))


async def change_plan(session: AsyncSession, user_id: uuid.UUID, plan_code: str) -> Subscription:
    """Move an active subscription to another paid plan, at once and without proration."""
    subscription = await _lock_on_plan(session, user_id)
    plan = await _plan_to_buy(session, plan_code)
    if subscription.plan_code == plan.code:
        raise AlreadySubscribed()
    provider = billing_provider_named(subscription.provider)
    await _asking(provider.change_plan(_ref(subscription), _price(plan)))
    change = events.PlanChange(user_id, subscription.plan_code, plan.code)
    subscription.plan_code = plan.code
    await session.flush()
    await events.plan_changed.emit(session, change)
    return subscription


# --- renewals and the end ----------------------------------------------------------------


@dataclass(frozen=True)
class DueRenewal:
    subscription_id: uuid.UUID
    period_end: datetime  # the period the renewal follows: a renewal done already changed it


async def due_renewals(session: AsyncSession, now: datetime, limit: int) -> list[DueRenewal]:
    """Active subscriptions whose period has ended, of the providers the app renews, and those
    cancelled at period end of the providers whose end the app makes (Mollie's)."""
    rows = await session.execute(
        select(Subscription.id, Subscription.current_period_end)
        .where(
            Subscription.status == S.ACTIVE,
            Subscription.current_period_end <= now,
            Subscription.provider.in_(RENEWED_BY_JOB)
            | (Subscription.cancel_at_period_end.is_(True) & Subscription.provider.in_(ENDED_BY_JOB)),
        )
        .order_by(Subscription.current_period_end)
        .limit(limit)
    )
    return [DueRenewal(row.id, row.current_period_end) for row in rows]


async def renew(session: AsyncSession, due: DueRenewal, now: datetime) -> Subscription | None:
    """Renew one subscription for the period after `due.period_end`: end it instead if it was
    cancelled; on a failed charge it becomes past due. Under its row lock, and only while its
    period is still `due.period_end`: run twice, it renews once."""
    subscription = await lock_subscription(session, due.subscription_id)
    if (
        subscription is None
        or subscription.status is not S.ACTIVE
        or subscription.current_period_end != due.period_end
        or due.period_end > now
    ):
        return subscription
    provider = billing_provider_named(subscription.provider)
    if subscription.cancel_at_period_end:
        await _asking(provider.cancel_now(_ref(subscription)))
        await _end(session, subscription, ended_at=due.period_end, unpaid=False)
        return subscription
    if not provider.renews_by_job:  # the provider charges the next period itself
        return subscription
    plan = await session.get_one(Plan, subscription.plan_code)
    key = f"renewal:{subscription.id}:{due.period_end.isoformat()}"
    if await _asking(provider.charge_renewal(_ref(subscription), _price(plan), key)):
        _next_period(subscription)
        log.info("subscription_renewed", subscription_id=str(subscription.id))
    else:
        await _fall_past_due(session, subscription, plan, now)
    return subscription


def _next_period(subscription: Subscription) -> None:
    assert subscription.current_period_end is not None
    start = subscription.current_period_end
    subscription.current_period_start, subscription.current_period_end = start, one_month_after(start)


async def _fall_past_due(
    session: AsyncSession, subscription: Subscription, plan: Plan, now: datetime
) -> None:
    subscription.status = S.PAST_DUE
    subscription.past_due_since = now
    await session.flush()
    grace_end = grace_ends_at(subscription)
    assert grace_end is not None
    price = Money.from_minor(plan.price_minor, plan.currency)
    await _tell(
        session,
        subscription.user_id,
        RENEWAL_FAILED,
        "Renewal payment failed",
        f"We could not renew your {plan.name} plan ({price.value} {price.currency}). "
        f"Update your payment by {grace_end:%d %B %Y} to keep it; after that you will be back on Free.",
        plan=plan.name,
        amount=f"{price.value} {price.currency}",
        grace_ends=f"{grace_end:%d %B %Y}",
    )
    log.info("subscription_past_due", subscription_id=str(subscription.id))


async def pay_overdue(session: AsyncSession, subscription_id: uuid.UUID) -> bool:
    """Charge a past-due subscription's renewal again (the portal's "pay now"); paid, it is
    active again for the period the renewal was for."""
    subscription = await lock_subscription(session, subscription_id)
    if subscription is None or subscription.status is not S.PAST_DUE:
        raise NoSubscription("There is no overdue renewal to pay.")
    plan = await session.get_one(Plan, subscription.plan_code)
    provider = billing_provider_named(subscription.provider)
    assert subscription.current_period_end is not None
    key = f"renewal:{subscription.id}:{subscription.current_period_end.isoformat()}:settle:{uuid.uuid4()}"
    if not await _asking(provider.charge_renewal(_ref(subscription), _price(plan), key)):
        return False
    subscription.status = S.ACTIVE
    subscription.past_due_since = None
    _next_period(subscription)
    return True


async def overdue_past_due(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    """Past-due subscriptions to end: their grace period is over, or they were cancelled."""
    grace_start = now - timedelta(days=get_settings().billing_grace_days)
    rows = await session.scalars(
        select(Subscription.id)
        .where(
            Subscription.status == S.PAST_DUE,
            (Subscription.past_due_since <= grace_start) | Subscription.cancel_at_period_end.is_(True),
        )
        .order_by(Subscription.past_due_since)
        .limit(limit)
    )
    return list(rows)


async def end_past_due(
    session: AsyncSession, subscription_id: uuid.UUID, now: datetime
) -> Subscription | None:
    """End a past-due subscription whose grace ran out (or that was cancelled): back to Free."""
    subscription = await lock_subscription(session, subscription_id)
    if subscription is None or subscription.status is not S.PAST_DUE:
        return subscription
    grace_end = grace_ends_at(subscription)
    if not subscription.cancel_at_period_end and (grace_end is None or grace_end > now):
        return subscription
    await _asking(billing_provider_named(subscription.provider).cancel_now(_ref(subscription)))
    await _end(session, subscription, ended_at=now, unpaid=not subscription.cancel_at_period_end)
    return subscription


async def _end(
    session: AsyncSession, subscription: Subscription, *, ended_at: datetime, unpaid: bool
) -> None:
    """Back to Free: the user's data stays; the limits of Free apply from now on."""
    plan = await session.get_one(Plan, subscription.plan_code)
    subscription.status = S.CANCELED
    subscription.ended_at = ended_at
    await session.flush()
    await events.plan_changed.emit(session, events.PlanChange(subscription.user_id, plan.code, FREE))
    why = (
        "its renewal stayed unpaid through the grace period"
        if unpaid
        else "it was cancelled at the end of its period"
    )
    await _tell(
        session,
        subscription.user_id,
        SUBSCRIPTION_ENDED,
        "Subscription ended",
        f"Your {plan.name} plan ended because {why}. You are on Free now; everything you made is kept.",
        plan=plan.name,
        reason=why,
    )
    log.info("subscription_ended", subscription_id=str(subscription.id), unpaid=unpaid)


async def _tell(
    session: AsyncSession, user_id: uuid.UUID, kind: str, title: str, content: str, **context: str
) -> None:
    """An in-app notification and the billing e-mail `kind`, sent whatever the preferences (it
    is about the account's money, as a password change is)."""
    await notify(session, user_id, kind, title, content, link=BILLING_PAGE)
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return
    link = f"{get_settings().public_url.rstrip('/')}{BILLING_PAGE}"
    await queue_email(session, user.email, kind, name=user.full_name, link=link, **context)


# --- what a remote provider says ----------------------------------------------------------


@dataclass(frozen=True)
class ProviderState:
    """A subscription as its provider has it now: read back from the provider, never taken from a
    notice's body. `None` fields: the provider does not say, ours is kept."""

    status: SubscriptionStatus  # incomplete: nothing to apply yet
    provider_subscription_id: str
    period: tuple[datetime, datetime] | None = None
    cancel_at_period_end: bool | None = None
    ended_at: datetime | None = None
    plan_code: str | None = None  # the plan it was bought for (applied when it starts)


async def subscription_id_at_provider(
    session: AsyncSession, provider: str, provider_subscription_id: str
) -> uuid.UUID | None:
    return await session.scalar(
        select(Subscription.id).where(
            Subscription.provider == provider,
            Subscription.provider_subscription_id == provider_subscription_id,
        )
    )


async def apply_provider_state(
    session: AsyncSession, subscription: Subscription, state: ProviderState, at: datetime
) -> Subscription:
    """Bring `subscription` (locked by the caller, who read `state` under that lock) to what its
    provider says as of `at`, the provider's time of the notice.

    A canceled subscription stays so (a late notice never revives it), and a notice older than
    the newest applied (`provider_updated_at`) changes nothing. Otherwise the moves are the
    sandbox's: incomplete → active (the plan starts), active → past_due (the renewal failed: the
    e-mail, the grace period), past_due → active (paid after all), and to canceled (back to
    Free). Applied twice, the same state changes nothing the second time."""
    if subscription.status is S.CANCELED:
        return subscription
    if subscription.provider_updated_at is not None and at < subscription.provider_updated_at:
        return subscription
    subscription.provider_updated_at = at
    if subscription.status is S.INCOMPLETE:
        if state.status is S.ACTIVE and state.period is not None:
            plan = await session.get(Plan, state.plan_code) if state.plan_code else None
            if plan is not None and plan.code != FREE:
                subscription.plan_code = plan.code  # the plan paid for, should the row say another
            await _start(session, subscription, state.provider_subscription_id, state.period)
        elif state.status is S.CANCELED:  # the checkout's subscription expired unpaid
            subscription.provider_checkout_id = None
    elif state.status is S.CANCELED:
        unpaid = subscription.status is S.PAST_DUE and not subscription.cancel_at_period_end
        await _end(session, subscription, ended_at=state.ended_at or utcnow(), unpaid=unpaid)
        return subscription
    elif state.status is S.PAST_DUE and subscription.status is S.ACTIVE:
        plan = await session.get_one(Plan, subscription.plan_code)
        await _fall_past_due(session, subscription, plan, utcnow())
    elif state.status is S.ACTIVE and subscription.status is S.PAST_DUE:
        subscription.status = S.ACTIVE
        subscription.past_due_since = None
        log.info("subscription_paid_after_all", subscription_id=str(subscription.id))
    if subscription.status in ON_PLAN:
        if state.period is not None:
            subscription.current_period_start, subscription.current_period_end = state.period
        if state.cancel_at_period_end is not None:
            subscription.cancel_at_period_end = state.cancel_at_period_end
    await session.flush()
    return subscription
