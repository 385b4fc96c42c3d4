"""Stripe, through the official `stripe` client (`StripeClient`, its async methods over httpx).

- A payment is a **Checkout Session** (`mode=payment`, one line item); its id (`cs_…`) is the
  provider payment id and its `url` the checkout page. Stripe sends no per-payment webhook URL:
  notices come from the endpoint configured in the Stripe dashboard, which must point at
  `POST /v1/payments/webhook/stripe` (see `payments/stripe_webhook.py`).
- Statuses are read back from the session (with its PaymentIntent expanded) and mapped onto
  Mollie's names; see `session_status`.
- Refunds are Stripe refunds of the session's PaymentIntent, keyed by our idempotency key.
- Payouts are **Connect transfers** from the platform balance to the creator's connected
  account (the `acct_…` id of their payout method, from Connect onboarding in
  payments/payout_onboarding.py), keyed by our idempotency key.

Amounts: every supported currency (EUR, USD, GBP) has two decimals, so Stripe's integer amounts
are our minor units; Stripe writes currencies in lower case.
"""

from __future__ import annotations

import stripe

from reelbyte.payments.providers import base

# Refund statuses after which no money goes back.
REFUND_FAILED = {"failed", "canceled"}
# Transfer refusals that pass: the platform balance is short until the next payments settle.
TRANSIENT_TRANSFER_CODES = {"balance_insufficient", "insufficient_funds", "rate_limit", "lock_timeout"}


def session_status(session: stripe.checkout.Session) -> str:
    """A Checkout Session's state in Mollie's words.

    open → open; expired → expired; complete with payment_status paid (or no payment required)
    → paid; complete but unpaid is an asynchronous method (SEPA, bank transfer) still running
    → pending, unless its PaymentIntent says it failed (requires_payment_method again → failed)
    or was canceled (→ canceled)."""
    if session.status == "expired":
        return "expired"
    if session.status != "complete":
        return "open"
    if session.payment_status in ("paid", "no_payment_required"):
        return "paid"
    intent = session.payment_intent
    intent_status = intent.status if isinstance(intent, stripe.PaymentIntent) else None
    if intent_status == "canceled":
        return "canceled"
    if intent_status == "requires_payment_method":
        return "failed"
    return "pending"


def _intent_id(session: stripe.checkout.Session) -> str | None:
    intent = session.payment_intent
    if isinstance(intent, stripe.PaymentIntent):
        return intent.id
    return intent


class StripeProvider:
    name = "stripe"

    def __init__(
        self, api_key: str, api_base: str | None = None, *, max_network_retries: int = 2, timeout: float = 20
    ) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.HTTPXClient(timeout=timeout),
        )

    def _payment(self, session: stripe.checkout.Session) -> base.ProviderPayment:
        status = session_status(session)
        if session.amount_total is None or session.currency is None:
            raise base.ProviderError(f"stripe: session {session.id} has no amount")
        return base.ProviderPayment(
            id=session.id,
            status=status,
            amount_minor=session.amount_total,
            currency=session.currency.upper(),
            checkout_url=session.url if status == "open" else None,
        )

    async def create_payment(self, request: base.PaymentRequest) -> base.ProviderPayment:
        """A Checkout Session; `webhook_url` is unused (Stripe's endpoint is set in its dashboard)."""
        options: stripe.RequestOptions = {}
        metadata = request.metadata
        if "payment_id" in metadata:  # a retried create is the same session at Stripe
            options["idempotency_key"] = f"checkout:{metadata['payment_id']}"
        params: stripe.params.checkout.SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_minor,
                        "product_data": {"name": request.description[:255]},
                    },
                }
            ],
            "success_url": request.redirect_url,
            "cancel_url": request.redirect_url,
            "client_reference_id": metadata.get("payment_id", ""),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
        }
        if request.method:  # one of methods.py's names for Stripe: card, ideal
            params["allowed_payment_method_types"] = [request.method]
        try:
            session = await self.client.v1.checkout.sessions.create_async(params, options)
        except stripe.StripeError as error:
            raise base.ProviderError(f"stripe: {error}") from error
        return self._payment(session)

    async def _session(self, session_id: str) -> stripe.checkout.Session:
        try:
            return await self.client.v1.checkout.sessions.retrieve_async(
                session_id, {"expand": ["payment_intent"]}
            )
        except stripe.StripeError as error:
            raise base.ProviderError(f"stripe: {error}") from error

    async def get_payment(self, provider_payment_id: str) -> base.ProviderPayment:
        return self._payment(await self._session(provider_payment_id))

    async def session_for_payment_intent(self, payment_intent_id: str) -> str | None:
        """The Checkout Session that created a PaymentIntent (for `payment_intent.*` events)."""
        try:
            page = await self.client.v1.checkout.sessions.list_async(
                {"payment_intent": payment_intent_id, "limit": 1}
            )
        except stripe.StripeError as error:
            raise base.ProviderError(f"stripe: {error}") from error
        return page.data[0].id if page.data else None

    async def create_refund(
        self, *, provider_payment_id: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderRefund:
        session = await self._session(provider_payment_id)
        intent_id = _intent_id(session)
        if intent_id is None:
            raise base.ProviderError(f"stripe: session {provider_payment_id} has no payment to refund")
        try:
            refund = await self.client.v1.refunds.create_async(
                {
                    "payment_intent": intent_id,
                    "amount": amount_minor,
                    "metadata": {"idempotency_key": idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise base.ProviderError(f"stripe: {error}") from error
        if refund.status in REFUND_FAILED:
            raise base.ProviderError(f"stripe: refund {refund.id} is {refund.status}")
        return base.ProviderRefund(id=refund.id, status=refund.status or "pending")

    async def create_payout(
        self, *, destination: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderPayout:
        """A Connect transfer to the creator's account. Stripe refuses for good (no such account,
        account without transfers capability, …) with an invalid-request or permission error:
        base.PayoutRejected. Network errors, rate limits, Stripe's own errors and a short platform
        balance pass: base.ProviderError, and the job tries again with the same key."""
        try:
            transfer = await self.client.v1.transfers.create_async(
                {
                    "amount": amount_minor,
                    "currency": currency.lower(),
                    "destination": destination,
                    "description": "ReelByte earnings",
                    "metadata": {"idempotency_key": idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            )
        except (stripe.InvalidRequestError, stripe.PermissionError, stripe.CardError) as error:
            if error.code in TRANSIENT_TRANSFER_CODES:
                raise base.ProviderError(f"stripe: {error}") from error
            raise base.PayoutRejected(f"stripe: {error.user_message or error}") from error
        except stripe.StripeError as error:
            raise base.ProviderError(f"stripe: {error}") from error
        return base.ProviderPayout(id=transfer.id, status="paid")
