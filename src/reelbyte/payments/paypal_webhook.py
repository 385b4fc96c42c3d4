"""PayPal's webhook: `POST /v1/payments/webhooks/paypal` (register this URL in the PayPal app,
for CHECKOUT.ORDER.APPROVED and PAYMENT.CAPTURE.*; its id is PAYPAL_WEBHOOK_ID).

Every delivery is first verified by PayPal itself (`/v1/notifications/verify-webhook-signature`
with the transmission headers, our webhook id and the raw event): anything PayPal does not call
SUCCESS is a 400 and changes nothing; PayPal not answering is a 503, so it delivers again later.
Then the body is not trusted beyond naming the order: the order is read back from PayPal,
captured if the buyer approved it, and its status applied through `service.apply_remote_status`
exactly once (a duplicate or out-of-order event changes nothing).

Events naming no order (other event types, refunds without a related order) are acknowledged
with 200 "ignored". An order that is not one of our payments answers 404 `payment_not_found`,
as the Mollie webhook does for an unknown payment id.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.errors import error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.payments import service
from reelbyte.payments.errors import (
    NOTICE_ERRORS,
    InvalidEvent,
    InvalidPaypalSignature,
    PaymentNotFound,
    PaypalWebhookNotConfigured,
    ProviderUnavailable,
)
from reelbyte.payments.models import Payment
from reelbyte.payments.providers import provider_named
from reelbyte.payments.providers.base import ProviderError
from reelbyte.payments.providers.paypal import PaypalProvider

paypal_webhook_router = APIRouter(prefix="/payments", tags=["payments"])


def paypal() -> PaypalProvider:
    provider = provider_named("paypal")
    assert isinstance(provider, PaypalProvider)
    return provider


@paypal_webhook_router.post(
    "/webhooks/paypal",
    responses=error_responses(
        PaypalWebhookNotConfigured,
        InvalidPaypalSignature,
        InvalidEvent,
        PaymentNotFound,
        ProviderUnavailable,
        *NOTICE_ERRORS,
    ),
)
async def paypal_webhook(request: Request, session: SessionDep) -> dict[str, str]:
    """PayPal's events, verified by PayPal; the order is read back (and captured) from PayPal."""
    settings = get_settings()
    if not (settings.paypal_webhook_id and settings.paypal_client_id and settings.paypal_client_secret):
        raise PaypalWebhookNotConfigured()
    raw = await request.body()
    try:
        verified = await paypal().verify_webhook(request.headers, raw)
    except ProviderError as error:
        raise ProviderUnavailable("Could not ask PayPal to verify the webhook.") from error
    if not verified:
        raise InvalidPaypalSignature()
    event = _event(raw)
    order_id = order_named(event)
    if order_id is None:
        return {"status": "ignored"}
    payment_id = await service.payment_id_at_provider(session, "paypal", order_id)
    if payment_id is None:
        raise PaymentNotFound()
    return {"status": (await settle(session, payment_id, order_id)).status.value}


def _event(raw: bytes) -> dict[str, Any]:
    try:
        event = json.loads(raw)
    except ValueError as error:
        raise InvalidEvent() from error
    if not isinstance(event, dict) or not isinstance(event.get("resource"), dict):
        raise InvalidEvent("The event is not a PayPal webhook event.")
    return event


def order_named(event: dict[str, Any]) -> str | None:
    """The order an event is about: the resource itself for CHECKOUT.ORDER.*, the related order
    of a capture (or refund) for PAYMENT.CAPTURE.*."""
    kind = str(event.get("event_type", ""))
    resource = event["resource"]
    if kind.startswith("CHECKOUT.ORDER."):
        order_id = resource.get("id")
    elif kind.startswith("PAYMENT.CAPTURE."):
        related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
        order_id = related.get("order_id") if isinstance(related, dict) else None
    else:
        return None
    return order_id if isinstance(order_id, str) and 0 < len(order_id) <= 64 else None


async def settle(session: AsyncSession, payment_id: uuid.UUID, order_id: str) -> Payment:
    """Capture the order if the buyer approved it, and apply what PayPal then says."""
    try:
        remote = await paypal().capture_approved(order_id)
    except ProviderError as error:
        raise ProviderUnavailable("Could not read the payment back from the provider.") from error
    return await service.apply_remote_status(session, payment_id, remote)
