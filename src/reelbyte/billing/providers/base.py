"""The interface every billing (subscription) provider implements.

What the app keeps is the `subscriptions` row; a provider holds the means of payment and, for the
remote ones, the schedule of charges. The calls below are the whole conversation:

- a checkout where the subscriber pays the first period (`create_checkout`, `checkout_url`):
  the sandbox's page; Stripe Checkout in `subscription` mode; Mollie's first payment, which
  creates the mandate its subscriptions API charges later;
- the customer portal (`portal_url`): the sandbox's page; Stripe's Billing portal session;
- changes the app makes on the subscriber's behalf (`change_plan`, `set_cancel_at_period_end`,
  and `cancel_now` when the grace period of an unpaid renewal runs out);
- renewals: a provider that `renews_by_job` (the sandbox) is charged by the app's renewal job at
  each period end (`charge_renewal`); the others (Stripe, Mollie) charge on their own schedule and
  report by webhook, which the service applies with the same functions the sandbox's pages use.

Provider failures raise `payments.providers.base.ProviderError` (worth retrying later).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PlanPrice:
    """A plan as a provider needs it: what to charge each period."""

    code: str
    name: str
    price_minor: int
    currency: str


@dataclass(frozen=True)
class Subscriber:
    user_id: uuid.UUID
    email: str
    name: str
    customer_id: str | None  # the provider's customer (users.billing_customer_id), if it keeps one


@dataclass(frozen=True)
class CheckoutRequest:
    """A checkout for `subscription_id` (ours): the provider echoes it back (Stripe's
    client_reference_id, Mollie's metadata) so that its notice finds the subscription."""

    subscription_id: uuid.UUID
    subscriber: Subscriber
    plan: PlanPrice
    return_url: str  # where the subscriber lands after paying or giving up


@dataclass(frozen=True)
class ProviderCheckout:
    id: str  # kept as subscriptions.provider_checkout_id
    url: str


@dataclass(frozen=True)
class SubscriptionRef:
    """A subscription as the provider knows it."""

    subscription_id: uuid.UUID
    provider_subscription_id: str | None
    plan_code: str


class BillingProvider(Protocol):
    name: str
    # True: the app's renewal job charges each period (`charge_renewal`); False: the provider
    # charges on its own schedule and its webhooks move the period on.
    renews_by_job: bool

    async def create_checkout(self, request: CheckoutRequest) -> ProviderCheckout: ...

    async def checkout_url(self, checkout_id: str) -> str | None:
        """The URL of a checkout that can still be paid; None once it is spent or expired."""
        ...

    async def portal_url(self, subscription: SubscriptionRef, return_url: str) -> str: ...

    async def change_plan(self, subscription: SubscriptionRef, plan: PlanPrice) -> None: ...

    async def set_cancel_at_period_end(self, subscription: SubscriptionRef, cancel: bool) -> None: ...

    async def cancel_now(self, subscription: SubscriptionRef) -> None:
        """End it at the provider at once (the grace period ran out): no more charges."""
        ...

    async def charge_renewal(
        self, subscription: SubscriptionRef, plan: PlanPrice, idempotency_key: str
    ) -> bool:
        """Charge one period; True when paid. The same key gives the same answer again."""
        ...
