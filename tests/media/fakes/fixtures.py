"""Fixtures: the local Cloudinary (once per run) and a CloudinaryStorage pointed at it (per test).
Imported by tests/media/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reelbyte.media.storage.cloudinary import CloudinaryStorage
from tests.media.fakes.cloudinary_server import FakeCloudinary
from tests.payments.fakes.server import BackgroundServer


@pytest.fixture(scope="session")
def cloudinary_server() -> Iterator[FakeCloudinary]:
    fake = FakeCloudinary()
    server = BackgroundServer(fake.app).start()
    fake.base_url = server.url
    yield fake
    server.stop()


@pytest.fixture
def cloudinary_storage(cloudinary_server: FakeCloudinary) -> CloudinaryStorage:
    """A fresh, empty account; API calls and delivery URLs both go to the local server."""
    cloudinary_server.reset()
    return CloudinaryStorage(
        cloudinary_url=cloudinary_server.cloudinary_url,
        api_base=cloudinary_server.base_url,
        public_base_url=None,
    )
