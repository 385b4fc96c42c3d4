"""GET /v1/search/gigs: ranking, the shared filters and sorts, and results that are never stale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import CatalogState
from reelbyte.catalog.pages import PAGE_PREFIX, PAGE_TTL_SECONDS
from reelbyte.core.db import get_database, transaction
from reelbyte.core.redis import get_redis
from reelbyte.identity.models import CreatorLevel, User
from reelbyte.search.cache import POPULAR_CACHE_MIN, POPULAR_KEY
from tests.factories import Categories, insert_gig, insert_user, update_gig

FILLER = "Clean cuts, steady pacing and a final export in any format you need for the web."


async def _titles(client: httpx.AsyncClient, **params: object) -> list[str]:
    response = await client.get("/v1/search/gigs", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_title_match_outranks_tag_match_which_outranks_description_match(
    client: httpx.AsyncClient,
) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Aerial footage edit", description=f"Drone shots made smooth. {FILLER}")
    await insert_gig(creator, "Travel film edit", tags=["drone"], description=FILLER)
    await insert_gig(creator, "Drone video editing", description=FILLER)
    await insert_gig(creator, "Podcast clips", description=FILLER)  # no match at all

    assert await _titles(client, q="drone") == [
        "Drone video editing",  # title (A)
        "Travel film edit",  # tag (B)
        "Aerial footage edit",  # description (C)
    ]


async def test_relevance_blends_reputation_among_equal_text_matches(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Logo animation basic", description=FILLER)
    await insert_gig(
        creator,
        "Logo animation pro",
        description=FILLER,
        rating=Decimal("4.90"),
        total_reviews=120,
        orders_count=300,
    )
    assert await _titles(client, q="logo animation") == ["Logo animation pro", "Logo animation basic"]


async def test_websearch_syntax_phrases_or_and_exclusion(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Color grading for films")
    await insert_gig(creator, "Grading color swatches")
    await insert_gig(creator, "Sound design for films")

    assert await _titles(client, q='"color grading"') == ["Color grading for films"]
    assert sorted(await _titles(client, q="color or sound")) == [
        "Color grading for films",
        "Grading color swatches",
        "Sound design for films",
    ]
    assert await _titles(client, q="films -sound") == ["Color grading for films"]
    # Stemming: "edits" finds "editing".
    await insert_gig(creator, "Wedding editing")
    assert await _titles(client, q="edits") == ["Wedding editing"]


async def test_only_listed_gigs_are_found(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Reel edit listed")
    await insert_gig(creator, "Reel edit inactive", is_active=False)
    await insert_gig(creator, "Reel edit without packages", price_from_minor=None, price_to_minor=None)
    assert await _titles(client, q="reel") == ["Reel edit listed"]


async def test_filters_are_honoured(client: httpx.AsyncClient, categories: Categories) -> None:
    top, sub, other = categories.video_editing, categories.youtube_videos, categories.motion_graphics
    rookie = await insert_user(creator_level=CreatorLevel.NEW)
    star = await insert_user(creator_level=CreatorLevel.TOP)
    await insert_gig(
        rookie,
        "Promo cheap quick",
        prices=[2000, 4000],
        delivery_days=[1, 2],
        tags=["promo", "ads"],
        category_id=top,
        subcategory_id=sub,
        rating=Decimal("3.50"),
    )
    await insert_gig(
        star,
        "Promo premium",
        prices=[30000],
        delivery_days=[10],
        tags=["promo"],
        category_id=other,
        rating=Decimal("4.95"),
        creator_level=CreatorLevel.TOP,
    )
    await insert_gig(rookie, "Promo middle", prices=[9000], delivery_days=[5], category_id=top)

    assert sorted(await _titles(client, q="promo", category_id=top)) == [
        "Promo cheap quick",
        "Promo middle",
    ]
    assert await _titles(client, q="promo", subcategory_id=sub) == ["Promo cheap quick"]
    assert sorted(await _titles(client, q="promo", tags=["promo"])) == ["Promo cheap quick", "Promo premium"]
    assert await _titles(client, q="promo", tags=["promo", "ads"]) == ["Promo cheap quick"]
    assert await _titles(client, q="promo", tags=["ADS "]) == ["Promo cheap quick"]  # normalised
    # Price filters look at the cheapest package (price_from).
    assert await _titles(client, q="promo", min_price="50", max_price="100") == ["Promo middle"]
    assert await _titles(client, q="promo", max_price="20.00") == ["Promo cheap quick"]
    assert await _titles(client, q="promo", min_price="300") == ["Promo premium"]
    assert sorted(await _titles(client, q="promo", max_delivery_days=5)) == [
        "Promo cheap quick",
        "Promo middle",
    ]
    assert await _titles(client, q="promo", creator_level=["top"]) == ["Promo premium"]
    assert await _titles(client, q="promo", min_rating="4.5") == ["Promo premium"]
    assert await _titles(client, q="promo", creator_id=str(star.id)) == ["Promo premium"]


async def test_sorts_are_honoured(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    # Created in this order: a, b, c (the factory spaces created_at an hour apart).
    await insert_gig(creator, "Intro a", prices=[5000], rating=Decimal("4.0"), orders_count=5, views_count=10)
    await insert_gig(creator, "Intro b", prices=[1000], rating=Decimal("5.0"), orders_count=1, views_count=99)
    await insert_gig(creator, "Intro c", prices=[9000], rating=Decimal("3.0"), orders_count=50)

    assert await _titles(client, q="intro", sort_by="price_asc") == ["Intro b", "Intro a", "Intro c"]
    assert await _titles(client, q="intro", sort_by="price_desc") == ["Intro c", "Intro a", "Intro b"]
    assert await _titles(client, q="intro", sort_by="rating") == ["Intro b", "Intro a", "Intro c"]
    assert await _titles(client, q="intro", sort_by="popular") == ["Intro c", "Intro a", "Intro b"]
    assert await _titles(client, q="intro", sort_by="newest") == ["Intro c", "Intro b", "Intro a"]
    # Without words, relevance falls back to popularity.
    assert await _titles(client, sort_by="relevance") == ["Intro c", "Intro a", "Intro b"]


async def test_pages_and_hits_shape(client: httpx.AsyncClient) -> None:
    creator = await insert_user(full_name="Ana Ribeiro")
    for i in range(5):
        await insert_gig(creator, f"Tutorial edit {i}", prices=[1000 * (i + 1)])

    response = await client.get(
        "/v1/search/gigs", params={"q": "tutorial", "sort_by": "price_asc", "page": 2, "page_size": 2}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["page_size"], body["total_pages"]) == (5, 2, 2, 3)
    assert [item["title"] for item in body["items"]] == ["Tutorial edit 2", "Tutorial edit 3"]
    hit = body["items"][0]
    assert hit["price_from"] == {"currency": "EUR", "value": "30.00"}
    assert hit["creator"]["full_name"] == "Ana Ribeiro"
    assert "email" not in hit["creator"]
    assert "password_hash" not in str(body)

    last = await client.get("/v1/search/gigs", params={"q": "tutorial", "page": 3, "page_size": 2})
    assert last.json()["total"] == 5
    assert len(last.json()["items"]) == 1
    beyond = await client.get("/v1/search/gigs", params={"q": "tutorial", "page": 9, "page_size": 2})
    assert (beyond.json()["items"], beyond.json()["total"]) == ([], 5)


async def test_a_gig_change_is_visible_in_the_very_next_search(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    gig = await insert_gig(creator, "GoPro action edit", prices=[4000])

    assert await _titles(client, q="gopro") == ["GoPro action edit"]
    assert await _titles(client, q="gopro") == ["GoPro action edit"]  # asked twice: nothing cached

    await update_gig(gig.id, title="Action camera edit")
    assert await _titles(client, q="gopro") == []
    assert await _titles(client, q="action camera") == ["Action camera edit"]

    await update_gig(gig.id, price_from_minor=20000)
    assert await _titles(client, q="action", max_price="100") == []

    await update_gig(gig.id, is_active=False)
    assert await _titles(client, q="action") == []

    await insert_gig(creator, "Action sports montage")
    assert await _titles(client, q="action") == ["Action sports montage"]


async def test_popular_queries_are_counted_in_redis(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Unboxing video edit")
    for _ in range(3):
        await client.get("/v1/search/gigs", params={"q": "  Unboxing   VIDEO "})
    await client.get("/v1/search/gigs", params={"q": "nothing matches this"})
    await client.get("/v1/search/gigs", params={"q": "unboxing"})

    assert await get_redis().zscore(POPULAR_KEY, "unboxing video") == 3
    assert await get_redis().zscore(POPULAR_KEY, "nothing matches this") is None

    response = await client.get("/v1/search/popular", params={"limit": 5})
    assert response.status_code == 200
    assert response.json()["items"] == [
        {"query": "unboxing video", "searches": 3},
        {"query": "unboxing", "searches": 1},
    ]


async def _version() -> int:
    async with get_database().sessions() as session:
        return int(await session.scalar(select(CatalogState.version)) or 0)


async def test_popular_queries_are_served_from_redis_until_anything_they_show_changes(
    client: httpx.AsyncClient,
) -> None:
    creator = await insert_user(full_name="Rita Vance")
    gig = await insert_gig(creator, "Hyperlapse city film", prices=[4000])
    for _ in range(POPULAR_CACHE_MIN):  # makes "hyperlapse" a popular query
        assert await _titles(client, q="hyperlapse") == ["Hyperlapse city film"]

    assert await _titles(client, q="hyperlapse") == ["Hyperlapse city film"]  # cached now
    cached = [key async for key in get_redis().scan_iter(f"{PAGE_PREFIX}gigs:*")]
    assert len(cached) == 1
    assert 0 < await get_redis().ttl(cached[0]) <= PAGE_TTL_SECONDS
    # A rarely searched query is not cached.
    await _titles(client, q="city")
    assert len([key async for key in get_redis().scan_iter(f"{PAGE_PREFIX}gigs:*")]) == 1

    before = await _version()
    await update_gig(gig.id, requirements="Raw footage")  # not shown in a hit, but on its page: a new version
    assert await _version() == before + 1
    before += 1

    await update_gig(gig.id, price_from_minor=9900)  # shown: the cached page is bypassed at once
    assert await _version() == before + 1
    response = await client.get("/v1/search/gigs", params={"q": "hyperlapse"})
    assert response.json()["items"][0]["price_from"]["value"] == "99.00"

    async def _write(session: AsyncSession) -> Any:
        await session.execute(update(User).where(User.id == creator.id).values(full_name="Rita Vance-Ito"))

    await transaction(_write)
    response = await client.get("/v1/search/gigs", params={"q": "hyperlapse"})
    assert response.json()["items"][0]["creator"]["full_name"] == "Rita Vance-Ito"

    await update_gig(gig.id, is_active=False)
    assert await _titles(client, q="hyperlapse") == []
    await insert_gig(creator, "Hyperlapse night drive")
    assert await _titles(client, q="hyperlapse") == ["Hyperlapse night drive"]


async def test_search_works_without_redis_cache_entries_and_with_filters_in_the_key(
    client: httpx.AsyncClient,
) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Trailer cut cheap", prices=[1000])
    await insert_gig(creator, "Trailer cut dear", prices=[90000])
    for _ in range(POPULAR_CACHE_MIN + 1):
        assert await _titles(client, q="trailer", sort_by="price_asc") == [
            "Trailer cut cheap",
            "Trailer cut dear",
        ]
        assert await _titles(client, q="trailer", max_price="100") == ["Trailer cut cheap"]
        assert await _titles(client, q="trailer", sort_by="price_desc") == [
            "Trailer cut dear",
            "Trailer cut cheap",
        ]
    await get_redis().flushdb()
    assert await _titles(client, q="trailer", max_price="100") == ["Trailer cut cheap"]


async def test_relevance_past_the_candidate_bound_ranks_the_most_popular_matches(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common word matches a third of the catalog: relevance then ranks only the most
    popular SEARCH_COUNT_CAP matches (and says the total is a lower bound); any other sort
    still lists every match."""
    from reelbyte.catalog import reads

    creator = await insert_user(full_name="Dana Quill")
    gigs = [await insert_gig(creator, f"Aerial drone film {n}", prices=[3000 + n]) for n in range(3)]
    for gig, orders in zip(gigs, [0, 7, 4], strict=True):
        await update_gig(gig.id, orders_count=orders)
    monkeypatch.setattr(reads, "SEARCH_COUNT_CAP", 2)
    ranked = (await client.get("/v1/search/gigs", params={"q": "drone"})).json()
    assert {item["id"] for item in ranked["items"]} == {str(gigs[1].id), str(gigs[2].id)}
    assert (ranked["total"], ranked["total_is_exact"]) == (2, False)
    every = (await client.get("/v1/search/gigs", params={"q": "drone", "sort_by": "newest"})).json()
    assert len(every["items"]) == 3
    monkeypatch.setattr(reads, "SEARCH_COUNT_CAP", 3)  # within the bound: every match is ranked
    assert len((await client.get("/v1/search/gigs", params={"q": "drone aerial"})).json()["items"]) == 3


async def test_relevance_totals_come_from_the_ranking_walk(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page by relevance tells its total from the walk that finds its candidates: exact up to
    the bound, a lower bound one past it; an empty page past the last one still has it."""
    from reelbyte.catalog import reads

    creator = await insert_user(full_name="Ola Reel")
    for n in range(3):
        await insert_gig(creator, f"Timelapse city {n}", prices=[2000 + n])
    monkeypatch.setattr(reads, "SEARCH_COUNT_CAP", 3)  # exactly the bound: still exact

    async def totals(**params: object) -> tuple[int, bool, int]:
        page = (await client.get("/v1/search/gigs", params={"q": "timelapse", **params})).json()
        return page["total"], page["total_is_exact"], len(page["items"])

    assert await totals() == (3, True, 3)
    assert await totals(page_size=2, page=2) == (3, True, 1)
    monkeypatch.setattr(reads, "SEARCH_COUNT_CAP", 10)
    assert await totals(page_size=2, page=3) == (3, True, 0)  # past the last page: counted
    monkeypatch.setattr(reads, "SEARCH_COUNT_CAP", 2)
    assert await totals(page_size=1, page=2) == (2, False, 1)
    no_match = (await client.get("/v1/search/gigs", params={"q": "zzyzx"})).json()
    assert (no_match["total"], no_match["total_is_exact"], no_match["items"]) == (0, True, [])
