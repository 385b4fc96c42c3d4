"""Payment methods: what a checkout may name, and which configured provider takes it.

The providers are PAYMENT_PROVIDER first, then PAYMENT_PROVIDERS in their order; a method is
taken by the first provider that offers it for the amount and currency:
- sandbox: card, ideal, paypal (it fakes them all);
- stripe: card, and ideal for EUR;
- paypal: paypal, and venmo for USD (Venmo is US-only);
- mollie: what Mollie's methods API says is active for the amount (`GET /v2/methods?amount`),
  under our names (Mollie's `creditcard` is our `card`).

Venmo in anything but USD is refused with its own code (`venmo_requires_usd`), whichever
providers are configured; any other method nobody offers is `payment_method_unavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reelbyte.core.config import get_settings
from reelbyte.payments.errors import PaymentMethodUnavailable, ProviderUnavailable, VenmoNeedsUsd
from reelbyte.payments.providers import get_provider, provider_named
from reelbyte.payments.providers.base import PaymentProvider, ProviderError

DESCRIPTIONS = {
    "card": "Card",
    "ideal": "iDEAL",
    "bancontact": "Bancontact",
    "paypal": "PayPal",
    "venmo": "Venmo",
    "applepay": "Apple Pay",
    "banktransfer": "Bank transfer",
    "directdebit": "SEPA Direct Debit",
    "eps": "EPS",
    "giropay": "giropay",
    "kbc": "KBC/CBC Payment Button",
    "belfius": "Belfius Pay Button",
    "przelewy24": "Przelewy24",
    "klarna": "Klarna",
    "twint": "TWINT",
    "blik": "BLIK",
    "trustly": "Trustly",
}


@dataclass(frozen=True)
class Method:
    id: str
    description: str
    provider: str


def configured_providers() -> list[str]:
    settings = get_settings()
    names: list[str] = [settings.payment_provider]
    names += [name for name in settings.payment_providers if name not in names]
    return names


async def methods_of(provider_name: str, amount_minor: int, currency: str) -> list[str]:
    """Our names of the methods one provider offers for this amount (ProviderError if it
    cannot say)."""
    if provider_name == "sandbox":
        return ["card", "ideal", "paypal"]
    if provider_name == "stripe":
        return ["card", "ideal"] if currency == "EUR" else ["card"]
    if provider_name == "paypal":
        return ["paypal", "venmo"] if currency == "USD" else ["paypal"]
    if provider_name == "mollie":
        from reelbyte.payments.providers.mollie import MollieProvider

        provider = provider_named("mollie")
        assert isinstance(provider, MollieProvider)
        return await provider.methods(amount_minor, currency)
    return []


async def offered(amount_minor: int, currency: str) -> list[Method]:
    """Every method a checkout of this amount may name, each with the provider that takes it."""
    found: dict[str, Method] = {}
    if amount_minor <= 0:
        return []
    for provider_name in configured_providers():
        try:
            names = await methods_of(provider_name, amount_minor, currency)
        except ProviderError as error:
            raise ProviderUnavailable("Could not read the payment methods from the provider.") from error
        for name in names:
            found.setdefault(name, Method(name, DESCRIPTIONS.get(name, name), provider_name))
    return list(found.values())


async def provider_for(method: str | None, amount_minor: int, currency: str) -> PaymentProvider:
    """The provider a checkout goes to: the default one without a method, else the first
    configured provider offering it (422 when none does)."""
    if method is None:
        return get_provider()
    if method == "venmo" and currency != "USD":
        raise VenmoNeedsUsd(details={"method": method, "currency": currency})
    for candidate in await offered(amount_minor, currency):
        if candidate.id == method:
            return provider_named(candidate.provider)
    raise PaymentMethodUnavailable(details={"method": method, "currency": currency})
