"""The one query behind gig lists: `GET /gigs` and `GET /search/gigs` share its filters and sorts.

Every filter and sort maps onto a partial index over listed gigs (active, with a package), and
the text query onto the GIN index of the trigger-maintained `search_vector`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.sql.elements import ColumnElement

from reelbyte.catalog.errors import InvalidPriceRange, InvalidTag
from reelbyte.catalog.models import Gig
from reelbyte.core.errors import raises
from reelbyte.core.fulltext import text_query
from reelbyte.core.money import to_minor
from reelbyte.core.params import AmountUpTo1M, Rating, is_label, labels_schema
from reelbyte.core.text import normalise_label
from reelbyte.identity.models import CreatorLevel, User

MAX_ID = 2**31 - 1  # category ids are INTEGER: larger values cannot exist (and would not bind)


class GigSort(enum.StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    RATING = "rating"
    POPULAR = "popular"
    NEWEST = "newest"


class GigFilters(BaseModel):
    """Validated filters; amounts in major units of the platform currency ("50.00")."""

    model_config = ConfigDict(frozen=True)

    q: str | None = None
    category_id: int | None = None
    subcategory_id: int | None = None
    tags: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    max_delivery_days: int | None = None
    creator_level: tuple[CreatorLevel, ...] = ()
    min_rating: Decimal | None = None
    creator_id: uuid.UUID | None = None
    featured: bool | None = None
    verified: bool | None = None
    sort_by: GigSort = GigSort.RELEVANCE

    @model_validator(mode="after")
    def _price_range_in_order(self) -> GigFilters:
        if self.min_price is not None and self.max_price is not None and self.min_price > self.max_price:
            raise InvalidPriceRange(
                details={"min_price": str(self.min_price), "max_price": str(self.max_price)}
            )
        return self


MAX_TAG_LENGTH = 40

GigCursor = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern="^[A-Za-z0-9_=-]+$",
        description="the `next_cursor` of the page before: the page after it, at any depth (not for relevance to `q`)",
    ),
]


@raises(InvalidPriceRange, InvalidTag)
async def gig_filters(
    category_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    subcategory_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    tags: Annotated[
        list[str] | None,
        Query(max_length=10, description="gigs carrying all of these tags"),
        labels_schema(max_items=10, max_length=MAX_TAG_LENGTH),
    ] = None,
    min_price: Annotated[AmountUpTo1M | None, Query()] = None,
    max_price: Annotated[AmountUpTo1M | None, Query()] = None,
    max_delivery_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    creator_level: Annotated[list[CreatorLevel] | None, Query(max_length=4)] = None,
    min_rating: Annotated[Rating | None, Query()] = None,
    creator_id: uuid.UUID | None = None,
    featured: bool | None = None,
    verified: Annotated[
        bool | None, Query(description="by creators with the verified badge (or without)")
    ] = None,
    sort_by: GigSort = GigSort.RELEVANCE,
) -> GigFilters:
    """FastAPI dependency for the shared gig filters (422 for a bad value, 400 for a bad range)."""
    return GigFilters(
        category_id=category_id,
        subcategory_id=subcategory_id,
        tags=tuple(_clean_tags(tags)),
        min_price=min_price,
        max_price=max_price,
        max_delivery_days=max_delivery_days,
        creator_level=tuple(creator_level or ()),
        min_rating=min_rating,
        creator_id=creator_id,
        featured=featured,
        verified=verified,
        sort_by=sort_by,
    )


def _clean_tags(tags: list[str] | None) -> list[str]:
    for tag in tags or []:
        if not is_label(tag, MAX_TAG_LENGTH):
            raise InvalidTag(details={"tag": tag})
    return sorted({normalise_label(tag) for tag in tags or []})


def listed() -> ColumnElement[bool]:
    """Exactly the predicate of the partial indexes (models.LISTED): written `is_active`, not
    `is_active IS true`, which PostgreSQL would not match to them."""
    return and_(Gig.is_active, Gig.price_from_minor.is_not(None))


# How a filter's value goes into a statement: `as_value` puts it in (SQLAlchemy binds it as an
# anonymous parameter), `as_parameter` names a parameter instead, so that the statement can be
# kept and run again with other values (catalog/reads.py keeps relevance pages that way).
Bind = Callable[[str, Any], Any]


def as_value(_name: str, value: Any) -> Any:
    return value


def as_parameter(name: str, value: Any) -> Any:
    return bindparam(name, expanding=isinstance(value, tuple))  # a tuple: the values of an IN


def filter_conditions(filters: GigFilters, bind: Bind = as_value) -> list[ColumnElement[bool]]:
    """The filters as conditions. `featured` and `verified` change the statement's form, not
    only its values: they are always put in as they are."""
    conditions: list[ColumnElement[bool]] = [listed()]
    if filters.q:
        conditions.append(Gig.search_vector.op("@@")(text_query(bind("q", filters.q))))
    if filters.category_id is not None:
        conditions.append(Gig.category_id == bind("category_id", filters.category_id))
    if filters.subcategory_id is not None:
        conditions.append(Gig.subcategory_id == bind("subcategory_id", filters.subcategory_id))
    if filters.tags:
        conditions.append(Gig.tags.contains(bind("tags", list(filters.tags))))
    if filters.min_price is not None:
        conditions.append(Gig.price_from_minor >= bind("min_price", to_minor(filters.min_price)))
    if filters.max_price is not None:
        conditions.append(Gig.price_from_minor <= bind("max_price", to_minor(filters.max_price)))
    if filters.max_delivery_days is not None:
        conditions.append(Gig.min_delivery_days <= bind("max_delivery_days", filters.max_delivery_days))
    if filters.creator_level:
        conditions.append(Gig.creator_level.in_(bind("creator_level", tuple(filters.creator_level))))
    if filters.min_rating is not None:
        conditions.append(Gig.rating >= bind("min_rating", filters.min_rating))
    if filters.creator_id is not None:
        conditions.append(Gig.creator_id == bind("creator_id", filters.creator_id))
    if filters.featured is not None:
        conditions.append(Gig.is_featured.is_(filters.featured))
    if filters.verified is not None:
        verified = select(User.id).where(User.verified_at.is_not(None))
        conditions.append(
            Gig.creator_id.in_(verified) if filters.verified else Gig.creator_id.not_in(verified)
        )
    return conditions


def relevance(q: str, bind: Bind) -> ColumnElement[Any]:
    """Text rank blended with reputation: rank * (1 + rating/10) * (1 + ln(1 + orders)/10).

    Text dominates (a title match beats a description match, by the A/B/C weights); among
    similar matches, well-rated and often-ordered gigs rise.
    """
    rank = func.ts_rank_cd(Gig.search_vector, text_query(bind("q", q)), 1)  # 1: normalise by length
    reputation = (1 + Gig.rating / 10) * (1 + func.ln(1 + Gig.orders_count) / 10)
    return rank * reputation


# Each sort as its key columns, most significant first, `True` for descending; the id last
# makes every order total, so that a keyset cursor (catalog/reads.py) names one position.
SORT_KEYS: dict[GigSort, tuple[tuple[Any, bool], ...]] = {
    GigSort.PRICE_ASC: ((Gig.price_from_minor, False), (Gig.id, False)),
    GigSort.PRICE_DESC: ((Gig.price_from_minor, True), (Gig.id, False)),
    GigSort.RATING: ((Gig.rating, True), (Gig.total_reviews, True), (Gig.id, False)),
    GigSort.POPULAR: ((Gig.orders_count, True), (Gig.views_count, True), (Gig.id, False)),
    GigSort.NEWEST: ((Gig.created_at, True), (Gig.id, False)),
}


def effective_sort(filters: GigFilters) -> GigSort:
    """Relevance without words to be relevant to is popularity."""
    if filters.sort_by is GigSort.RELEVANCE and not filters.q:
        return GigSort.POPULAR
    return filters.sort_by


def sort_keys(filters: GigFilters) -> tuple[tuple[Any, bool], ...] | None:
    """The key columns of the list's order; None for relevance to a query (a computed rank)."""
    return SORT_KEYS.get(effective_sort(filters))


def order_by(filters: GigFilters) -> list[Any]:
    """The ORDER BY of a list sorted by its columns (relevance ranks in catalog/reads._ranked_page)."""
    keys = sort_keys(filters)
    assert keys is not None
    return [column.desc() if descending else column.asc() for column, descending in keys]
