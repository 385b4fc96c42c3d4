"""Admin fixtures: an admin, logged in."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Headers, make_admin


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Headers:
    return await make_admin(client)
