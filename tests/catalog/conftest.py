"""Catalog fixtures: an admin and a creator, logged in; the catalog version watch."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from reelbyte.catalog.pages import VersionWatch, version_watch
from reelbyte.core.config import Settings
from tests.factories import Headers, make_admin, signed_up


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Headers:
    return await make_admin(client)


@pytest.fixture
async def creator(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers]:
    return await signed_up(client, "creator")


@contextlib.asynccontextmanager
async def watching(settings: Settings) -> AsyncIterator[VersionWatch]:
    """The catalog version held in memory, as a serving process holds it (catalog/pages.py)."""
    await version_watch.start(str(settings.database_url))
    try:
        await until(lambda: version_watch.current() is not None)
        yield version_watch
    finally:
        await version_watch.stop()


@pytest.fixture
async def watched(settings: Settings) -> AsyncIterator[VersionWatch]:
    async with watching(settings) as watch:
        yield watch


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait for what another connection's commit makes true in this process (a notification)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.01)
