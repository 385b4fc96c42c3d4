"""The floor: what Python and PostgreSQL allow for ReelByte's hot reads.

A bare Starlette app on a psycopg pool that runs the same SQL as ReelByte's gig list and gig
detail (catalog/reads.py) and answers the same JSON, with nothing else: no middleware, no
validation, no logging, no cache. `bench/compare.py` runs it beside ReelByte; a test
(tests/bench/test_floor.py) keeps its answers equal to ReelByte's.

    DATABASE_URL=postgresql://… uv run uvicorn bench.floor:app --port 8801

It understands the query parameters the benchmarks send: `category_id`, `sort_by`
(popular, newest, price_asc, price_desc, rating), `page` and `page_size`; and for gig search
`q`, relevance, `min_rating`, `max_delivery_days` and `max_price` (bench/search_load.py's
long tail). Search ranks by relevance as ReelByte does (catalog/reads._ranked_page): the 1,000
most popular matches, looked for among the 20,000 most popular gigs first; and its statements
run unprepared, as ReelByte's do (core.db.planned_for_values: PostgreSQL plans each for its
values, where a prepared statement's generic plan costs a search up to ten times as much).
"""

from __future__ import annotations

import base64
import math
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import orjson
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reelbyte.core.text import excerpt

COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000
TIER_SIZE = 20_000
EXCERPT_LENGTH = 300
LISTED = "g.is_active AND g.price_from_minor IS NOT NULL"
CARD = """
    g.id, g.slug, g.title, g.creator_level, g.category_id, g.subcategory_id, g.tags,
    g.thumbnail_url, g.video_preview_url, g.price_from_minor, g.price_to_minor, g.currency,
    g.min_delivery_days, g.views_count, g.orders_count, g.rating, g.total_reviews, g.is_featured,
    g.created_at, u.id AS u_id, u.username AS u_username, u.full_name AS u_full_name,
    u.avatar_url AS u_avatar_url, u.creator_level AS u_creator_level, u.rating AS u_rating,
    u.total_reviews AS u_total_reviews, u.on_time_delivery_percent AS u_on_time_delivery_percent,
    u.repeat_client_percent AS u_repeat_client_percent, u.verified_at AS u_verified_at"""
ORDERS = {
    "popular": "g.orders_count DESC, g.views_count DESC, g.id",
    "newest": "g.created_at DESC, g.id",
    "price_asc": "g.price_from_minor, g.id",
    "price_desc": "g.price_from_minor DESC, g.id",
    "rating": "g.rating DESC, g.total_reviews DESC, g.id",
}
KEYS = {
    "popular": ("orders_count", "views_count", "id"),
    "newest": ("created_at", "id"),
    "price_asc": ("price_from_minor", "id"),
    "price_desc": ("price_from_minor", "id"),
    "rating": ("rating", "total_reviews", "id"),
}
DETAIL = f"""
    SELECT {CARD}, g.description, g.requirements, g.gallery_urls, g.gallery_uploads,
        g.video_preview_upload_id, g.is_active, g.updated_at,
        c.id AS c_id, c.name AS c_name, c.slug AS c_slug,
        s.id AS s_id, s.name AS s_name, s.slug AS s_slug
    FROM gigs g
    JOIN users u ON u.id = g.creator_id
    JOIN categories c ON c.id = g.category_id
    LEFT JOIN categories s ON s.id = g.subcategory_id
    WHERE g.is_active AND """
PACKAGES = """
    SELECT id, gig_id, tier, description, price_minor, currency, delivery_days, revisions, features,
        video_spec, created_at, updated_at
    FROM packages WHERE gig_id = %s AND is_active ORDER BY tier"""

TEXT_QUERY = "websearch_to_tsquery('english', %(q)s)"
RANK = (
    f"ts_rank_cd(g.search_vector, {TEXT_QUERY}, 1) * (1 + g.rating / CAST(10 AS NUMERIC))"
    " * (1 + ln(1 + g.orders_count) / CAST(10 AS NUMERIC))"
)
WALK = f"""
    SELECT g.orders_count, g.views_count, g.id, {RANK} AS rank FROM gigs g
    WHERE {{where}} ORDER BY {ORDERS["popular"]} LIMIT {SEARCH_COUNT_CAP + 1}"""
RANKED_PAGE = f"""
    SELECT {CARD}, g.description, (SELECT count(*) FROM candidates) AS matched
    FROM (
        SELECT id, rank FROM candidates WHERE place <= {SEARCH_COUNT_CAP}
        ORDER BY rank DESC, id LIMIT %(limit)s OFFSET %(offset)s
    ) page
    JOIN gigs g ON g.id = page.id JOIN users u ON u.id = g.creator_id
    ORDER BY page.rank DESC, g.id"""
CANDIDATES = """
    candidates AS (
        SELECT id, rank, row_number() OVER (ORDER BY orders_count DESC, views_count DESC, id) AS place
        FROM ({walked}) walk
    )"""

pool: AsyncConnectionPool | None = None
tier_bound: int | None = None  # the orders of the TIER_SIZE-th most popular gig, read at start


async def open_pool(database_url: str) -> AsyncConnectionPool:
    global pool
    pool = AsyncConnectionPool(
        database_url.replace("postgresql+psycopg://", "postgresql://"),
        min_size=16,
        max_size=16,
        open=False,
        kwargs={"autocommit": True, "row_factory": dict_row},
    )
    await pool.open()
    global tier_bound
    async with connection() as conn:
        row = await (
            await conn.execute(
                f"SELECT orders_count FROM gigs g WHERE {LISTED} ORDER BY orders_count DESC OFFSET %s LIMIT 1",
                [TIER_SIZE - 1],
            )
        ).fetchone()
    tier_bound = row["orders_count"] if row and row["orders_count"] > 0 else None  # 0: every gig
    return pool


def connection() -> Any:
    assert pool is not None, "open_pool() first"
    return pool.connection()


def money(minor: int | None, currency: str) -> dict[str, str] | None:
    if minor is None:
        return None
    whole, cents = divmod(minor, 100)
    return {"currency": currency, "value": f"{whole}.{cents:02d}"}


def card(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "slug": row["slug"],
        "title": row["title"],
        "creator": {
            "id": row["u_id"],
            "username": row["u_username"],
            "full_name": row["u_full_name"],
            "avatar_url": row["u_avatar_url"],
            "creator_level": row["u_creator_level"],
            "rating": str(row["u_rating"]),
            "total_reviews": row["u_total_reviews"],
            "on_time_delivery_percent": row["u_on_time_delivery_percent"],
            "repeat_client_percent": row["u_repeat_client_percent"],
            "is_verified": row["u_verified_at"] is not None,
        },
        "creator_level": row["creator_level"],
        "category_id": row["category_id"],
        "subcategory_id": row["subcategory_id"],
        "tags": row["tags"],
        "thumbnail_url": row["thumbnail_url"],
        "video_preview_url": row["video_preview_url"],
        "price_from": money(row["price_from_minor"], row["currency"]),
        "price_to": money(row["price_to_minor"], row["currency"]),
        "min_delivery_days": row["min_delivery_days"],
        "stats": {
            "views": row["views_count"],
            "orders": row["orders_count"],
            "rating": str(row["rating"]),
            "total_reviews": row["total_reviews"],
        },
        "is_featured": row["is_featured"],
        "created_at": row["created_at"],
    }


def package(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "gig_id": row["gig_id"],
        "tier": row["tier"],
        "name": row["tier"].capitalize(),
        "description": row["description"],
        "price": money(row["price_minor"], row["currency"]),
        "delivery_days": row["delivery_days"],
        "revisions": row["revisions"],
        "features": row["features"],
        "video_spec": row["video_spec"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def json(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(value, option=orjson.OPT_UTC_Z), status, media_type="application/json")


async def gigs(request: Request) -> Response:
    params = request.query_params
    page, size = int(params.get("page", 1)), int(params.get("page_size", 20))
    where, args = LISTED, []
    if "category_id" in params:
        where += " AND g.category_id = %s"
        args.append(int(params["category_id"]))
    sort = params.get("sort_by", "popular").replace("relevance", "popular")
    async with connection() as conn:
        rows = await (
            await conn.execute(
                f"SELECT {CARD} FROM gigs g JOIN users u ON u.id = g.creator_id WHERE {where} "
                f"ORDER BY {ORDERS[sort]} LIMIT %s OFFSET %s",
                [*args, size + 1, (page - 1) * size],
            )
        ).fetchall()
        more, rows = len(rows) > size, rows[:size]
        if not more and (rows or page == 1):
            total = (page - 1) * size + len(rows)
        else:
            total = await count(conn, where, args, COUNT_CAP)
    exact = total <= COUNT_CAP
    total = min(total, COUNT_CAP)
    return json(
        {
            "items": [card(row) for row in rows],
            "total": total,
            "total_is_exact": exact,
            "page": page,
            "page_size": size,
            "total_pages": math.ceil(total / size),
            "next_cursor": cursor(sort, rows[-1]) if more else None,
        }
    )


async def count(conn: Any, where: str, args: Any, cap: int, prepare: bool | None = None) -> int:
    """How many listed gigs match `where`, up to one past `cap`."""
    row = await (
        await conn.execute(
            f"SELECT count(*) AS n FROM (SELECT 1 FROM gigs g WHERE {where} LIMIT {cap + 1}) c",
            args,
            prepare=prepare,
        )
    ).fetchone()
    return int(row["n"]) if row else 0


def cursor(sort: str, row: dict[str, Any]) -> str:
    values = [sort, *(row[key] for key in KEYS[sort])]
    return base64.urlsafe_b64encode(orjson.dumps(values, default=str)).decode()


async def gig(request: Request) -> Response:
    ref = request.path_params["ref"]
    async with connection() as conn:
        try:
            row = await (await conn.execute(DETAIL + "g.id = %s", [uuid.UUID(ref)])).fetchone()
        except ValueError:
            row = None
        if row is None:
            row = await (await conn.execute(DETAIL + "g.slug = %s", [ref])).fetchone()
        if row is None:
            return json({"error": "gig_not_found", "message": "No such gig.", "details": {"gig": ref}}, 404)
        packages = await (await conn.execute(PACKAGES, [row["id"]])).fetchall()
    body = card(row)
    body.update(
        description=row["description"],
        requirements=row["requirements"],
        gallery_urls=row["gallery_urls"],
        gallery_uploads=row["gallery_uploads"],
        video_preview_upload_id=row["video_preview_upload_id"],
        category={"id": row["c_id"], "name": row["c_name"], "slug": row["c_slug"]},
        subcategory={"id": row["s_id"], "name": row["s_name"], "slug": row["s_slug"]}
        if row["s_id"]
        else None,
        is_active=row["is_active"],
        packages=[package(p) for p in packages],
        updated_at=row["updated_at"],
    )
    return json(body)


async def search(request: Request) -> Response:
    params = request.query_params
    page, size = int(params.get("page", 1)), int(params.get("page_size", 20))
    where = f"{LISTED} AND g.search_vector @@ {TEXT_QUERY}"
    args: dict[str, Any] = {"q": params["q"]}
    for name, condition, kind in (
        ("category_id", "g.category_id = %(category_id)s", int),
        ("min_rating", "g.rating >= %(min_rating)s", Decimal),
        ("max_delivery_days", "g.min_delivery_days <= %(max_delivery_days)s", int),
        ("max_price", "g.price_from_minor <= %(max_price)s", lambda v: int(Decimal(v) * 100)),
    ):
        if name in params:
            where += f" AND {condition}"
            args[name] = kind(params[name])
    sort = params.get("sort_by", "relevance")
    limits = {"limit": size + 1, "offset": (page - 1) * size}
    async with connection() as conn:
        if sort == "relevance":
            rows = await (await conn.execute(ranked_page(where), args | limits, prepare=False)).fetchall()
            sort = ""
        else:
            rows = await (
                await conn.execute(
                    f"SELECT {CARD}, g.description FROM gigs g JOIN users u ON u.id = g.creator_id "
                    f"WHERE {where} ORDER BY {ORDERS[sort]} LIMIT %(limit)s OFFSET %(offset)s",
                    args | limits,
                    prepare=False,
                )
            ).fetchall()
        more, rows = len(rows) > size, rows[:size]
        if sort == "" and rows:
            total = rows[0]["matched"]
        elif sort and not more and (rows or page == 1):
            total = (page - 1) * size + len(rows)
        else:
            total = await count(conn, where, args, SEARCH_COUNT_CAP, prepare=False)
    exact = total <= SEARCH_COUNT_CAP
    total = min(total, SEARCH_COUNT_CAP)
    return json(
        {
            "items": [
                card(row) | {"description": excerpt(row["description"], EXCERPT_LENGTH)} for row in rows
            ],
            "total": total,
            "total_is_exact": exact,
            "page": page,
            "page_size": size,
            "total_pages": math.ceil(total / size),
            "next_cursor": cursor(sort, rows[-1]) if more and sort else None,
        }
    )


def ranked_page(where: str) -> str:
    """The page by relevance: the SEARCH_COUNT_CAP most popular matches, ranked; looked for
    among the most popular gigs first (the first walk), and among all when those are too few."""
    if tier_bound is None:
        return f"WITH walk AS ({WALK.format(where=where)}),{CANDIDATES.format(walked='SELECT * FROM walk')}{RANKED_PAGE}"
    enough = SEARCH_COUNT_CAP + 1
    walked = (
        f"SELECT * FROM tier WHERE (SELECT count(*) FROM tier) = {enough} UNION ALL "
        f"SELECT * FROM walk WHERE (SELECT count(*) FROM tier) < {enough}"
    )
    tier = WALK.format(where=f"{where} AND g.orders_count >= {tier_bound}")
    return f"WITH tier AS ({tier}), walk AS ({WALK.format(where=where)}),{CANDIDATES.format(walked=walked)}{RANKED_PAGE}"


async def health(_: Request) -> Response:
    return json({"status": "ok"})


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    opened = await open_pool(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    try:
        yield
    finally:
        await opened.close()


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/v1/gigs", gigs),
        Route("/v1/gigs/{ref}", gig),
        Route("/v1/search/gigs", search),
    ],
    lifespan=lifespan,
)
