"""Catalog fixtures: an admin and a creator, logged in."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Headers, make_admin, signed_up


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Headers:
    return await make_admin(client)


@pytest.fixture
async def creator(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers]:
    return await signed_up(client, "creator")
