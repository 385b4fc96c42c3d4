"""GET /tags: the most used tags over listed gigs, cached, and fresh after any gig change."""

from __future__ import annotations

import httpx

from reelbyte.core.redis import get_redis
from tests.catalog.test_gigs import assert_error
from tests.factories import Headers, make_gig, update_gig

Creator = tuple[dict[str, object], Headers]


async def _tags(client: httpx.AsyncClient, **params: object) -> list[tuple[str, int]]:
    response = await client.get("/v1/tags", params=params)
    assert response.status_code == 200, response.text
    return [(tag["name"], tag["count"]) for tag in response.json()]


async def test_tags_are_counted_over_listed_gigs(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    assert await _tags(client) == []
    await make_gig(client, headers, title="One", tags=["Wedding", "4K", "drone"])
    await make_gig(client, headers, title="Two", tags=["wedding", "4k"])
    await make_gig(client, headers, title="Three", tags=["WEDDING", "reels"])
    await make_gig(client, headers, title="Hidden", tags=["wedding", "secret"], is_active=False)
    await make_gig(client, headers, title="Draft", tags=["wedding", "draft"], packages=[])

    assert await _tags(client) == [("wedding", 3), ("4k", 2), ("drone", 1), ("reels", 1)]
    assert await _tags(client, limit=2) == [("wedding", 3), ("4k", 2)]


async def test_tag_counts_are_cached_and_refreshed_by_gig_changes(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    gig = await make_gig(client, headers, tags=["travel"])
    assert await _tags(client) == [("travel", 1)]
    assert await get_redis().keys("catalog:tags:v*")

    # A change behind the service's back is not seen: the counts come from the cache.
    await update_gig(gig["id"], tags=["bypassed"])
    assert await _tags(client) == [("travel", 1)]

    # Every change through the API refreshes them.
    await client.put(f"/v1/gigs/{gig['id']}", json={"tags": ["travel", "vlog"]}, headers=headers)
    assert await _tags(client) == [("travel", 1), ("vlog", 1)]
    second = await make_gig(client, headers, title="Second", tags=["vlog"])
    assert await _tags(client) == [("vlog", 2), ("travel", 1)]
    await client.delete(f"/v1/gigs/{second['id']}/packages/{second['packages'][0]['id']}", headers=headers)
    await client.delete(f"/v1/gigs/{second['id']}/packages/{second['packages'][1]['id']}", headers=headers)
    assert await _tags(client) == [("travel", 1), ("vlog", 1)]  # no package: not listed
    await client.put(f"/v1/gigs/{gig['id']}", json={"is_active": False}, headers=headers)
    assert await _tags(client) == []
    await client.put(f"/v1/gigs/{gig['id']}", json={"is_active": True}, headers=headers)
    await client.delete(f"/v1/gigs/{gig['id']}", headers=headers)
    assert await _tags(client) == []


async def test_tag_limits(client: httpx.AsyncClient) -> None:
    for limit in (0, 101, "many"):
        assert_error(await client.get("/v1/tags", params={"limit": limit}), 422, "validation_error")
