"""The hot reads of the catalog — gig pages, gig lists, gig search — as JSON built straight
from rows.

These are the most requested pages, so they skip what the rest of the API pays for
convenience: no ORM objects (a Core select of the shown columns, the creator and categories
joined in the same statement), no Pydantic validation of data the database has already
constrained, and one serialisation (orjson) into exactly the JSON the response models
(`GigOut`, `Page[GigSummary]`, `Page[GigHit]`) describe; tests hold the two equal. Pages are
cached in Redis under the catalog version (catalog/pages.py).

Totals: counting every match of a broad list would cost more than the page itself, so lists
count up to COUNT_CAP matches (text searches SEARCH_COUNT_CAP); beyond, `total` is the cap and
`total_is_exact` false ("10,000+"). The last page tells its own total without a count, and a
page by relevance the total its ranking found (`_ranked_page`); any other count is kept with the
cached pages, under the catalog version, for every page and sort of the same filters (`_count`).

Plans: these statements run unprepared (`planned_for_values`), so that PostgreSQL plans each for
its values; a generic plan cannot tell a word in every third gig from a rare one.

Depth: page numbers reach as far as the count (an offset makes PostgreSQL read and drop
every row before the page). Every page but the last carries a `next_cursor`, its last gig's
place in the sort order; a page asked `cursor=` starts right after that place, found in the
sort's index, so page 5,000 costs what page 1 does (keyset paging).
"""

from __future__ import annotations

import base64
import binascii
import math
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Row, Select, and_, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from reelbyte.catalog.errors import NoCursorForRelevance, PageTooDeep
from reelbyte.catalog.listing import (
    Bind,
    GigFilters,
    GigSort,
    as_parameter,
    as_value,
    effective_sort,
    filter_conditions,
    order_by,
    relevance,
    sort_keys,
)
from reelbyte.catalog.models import GIG_SLUG_LENGTH, Category, Gig, Package
from reelbyte.catalog.pages import cached_page
from reelbyte.catalog.popularity import popularity_tiers
from reelbyte.catalog.schemas import package_name
from reelbyte.core.db import planned_for_values
from reelbyte.core.errors import InvalidCursor
from reelbyte.core.money import format_minor
from reelbyte.core.pagination import PageParams
from reelbyte.core.text import excerpt
from reelbyte.identity.models import User

COUNT_CAP = 10_000
# Text searches count less far: counting a text match reads the gig's row (the GIN index only
# says "maybe"), 15-30 ms for 10,000. And ranking by relevance reads and scores every match's
# text (a common word matches a third of the catalog: 200+ ms), so past this many matches only
# the most popular are ranked, and listed: relevance then orders the best-known 1,000
# ("1,000+ results"), and any other sort still lists every match, by cursor past the first 1,000.
SEARCH_COUNT_CAP = 1_000

CACHED_LIST_PAGES = 5  # pages 1-5 of any list are cached; deeper pages are rarely asked twice
EXCERPT_LENGTH = 300  # a search hit's start of the description

Subcategory = aliased(Category)

CARD_COLUMNS = (
    Gig.id,
    Gig.slug,
    Gig.title,
    Gig.creator_level,
    Gig.category_id,
    Gig.subcategory_id,
    Gig.tags,
    Gig.thumbnail_url,
    Gig.video_preview_url,
    Gig.price_from_minor,
    Gig.price_to_minor,
    Gig.currency,
    Gig.min_delivery_days,
    Gig.views_count,
    Gig.orders_count,
    Gig.rating,
    Gig.total_reviews,
    Gig.is_featured,
    Gig.created_at,
    User.id.label("creator_id"),
    User.username.label("creator_username"),
    User.full_name.label("creator_full_name"),
    User.avatar_url.label("creator_avatar_url"),
    User.creator_level.label("creator_creator_level"),
    User.rating.label("creator_rating"),
    User.total_reviews.label("creator_total_reviews"),
    User.on_time_delivery_percent.label("creator_on_time_delivery_percent"),
    User.repeat_client_percent.label("creator_repeat_client_percent"),
    User.verified_at.label("creator_verified_at"),
)
PAGE_COLUMNS = (
    Gig.description,
    Gig.requirements,
    Gig.gallery_urls,
    Gig.gallery_uploads,
    Gig.video_preview_upload_id,
    Gig.is_active,
    Gig.updated_at,
    Category.name.label("category_name"),
    Category.slug.label("category_slug"),
    Subcategory.name.label("subcategory_name"),
    Subcategory.slug.label("subcategory_slug"),
)
PACKAGE_COLUMNS = (
    Package.id,
    Package.gig_id,
    Package.tier,
    Package.description,
    Package.price_minor,
    Package.currency,
    Package.delivery_days,
    Package.revisions,
    Package.features,
    Package.video_spec,
    Package.created_at,
    Package.updated_at,
)


def dumps(value: Any) -> str:
    """JSON as the response models write it: UTC times with `Z`, decimals as strings."""
    return orjson.dumps(value, option=orjson.OPT_UTC_Z, default=str).decode()


def _money(minor: int | None, currency: str) -> dict[str, str] | None:
    return None if minor is None else {"currency": currency, "value": format_minor(minor)}


def card(row: Row[*tuple[Any, ...]]) -> dict[str, Any]:
    """A gig as lists show it (`GigSummary`)."""
    return {
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "creator": {
            "id": row.creator_id,
            "username": row.creator_username,
            "full_name": row.creator_full_name,
            "avatar_url": row.creator_avatar_url,
            "creator_level": row.creator_creator_level,
            "rating": str(row.creator_rating),
            "total_reviews": row.creator_total_reviews,
            "on_time_delivery_percent": row.creator_on_time_delivery_percent,
            "repeat_client_percent": row.creator_repeat_client_percent,
            "is_verified": row.creator_verified_at is not None,
        },
        "creator_level": row.creator_level,
        "category_id": row.category_id,
        "subcategory_id": row.subcategory_id,
        "tags": row.tags or [],
        "thumbnail_url": row.thumbnail_url,
        "video_preview_url": row.video_preview_url,
        "price_from": _money(row.price_from_minor, row.currency),
        "price_to": _money(row.price_to_minor, row.currency),
        "min_delivery_days": row.min_delivery_days,
        "stats": {
            "views": row.views_count,
            "orders": row.orders_count,
            "rating": str(row.rating),
            "total_reviews": row.total_reviews,
        },
        "is_featured": row.is_featured,
        "created_at": row.created_at,
    }


async def creator_gigs(
    session: AsyncSession, creator_id: uuid.UUID, params: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """A creator's own gigs, listed or not, newest first, as `MyGig` fields; and their count."""
    mine = Gig.creator_id == creator_id
    rows = await session.execute(
        select(*CARD_COLUMNS, Gig.is_active, Gig.hidden_at, Gig.updated_at)
        .join(User, User.id == Gig.creator_id)
        .where(mine)
        .order_by(Gig.created_at.desc(), Gig.id.desc())
        .offset(params.offset)
        .limit(params.page_size)
    )
    items = [
        {
            **card(row),
            "is_active": row.is_active,
            "is_listed": row.is_active and row.price_from_minor is not None,
            "hidden_by_moderators": row.hidden_at is not None,
            "updated_at": row.updated_at,
        }
        for row in rows
    ]
    total = await session.scalar(select(func.count()).select_from(Gig).where(mine))
    return items, total or 0


def _package(row: Row[*tuple[Any, ...]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "gig_id": row.gig_id,
        "tier": row.tier,
        "name": package_name(row.tier),
        "description": row.description,
        "price": _money(row.price_minor, row.currency),
        "delivery_days": row.delivery_days,
        "revisions": row.revisions,
        "features": row.features or [],
        "video_spec": row.video_spec,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


# --- a gig's page -------------------------------------------------------------------------


class GigPage:
    """A gig's page (`GigOut` as JSON), with what the caller decides on: who made it and
    whether it is active. Cached as one string: a header line, then the JSON."""

    def __init__(self, gig_id: uuid.UUID, creator_id: uuid.UUID, is_active: bool, body: str) -> None:
        self.gig_id, self.creator_id, self.is_active, self.body = gig_id, creator_id, is_active, body

    def stored(self) -> str:
        return f"{self.gig_id} {self.creator_id} {int(self.is_active)}\n{self.body}"

    @classmethod
    def from_stored(cls, text: str) -> GigPage:
        header, body = text.split("\n", 1)
        gig_id, creator_id, active = header.split(" ")
        return cls(uuid.UUID(gig_id), uuid.UUID(creator_id), active == "1", body)


def _gig_page_query(ref: str) -> Select[*tuple[Any, ...]] | None:
    """The gig's row with its creator and categories, by id or else slug (None: cannot exist)."""
    if "\x00" in ref or len(ref) > GIG_SLUG_LENGTH:
        return None
    query = (
        select(*CARD_COLUMNS, *PAGE_COLUMNS)
        .join(User, User.id == Gig.creator_id)
        .join(Category, Category.id == Gig.category_id)
        .outerjoin(Subcategory, Subcategory.id == Gig.subcategory_id)
    )
    try:
        gig_id = uuid.UUID(ref)
    except ValueError:
        return query.where(Gig.slug == ref)
    return query.where((Gig.id == gig_id) | (Gig.slug == ref)).order_by((Gig.id == gig_id).desc()).limit(1)


async def read_gig_page(session: AsyncSession, ref: str) -> GigPage | None:
    """A gig's page by id or slug, active or not, from the database."""
    query = _gig_page_query(ref)
    row = (await session.execute(query)).first() if query is not None else None
    if row is None:
        return None
    packages = await session.execute(
        select(*PACKAGE_COLUMNS).where(Package.gig_id == row.id, Package.is_active).order_by(Package.tier)
    )
    page = card(row) | {
        "description": row.description,
        "requirements": row.requirements,
        "gallery_urls": row.gallery_urls or [],
        "gallery_uploads": row.gallery_uploads or [],
        "video_preview_upload_id": row.video_preview_upload_id,
        "category": {"id": row.category_id, "name": row.category_name, "slug": row.category_slug},
        "subcategory": (
            {"id": row.subcategory_id, "name": row.subcategory_name, "slug": row.subcategory_slug}
            if row.subcategory_id is not None
            else None
        ),
        "is_active": row.is_active,
        "packages": [_package(package) for package in packages],
        "updated_at": row.updated_at,
    }
    return GigPage(row.id, row.creator_id, row.is_active, dumps(page))


async def public_gig_page(session: AsyncSession, ref: str) -> GigPage | None:
    """An active gig's page, as anybody sees it: from the cache when nothing it shows has
    changed since it was stored. None for an inactive or unknown gig (never cached)."""

    async def build() -> str | None:
        page = await read_gig_page(session, ref)
        return page.stored() if page is not None and page.is_active else None

    stored = await cached_page(session, "gig", {"ref": ref}, build)
    return GigPage.from_stored(stored) if stored is not None else None


# --- lists ----------------------------------------------------------------------------------


async def gig_list(
    session: AsyncSession,
    filters: GigFilters,
    params: PageParams,
    *,
    cursor: str | None = None,
    hits: bool = False,
    cached: bool = True,
) -> str:
    """A page of listed gigs matching `filters`, as the JSON of `Page[GigSummary]` (or, with
    `hits`, of search's `Page[GigHit]`: each card with the start of its description): the
    page numbered `params.page`, or with a `cursor` the page after it. The first pages are
    cached unless not `cached`."""
    position = _position(cursor, filters) if cursor is not None else None
    if position is None and params.offset >= count_cap(filters):
        raise PageTooDeep(details={"page": params.page, "page_size": params.page_size})

    async def build() -> str:
        async with planned_for_values(session):  # the best plan depends on the filters' values
            return await _read_gig_list(session, filters, params, position, hits=hits)

    if not cached or position is not None or params.page > CACHED_LIST_PAGES:
        return await build()
    parts = {"filters": filters.model_dump(mode="json"), "page": params.model_dump(), "hits": hits}
    body = await cached_page(session, "gigs", parts, build)
    assert body is not None  # a list page is always built
    return body


def gig_list_items(
    filters: GigFilters,
    params: PageParams,
    position: list[Any] | None = None,
    *,
    hits: bool = False,
    tiers: tuple[int, ...] = (),
) -> tuple[Select[*tuple[Any, ...]], dict[str, Any]]:
    """The statement of a page of the list, and the values of its named parameters.

    The page reads one row more than its size, to know whether another page follows. With a
    `position` (a cursor's key values) it starts after that row, at any depth for the price
    of the first page; else at the page's offset. By relevance to a query, see `_ranked_page`
    (`tiers`: where it looks for candidates first) and `_kept_ranked_page`."""
    columns = (*CARD_COLUMNS, Gig.description) if hits else CARD_COLUMNS
    if sort_keys(filters) is None:
        return _kept_ranked_page(filters, params, columns, tiers)
    items = (
        select(*columns)
        .where(*filter_conditions(filters))
        .join(User, User.id == Gig.creator_id)
        .order_by(*order_by(filters))
        .limit(params.page_size + 1)
    )
    keys = sort_keys(filters)
    if position is not None and keys is not None:
        return items.where(_after(keys, position)), {}
    return items.offset(params.offset), {}


_kept_ranked_pages: dict[tuple[Any, ...], Select[*tuple[Any, ...]]] = {}
KEPT_RANKED_PAGES = 256  # statements, one per form of the filters; far more than are ever used


def _kept_ranked_page(
    filters: GigFilters, params: PageParams, columns: tuple[Any, ...], tiers: tuple[int, ...]
) -> tuple[Select[*tuple[Any, ...]], dict[str, Any]]:
    """The page by relevance as a statement with named parameters, built once for each form of
    the filters (which of them are set, the tiers' number) and kept, and the values for it:
    the filters' (recorded while their conditions are put together, which is cheap) and the
    page's own (`_page_values`). Building the statement costs 1.3-2 ms of Python with its cache
    key; taking the kept one with its values, 0.07."""
    values: dict[str, Any] = {}
    filter_conditions(filters, values.setdefault)  # a `Bind` that records each value and puts it in
    values |= _page_values(params, tiers)
    form = (tuple(values), filters.featured, filters.verified, columns == CARD_COLUMNS)
    statement = _kept_ranked_pages.get(form)
    if statement is None:
        if len(_kept_ranked_pages) >= KEPT_RANKED_PAGES:
            _kept_ranked_pages.clear()
        statement = _kept_ranked_pages[form] = _ranked_page(filters, params, columns, tiers, as_parameter)
    return statement, values


def _page_values(params: PageParams, tiers: tuple[int, ...]) -> dict[str, int]:
    """The values of a relevance page's own parameters, beside the filters'."""
    values = {"enough": SEARCH_COUNT_CAP + 1, "cap": SEARCH_COUNT_CAP}
    values |= {f"tier_{index}": bound for index, bound in enumerate(tiers)}
    return values | {"limit": params.page_size + 1, "offset": params.offset}


def _ranked_page(
    filters: GigFilters,
    params: PageParams,
    columns: tuple[Any, ...],
    tiers: tuple[int, ...],
    bind: Bind = as_value,
) -> Select[*tuple[Any, ...]]:
    """A page by relevance among the matches, at most the SEARCH_COUNT_CAP most popular ones:
    the page's ids are chosen by rank first, and only its rows are then read whole, with their
    creators. Each row also carries `matched`: how many gigs match, counted up to one past the
    cap by the same walk that finds the candidates (so the page needs no count of its own).

    The walk looks among the most popular gigs first (`tiers`: orders counts, highest first;
    catalog/popularity.py): if the matches with at least the first bound's orders are enough
    (one past the cap), they are the most popular matches of all, and the walk stops there;
    else it goes on to the next bound, and at last to every match. A walk that found too few
    holds all the matches of its tier, so the next one finds them again: only the last walk's
    rows count. Each walk's LIMIT sits right on its sort, so that PostgreSQL keeps only the
    best rows while it sorts (a bounded top-N sort) and scores only those.

    `bind` puts the values in, or names parameters for them (`_kept_ranked_page`)."""
    assert filters.q
    by_popularity = filters.model_copy(update={"sort_by": GigSort.POPULAR})
    keys = sort_keys(by_popularity)
    assert keys is not None
    own = {name: bind(name, value) for name, value in _page_values(params, tiers).items()}
    enough = own["enough"]
    walk = (  # built once and narrowed per tier: building it is most of the statement's cost
        select(*(column for column, _ in keys), relevance(filters.q, bind).label("rank"))
        .where(*filter_conditions(filters, bind))
        .order_by(*order_by(by_popularity))
        .limit(enough)
    )
    walks = [
        walk.where(Gig.orders_count >= own[f"tier_{index}"]).cte(f"walk_{index}")
        for index in range(len(tiers))
    ]
    walks.append(walk.cte(f"walk_{len(tiers)}"))
    # How many each walk but the last found: a walk's rows count if it found enough and every
    # walk before it too few; the last walk's, if every walk before it found too few.
    counts = [select(func.count()).select_from(walk).scalar_subquery() for walk in walks[:-1]]
    taken = [
        select(walk).where(
            *(count < enough for count in counts[:index]),
            *(count == enough for count in counts[index : index + 1]),
        )
        for index, walk in enumerate(walks)
    ]
    walked = union_all(*taken).subquery("walk")
    in_walk_order = [
        walked.c[column.key].desc() if descending else walked.c[column.key] for column, descending in keys
    ]
    candidates = select(
        walked.c.id, walked.c.rank, func.row_number().over(order_by=in_walk_order).label("place")
    ).cte("candidates")
    page = (
        select(candidates.c.id, candidates.c.rank)
        .where(candidates.c.place <= own["cap"])
        .order_by(candidates.c.rank.desc(), candidates.c.id)
        .limit(own["limit"])
        .offset(own["offset"])
    ).subquery("page")
    matched = select(func.count()).select_from(candidates).scalar_subquery()
    return (
        select(*columns, matched.label("matched"))
        .select_from(page)
        .join(Gig, Gig.id == page.c.id)
        .join(User, User.id == Gig.creator_id)
        .order_by(page.c.rank.desc(), Gig.id)
    )


def count_cap(filters: GigFilters) -> int:
    return SEARCH_COUNT_CAP if filters.q else COUNT_CAP


def gig_count(filters: GigFilters) -> Select[int]:
    """The statement counting the list's matches, up to one more than its cap (`count_cap`)."""
    matches = (
        select(literal(1)).select_from(Gig).where(*filter_conditions(filters)).limit(count_cap(filters) + 1)
    )
    return select(func.count()).select_from(matches.subquery())


def _after(keys: tuple[tuple[Any, bool], ...], values: list[Any]) -> ColumnElement[bool]:
    """Rows after `values` in the order of `keys`: beyond on the first key, or equal on it and
    beyond on the next, and so on; with the first key's bound stated alone too, so that its
    index can start the scan there."""
    beyond = []
    for index, (column, descending) in enumerate(keys):
        equal_before = [keys[i][0] == values[i] for i in range(index)]
        step = column < values[index] if descending else column > values[index]
        beyond.append(and_(*equal_before, step))
    first, descending = keys[0]
    bound = first <= values[0] if descending else first >= values[0]
    return and_(bound, or_(*beyond))


def _cursor(filters: GigFilters, row: Row[*tuple[Any, ...]]) -> str | None:
    """The cursor naming `row`'s place in the list's order (None for relevance to a query)."""
    keys = sort_keys(filters)
    if keys is None:
        return None
    values = [getattr(row, column.key) for column, _ in keys]
    return base64.urlsafe_b64encode(orjson.dumps([effective_sort(filters), *values], default=str)).decode()


def _position(cursor: str, filters: GigFilters) -> list[Any]:
    """A cursor's key values, typed as its columns (400 for anything a list did not give)."""
    keys = sort_keys(filters)
    if keys is None:
        raise NoCursorForRelevance()
    try:
        sort, *values = orjson.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if sort != effective_sort(filters) or len(values) != len(keys):
            raise ValueError("another sort")
        return [_typed(column, value) for (column, _), value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, UnicodeError, ArithmeticError, binascii.Error) as error:
        raise InvalidCursor(details={"cursor": cursor[:200]}) from error


def _typed(column: Any, value: Any) -> Any:
    kind = column.type.python_type
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("a time without its zone")
        return parsed
    if kind is int and not isinstance(value, int):
        raise TypeError("not a whole number")
    if kind is int and abs(value) >= 2**63:
        raise ValueError("out of range")
    return kind(value) if kind in (Decimal, uuid.UUID) else value


async def _count(session: AsyncSession, filters: GigFilters) -> int:
    """How many gigs match (up to one past the cap). Every page and every sort of a list has
    the same total, so it is cached with the pages, under the catalog version: paging through
    a search, or changing its sort, counts once."""

    async def build() -> str:
        return str(await session.scalar(gig_count(filters)) or 0)

    parts = {"filters": filters.model_dump(mode="json", exclude={"sort_by"}), "cap": count_cap(filters)}
    return int(await cached_page(session, "total", parts, build) or 0)


def lists_nothing(body: str) -> bool:
    """Whether a list page's JSON (as `gig_list` writes it, items first) has no items."""
    return body.startswith('{"items":[]')


async def _read_gig_list(
    session: AsyncSession, filters: GigFilters, params: PageParams, position: list[Any] | None, *, hits: bool
) -> str:
    cap = count_cap(filters)
    by_relevance = sort_keys(filters) is None
    tiers = await popularity_tiers.bounds(session) if by_relevance else ()
    statement, values = gig_list_items(filters, params, position, hits=hits, tiers=tiers)
    rows = (await session.execute(statement, values)).all()
    more = len(rows) > params.page_size
    rows = rows[: params.page_size]
    if by_relevance:  # the rows say how many matched
        matched = rows[0].matched if rows else await _count(session, filters)  # or past the end
        total, exact = min(matched, cap), matched <= cap
    elif position is None and not more and (rows or params.offset == 0):
        total, exact = params.offset + len(rows), True  # the last page tells the total
    else:
        matched = await _count(session, filters)
        total, exact = min(matched, cap), matched <= cap
    cards = [card(row) for row in rows]
    if hits:
        for item, row in zip(cards, rows, strict=True):
            item["description"] = excerpt(row.description, EXCERPT_LENGTH)
    return dumps(
        {
            "items": cards,
            "total": total,
            "total_is_exact": exact,
            "page": params.page if position is None else None,
            "page_size": params.page_size,
            "total_pages": math.ceil(total / params.page_size),
            "next_cursor": _cursor(filters, rows[-1]) if more else None,
        }
    )
