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
    client: httpx.AsyncClient, floor_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, headers = await signed_up(client)
    gigs: list[dict[str, Any]] = []
    for price, title, description in (
        ("30.00", "I will edit your YouTube video", "Fast-paced edits with hooks. " * 20),
        ("80.00", "YouTube video editing: YouTube shorts and hooks", "Shorts, captions and b-roll."),
        ("55.00", "Wedding film edit", "A cinematic wedding film, with a YouTube cut."),
    ):
        gigs.append(
            await make_gig(
                client,
                headers,
                title=title,
                description=description,
                packages=[package_body("basic", price), package_body("standard", "99.00")],
            )
        )
    category = gigs[0]["category_id"]
    searches = [
        "q=youtube",
        "q=youtube&page_size=2&page=2",
        "q=youtube%20hooks&sort_by=relevance",
        "q=wedding%20OR%20youtube&page=3&page_size=1",
        "q=youtube&sort_by=price_asc&page_size=2",
        "q=youtube&sort_by=rating&max_price=60",
        f"q=youtube&category_id={category}",
        "q=youtube&min_rating=4.5",
        "q=youtube&max_delivery_days=3&page_size=1",
        "q=nothing%20of%20the%20sort",
    ]
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
        *(f"/v1/search/gigs?{search}" for search in searches),
    ]
    for path in paths:
        ours, theirs = await client.get(path), await floor_client.get(path)
        assert ours.status_code == theirs.status_code == 200, path
        assert ours.json() == theirs.json(), path
    found = (await floor_client.get("/v1/search/gigs?q=youtube")).json()
    assert found["total"] == 3
    assert any(item["description"].endswith("…") for item in found["items"])  # the long one, cut
    monkeypatch.setattr(floor, "tier_bound", 1)  # as on a big catalog: the popular gigs first
    for search in searches:
        ours, theirs = (
            await client.get(f"/v1/search/gigs?{search}"),
            await floor_client.get(f"/v1/search/gigs?{search}"),
        )
        assert ours.json() == theirs.json(), search
