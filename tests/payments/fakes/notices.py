"""What the providers send us, made by the tests: Stripe's signed events and Mollie's webhook calls.

Stripe signs with the documented scheme (`Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of
"<t>.<raw body>">` under the endpoint's secret); Mollie posts a form with nothing but the id of
what changed, and we read it back.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from tests.payments.fakes.fixtures import STRIPE_WEBHOOK_SECRET

STRIPE_WEBHOOK = "/v1/payments/webhook/stripe"
MOLLIE_WEBHOOK = "/v1/payments/webhook"  # one-off payments (orders)
MOLLIE_SUBSCRIPTIONS_WEBHOOK = "/v1/payments/webhook/subscriptions"  # first and recurring payments


def sign(payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


async def deliver_stripe(
    client: httpx.AsyncClient, payload: bytes, signature: str | None = None
) -> httpx.Response:
    """Post a Stripe event as Stripe does: raw JSON, signed (unless another signature is given)."""
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature or sign(payload)}
    return await client.post(STRIPE_WEBHOOK, content=payload, headers=headers)


async def mollie_notice(
    client: httpx.AsyncClient, payment_id: str, path: str = MOLLIE_SUBSCRIPTIONS_WEBHOOK
) -> httpx.Response:
    """Mollie's webhook call: a form with the payment's id, nothing else."""
    return await client.post(path, data={"id": payment_id})
