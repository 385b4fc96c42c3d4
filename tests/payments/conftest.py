"""Payments fixtures: the local Mollie and Stripe servers that the provider tests talk to."""

from __future__ import annotations

from tests.payments.fakes.fixtures import (  # noqa: F401 (fixtures, found by name)
    fake_mollie,
    fake_paypal,
    fake_stripe,
    mollie_server,
    paypal_server,
    stripe_server,
    use_mollie,
    use_paypal,
    use_stripe,
)
