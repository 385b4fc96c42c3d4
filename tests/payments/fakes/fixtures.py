"""Fixtures: the local Mollie and Stripe servers (once per run) and the settings that point the
providers at them (per test). Imported by tests/payments/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reelbyte.core.config import Settings
from reelbyte.payments.providers import provider_named
from tests.payments.fakes.mollie_server import FakeMollie
from tests.payments.fakes.paypal_server import FakePaypal
from tests.payments.fakes.server import BackgroundServer
from tests.payments.fakes.stripe_server import FakeStripe

STRIPE_WEBHOOK_SECRET = "whsec_reelbyte_test_secret"


@pytest.fixture(scope="session")
def mollie_server() -> Iterator[FakeMollie]:
    fake = FakeMollie()
    server = BackgroundServer(fake.app).start()
    fake.base_url = server.url
    yield fake
    server.stop()


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[tuple[FakeStripe, str]]:
    fake = FakeStripe()
    server = BackgroundServer(fake.app).start()
    yield fake, server.url
    server.stop()


@pytest.fixture
def fake_mollie(
    mollie_server: FakeMollie, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeMollie]:
    """Mollie's credentials and endpoint pointed at the local server; a fresh provider."""
    mollie_server.reset()
    monkeypatch.setattr(settings, "mollie_api_key", mollie_server.api_key)
    monkeypatch.setattr(settings, "mollie_api_endpoint", mollie_server.base_url)
    provider_named.cache_clear()
    yield mollie_server
    provider_named.cache_clear()


@pytest.fixture
def fake_stripe(
    stripe_server: tuple[FakeStripe, str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeStripe]:
    fake, url = stripe_server
    fake.reset()
    monkeypatch.setattr(settings, "stripe_api_key", fake.api_key)
    monkeypatch.setattr(settings, "stripe_api_base", url)
    monkeypatch.setattr(settings, "stripe_webhook_secret", STRIPE_WEBHOOK_SECRET)
    provider_named.cache_clear()
    yield fake
    provider_named.cache_clear()


@pytest.fixture
def use_mollie(fake_mollie: FakeMollie, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> FakeMollie:
    """PAYMENT_PROVIDER=mollie for this test."""
    monkeypatch.setattr(settings, "payment_provider", "mollie")
    return fake_mollie


@pytest.fixture
def use_stripe(fake_stripe: FakeStripe, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    """PAYMENT_PROVIDER=stripe for this test."""
    monkeypatch.setattr(settings, "payment_provider", "stripe")
    return fake_stripe


@pytest.fixture(scope="session")
def paypal_server() -> Iterator[tuple[FakePaypal, str]]:
    fake = FakePaypal()
    server = BackgroundServer(fake.app).start()
    yield fake, server.url
    server.stop()


@pytest.fixture
def fake_paypal(
    paypal_server: tuple[FakePaypal, str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakePaypal]:
    """PayPal's credentials, webhook id and API base pointed at the local server."""
    fake, url = paypal_server
    fake.reset()
    monkeypatch.setattr(settings, "paypal_client_id", fake.client_id)
    monkeypatch.setattr(settings, "paypal_client_secret", fake.client_secret)
    monkeypatch.setattr(settings, "paypal_webhook_id", fake.webhook_id)
    monkeypatch.setattr(settings, "paypal_api_base", url)
    provider_named.cache_clear()
    yield fake
    provider_named.cache_clear()


@pytest.fixture
def use_paypal(fake_paypal: FakePaypal, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> FakePaypal:
    """PAYMENT_PROVIDER=paypal for this test."""
    monkeypatch.setattr(settings, "payment_provider", "paypal")
    return fake_paypal
