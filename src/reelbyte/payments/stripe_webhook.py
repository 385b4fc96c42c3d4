"""Stripe's webhook: `POST /v1/payments/webhook/stripe` (set this URL in the Stripe dashboard).

The `Stripe-Signature` header is checked against STRIPE_WEBHOOK_SECRET over the raw body, and a
signature older than five minutes is refused, so a captured request cannot be replayed: 400 for
a missing, bad or stale signature. Then, as for every provider, the event body is not trusted:
for `checkout.session.*` and `payment_intent.*` events the session is read back from Stripe by
`service.handle_notice`, which applies it exactly once (a duplicate or out-of-order event
changes nothing). For `account.updated` (Connect onboarding) the account is read back from
Stripe and decides its payout method's status. Events about anything else, or about sessions
or accounts that are not ours, are acknowledged with 200 so that Stripe stops sending them.

Subscription events (subscription-mode checkouts, `customer.subscription.*`, `invoice.*`) are
billing's: billing sits above payments, so it registers its handler here
(`set_subscription_event_handler`, from billing/provider_webhooks.py) and every verified event
is offered to it first; what it does not take (None) is payments'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import stripe
import structlog
from fastapi import Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.errors import error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.payments import payout_methods, service
from reelbyte.payments.errors import (
    NOTICE_ERRORS,
    InvalidEvent,
    InvalidSignature,
    PayoutProviderNotConfigured,
    ProviderUnavailable,
    WebhookNotConfigured,
)
from reelbyte.payments.providers import provider_named
from reelbyte.payments.providers.base import ProviderError
from reelbyte.payments.providers.stripe import StripeProvider

log = structlog.get_logger(__name__)

# Stripe's own default: how old a signed timestamp may be, in seconds.
SIGNATURE_TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE

stripe_webhook_router = APIRouter(prefix="/payments", tags=["payments"])

# Billing's handler of subscription events: the status it applied, "ignored", or None (not its).
# Registered like a signal's handlers (at most one), so payments names nothing of billing.
SubscriptionEventHandler = Callable[[AsyncSession, stripe.Event], Awaitable[str | None]]
_subscription_event_handlers: list[SubscriptionEventHandler] = []


def set_subscription_event_handler(handler: SubscriptionEventHandler | None) -> None:
    _subscription_event_handlers[:] = [handler] if handler is not None else []


@stripe_webhook_router.post(
    "/webhook/stripe",
    responses=error_responses(
        WebhookNotConfigured,
        InvalidSignature,
        InvalidEvent,
        ProviderUnavailable,
        PayoutProviderNotConfigured,
        *NOTICE_ERRORS,
    ),
)
async def stripe_webhook(
    request: Request,
    session: SessionDep,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature", max_length=4096)] = None,
) -> dict[str, str]:
    """Stripe's events, verified by `Stripe-Signature`; the payment is read back from Stripe."""
    event = verified_event(await request.body(), stripe_signature)
    return {"status": await handle_event(session, event)}


def verified_event(payload: bytes, signature: str | None) -> stripe.Event:
    secret = get_settings().stripe_webhook_secret
    if not secret:
        raise WebhookNotConfigured()
    if not signature:
        raise InvalidSignature("The Stripe-Signature header is missing.")
    try:
        event: stripe.Event = stripe.Webhook.construct_event(payload, signature, secret, SIGNATURE_TOLERANCE)
    except stripe.SignatureVerificationError as error:
        raise InvalidSignature("The Stripe-Signature does not match, or is too old.") from error
    except ValueError as error:  # signed, but not an event
        raise InvalidEvent() from error
    return event


async def handle_event(session: AsyncSession, event: stripe.Event) -> str:
    """Apply one event; returns the payment's (or subscription's) status, or "ignored"."""
    for handler in _subscription_event_handlers:
        subscription_status = await handler(session, event)
        if subscription_status is not None:
            return subscription_status
    kind = event.type
    object_id = str(getattr(event.data.object, "id", None) or "")
    if kind == "account.updated":  # a Connect account's onboarding moved: read it back
        method = await payout_methods.stripe_account_updated(session, object_id)
        return method.status.value if method else "ignored"
    if kind.startswith("checkout.session."):
        session_id: str | None = object_id
    elif kind.startswith("payment_intent."):
        provider = provider_named("stripe")
        assert isinstance(provider, StripeProvider)
        try:
            session_id = await provider.session_for_payment_intent(object_id)
        except ProviderError as error:
            raise ProviderUnavailable("Could not read the payment back from the provider.") from error
    else:
        return "ignored"
    if not session_id:
        return "ignored"
    payment_id = await service.payment_id_at_provider(session, "stripe", session_id)
    if payment_id is None:
        log.info("stripe_event_not_ours", event_id=event.id, type=kind, session_id=session_id)
        return "ignored"
    payment = await service.read_back(session, "stripe", payment_id, session_id)
    return payment.status.value
