"""Stripe Billing, through the official `stripe` client (`StripeClient`, its async methods), the
same way as payments' Stripe provider.

The flow:
- **Customer**: one Stripe customer per user (`users.billing_customer_id`, `cus_…`), made by the
  `billing.create_customer` job after sign-up, or by the checkout when it is missing; keyed by
  `customer:{user id}`, so two makers at once get the same customer.
- **Checkout**: a Checkout Session in `subscription` mode for that customer, one line item whose
  `price_data` recurs monthly; `client_reference_id`, `metadata` and the subscription's
  `subscription_data.metadata` carry our subscription id (and plan), so every later notice finds
  it. Each plan is a Stripe product of its own (`reelbyte_plan_{code}`, made on first use): a
  plan change needs a product id, as Stripe's subscription items take no inline product.
- **Portal**: a Billing customer portal session (`billing_portal.sessions`) for the
  subscription's customer: payment methods, invoices, cancellation.
- **Changes** the app makes: `subscriptions.update` (the item's price for a plan change, without
  proration; `cancel_at_period_end` for cancel and resume) and `subscriptions.cancel` when the
  grace period of an unpaid renewal runs out.
- **Renewals**: Stripe charges each period itself; its webhooks (`checkout.session.completed`,
  `customer.subscription.*`, `invoice.paid`, `invoice.payment_failed`) reach
  `billing/provider_webhooks.py`, which reads the subscription back with `subscription` here.

The JSON read is API version 2025-03-31.basil or later: a subscription's period is on its item
(`current_period_start/end`; the subscription's own fields are read when an older version sends
them), and an invoice names its subscription in `parent.subscription_details`. Amounts: every
plan currency (EUR, USD, GBP) has two decimals, so Stripe's integer amounts are our minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stripe

from reelbyte.billing.providers import base
from reelbyte.payments.providers.base import ProviderError

PRODUCT_PREFIX = "reelbyte_plan_"
# Subscription statuses after which Stripe charges nothing more.
ENDED = ("canceled", "incomplete_expired")


def _error(error: stripe.StripeError) -> ProviderError:
    return ProviderError(f"stripe: {error.user_message or error}")


def _missing(error: stripe.StripeError) -> bool:
    return isinstance(error, stripe.InvalidRequestError) and error.code == "resource_missing"


def _moment(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value is not None else None


def _id(value: Any) -> str | None:
    """An expandable field: the id, whether Stripe sent the id or the object."""
    if value is None or isinstance(value, str):
        return value
    return str(value["id"])


@dataclass(frozen=True)
class StripeSubscription:
    """A Stripe subscription as read back: what the webhooks apply."""

    id: str
    status: str  # Stripe's: active, trialing, past_due, unpaid, canceled, incomplete, …
    customer: str | None
    period_start: datetime | None
    period_end: datetime | None
    cancel_at_period_end: bool
    ended_at: datetime | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StripeCheckout:
    id: str
    status: str | None  # open, complete, expired
    mode: str | None
    subscription: str | None
    client_reference_id: str | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StripeInvoice:
    id: str
    status: str | None  # draft, open, paid, uncollectible, void
    billing_reason: str | None
    subscription: str | None


def read_subscription(stripe_object: stripe.Subscription) -> StripeSubscription:
    remote = stripe_object.to_dict()
    items = remote.get("items") or {}
    item = (items.get("data") or [{}])[0]
    start = item.get("current_period_start", remote.get("current_period_start"))
    end = item.get("current_period_end", remote.get("current_period_end"))
    return StripeSubscription(
        id=str(remote["id"]),
        status=str(remote.get("status")),
        customer=_id(remote.get("customer")),
        period_start=_moment(start),
        period_end=_moment(end),
        cancel_at_period_end=bool(remote.get("cancel_at_period_end")),
        ended_at=_moment(remote.get("ended_at")),
        metadata={str(k): str(v) for k, v in (remote.get("metadata") or {}).items()},
    )


def read_invoice(stripe_object: stripe.Invoice) -> StripeInvoice:
    remote = stripe_object.to_dict()
    parent = remote.get("parent") or {}
    details = parent.get("subscription_details") or {}
    subscription = _id(details.get("subscription")) or _id(remote.get("subscription"))
    return StripeInvoice(
        id=str(remote["id"]),
        status=remote.get("status"),
        billing_reason=remote.get("billing_reason"),
        subscription=subscription,
    )


class StripeBilling:
    name = "stripe"
    renews_by_job = False

    def __init__(
        self, api_key: str, api_base: str | None = None, *, max_network_retries: int = 2, timeout: float = 20
    ) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.HTTPXClient(timeout=timeout),
        )

    # --- customers ----------------------------------------------------------------------------

    async def create_customer(self, subscriber: base.Subscriber, idempotency_key: str) -> str:
        try:
            customer = await self.client.v1.customers.create_async(
                {
                    "email": subscriber.email,
                    "name": subscriber.name,
                    "metadata": {"user_id": str(subscriber.user_id)},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise _error(error) from error
        return customer.id

    def owns_customer(self, customer_id: str) -> bool:
        return customer_id.startswith("cus_")

    # --- checkout -----------------------------------------------------------------------------

    async def _product(self, plan: base.PlanPrice) -> str:
        """The plan's product (`reelbyte_plan_{code}`), made the first time it is needed (read
        each time: one small call per checkout or plan change, never a stale id)."""
        product_id = f"{PRODUCT_PREFIX}{plan.code}"
        try:
            await self.client.v1.products.retrieve_async(product_id)
        except stripe.StripeError as error:
            if not _missing(error):
                raise _error(error) from error
            try:
                await self.client.v1.products.create_async(
                    {"id": product_id, "name": f"ReelByte {plan.name}", "metadata": {"plan": plan.code}}
                )
            except stripe.StripeError as create_error:  # made at once by another process: fine
                if getattr(create_error, "code", None) != "resource_already_exists":
                    raise _error(create_error) from create_error
        return product_id

    def _price_data(self, plan: base.PlanPrice, product: str) -> dict[str, Any]:
        return {
            "currency": plan.currency.lower(),
            "unit_amount": plan.price_minor,
            "product": product,
            "recurring": {"interval": "month"},
        }

    async def create_checkout(self, request: base.CheckoutRequest) -> base.ProviderCheckout:
        if request.subscriber.customer_id is None:
            raise ProviderError("stripe: a subscription checkout needs the user's customer")
        product = await self._product(request.plan)
        metadata = {"subscription_id": str(request.subscription_id), "plan": request.plan.code}
        params: Any = {
            "mode": "subscription",
            "customer": request.subscriber.customer_id,
            "line_items": [{"quantity": 1, "price_data": self._price_data(request.plan, product)}],
            "success_url": request.return_url,
            "cancel_url": request.return_url,
            "client_reference_id": str(request.subscription_id),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
        }
        try:
            session = await self.client.v1.checkout.sessions.create_async(params)
        except stripe.StripeError as error:
            raise _error(error) from error
        if session.url is None:
            raise ProviderError(f"stripe: checkout session {session.id} has no URL")
        return base.ProviderCheckout(id=session.id, url=session.url)

    async def checkout_url(self, checkout_id: str) -> str | None:
        checkout = await self._checkout(checkout_id)
        return checkout.url if checkout is not None and checkout.status == "open" else None

    async def _checkout(self, checkout_id: str) -> stripe.checkout.Session | None:
        try:
            return await self.client.v1.checkout.sessions.retrieve_async(checkout_id)
        except stripe.StripeError as error:
            if _missing(error):
                return None
            raise _error(error) from error

    async def checkout_session(self, checkout_id: str) -> StripeCheckout | None:
        """A Checkout Session read back (None: Stripe has no such session)."""
        found = await self._checkout(checkout_id)
        if found is None:
            return None
        session = found.to_dict()
        return StripeCheckout(
            id=str(session["id"]),
            status=session.get("status"),
            mode=session.get("mode"),
            subscription=_id(session.get("subscription")),
            client_reference_id=session.get("client_reference_id"),
            metadata={str(k): str(v) for k, v in (session.get("metadata") or {}).items()},
        )

    # --- the subscription ---------------------------------------------------------------------

    async def _remote(self, ref: base.SubscriptionRef) -> stripe.Subscription:
        if ref.provider_subscription_id is None:
            raise ProviderError(f"stripe: subscription {ref.subscription_id} has no Stripe subscription")
        try:
            return await self.client.v1.subscriptions.retrieve_async(ref.provider_subscription_id)
        except stripe.StripeError as error:
            raise _error(error) from error

    async def subscription(self, subscription_id: str) -> StripeSubscription | None:
        """A subscription read back (None: Stripe has no such subscription)."""
        try:
            remote = await self.client.v1.subscriptions.retrieve_async(subscription_id)
        except stripe.StripeError as error:
            if _missing(error):
                return None
            raise _error(error) from error
        return read_subscription(remote)

    async def invoice(self, invoice_id: str) -> StripeInvoice | None:
        try:
            remote = await self.client.v1.invoices.retrieve_async(invoice_id)
        except stripe.StripeError as error:
            if _missing(error):
                return None
            raise _error(error) from error
        return read_invoice(remote)

    async def portal_url(self, subscription: base.SubscriptionRef, return_url: str) -> str:
        customer = _id((await self._remote(subscription)).to_dict().get("customer"))
        if customer is None:
            raise ProviderError(
                f"stripe: subscription {subscription.provider_subscription_id} has no customer"
            )
        try:
            portal = await self.client.v1.billing_portal.sessions.create_async(
                {"customer": customer, "return_url": return_url}
            )
        except stripe.StripeError as error:
            raise _error(error) from error
        return portal.url

    async def change_plan(self, subscription: base.SubscriptionRef, plan: base.PlanPrice) -> None:
        """The item's price becomes the plan's, from the next invoice on (no proration)."""
        remote = (await self._remote(subscription)).to_dict()
        item_id = remote["items"]["data"][0]["id"]
        product = await self._product(plan)
        assert subscription.provider_subscription_id is not None
        params: Any = {
            "items": [{"id": item_id, "price_data": self._price_data(plan, product)}],
            "proration_behavior": "none",
            "metadata": {"plan": plan.code},
        }
        try:
            await self.client.v1.subscriptions.update_async(subscription.provider_subscription_id, params)
        except stripe.StripeError as error:
            raise _error(error) from error

    async def set_cancel_at_period_end(self, subscription: base.SubscriptionRef, cancel: bool) -> None:
        if subscription.provider_subscription_id is None:
            raise ProviderError(
                f"stripe: subscription {subscription.subscription_id} has no Stripe subscription"
            )
        try:
            await self.client.v1.subscriptions.update_async(
                subscription.provider_subscription_id, {"cancel_at_period_end": cancel}
            )
        except stripe.StripeError as error:
            raise _error(error) from error

    async def cancel_now(self, subscription: base.SubscriptionRef) -> None:
        """Cancel at Stripe at once; one that has ended already is left alone."""
        if subscription.provider_subscription_id is None:
            return  # never started at Stripe: nothing charges
        remote = await self.subscription(subscription.provider_subscription_id)
        if remote is None or remote.status in ENDED:
            return
        try:
            await self.client.v1.subscriptions.cancel_async(subscription.provider_subscription_id)
        except stripe.StripeError as error:
            raise _error(error) from error

    async def charge_renewal(
        self, subscription: base.SubscriptionRef, plan: base.PlanPrice, idempotency_key: str
    ) -> bool:
        """Pay the subscription's latest invoice now (a past-due renewal): True once it is paid,
        False when the card is declined. Stripe charges regular renewals itself."""
        latest = _id((await self._remote(subscription)).to_dict().get("latest_invoice"))
        if latest is None:
            return False
        invoice = await self.invoice(latest)
        if invoice is None:
            return False
        if invoice.status == "paid":
            return True
        try:
            paid = await self.client.v1.invoices.pay_async(
                latest, options={"idempotency_key": idempotency_key}
            )
        except stripe.CardError:
            return False
        except stripe.StripeError as error:
            raise _error(error) from error
        return paid.status == "paid"
