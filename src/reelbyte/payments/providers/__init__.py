"""The configured payment provider (PAYMENT_PROVIDER)."""

from __future__ import annotations

from functools import cache

from reelbyte.core.config import get_settings
from reelbyte.payments.providers.base import PaymentProvider


@cache
def provider_named(name: str) -> PaymentProvider:
    if name == "sandbox":
        from reelbyte.payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    settings = get_settings()
    if name == "mollie":
        from reelbyte.payments.providers.mollie import MollieProvider

        if not settings.mollie_api_key:
            raise ValueError("PAYMENT_PROVIDER=mollie needs MOLLIE_API_KEY")
        return MollieProvider(settings.mollie_api_key, settings.mollie_api_endpoint)
    if name == "stripe":
        from reelbyte.payments.providers.stripe import StripeProvider

        if not settings.stripe_api_key:
            raise ValueError("PAYMENT_PROVIDER=stripe needs STRIPE_API_KEY")
        return StripeProvider(settings.stripe_api_key, settings.stripe_api_base)
    if name == "paypal":
        from reelbyte.payments.providers.paypal import PaypalProvider

        if not (settings.paypal_client_id and settings.paypal_client_secret):
            raise ValueError("PAYMENT_PROVIDER=paypal needs PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET")
        return PaypalProvider(
            settings.paypal_client_id,
            settings.paypal_client_secret,
            webhook_id=settings.paypal_webhook_id,
            environment=settings.paypal_environment,
            api_base=settings.paypal_api_base,
        )
    raise ValueError(f"unknown payment provider {name!r}")


def get_provider() -> PaymentProvider:
    return provider_named(get_settings().payment_provider)
