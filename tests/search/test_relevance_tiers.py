"""The relevance walk's popularity tiers decide where it looks for candidates first, never what
it finds: any bounds give the same page and the same total as one walk over every match. And a
relevance page's statement, kept with named parameters and run with other values, reads what
one built for those values reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import reads
from reelbyte.catalog.listing import GigFilters
from reelbyte.catalog.models import Gig
from reelbyte.catalog.popularity import PopularityTiers
from reelbyte.core.db import transaction
from reelbyte.core.pagination import PageParams
from reelbyte.identity.models import CreatorLevel
from tests.factories import insert_gig, insert_user, update_gig

# Orders with ties inside and across tiers; the views break some of them, the ids the rest.
ORDERS = [0, 0, 1, 1, 2, 3, 3, 5, 8, 8, 13, 20, 20, 40]


@pytest.fixture
async def timelapses() -> int:
    """Fourteen gigs that match "timelapse" (ranked apart by title, tags and rating) and two
    that do not; the category of the first seven."""
    creator = await insert_user(full_name="Tia Lapse")
    category = None
    for n, orders in enumerate(ORDERS):
        gig = await insert_gig(
            creator,
            f"Timelapse city {n}" if n % 3 else f"Night skyline {n}",
            description="A timelapse of the city at night." if n % 3 == 0 else "City footage.",
            tags=["timelapse"] if n % 2 else ["city"],
        )
        await update_gig(
            gig.id,
            orders_count=orders,
            views_count=n % 4,
            rating=Decimal(n % 5),
            price_from_minor=3000 + 1000 * (n % 6),
            min_delivery_days=1 + n % 7,
            creator_level=list(CreatorLevel)[n % 4],
            is_featured=n % 4 == 0,
        )
        category = category or gig.category_id
    for n in range(2):
        await insert_gig(creator, f"Wedding film {n}")
    assert category is not None
    return category


async def _page(filters: GigFilters, params: PageParams, tiers: tuple[int, ...]) -> tuple[list[Any], int]:
    async def read(session: AsyncSession) -> tuple[list[Any], int]:
        statement, values = reads.gig_list_items(filters, params, hits=True, tiers=tiers)
        rows = (await session.execute(statement, values)).all()
        return [row.id for row in rows], rows[0].matched if rows else 0

    return await transaction(read, read_only=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bounds=st.lists(st.integers(min_value=1, max_value=45), max_size=3, unique=True),
    cap=st.integers(min_value=1, max_value=16),
    page=st.integers(min_value=1, max_value=4),
    page_size=st.integers(min_value=1, max_value=5),
    in_category=st.booleans(),
)
async def test_any_tiers_give_the_page_and_total_of_one_walk(
    timelapses: int, bounds: list[int], cap: int, page: int, page_size: int, in_category: bool
) -> None:
    filters = GigFilters(q="timelapse", category_id=timelapses if in_category else None)
    params = PageParams(page=page, page_size=page_size)
    tiers = tuple(sorted(bounds, reverse=True))
    with mock.patch.object(reads, "SEARCH_COUNT_CAP", cap):
        assert await _page(filters, params, tiers) == await _page(filters, params, ())


async def _built_page(
    filters: GigFilters, params: PageParams, tiers: tuple[int, ...]
) -> tuple[list[Any], int]:
    """The page from a statement built for these values, with them in it."""

    async def read(session: AsyncSession) -> tuple[list[Any], int]:
        columns = (*reads.CARD_COLUMNS, Gig.description)
        rows = (await session.execute(reads._ranked_page(filters, params, columns, tiers))).all()
        return [row.id for row in rows], rows[0].matched if rows else 0

    return await transaction(read, read_only=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.sampled_from(["timelapse", "city", "timelapse -night", "skyline or city"]),
    tags=st.sampled_from([(), ("timelapse",), ("city", "timelapse")]),
    min_price=st.sampled_from([None, Decimal(40), Decimal(55)]),
    max_price=st.sampled_from([None, Decimal(60), Decimal(80)]),
    max_delivery_days=st.sampled_from([None, 2, 5]),
    creator_level=st.sampled_from([(), (CreatorLevel.NEW,), (CreatorLevel.PRO, CreatorLevel.TOP)]),
    min_rating=st.sampled_from([None, Decimal(2), Decimal(4)]),
    featured=st.sampled_from([None, True, False]),
    bounds=st.lists(st.integers(min_value=1, max_value=45), max_size=2, unique=True),
    page=st.integers(min_value=1, max_value=3),
    page_size=st.integers(min_value=1, max_value=6),
)
async def test_a_kept_relevance_page_reads_what_one_built_for_its_values_reads(
    timelapses: int,
    q: str,
    tags: tuple[str, ...],
    min_price: Decimal | None,
    max_price: Decimal | None,
    max_delivery_days: int | None,
    creator_level: tuple[CreatorLevel, ...],
    min_rating: Decimal | None,
    featured: bool | None,
    bounds: list[int],
    page: int,
    page_size: int,
) -> None:
    filters = GigFilters(
        q=q,
        tags=tags,
        min_price=min_price,
        max_price=max(max_price, min_price) if max_price and min_price else max_price,
        max_delivery_days=max_delivery_days,
        creator_level=creator_level,
        min_rating=min_rating,
        featured=featured,
    )
    params = PageParams(page=page, page_size=page_size)
    tiers = tuple(sorted(bounds, reverse=True))
    assert await _page(filters, params, tiers) == await _built_page(filters, params, tiers)


async def test_the_bounds_are_the_orders_where_each_tier_ends_and_are_kept_a_while(
    timelapses: int,
) -> None:
    tiers = PopularityTiers((3, 12, 100), ttl_seconds=300)

    async def bounds() -> tuple[int, ...]:
        return await transaction(tiers.bounds, read_only=True)

    async def read_anew() -> tuple[int, ...]:
        return await transaction(PopularityTiers((3, 12, 100), ttl_seconds=300).bounds, read_only=True)

    # The 3rd most ordered gig has 20 orders, the 12th 1; there is no 100th: no tier for it.
    assert await bounds() == (20, 1)
    await update_gig(await _first_gig_with(40), orders_count=0)
    assert await bounds() == (20, 1)  # kept: bounds only say where to look first
    assert await read_anew() == (13,)  # the 12th now has no orders: a tier of every gig, so none


async def _first_gig_with(orders: int) -> Any:
    async def read(session: AsyncSession) -> Any:
        return await session.scalar(select(Gig.id).where(Gig.orders_count == orders).limit(1))

    return await transaction(read, read_only=True)
