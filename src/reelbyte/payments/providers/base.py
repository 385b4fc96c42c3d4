"""The interface every payment provider implements, in Mollie's terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the call; worth retrying later."""


class PayoutRejected(Exception):
    """The provider refused the payout for good (e.g. no payout account); do not retry."""


@dataclass(frozen=True)
class ProviderPayment:
    id: str
    status: str  # open, pending, paid, failed, expired, canceled (Mollie's names)
    amount_minor: int
    currency: str
    checkout_url: str | None = None


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    status: str


@dataclass(frozen=True)
class ProviderPayout:
    id: str
    status: str  # paid, pending, failed


@dataclass(frozen=True)
class PaymentRequest:
    """A payment to open at the provider; `metadata["payment_id"]` (ours) makes a retried
    create the same payment there."""

    amount_minor: int
    currency: str
    description: str
    redirect_url: str  # where the payer returns after the checkout
    webhook_url: str  # where a form notice goes (Mollie, sandbox; Stripe's is set in its dashboard)
    metadata: dict[str, str]
    # Our method name (card, ideal, bancontact, paypal, venmo, …) chosen at checkout; None: the
    # provider's page offers every method it has. payments/methods.py checked it is offered.
    method: str | None = None


class PaymentProvider(Protocol):
    name: str

    async def create_payment(self, request: PaymentRequest) -> ProviderPayment: ...

    async def get_payment(self, provider_payment_id: str) -> ProviderPayment: ...

    async def create_refund(
        self, *, provider_payment_id: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> ProviderRefund: ...

    async def create_payout(
        self, *, destination: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> ProviderPayout: ...
