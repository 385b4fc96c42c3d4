"""Gig pages and the first pages of gig lists come from Redis until anything they show changes:
then every cached page shows the change at once, whoever made it (the creator's edits, the
levels job, the reviews' numbers, an admin's category, the views flush). And the JSON the
catalog writes itself is exactly what its response models describe."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from reelbyte.catalog.pages import PAGE_PREFIX
from reelbyte.catalog.schemas import GigOut, GigSummary
from reelbyte.catalog.views import gig_views
from reelbyte.core.config import Settings
from reelbyte.core.db import transaction
from reelbyte.core.pagination import Page
from reelbyte.core.redis import get_redis
from reelbyte.identity.models import CreatorLevel, User
from reelbyte.search.schemas import GigHit
from tests.catalog.conftest import watching
from tests.factories import Headers, make_admin, make_gig, package_body, signed_up, update_gig

Pages = dict[str, dict[str, Any]]


@pytest.fixture(autouse=True, params=["version read", "version watched"])
async def version_source(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[None]:
    """Every test twice: each reader reads the catalog version, or a serving process's watch
    holds it in memory (catalog/pages.py)."""
    if request.param == "version read":
        yield
        return
    async with watching(settings):
        yield


async def _cached_keys() -> list[str]:
    return [key async for key in get_redis().scan_iter(f"{PAGE_PREFIX}*")]


@pytest.fixture
async def listed(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], Headers]:
    creator, headers = await signed_up(client)
    gig = await make_gig(
        client, headers, packages=[package_body("basic", "40.00"), package_body("premium", "90.00", 7)]
    )
    return gig, creator, headers


def _urls(gig: dict[str, Any]) -> list[str]:
    return [
        f"/v1/gigs/{gig['slug']}",
        f"/v1/gigs/{gig['id']}",
        "/v1/gigs",
        f"/v1/gigs?category_id={gig['category_id']}&sort_by=newest",
        "/v1/search/gigs",
    ]


async def _pages(client: httpx.AsyncClient, gig: dict[str, Any]) -> Pages:
    """Each page, reduced to what it shows of `gig` (the card in a list)."""
    shown: Pages = {}
    for url in _urls(gig):
        response = await client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        shown[url] = body if "items" not in body else next(i for i in body["items"] if i["id"] == gig["id"])
    return shown


async def _warm(client: httpx.AsyncClient, gig: dict[str, Any]) -> Pages:
    pages = await _pages(client, gig)
    assert len(await _cached_keys()) == len(_urls(gig))  # every one of them is cached now
    assert await _pages(client, gig) == pages  # and served from there
    return pages


async def _set_user(user_id: str, **values: Any) -> None:
    statement = update(User).where(User.id == user_id).values(**values)
    await transaction(lambda session: session.execute(statement))


Change = Callable[[httpx.AsyncClient, dict[str, Any], Headers], Awaitable[None]]


async def _retitle(client: httpx.AsyncClient, gig: dict[str, Any], headers: Headers) -> None:
    response = await client.put(
        f"/v1/gigs/{gig['id']}", json={"title": "Retitled wedding film"}, headers=headers
    )
    assert response.status_code == 200


async def _reprice(client: httpx.AsyncClient, gig: dict[str, Any], headers: Headers) -> None:
    basic = next(p for p in gig["packages"] if p["tier"] == "basic")
    response = await client.put(
        f"/v1/gigs/{gig['id']}/packages/{basic['id']}",
        json={"price": {"currency": "EUR", "value": "35.00"}},
        headers=headers,
    )
    assert response.status_code == 200


async def _level_up(client: httpx.AsyncClient, gig: dict[str, Any], headers: Headers) -> None:
    # What the levels job writes: the creator's level, copied onto their gigs.
    await _set_user(gig["creator"]["id"], creator_level=CreatorLevel.PRO)
    await update_gig(gig["id"], creator_level=CreatorLevel.PRO)


async def _reviewed(client: httpx.AsyncClient, gig: dict[str, Any], headers: Headers) -> None:
    # What a published review writes: the gig's and the creator's rating and review count.
    await update_gig(gig["id"], rating=Decimal("4.50"), total_reviews=2)
    await _set_user(gig["creator"]["id"], rating=Decimal("4.50"), total_reviews=2)


async def _viewed(client: httpx.AsyncClient, gig: dict[str, Any], headers: Headers) -> None:
    gig_views.record_view(gig["id"])
    await gig_views.flush_views(get_redis())


async def _category_renamed(client: httpx.AsyncClient, gig: dict[str, Any], headers: Headers) -> None:
    admin = await make_admin(client)
    response = await client.put(
        f"/v1/admin/categories/{gig['category_id']}", json={"name": "Wedding films"}, headers=admin
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (_retitle, lambda page: page["title"]),
        (_reprice, lambda page: page["price_from"]),
        (_level_up, lambda page: (page["creator_level"], page["creator"]["creator_level"])),
        (
            _reviewed,
            lambda page: (page["stats"]["rating"], page["creator"]["rating"], page["stats"]["total_reviews"]),
        ),
        (_viewed, lambda page: page["stats"]["views"]),
    ],
    ids=["gig", "packages", "creator level", "reviews", "views"],
)
async def test_every_cached_page_shows_a_change_at_once(
    client: httpx.AsyncClient,
    listed: tuple[dict[str, Any], dict[str, Any], Headers],
    change: Change,
    shown: Callable[[dict[str, Any]], Any],
) -> None:
    gig, _, headers = listed
    before = await _warm(client, gig)
    await change(client, gig, headers)
    after = await _pages(client, gig)
    for url in _urls(gig):
        assert shown(after[url]) != shown(before[url]), url
    assert len({json.dumps(shown(page), sort_keys=True) for page in after.values()}) == 1  # all agree


async def test_a_renamed_category_shows_on_the_gig_page_at_once(
    client: httpx.AsyncClient, listed: tuple[dict[str, Any], dict[str, Any], Headers]
) -> None:
    gig, _, headers = listed
    await _warm(client, gig)
    await _category_renamed(client, gig, headers)
    page = (await client.get(f"/v1/gigs/{gig['slug']}")).json()
    assert page["category"]["name"] == "Wedding films"


async def test_an_inactive_gig_is_never_cached_and_only_its_creator_sees_it(
    client: httpx.AsyncClient, listed: tuple[dict[str, Any], dict[str, Any], Headers]
) -> None:
    gig, _, headers = listed
    await _warm(client, gig)
    assert (
        await client.put(f"/v1/gigs/{gig['id']}", json={"is_active": False}, headers=headers)
    ).status_code == 200
    assert (await client.get(f"/v1/gigs/{gig['slug']}")).status_code == 404
    _, stranger = await signed_up(client, "client")
    assert (await client.get(f"/v1/gigs/{gig['slug']}", headers=stranger)).status_code == 404
    own = await client.get(f"/v1/gigs/{gig['slug']}", headers=headers)
    assert own.status_code == 200
    assert own.json()["is_active"] is False
    assert gig["id"] not in json.dumps((await client.get("/v1/gigs")).json())


async def test_pages_are_exactly_what_the_response_models_describe(
    client: httpx.AsyncClient, listed: tuple[dict[str, Any], dict[str, Any], Headers]
) -> None:
    """Validating the catalog's own JSON against the models, and writing it back with them,
    gives the same JSON: same fields, UTC times, decimals as strings, money as the API writes it."""
    gig, _, _ = listed
    await update_gig(gig["id"], rating=Decimal("4.80"), total_reviews=5)
    for url, model in [
        (f"/v1/gigs/{gig['slug']}", GigOut),
        ("/v1/gigs", Page[GigSummary]),
        ("/v1/search/gigs?q=youtube", Page[GigHit]),
    ]:
        body = (await client.get(url)).text
        assert json.loads(model.model_validate_json(body).model_dump_json()) == json.loads(body), url


async def test_lists_count_up_to_the_cap_and_say_when_the_total_is_a_lower_bound(
    client: httpx.AsyncClient,
    listed: tuple[dict[str, Any], dict[str, Any], Headers],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reelbyte.catalog import reads

    _, _, headers = listed
    for _ in range(3):
        await make_gig(client, headers)
    first = (await client.get("/v1/gigs", params={"page_size": 1, "page": 6})).json()  # not cached
    assert (first["total"], first["total_is_exact"], first["total_pages"]) == (4, True, 4)
    last = (await client.get("/v1/gigs", params={"page_size": 3, "page": 2})).json()  # a short page knows
    assert (last["total"], last["total_is_exact"], len(last["items"])) == (4, True, 1)
    monkeypatch.setattr(reads, "COUNT_CAP", 2)
    capped = (await client.get("/v1/gigs", params={"page_size": 1, "page": 2})).json()
    assert (capped["total"], capped["total_is_exact"], capped["total_pages"]) == (2, False, 2)


async def test_cursors_page_through_a_whole_list_in_every_sort_order(
    client: httpx.AsyncClient, listed: tuple[dict[str, Any], dict[str, Any], Headers]
) -> None:
    """Following `next_cursor` from the first page visits every listed gig once, in the same
    order as page numbers do, for every sort (ties broken by id)."""
    _, _, headers = listed
    for index, price in enumerate(["20.00", "20.00", "35.00", "90.00", "20.00"]):
        gig = await make_gig(client, headers, packages=[package_body("basic", price)])
        await update_gig(gig["id"], rating=Decimal(index % 2) + Decimal("3.5"), orders_count=index % 3)
    for sort in ("price_asc", "price_desc", "newest", "rating", "popular"):
        by_number = (await client.get("/v1/gigs", params={"sort_by": sort, "page_size": 100})).json()["items"]
        assert len(by_number) == 6
        seen: list[str] = []
        params: dict[str, Any] = {"sort_by": sort, "page_size": 2}
        while True:
            page = (await client.get("/v1/gigs", params=params)).json()
            seen += [item["id"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
            assert len(page["items"]) == 2
        assert seen == [item["id"] for item in by_number], sort
        assert page["page"] is None
        assert page["total"] == 6


async def test_bad_cursors_and_too_deep_pages_are_refused(
    client: httpx.AsyncClient, listed: tuple[dict[str, Any], dict[str, Any], Headers]
) -> None:
    _, _, headers = listed
    await make_gig(client, headers)
    first = (await client.get("/v1/gigs", params={"sort_by": "newest", "page_size": 1})).json()
    cursor = first["next_cursor"]
    refused = [
        ({"sort_by": "price_asc", "cursor": cursor}, "invalid_cursor"),  # given for another order
        ({"cursor": "bm90LWEtY3Vyc29y"}, "invalid_cursor"),  # base64 of junk
        ({"cursor": "W10="}, "invalid_cursor"),  # an empty list
        ({"cursor": "WyJuZXdlc3QiLCJ5ZXN0ZXJkYXkiLCIxIl0="}, "invalid_cursor"),  # not a time
        ({"sort_by": "popular", "cursor": "WyJwb3B1bGFyIiwxZTk5LDAsIjEiXQ=="}, "invalid_cursor"),  # a float
        ({"page": 501}, "page_too_deep"),  # 501 pages of 20: beyond the 10,000 that pages reach
    ]
    for params, code in refused:
        response = await client.get("/v1/gigs", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"] == code
    response = await client.get("/v1/search/gigs", params={"q": "youtube", "cursor": cursor})
    assert response.json()["error"] == "no_cursor_for_relevance"


async def test_a_cached_total_changes_at_once_with_the_gigs_it_counts(
    client: httpx.AsyncClient, listed: tuple[dict[str, Any], dict[str, Any], Headers]
) -> None:
    """A list's total is counted once for all its pages and sorts (cached under the catalog
    version): a gig that stops or starts matching shows in the next page's total at once."""
    gig, _, headers = listed
    for _ in range(2):
        await make_gig(client, headers)

    async def total(**params: Any) -> tuple[int, bool]:
        query = {"q": "youtube", "page_size": 1, **params}
        page = (await client.get("/v1/search/gigs", params=query)).json()
        return page["total"], page["total_is_exact"]

    assert await total(sort_by="newest") == (3, True)
    assert [key async for key in get_redis().scan_iter(f"{PAGE_PREFIX}total:*")]  # counted, and kept
    assert await total(sort_by="price_asc") == (3, True)  # another sort: the same total
    assert (
        await client.put(f"/v1/gigs/{gig['id']}", json={"is_active": False}, headers=headers)
    ).status_code == 200
    assert await total(sort_by="newest", page=2) == (2, True)
    await make_gig(client, headers, title="I will cut your YouTube shorts")
    first = (
        await client.get("/v1/search/gigs", params={"q": "youtube", "sort_by": "rating", "page_size": 1})
    ).json()
    assert await total(sort_by="rating", cursor=first["next_cursor"]) == (3, True)
