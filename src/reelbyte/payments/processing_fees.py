"""Processing fees passed to the client: PROCESSING_FEES, per provider and payment method.

The fee of a checkout is `percent` of the order's (or milestone's) amount, rounded half-up to
the cent, plus `fixed`; the client is charged amount + fee. On paid, the fee goes to the
`processing_fees` ledger account and only the amount to escrow, so the creator's earnings and
the platform fee are untouched. The fee is never refunded: Stripe and Mollie keep their fee on
a refund, so a refund (a request the creator accepted, a cancellation, a dispute) returns the
escrowed part only.
"""

from __future__ import annotations

from reelbyte.core.config import FeeRule, get_settings
from reelbyte.core.money import percentage_of, to_minor

# The method a checkout that names none is paid with, per provider.
DEFAULT_METHODS = {"mollie": "creditcard", "paypal": "paypal"}


def default_method(provider: str) -> str:
    return DEFAULT_METHODS.get(provider, "card")


def fee_rule(provider: str, method: str | None) -> FeeRule | None:
    """The configured rule for this provider and method (None: no fee)."""
    return get_settings().processing_fees.get(provider, {}).get(method or default_method(provider))


def fee_of(rule: FeeRule | None, amount_minor: int) -> int:
    """The fee on `amount_minor` (never negative: the settings refuse negative rules)."""
    if rule is None:
        return 0
    return percentage_of(amount_minor, rule.percent) + to_minor(rule.fixed)


def processing_fee_minor(provider: str, method: str | None, amount_minor: int) -> int:
    return fee_of(fee_rule(provider, method), amount_minor)
