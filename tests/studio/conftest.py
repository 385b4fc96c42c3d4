"""The video tools' fixtures: the webhook receiver of billing's tests, for the jobs' events."""

from tests.billing.test_webhooks import receiver  # noqa: F401 (a fixture, found by name)
