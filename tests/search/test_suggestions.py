"""GET /v1/search/suggestions: completions of the last word from titles, tags, categories, names."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Category, Gig
from reelbyte.core.db import get_database, transaction
from reelbyte.core.redis import get_redis
from reelbyte.identity.models import Role, User
from reelbyte.search.cache import SUGGESTION_PREFIX, SUGGESTION_TTL_SECONDS
from reelbyte.search.models import SearchTerm
from tests.factories import insert_gig, insert_user, update_gig


async def _suggest(client: httpx.AsyncClient, q: str, **params: object) -> list[str]:
    response = await client.get("/v1/search/suggestions", params={"q": q, **params})  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.json()["query"] == " ".join(q.lower().split())
    return [item["text"] for item in response.json()["items"]]


async def _kinds(client: httpx.AsyncClient, q: str) -> dict[str, str]:
    response = await client.get("/v1/search/suggestions", params={"q": q})
    return {item["text"]: item["kind"] for item in response.json()["items"]}


async def test_the_last_word_is_completed_from_tags_and_titles(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Wedding videography in 4K", tags=["wedding video"])
    await insert_gig(creator, "Wedding video highlights", tags=["wedding video", "highlights"])
    await insert_gig(creator, "Corporate video", tags=["corporate"])

    suggestions = await _suggest(client, "wedding vid")
    assert suggestions[0] == "wedding video"  # two tags and a title phrase: the strongest
    assert {"wedding videography", "wedding video highlights"} <= set(suggestions)
    assert all(s.startswith("wedding vid") for s in suggestions)

    # Earlier words are kept in front when only the tail of the query starts a known phrase.
    assert "my wedding video" in await _suggest(client, "my wedding vid")
    # Case and spacing do not matter.
    assert await _suggest(client, "  WEDDING   Vid") == suggestions
    # Title phrases skip stop words at their ends ("videography in" is not offered).
    assert "videography in" not in await _suggest(client, "videography")


async def test_categories_and_creator_names_are_suggested(client: httpx.AsyncClient) -> None:
    await insert_user(full_name="Moana Keller")
    await insert_user(Role.CLIENT, full_name="Moana Client")  # clients are not creators
    await insert_user(full_name="Moana Gone", is_active=False)

    kinds = await _kinds(client, "mo")
    assert kinds["motion graphics"] == "category"  # from the taxonomy migration
    assert kinds["moana keller"] == "creator"
    assert "moana client" not in kinds
    assert "moana gone" not in kinds

    # Categories follow their rows: a deactivated one is no longer offered.
    async def _write(session: AsyncSession) -> Any:
        await session.execute(
            update(Category).where(Category.slug == "motion-graphics").values(is_active=False)
        )

    await transaction(_write)
    await get_redis().flushdb()  # drop the cached suggestions of "mo"
    assert "motion graphics" not in await _suggest(client, "mo")


async def test_the_dictionary_follows_gig_changes(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    first = await insert_gig(creator, "Timelapse editing", tags=["timelapse"])
    second = await insert_gig(creator, "Timelapse travel", tags=["timelapse"])

    async def counts() -> dict[tuple[str, str], int]:
        async with get_database().sessions() as session:
            rows = await session.execute(
                select(SearchTerm.term, SearchTerm.source, SearchTerm.count).where(
                    SearchTerm.term.like("timelapse%")
                )
            )
            return {(term, source): count for term, source, count in rows}

    assert (await counts())[("timelapse", "tag")] == 2
    assert (await counts())[("timelapse", "title")] == 2
    assert (await counts())[("timelapse editing", "title")] == 1

    await update_gig(first.id, title="Hyperlapse editing", tags=["hyperlapse"])
    after = await counts()
    assert after[("timelapse", "tag")] == 1
    assert ("timelapse editing", "title") not in after

    await update_gig(second.id, is_active=False)  # no longer listed: its terms go
    assert await counts() == {}

    await update_gig(second.id, is_active=True)
    assert (await counts())[("timelapse travel", "title")] == 1

    async def _write(session: AsyncSession) -> Any:
        gig = await session.get(type(second), second.id)
        await session.delete(gig)

    await transaction(_write)
    assert await counts() == {}


async def test_creator_name_changes_move_the_suggestion(client: httpx.AsyncClient) -> None:
    creator = await insert_user(full_name="Zelda Cutter")
    assert await _suggest(client, "zel") == ["zelda cutter"]

    async def _write(session: AsyncSession) -> Any:
        await session.execute(update(User).where(User.id == creator.id).values(full_name="Zora Cutter"))

    await transaction(_write)
    assert await _suggest(client, "zo") == ["zora cutter"]
    assert await _suggest(client, "zeld") == []


async def test_like_wildcards_and_query_syntax_are_literal(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Product photo reel", tags=["100% satisfaction", "b_roll"])

    assert await _suggest(client, "%") == []
    assert await _suggest(client, "_") == []
    assert await _suggest(client, "pro%") == []
    assert await _suggest(client, "b%roll") == []
    assert await _suggest(client, "b_r") == ["b_roll"]
    assert await _suggest(client, "100%") == ["100% satisfaction"]
    assert await _suggest(client, "\\") == []
    for typed in ['"(&|!:*', "':*", "a & !b | (c", "\x01pro"]:
        response = await client.get("/v1/search/suggestions", params={"q": typed})
        assert response.status_code == 200, (typed, response.text)


async def test_suggestions_are_cached_briefly(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Drone cinematography", tags=["drone"])
    assert await _suggest(client, "dro") == ["drone", "drone cinematography"]

    keys = [key async for key in get_redis().scan_iter(f"{SUGGESTION_PREFIX}*")]
    assert len(keys) == 1
    assert 0 < await get_redis().ttl(keys[0]) <= SUGGESTION_TTL_SECONDS

    # Popular searches lift a suggestion: search "drone cinematography" a few times.
    for _ in range(3):
        await client.get("/v1/search/gigs", params={"q": "drone cinematography"})
    await get_redis().delete(*keys)
    assert await _suggest(client, "dro") == ["drone cinematography", "drone"]


async def test_limit(client: httpx.AsyncClient) -> None:
    creator = await insert_user()
    await insert_gig(creator, "Shorts shorts", tags=[f"short {i}" for i in range(10)])
    assert len(await _suggest(client, "short", limit=3)) == 3
    assert (await client.get("/v1/search/suggestions", params={"q": "s", "limit": 21})).status_code == 422


async def test_concurrent_gig_edits_keep_the_dictionary_exact_without_deadlocks() -> None:
    """Two gigs swap their titles both ways at once, many times: the dictionary rows the two
    transactions lock are the same, taken in opposite orders by a naive trigger."""
    creator = await insert_user()
    first = await insert_gig(creator, "Xray yankee zulu")
    second = await insert_gig(creator, "Zulu yankee xray")

    async def retitle(gig_id: object, title: str) -> None:
        async def _write(session: AsyncSession) -> Any:
            await session.execute(update(Gig).where(Gig.id == gig_id).values(title=title))
            await session.execute(text("SELECT pg_sleep(0.02)"))  # hold the row locks a while

        await transaction(_write, attempts=1)  # a deadlock would surface, not be retried

    for round_ in range(15):
        a, b = (
            ("Zulu yankee xray", "Xray yankee zulu")
            if round_ % 2 == 0
            else ("Xray yankee zulu", "Zulu yankee xray")
        )
        await asyncio.gather(retitle(first.id, a), retitle(second.id, b))

    async def dictionary(session: AsyncSession) -> dict[tuple[str, str], int]:
        rows = await session.execute(select(SearchTerm.term, SearchTerm.source, SearchTerm.count))
        return {(term, source): count for term, source, count in rows}

    async with get_database().sessions() as session:
        live = await dictionary(session)
        await session.execute(text("SELECT search_terms_rebuild()"))
        rebuilt = await dictionary(session)
        await session.rollback()
    assert live == rebuilt
    assert live[("xray yankee zulu", "title")] == 1
    assert live[("zulu yankee xray", "title")] == 1
