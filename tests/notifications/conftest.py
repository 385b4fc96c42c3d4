from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from reelbyte.payments.providers import sandbox
from tests.payments.helpers import use_app_for_webhooks


@pytest.fixture(autouse=True)
def webhooks_into_the_app(app: FastAPI) -> Iterator[None]:
    """The sandbox provider's webhook job posts into this very app (over ASGI)."""
    use_app_for_webhooks(app)
    yield
    sandbox.webhook_transport = None
