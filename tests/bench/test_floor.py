"""The benchmark's floor (bench/floor.py) answers exactly what ReelByte answers for the same
requests, so that comparing the two measures the cost of ReelByte's layers and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bench import floor
from reelbyte.core.runtime import Runtime
from tests.factories import make_gig, package_body, signed_up


@pytest.fixture
async def floor_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    pool = await floor.open_pool(runtime.settings.database_url or "")
    try:
        transport = httpx.ASGITransport(app=floor.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://floor") as client:
            yield client
    finally:
        await pool.close()


async def test_the_floor_answers_what_reelbyte_answers(
    client: httpx.AsyncClient, floor_client: httpx.AsyncClient
) -> None:
    _, headers = await signed_up(client)
    gigs: list[dict[str, Any]] = []
    for price in ("30.00", "80.00", "55.00"):
        gigs.append(
            await make_gig(
                client, headers, packages=[package_body("basic", price), package_body("standard", "99.00")]
            )
        )
    category = gigs[0]["category_id"]
    paths = [
        f"/v1/gigs/{gigs[0]['slug']}",
        f"/v1/gigs/{gigs[1]['id']}",
        "/v1/gigs",
        "/v1/gigs?page_size=2&page=1",
        "/v1/gigs?page_size=2&page=2",
        *(
            f"/v1/gigs?category_id={category}&sort_by={sort}"
            for sort in ("price_asc", "price_desc", "newest", "rating")
        ),
    ]
    for path in paths:
        ours, theirs = await client.get(path), await floor_client.get(path)
        assert ours.status_code == theirs.status_code == 200, path
        assert ours.json() == theirs.json(), path
