"""GET /gigs: only listed gigs (active, with a package), filters, sorts and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.catalog.test_gigs import assert_error
from tests.factories import Headers, make_gig, package_body, signed_up, taxonomy, update_gig


@dataclass
class Market:
    ids: dict[str, int]
    gigs: dict[str, dict[str, Any]]
    creators: dict[str, dict[str, Any]]
    headers: dict[str, Headers]


@pytest.fixture
async def market(client: httpx.AsyncClient) -> Market:
    """Four listed gigs (g1 to g4) by two creators, one inactive and one without packages."""
    ids = await taxonomy()
    ada, ada_headers = await signed_up(client, "creator")
    bo, bo_headers = await signed_up(client, "hybrid")
    specs: list[tuple[str, Headers, dict[str, Any]]] = [
        (
            "g1",
            ada_headers,
            {
                "title": "YouTube edit",
                "category_id": ids["video-editing"],
                "subcategory_id": ids["youtube-videos"],
                "tags": ["YouTube", "Premiere Pro"],
                "packages": [package_body("basic", "50.00", 5)],
            },
        ),
        (
            "g2",
            ada_headers,
            {
                "title": "Wedding film",
                "category_id": ids["video-editing"],
                "subcategory_id": ids["wedding-films"],
                "tags": ["wedding"],
                "packages": [package_body("basic", "200.00", 10), package_body("premium", "400.00", 7)],
            },
        ),
        (
            "g3",
            bo_headers,
            {
                "title": "Logo sting",
                "category_id": ids["motion-graphics"],
                "subcategory_id": ids["logo-animation"],
                "tags": ["logo", "youtube"],
                "packages": [package_body("basic", "30.00", 2)],
            },
        ),
        (
            "g4",
            bo_headers,
            {
                "title": "Short animation",
                "category_id": ids["animation"],
                "subcategory_id": None,
                "tags": [],
                "packages": [package_body("standard", "1000.00", 30)],
            },
        ),
        ("inactive", ada_headers, {"title": "Paused gig", "is_active": False}),
        ("no-packages", bo_headers, {"title": "Draft gig", "packages": []}),
    ]
    gigs = {name: await make_gig(client, headers, **body) for name, headers, body in specs}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    stats: dict[str, dict[str, Any]] = {
        "g1": {
            "rating": Decimal("4.90"),
            "total_reviews": 10,
            "orders_count": 5,
            "views_count": 100,
            "creator_level": "top",
            "created_at": start + timedelta(days=1),
        },
        "g2": {
            "rating": Decimal("4.50"),
            "total_reviews": 30,
            "orders_count": 50,
            "views_count": 10,
            "created_at": start + timedelta(days=2),
        },
        "g3": {
            "rating": Decimal("3.00"),
            "total_reviews": 3,
            "orders_count": 50,
            "views_count": 500,
            "creator_level": "pro",
            "created_at": start + timedelta(days=3),
        },
        "g4": {"rating": Decimal("4.50"), "total_reviews": 2, "created_at": start + timedelta(days=4)},
    }
    for name, values in stats.items():
        await update_gig(gigs[name]["id"], **values)
    return Market(ids, gigs, {"ada": ada, "bo": bo}, {"ada": ada_headers, "bo": bo_headers})


async def _names(client: httpx.AsyncClient, market: Market, **params: Any) -> list[str]:
    response = await client.get("/v1/gigs", params=params)
    assert response.status_code == 200, response.text
    by_id = {gig["id"]: name for name, gig in market.gigs.items()}
    return [by_id[item["id"]] for item in response.json()["items"]]


async def test_only_listed_gigs_are_shown(client: httpx.AsyncClient, market: Market) -> None:
    body = (await client.get("/v1/gigs")).json()
    assert body["total"] == 4
    assert sorted(await _names(client, market)) == ["g1", "g2", "g3", "g4"]
    item = next(i for i in body["items"] if i["id"] == market.gigs["g2"]["id"])
    assert item["price_from"] == {"currency": "EUR", "value": "200.00"}
    assert item["price_to"] == {"currency": "EUR", "value": "400.00"}
    assert item["min_delivery_days"] == 7
    assert item["creator"]["username"] == market.creators["ada"]["username"]
    assert "description" not in item
    assert "packages" not in item


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category_id": "video-editing"}, {"g1", "g2"}),
        ({"subcategory_id": "wedding-films"}, {"g2"}),
        ({"tags": ["youtube"]}, {"g1", "g3"}),
        ({"tags": ["YouTube ", "premiere  pro"]}, {"g1"}),
        ({"tags": ["nobody-uses-this"]}, set()),
        ({"min_price": "50.00"}, {"g1", "g2", "g4"}),
        ({"max_price": "50"}, {"g1", "g3"}),
        ({"min_price": "40", "max_price": "250.00"}, {"g1", "g2"}),
        ({"max_delivery_days": 7}, {"g1", "g2", "g3"}),
        ({"max_delivery_days": 2}, {"g3"}),
        ({"creator_level": ["pro"]}, {"g3"}),
        ({"creator_level": ["pro", "top"]}, {"g1", "g3"}),
        ({"creator_level": ["new"]}, {"g2", "g4"}),
        ({"min_rating": "4.5"}, {"g1", "g2", "g4"}),
        ({"min_rating": "4.9"}, {"g1"}),
        ({"creator_id": "bo"}, {"g3", "g4"}),
        ({"featured": "false"}, {"g1", "g2", "g3", "g4"}),
        ({"featured": "true"}, set()),
        ({"category_id": "video-editing", "max_price": "100"}, {"g1"}),
    ],
)
async def test_filters(
    client: httpx.AsyncClient, market: Market, params: dict[str, Any], expected: set[str]
) -> None:
    for key in ("category_id", "subcategory_id"):
        if key in params:
            params[key] = market.ids[params[key]]
    if "creator_id" in params:
        params["creator_id"] = market.creators[params["creator_id"]]["id"]
    names = await _names(client, market, **params, page_size=100)
    assert set(names) == expected
    total = (await client.get("/v1/gigs", params=params)).json()["total"]
    assert total == len(expected)


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ("price_asc", ["g3", "g1", "g2", "g4"]),
        ("price_desc", ["g4", "g2", "g1", "g3"]),
        ("rating", ["g1", "g2", "g4", "g3"]),  # equal ratings: more reviews first
        ("popular", ["g3", "g2", "g1", "g4"]),  # equal orders: more views first
        ("newest", ["g4", "g3", "g2", "g1"]),
        ("relevance", ["g3", "g2", "g1", "g4"]),  # without words: the most popular
    ],
)
async def test_sorts(client: httpx.AsyncClient, market: Market, sort_by: str, expected: list[str]) -> None:
    assert await _names(client, market, sort_by=sort_by) == expected


async def test_the_default_order_is_the_most_popular(client: httpx.AsyncClient, market: Market) -> None:
    assert await _names(client, market) == ["g3", "g2", "g1", "g4"]


async def test_pages(client: httpx.AsyncClient, market: Market) -> None:
    first = (await client.get("/v1/gigs", params={"page_size": 3, "sort_by": "newest"})).json()
    second = (await client.get("/v1/gigs", params={"page_size": 3, "page": 2, "sort_by": "newest"})).json()
    beyond = (await client.get("/v1/gigs", params={"page_size": 3, "page": 3})).json()
    assert (first["total"], first["page"], first["page_size"], first["total_pages"]) == (4, 1, 3, 2)
    assert len(first["items"]) == 3
    assert len(second["items"]) == 1
    assert second["page"] == 2
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert len(set(seen)) == 4
    assert beyond["items"] == []
    assert beyond["total"] == 4


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"page": 0}, 422, "validation_error"),
        ({"page_size": 101}, 422, "validation_error"),
        ({"page_size": 0}, 422, "validation_error"),
        ({"min_price": "-1"}, 422, "validation_error"),
        ({"min_price": "10.001"}, 422, "validation_error"),
        ({"min_price": "100", "max_price": "10"}, 400, "invalid_price_range"),
        ({"max_delivery_days": 0}, 422, "validation_error"),
        ({"creator_level": ["legend"]}, 422, "validation_error"),
        ({"min_rating": "5.5"}, 422, "validation_error"),
        ({"sort_by": "cheapest"}, 422, "validation_error"),
        ({"tags": [f"t{i}" for i in range(11)]}, 422, "validation_error"),
        ({"tags": ["x" * 41]}, 400, "invalid_tag"),
        ({"tags": ["nul\x00"]}, 422, "control_characters"),
        ({"category_id": "video"}, 422, "validation_error"),
        ({"category_id": 0}, 422, "validation_error"),
        ({"creator_id": "nobody"}, 422, "validation_error"),
    ],
)
async def test_bad_list_parameters_are_4xx(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, code: str
) -> None:
    assert_error(await client.get("/v1/gigs", params=params), status, code)


async def test_an_edit_shows_in_lists_at_once(client: httpx.AsyncClient, market: Market) -> None:
    gig = market.gigs["g4"]
    headers = market.headers["bo"]
    await client.put(f"/v1/gigs/{gig['id']}", json={"tags": ["fresh"]}, headers=headers)
    assert await _names(client, market, tags=["fresh"]) == ["g4"]

    package_id = gig["packages"][0]["id"]
    changes = {"price": {"currency": "EUR", "value": "10.00"}}
    await client.put(f"/v1/gigs/{gig['id']}/packages/{package_id}", json=changes, headers=headers)
    assert (await _names(client, market, sort_by="price_asc"))[0] == "g4"

    await client.put(f"/v1/gigs/{gig['id']}", json={"is_active": False}, headers=headers)
    assert "g4" not in await _names(client, market)
    await client.put(
        f"/v1/gigs/{market.gigs['inactive']['id']}", json={"is_active": True}, headers=market.headers["ada"]
    )
    assert "inactive" in await _names(client, market)
