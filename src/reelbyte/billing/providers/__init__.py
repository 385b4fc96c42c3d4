"""The billing providers: new subscriptions go to PAYMENT_PROVIDER's; an existing one stays
with the provider it was made with (`subscriptions.provider`).

- `sandbox`: built in (providers/sandbox.py); the app's renewal job charges each period.
- `stripe`: Stripe Billing (providers/stripe.py), with STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET.
- `mollie`: Mollie's customers, mandates and subscriptions (providers/mollie.py), with
  MOLLIE_API_KEY.

A provider without its credentials is not available: asking for it is 503
`subscriptions_unavailable`. The remote ones are built per credentials (a changed key makes a
new client), so a test or a reconfigured process never talks with old ones.

Two things only some providers do, told apart by the protocols below (checked with isinstance):
a provider that keeps a customer per user (`KeepsCustomers`: Stripe, Mollie; its id is
`users.billing_customer_id`), and one whose cancellation cannot be taken back (`Resubscribes`:
Mollie; resuming makes a new subscription there that charges from the end of the paid period).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Protocol, runtime_checkable

from reelbyte.billing.errors import SubscriptionsUnavailable
from reelbyte.billing.providers.base import BillingProvider, PlanPrice, Subscriber, SubscriptionRef
from reelbyte.core.config import get_settings

# The providers whose renewals the app's job charges (the others charge on their own schedule).
RENEWED_BY_JOB = ("sandbox",)
# The providers whose subscriptions cancelled at period end the app's job ends when the period
# is over: the sandbox's, and Mollie's (stopped at Mollie when the subscriber cancelled; Mollie
# knows nothing of the paid period's end). Stripe ends its own and says so by webhook.
ENDED_BY_JOB = ("sandbox", "mollie")
# The providers with a customer per user (a job makes it after sign-up).
CUSTOMER_PROVIDERS = ("stripe", "mollie")


@runtime_checkable
class KeepsCustomers(Protocol):
    async def create_customer(self, subscriber: Subscriber, idempotency_key: str) -> str:
        """The provider's customer for `subscriber`; the same key gives the same customer."""
        ...

    def owns_customer(self, customer_id: str) -> bool:
        """Whether `customer_id` is one of this provider's (users.billing_customer_id may hold
        another provider's, from before PAYMENT_PROVIDER changed)."""
        ...


@runtime_checkable
class Resubscribes(Protocol):
    async def resubscribe(self, subscription: SubscriptionRef, plan: PlanPrice, start: datetime) -> str:
        """A new subscription at the provider, charging `plan` from `start`, in place of the one
        cancelled there; returns its id (the new `provider_subscription_id`)."""
        ...


@cache
def _sandbox() -> BillingProvider:
    from reelbyte.billing.providers.sandbox import SandboxBilling

    return SandboxBilling()


@cache
def _stripe(api_key: str, api_base: str | None) -> BillingProvider:
    from reelbyte.billing.providers.stripe import StripeBilling

    return StripeBilling(api_key, api_base)


@cache
def _mollie(api_key: str, api_endpoint: str | None) -> BillingProvider:
    from reelbyte.billing.providers.mollie import MollieBilling

    return MollieBilling(api_key, api_endpoint)


def configured(name: str) -> BillingProvider | None:
    """The provider `name`, or None when it is unknown or its credentials are not set."""
    settings = get_settings()
    if name == "sandbox":
        return _sandbox()
    if name == "stripe" and settings.stripe_api_key:
        return _stripe(settings.stripe_api_key, settings.stripe_api_base)
    if name == "mollie" and settings.mollie_api_key:
        return _mollie(settings.mollie_api_key, settings.mollie_api_endpoint)
    return None


def billing_provider_named(name: str) -> BillingProvider:
    provider = configured(name)
    if provider is None:
        raise SubscriptionsUnavailable(details={"provider": name})
    return provider


def get_billing_provider() -> BillingProvider:
    """The provider new subscriptions are made with."""
    return billing_provider_named(get_settings().payment_provider)
