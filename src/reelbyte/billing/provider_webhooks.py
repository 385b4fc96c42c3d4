"""The billing side of the providers' notices: Stripe's subscription events and Mollie's first and
recurring payments, applied to our subscriptions.

Payments owns the webhook routes (it sits below billing and never imports it); billing hands it
two handlers at import (this module is in `reelbyte.registry`'s HANDLER_MODULES):
- `POST /v1/payments/webhook/stripe` (signature checked there) passes every event to
  `on_stripe_event` first; what is not about subscriptions (None) goes on to payments.
- `POST /v1/payments/webhook/subscriptions` (Mollie's form with an `id`) is `on_mollie_notice`.

As for payments, a notice's body is never believed: the subscription (Stripe) or payment
(Mollie) is read back from the provider, **under our subscription's row lock**, so that a
notice racing the subscriber's own change (a cancellation) applies what the provider says after
that change. A provider that cannot be read answers 503 (`provider_unavailable`) and the
provider sends the notice again. Then `subscriptions.apply_provider_state` applies it: never
older over newer (`provider_updated_at`), never a canceled subscription revived, the same notice
twice changing nothing.

Stripe: `checkout.session.completed` (mode subscription) and `customer.subscription.created`
start ours, whichever comes first (the Stripe subscription's metadata names ours);
`customer.subscription.updated` brings over the period (`current_period_start/end`) and
`cancel_at_period_end`; `invoice.paid` makes a past-due one active with the period Stripe moved
on; `invoice.payment_failed` makes it past due (with the e-mail) while that invoice is unpaid;
`customer.subscription.deleted` ends it (back to Free). Events about subscriptions that are not
ours are acknowledged (`{"status": "ignored"}`), as payments' Stripe events are.

Mollie: the first payment paid creates the Mollie subscription (providers/mollie.py) and starts
ours for a month from the payment; failed or expired, the checkout is dropped. A recurring payment
(`subscriptionId`) pays the period that starts at the period boundary of its payment date
(`RENEWAL_WINDOW`: Mollie charges on the payment date, which may come a little before our
period's end), or, failed, makes ours past due; one for a period already paid changes nothing.
An id that is no payment of ours is 404 `payment_not_found`, as on payments' Mollie webhook.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import stripe
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import subscriptions
from reelbyte.billing.models import Plan, Subscription, SubscriptionStatus
from reelbyte.billing.providers import configured
from reelbyte.billing.providers.mollie import MollieBilling, MolliePayment, subscription_ref
from reelbyte.billing.providers.stripe import StripeBilling, StripeSubscription
from reelbyte.billing.subscriptions import ProviderState, one_month_after
from reelbyte.payments.errors import PaymentNotFound, ProviderUnavailable
from reelbyte.payments.providers.base import ProviderError
from reelbyte.payments.router import set_subscription_notice_handler
from reelbyte.payments.stripe_webhook import set_subscription_event_handler

log = structlog.get_logger(__name__)

T = TypeVar("T")
S = SubscriptionStatus

IGNORED = "ignored"
# How long before our period's end a Mollie payment date may fall and still pay the next period
# (Mollie charges on a date, in its own time zone; our period ends at a moment in UTC).
RENEWAL_WINDOW = timedelta(days=3)

STRIPE_STATUSES = {
    "active": S.ACTIVE,
    "trialing": S.ACTIVE,
    "past_due": S.PAST_DUE,
    "unpaid": S.PAST_DUE,
    "canceled": S.CANCELED,
    "incomplete_expired": S.CANCELED,
    "incomplete": S.INCOMPLETE,
}
STRIPE_INVOICE_EVENTS = ("invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed")
MOLLIE_FAILED = ("failed", "expired", "canceled")


async def _reading(call: Awaitable[T]) -> T:
    try:
        return await call
    except ProviderError as error:
        log.warning("billing_notice_unreadable", error=str(error))
        raise ProviderUnavailable("Could not read the subscription back from the provider.") from error


def _our_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


# --- Stripe -------------------------------------------------------------------------------


def _stripe() -> StripeBilling:
    provider = configured("stripe")
    if not isinstance(provider, StripeBilling):
        raise ProviderUnavailable("Stripe is not configured for subscriptions (STRIPE_API_KEY).")
    return provider


async def on_stripe_event(session: AsyncSession, event: stripe.Event) -> str | None:
    """A verified Stripe event: our subscription's status after it, "ignored", or None when it is
    not about subscriptions (a payment-mode checkout: payments' business)."""
    kind = event.type
    obj = event.data.object.to_dict()
    object_id = str(obj.get("id") or "")
    at = datetime.fromtimestamp(int(event.created), UTC)
    if kind.startswith("checkout.session."):
        if obj.get("mode") != "subscription":
            return None
        return await _stripe_checkout(session, object_id, at)
    if kind.startswith("customer.subscription."):
        return await _stripe_subscription(session, object_id, at)
    if kind in STRIPE_INVOICE_EVENTS:
        invoice = await _reading(_stripe().invoice(object_id))
        if invoice is None or invoice.subscription is None:
            return IGNORED
        failed = invoice.id if kind == "invoice.payment_failed" else None
        return await _stripe_subscription(session, invoice.subscription, at, failed_invoice=failed)
    return None


async def _stripe_checkout(session: AsyncSession, checkout_id: str, at: datetime) -> str:
    checkout = await _reading(_stripe().checkout_session(checkout_id))
    if checkout is None:
        return IGNORED
    if checkout.status == "expired":
        expired = await subscriptions.checkout_failed(session, "stripe", checkout.id)
        return expired.status.value if expired is not None else IGNORED
    if checkout.status != "complete" or checkout.subscription is None:
        return IGNORED  # still open: nothing to do yet
    ours = _our_id(checkout.client_reference_id) or _our_id(checkout.metadata.get("subscription_id"))
    return await _stripe_subscription(session, checkout.subscription, at, ours=ours)


async def _stripe_subscription(
    session: AsyncSession,
    stripe_id: str,
    at: datetime,
    *,
    ours: uuid.UUID | None = None,
    failed_invoice: str | None = None,
) -> str:
    """Apply what Stripe says of subscription `stripe_id` now, under our subscription's lock."""
    provider = _stripe()
    subscription_id = await subscriptions.subscription_id_at_provider(session, "stripe", stripe_id) or ours
    if subscription_id is None:  # not started here yet: its metadata names ours
        found = await _reading(provider.subscription(stripe_id))
        subscription_id = _our_id(found.metadata.get("subscription_id")) if found is not None else None
        if subscription_id is None:
            log.info("stripe_subscription_not_ours", stripe_subscription=stripe_id)
            return IGNORED
    subscription = await subscriptions.lock_subscription(session, subscription_id)
    if (
        subscription is None
        or subscription.provider != "stripe"
        or subscription.provider_subscription_id not in (None, stripe_id)
    ):
        return IGNORED
    if subscription.status is S.CANCELED or (
        subscription.provider_updated_at is not None and at < subscription.provider_updated_at
    ):
        return subscription.status.value  # ended, or an older event than one applied: no change
    remote = await _reading(provider.subscription(stripe_id))  # what Stripe says now, under our lock
    if remote is None or remote.metadata.get("subscription_id") != str(subscription.id):
        return IGNORED
    state = _stripe_state(remote)
    if state is None:
        return subscription.status.value
    if failed_invoice is not None and state.status is S.ACTIVE:
        # Stripe may be set to leave a subscription active when a renewal fails: the invoice,
        # still open, says it was not paid.
        invoice = await _reading(provider.invoice(failed_invoice))
        if (
            invoice is not None
            and invoice.status == "open"
            and invoice.billing_reason == "subscription_cycle"
        ):
            state = replace(state, status=S.PAST_DUE)
    await subscriptions.apply_provider_state(session, subscription, state, at)
    return subscription.status.value


def _stripe_state(remote: StripeSubscription) -> ProviderState | None:
    status = STRIPE_STATUSES.get(remote.status)
    if status is None:  # paused: only after a trial, which no plan has
        log.warning("stripe_subscription_status_unknown", status=remote.status, stripe_subscription=remote.id)
        return None
    period = (
        (remote.period_start, remote.period_end)
        if remote.period_start is not None and remote.period_end is not None
        else None
    )
    return ProviderState(
        status=status,
        provider_subscription_id=remote.id,
        period=period,
        cancel_at_period_end=remote.cancel_at_period_end,
        ended_at=remote.ended_at,
        plan_code=remote.metadata.get("plan"),
    )


# --- Mollie -------------------------------------------------------------------------------


def _mollie() -> MollieBilling:
    provider = configured("mollie")
    if not isinstance(provider, MollieBilling):
        raise ProviderUnavailable("Mollie is not configured for subscriptions (MOLLIE_API_KEY).")
    return provider


async def on_mollie_notice(session: AsyncSession, payment_id: str) -> str:
    """Mollie says payment `payment_id` changed: our subscription's status after it. Without
    Mollie's credentials no subscription of ours is at Mollie, so the payment is none of ours."""
    if configured("mollie") is None:
        raise PaymentNotFound()
    payment = await _reading(_mollie().payment(payment_id))
    if payment is None:
        raise PaymentNotFound()
    if payment.subscription_id is not None and payment.customer_id is not None:
        return await _mollie_renewal(session, payment)
    ours = _our_id(payment.metadata.get("subscription_id"))
    if payment.sequence_type == "first" and ours is not None:
        return await _mollie_first_payment(session, payment, ours)
    raise PaymentNotFound()


async def _mollie_first_payment(session: AsyncSession, payment: MolliePayment, ours: uuid.UUID) -> str:
    subscription = await subscriptions.lock_subscription(session, ours)
    if subscription is None or subscription.provider != "mollie":
        raise PaymentNotFound()
    if subscription.status is not S.INCOMPLETE or subscription.provider_checkout_id != payment.id:
        return subscription.status.value  # a duplicate, or a checkout replaced since: no change
    again = await _reading(_mollie().payment(payment.id))  # read again, under the lock
    payment = again if again is not None else payment
    if payment.status in MOLLIE_FAILED:
        await subscriptions.checkout_failed(session, "mollie", payment.id)
        return subscription.status.value
    if payment.status != "paid" or payment.customer_id is None:
        return subscription.status.value  # open, pending: its next notice says more
    plan = await session.get_one(Plan, subscription.plan_code)
    if (payment.amount_minor, payment.currency) != (plan.price_minor, plan.currency):
        log.error("mollie_first_payment_amount_mismatch", payment_id=payment.id, plan=plan.code)
        return subscription.status.value
    start = payment.paid_at or payment.created_at
    end = one_month_after(start)
    mollie_ref = await _reading(
        _mollie().start_subscription(
            customer_id=payment.customer_id,
            mandate_id=payment.mandate_id,
            subscription_id=subscription.id,
            plan=subscriptions.plan_price(plan),
            start=end.date(),
            idempotency_key=f"billing-subscription:{payment.id}",
        )
    )
    state = ProviderState(S.ACTIVE, mollie_ref, period=(start, end), cancel_at_period_end=False)
    await subscriptions.apply_provider_state(session, subscription, state, start)
    return subscription.status.value


async def _mollie_renewal(session: AsyncSession, payment: MolliePayment) -> str:
    assert payment.customer_id is not None
    assert payment.subscription_id is not None
    mollie_ref = subscription_ref(payment.customer_id, payment.subscription_id)
    subscription_id = await subscriptions.subscription_id_at_provider(session, "mollie", mollie_ref)
    subscription = (
        await subscriptions.lock_subscription(session, subscription_id)
        if subscription_id is not None
        else None
    )
    if subscription is None:
        raise PaymentNotFound()
    if subscription.status not in (S.ACTIVE, S.PAST_DUE):
        return subscription.status.value
    again = await _reading(_mollie().payment(payment.id))  # read again, under the lock
    payment = again if again is not None else payment
    state = _mollie_renewal_state(subscription, payment, mollie_ref)
    if state is not None:
        await subscriptions.apply_provider_state(session, subscription, state, payment.created_at)
    return subscription.status.value


def _mollie_renewal_state(
    subscription: Subscription, payment: MolliePayment, mollie_ref: str
) -> ProviderState | None:
    """What a recurring payment means for `subscription`: None for nothing (a payment for a
    period already paid, one still pending)."""
    end = subscription.current_period_end
    assert end is not None, "a live subscription has a period"
    charged = payment.created_at
    if charged < end - RENEWAL_WINDOW:
        return None  # for a period that has been moved on already
    if payment.status == "paid":
        start = end
        while charged >= one_month_after(start) - RENEWAL_WINDOW:
            start = one_month_after(start)
        return ProviderState(S.ACTIVE, mollie_ref, period=(start, one_month_after(start)))
    if payment.status in MOLLIE_FAILED:
        return ProviderState(S.PAST_DUE, mollie_ref)
    return None


def register() -> None:
    set_subscription_event_handler(on_stripe_event)
    set_subscription_notice_handler(on_mollie_notice)


register()
